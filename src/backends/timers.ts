/**
 * Waiting for a task's `runAt` with Node.js timers, shared by the backends that run tasks here.
 *
 * @module
 */

// setTimeout fires at once for delays above 2^31 - 1 ms (about 24.8 days), so longer waits are chained.
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Resolves once `runAt` has passed, or at once when it is `undefined` or already past. Waits
 * longer than {@link MAX_TIMER_DELAY_MS} are split into several timers.
 */
export async function waitUntil(runAt: Date | undefined): Promise<void> {
  if (runAt === undefined) return;

  for (let wait = runAt.getTime() - Date.now(); wait > 0; wait = runAt.getTime() - Date.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, MAX_TIMER_DELAY_MS)));
  }
}
