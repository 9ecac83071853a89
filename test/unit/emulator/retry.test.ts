// Backoff and stop rules of the Cloud Tasks emulator's retries.
import { describe, expect, it } from 'vitest';

import { type RetryPolicy, retryDelayMs, shouldRetry } from '../../../src/emulator/retry.js';

const EXAMPLE: RetryPolicy = {
  maxAttempts: 100,
  maxRetryDurationMs: 0,
  minBackoffMs: 10_000,
  maxBackoffMs: 300_000,
  maxDoublings: 3,
};

describe('emulator retry delay', () => {
  it('matches the API reference example', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempts) => retryDelayMs(EXAMPLE, attempts) / 1000);

    expect(delays).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
  });

  it('grows linearly without doublings', () => {
    const policy = { ...EXAMPLE, maxDoublings: 0, maxBackoffMs: 200_000 };

    const delays = [1, 2, 3, 20].map((attempts) => retryDelayMs(policy, attempts) / 1000);

    expect(delays).toEqual([10, 20, 30, 200]);
  });

  it('stays at minBackoff when it equals maxBackoff', () => {
    const policy = { ...EXAMPLE, minBackoffMs: 50, maxBackoffMs: 50 };

    expect(retryDelayMs(policy, 10)).toBe(50);
  });

  it('zero minBackoff past 1024 doublings is 0', () => {
    const policy = { ...EXAMPLE, minBackoffMs: 0, maxDoublings: 2000 };

    expect(retryDelayMs(policy, 1100)).toBe(0);
  });
});

describe('emulator retry stop rule', () => {
  it('stops at maxAttempts without duration', () => {
    const policy = { ...EXAMPLE, maxAttempts: 3 };

    expect(shouldRetry(policy, 2, 0)).toBe(true);
    expect(shouldRetry(policy, 3, 0)).toBe(false);
  });

  it('needs both limits reached when both set', () => {
    const policy = { ...EXAMPLE, maxAttempts: 3, maxRetryDurationMs: 1000 };

    expect(shouldRetry(policy, 3, 500)).toBe(true);
    expect(shouldRetry(policy, 2, 2000)).toBe(true);
    expect(shouldRetry(policy, 3, 1000)).toBe(false);
  });

  it('stops at duration with unlimited attempts', () => {
    const policy = { ...EXAMPLE, maxAttempts: -1, maxRetryDurationMs: 1000 };

    expect(shouldRetry(policy, 50, 999)).toBe(true);
    expect(shouldRetry(policy, 50, 1000)).toBe(false);
  });

  it('never stops without any limit', () => {
    const policy = { ...EXAMPLE, maxAttempts: -1, maxRetryDurationMs: 0 };

    expect(shouldRetry(policy, 10_000, 10 ** 9)).toBe(true);
  });
});
