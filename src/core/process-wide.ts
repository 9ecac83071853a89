/**
 * State shared by every module copy of this library in one process.
 *
 * Next.js compiles `instrumentation.ts` and each route into separate module graphs, so a
 * module-level variable exists once per copy. State that must be shared (the registry, the
 * configuration, log memory) lives on `globalThis` under a `Symbol.for` key, which every copy
 * resolves to the same symbol.
 *
 * @module
 */

type ProcessWideStore = Record<symbol, unknown>;

function keyOf(name: string): symbol {
  return Symbol.for(`next-generic-tasks.${name}`);
}

/** Returns the process-wide value stored under `name`, creating it with `create` on first use. */
export function processWide<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as ProcessWideStore;
  const key = keyOf(name);
  if (!(key in store)) store[key] = create();
  return store[key] as T;
}

/** Forgets the process-wide value stored under `name`, so the next use creates it again. */
export function forgetProcessWide(name: string): void {
  delete (globalThis as unknown as ProcessWideStore)[keyOf(name)];
}
