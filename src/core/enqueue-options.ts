/**
 * Checking `task.enqueue` options before anything is queued.
 *
 * @module
 */
import { TaskError } from './errors.js';
import { assertValidTaskId, generateTaskId } from './ids.js';
import type { EnqueueOptions } from './types.js';

/** Enqueue options after checking: an id, and a run time when one was asked for. */
export interface ResolvedEnqueueOptions {
  readonly id: string;
  readonly runAt: Date | undefined;
}

/**
 * Checks and normalizes enqueue options; `delay` becomes an absolute `runAt`.
 *
 * @throws {TaskError} `invalid_enqueue_options` naming the bad option and what it accepts.
 */
export function resolveEnqueueOptions(options: EnqueueOptions | undefined, now: Date): ResolvedEnqueueOptions {
  const { delay, runAt, id } = options ?? {};

  if (id !== undefined) assertValidTaskId(id);
  if (delay !== undefined && runAt !== undefined) {
    throw invalid('Pass either `delay` or `runAt`, not both.');
  }
  if (delay !== undefined && (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0)) {
    throw invalid(`Invalid \`delay\` ${String(delay)}: pass a finite number of milliseconds, 0 or more.`);
  }
  if (runAt !== undefined && (!(runAt instanceof Date) || Number.isNaN(runAt.getTime()))) {
    throw invalid(`Invalid \`runAt\` ${String(runAt)}: pass a valid Date.`);
  }

  const delayedRunAt = delay !== undefined && delay > 0 ? new Date(now.getTime() + delay) : undefined;
  // A finite delay can still pass the latest time a Date can hold (8.64e15 ms after 1970),
  // and such a Date is invalid: its getTime() is NaN.
  if (delayedRunAt !== undefined && Number.isNaN(delayedRunAt.getTime())) {
    throw invalid(
      `Invalid \`delay\` ${String(delay)}: the run time would be past the latest valid Date, so pass fewer milliseconds.`,
    );
  }

  return {
    id: id ?? generateTaskId(),
    runAt: delayedRunAt ?? runAt,
  };
}

function invalid(message: string): TaskError {
  return new TaskError('invalid_enqueue_options', message);
}
