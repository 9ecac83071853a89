/**
 * Promises that resolve once the list of dispatch attempts matches a predicate.
 *
 * @module
 */
import type { DispatchRecord } from './types.js';

interface Waiter {
  readonly predicate: (dispatches: readonly DispatchRecord[]) => boolean;
  readonly resolve: (dispatches: readonly DispatchRecord[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The pending `waitForDispatches` calls of one emulator. */
export class DispatchWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly dispatches: () => readonly DispatchRecord[]) {}

  /** Resolves when `predicate` holds, checking now and after every attempt; rejects after `timeoutMs`. */
  wait(
    predicate: (dispatches: readonly DispatchRecord[]) => boolean,
    timeoutMs: number,
  ): Promise<readonly DispatchRecord[]> {
    const current = [...this.dispatches()];
    if (predicate(current)) return Promise.resolve(current);

    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for dispatches. ${describe(this.dispatches())}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Settles every waiter whose predicate now holds. */
  check(): void {
    const current = [...this.dispatches()];
    for (const waiter of this.waiters) {
      let matched: boolean;
      try {
        matched = waiter.predicate(current);
      } catch (error) {
        this.settle(waiter);
        waiter.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (!matched) continue;

      this.settle(waiter);
      waiter.resolve(current);
    }
  }

  /** Rejects every pending waiter, for example when the emulator stops. */
  rejectAll(reason: string): void {
    for (const waiter of this.waiters) {
      this.settle(waiter);
      waiter.reject(new Error(`Stopped waiting for dispatches: ${reason}. ${describe(this.dispatches())}`));
    }
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }
}

function describe(dispatches: readonly DispatchRecord[]): string {
  if (dispatches.length === 0) return 'No dispatch attempt finished.';

  const lines = dispatches.map(
    (record) =>
      `  ${record.taskId} attempt ${record.attempt}: ${record.method} ${record.url} -> ` +
      `${record.status === undefined ? record.error : `HTTP ${record.status}`}`,
  );
  return `Attempts seen (${dispatches.length}):\n${lines.join('\n')}`;
}
