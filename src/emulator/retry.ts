/**
 * When a failed task is retried, computed as the Cloud Tasks v2 API reference describes
 * `RetryConfig` (queue.proto).
 *
 * @module
 */

/** A queue's retry settings, with durations in milliseconds. */
export interface RetryPolicy {
  /** Attempts per task, the first one included; -1 for no limit. */
  readonly maxAttempts: number;
  /** Time limit for retrying, measured from the first attempt; 0 for no limit. */
  readonly maxRetryDurationMs: number;
  /** Delay before the first retry. */
  readonly minBackoffMs: number;
  /** Maximum delay between retries. */
  readonly maxBackoffMs: number;
  /** How many times the delay doubles before it grows linearly. */
  readonly maxDoublings: number;
}

/**
 * Computes the delay before the next attempt, in milliseconds, after `attemptsMade` attempts
 * failed. The delay starts at `minBackoffMs`, doubles `maxDoublings` times, then grows by the
 * last doubled step per retry, and never exceeds `maxBackoffMs`. With a 10 s minimum, a 300 s
 * maximum and 3 doublings the delays are 10, 20, 40, 80, 160, 240, 300, 300 s, the example in
 * the API reference.
 */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number): number {
  // Doubling zero stays zero, and skipping the arithmetic avoids 0 * 2 ** 1024, which is NaN.
  if (policy.minBackoffMs === 0) return 0;

  const retryIndex = Math.max(0, attemptsMade - 1);
  const doublings = Math.min(retryIndex, policy.maxDoublings);
  const lastDoubledStep = policy.minBackoffMs * 2 ** doublings;
  const linearSteps = retryIndex - doublings;
  return Math.min(lastDoubledStep * (1 + linearSteps), policy.maxBackoffMs);
}

/**
 * Returns whether a failed task gets another attempt. Cloud Tasks stops only when both the
 * attempt limit and the retry duration are reached. A limit that is not set (-1 attempts, a
 * 0 duration) counts as reached, unless neither is set: then the task is retried forever.
 *
 * NOTE: the API reference does not say how an unset limit combines with a set one. Counting it as
 * reached means that "5 attempts, no duration" stops after 5 attempts, and "no attempt limit,
 * 1 hour" stops after an hour.
 *
 * @param elapsedMs Time since the task's first attempt.
 */
export function shouldRetry(policy: RetryPolicy, attemptsMade: number, elapsedMs: number): boolean {
  const attemptsUnlimited = policy.maxAttempts === -1;
  const durationUnlimited = policy.maxRetryDurationMs <= 0;
  if (attemptsUnlimited && durationUnlimited) return true;

  const attemptsReached = attemptsUnlimited || attemptsMade >= policy.maxAttempts;
  const durationReached = durationUnlimited || elapsedMs >= policy.maxRetryDurationMs;
  return !(attemptsReached && durationReached);
}
