/**
 * Keeping a serverless function alive until in-process work finishes.
 *
 * Inside a Next.js request (a server action or a route handler), `after()` from `next/server`
 * makes the host keep the function running until the given promise settles. Outside a
 * request, `after()` throws, and the work simply runs detached in this long-lived process.
 *
 * @module
 */

type AfterFunction = (task: Promise<unknown>) => void;

let afterFunction: Promise<AfterFunction | undefined> | undefined;

function loadAfter(): Promise<AfterFunction | undefined> {
  // next/server is loaded lazily so that scripts and tests without Next.js still work.
  afterFunction ??= import('next/server.js').then(
    (module) => (typeof module.after === 'function' ? module.after : undefined),
    () => undefined,
  );
  return afterFunction;
}

/**
 * Registers `work` with Next.js `after()` when called inside a request. Returns whether it was
 * registered; `false` means the work runs detached.
 */
export async function keepAliveUntilSettled(work: Promise<unknown>): Promise<boolean> {
  const after = await loadAfter();
  if (after === undefined) return false;

  try {
    after(work);
    return true;
  } catch {
    // after() throws outside a request scope (at startup, in a script, in a timer callback).
    return false;
  }
}
