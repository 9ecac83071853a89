/**
 * A queue's rate limits and retry settings: defaults, checks and conversion from and to the
 * `Queue` message.
 *
 * @module
 */
import {
  fromMilliseconds,
  type QueueMessage,
  type RateLimitsMessage,
  type RetryConfigMessage,
  type SecondsAndNanos,
  type StackdriverLoggingConfigMessage,
  toMilliseconds,
} from './messages.js';
import type { RetryPolicy } from './retry.js';
import { invalidArgument } from './rpc-error.js';

/** A queue's rate limits. The emulator enforces only `maxConcurrentDispatches`. */
export interface RateLimits {
  readonly maxDispatchesPerSecond: number;
  readonly maxBurstSize: number;
  readonly maxConcurrentDispatches: number;
}

/** The mutable settings of a queue. */
export interface QueueSettings {
  readonly rateLimits: RateLimits;
  readonly retry: RetryPolicy;
  readonly stackdriverLoggingConfig: StackdriverLoggingConfigMessage | undefined;
}

// NOTE: Cloud Tasks picks defaults for unset fields, but its API reference does not list them.
// These are the values commonly reported for a new queue, not checked against the service.
/** Retry settings of a queue created without them. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 100,
  maxRetryDurationMs: 0,
  minBackoffMs: 100,
  maxBackoffMs: 3_600_000,
  maxDoublings: 16,
};

/** Rate limits of a queue created without them. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  maxDispatchesPerSecond: 500,
  maxBurstSize: 100,
  maxConcurrentDispatches: 1000,
};

/** Default settings of a new queue. */
export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  rateLimits: DEFAULT_RATE_LIMITS,
  retry: DEFAULT_RETRY_POLICY,
  stackdriverLoggingConfig: undefined,
};

/** Highest `maxDispatchesPerSecond` Cloud Tasks accepts. */
const MAX_DISPATCHES_PER_SECOND = 500;
/** Highest `maxConcurrentDispatches` Cloud Tasks accepts. */
const MAX_CONCURRENT_DISPATCHES = 5000;

/**
 * Reads the rate limits of a Queue message. Fields that are unset or 0 keep `base`, because
 * proto3 sends no difference between the two.
 *
 * @throws {RpcError} INVALID_ARGUMENT for values outside the Cloud Tasks limits.
 */
export function readRateLimits(message: RateLimitsMessage | undefined, base: RateLimits): RateLimits {
  const perSecond = message?.maxDispatchesPerSecond || base.maxDispatchesPerSecond;
  const concurrent = message?.maxConcurrentDispatches || base.maxConcurrentDispatches;

  if (!(perSecond > 0 && perSecond <= MAX_DISPATCHES_PER_SECOND)) {
    throw invalidArgument(
      `Invalid queue.rateLimits.maxDispatchesPerSecond ${perSecond}: use a number above 0 and at most ${MAX_DISPATCHES_PER_SECOND}.`,
    );
  }
  if (!(Number.isInteger(concurrent) && concurrent > 0 && concurrent <= MAX_CONCURRENT_DISPATCHES)) {
    throw invalidArgument(
      `Invalid queue.rateLimits.maxConcurrentDispatches ${concurrent}: use a whole number from 1 to ${MAX_CONCURRENT_DISPATCHES}.`,
    );
  }
  // maxBurstSize is output only: Cloud Tasks picks it, so a value in the request is ignored.
  return { maxDispatchesPerSecond: perSecond, maxBurstSize: base.maxBurstSize, maxConcurrentDispatches: concurrent };
}

/**
 * Reads the retry settings of a Queue message. Numbers that are unset or 0 keep `base`; durations
 * that are present are taken as they are, 0 included.
 *
 * NOTE: Cloud Tasks truncates backoffs and the retry duration to whole seconds; the emulator
 * keeps milliseconds, so that tests can use short backoffs.
 *
 * @throws {RpcError} INVALID_ARGUMENT for a negative or inconsistent value.
 */
export function readRetryPolicy(message: RetryConfigMessage | undefined, base: RetryPolicy): RetryPolicy {
  const policy: RetryPolicy = {
    maxAttempts: message?.maxAttempts || base.maxAttempts,
    maxRetryDurationMs: readDuration(message?.maxRetryDuration, base.maxRetryDurationMs, 'maxRetryDuration'),
    minBackoffMs: readDuration(message?.minBackoff, base.minBackoffMs, 'minBackoff'),
    maxBackoffMs: readDuration(message?.maxBackoff, base.maxBackoffMs, 'maxBackoff'),
    maxDoublings: message?.maxDoublings || base.maxDoublings,
  };

  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < -1) {
    throw invalidArgument(
      `Invalid queue.retryConfig.maxAttempts ${policy.maxAttempts}: use -1 for no limit or a whole number of at least 1.`,
    );
  }
  if (!Number.isInteger(policy.maxDoublings) || policy.maxDoublings < 0) {
    throw invalidArgument(
      `Invalid queue.retryConfig.maxDoublings ${policy.maxDoublings}: use a whole number of at least 0.`,
    );
  }
  if (policy.minBackoffMs > policy.maxBackoffMs) {
    throw invalidArgument(
      `Invalid queue.retryConfig: minBackoff (${policy.minBackoffMs} ms) is longer than maxBackoff (${policy.maxBackoffMs} ms).`,
    );
  }
  return policy;
}

function readDuration(value: SecondsAndNanos | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;

  const milliseconds = toMilliseconds(value);
  if (milliseconds < 0) {
    throw invalidArgument(`Invalid queue.retryConfig.${field} ${milliseconds} ms: a duration cannot be negative.`);
  }
  return milliseconds;
}

/** Reads all mutable settings of a Queue message, over `base`. */
export function readQueueSettings(message: QueueMessage, base: QueueSettings): QueueSettings {
  if (message.appEngineRoutingOverride !== undefined) {
    throw invalidArgument(
      'Invalid queue.appEngineRoutingOverride: the emulator supports HTTP-target tasks only, so leave it out.',
    );
  }

  return {
    rateLimits: readRateLimits(message.rateLimits, base.rateLimits),
    retry: readRetryPolicy(message.retryConfig, base.retry),
    stackdriverLoggingConfig: message.stackdriverLoggingConfig ?? base.stackdriverLoggingConfig,
  };
}

/** Converts retry settings to a `RetryConfig` message. */
export function toRetryConfigMessage(policy: RetryPolicy): RetryConfigMessage {
  return {
    maxAttempts: policy.maxAttempts,
    maxRetryDuration: fromMilliseconds(policy.maxRetryDurationMs),
    minBackoff: fromMilliseconds(policy.minBackoffMs),
    maxBackoff: fromMilliseconds(policy.maxBackoffMs),
    maxDoublings: policy.maxDoublings,
  };
}

/**
 * Applies an UpdateQueue request to a queue's settings. An empty mask replaces every mutable
 * setting, and settings left out of the message get their defaults. Otherwise each path
 * (`retry_config`, `rate_limits.max_concurrent_dispatches`, ...; camelCase works too) takes its
 * value from the message.
 *
 * @throws {RpcError} INVALID_ARGUMENT for a path that is unknown or names an output-only field.
 */
export function applyUpdateMask(
  current: QueueSettings,
  message: QueueMessage,
  paths: readonly string[],
): QueueSettings {
  if (paths.length === 0) return readQueueSettings(message, DEFAULT_QUEUE_SETTINGS);

  let { rateLimits, retry, stackdriverLoggingConfig } = current;
  for (const rawPath of paths) {
    const path = toSnakeCase(rawPath);
    const [group, field] = path.split('.', 2);
    if (group === 'rate_limits' && field === undefined) {
      rateLimits = readRateLimits(message.rateLimits, DEFAULT_RATE_LIMITS);
    } else if (group === 'rate_limits' && field !== undefined && RATE_LIMIT_FIELDS.has(field)) {
      rateLimits = readRateLimits(pickField(message.rateLimits, field), rateLimits);
    } else if (group === 'retry_config' && field === undefined) {
      retry = readRetryPolicy(message.retryConfig, DEFAULT_RETRY_POLICY);
    } else if (group === 'retry_config' && field === 'max_doublings') {
      // Read apart because 0 doublings is a valid explicit value that the fallback would replace.
      retry = readRetryPolicy(undefined, { ...retry, maxDoublings: message.retryConfig?.maxDoublings ?? 0 });
    } else if (group === 'retry_config' && field !== undefined && RETRY_FIELDS.has(field)) {
      retry = readRetryPolicy(pickField(message.retryConfig, field), retry);
    } else if (path === 'stackdriver_logging_config') {
      stackdriverLoggingConfig = message.stackdriverLoggingConfig;
    } else {
      throw invalidArgument(
        `Invalid updateMask path ${JSON.stringify(rawPath)}: the emulator updates rate_limits, retry_config, ` +
          'their fields, and stackdriver_logging_config. Change the state with PauseQueue and ResumeQueue.',
      );
    }
  }
  return { rateLimits, retry, stackdriverLoggingConfig };
}

const RATE_LIMIT_FIELDS = new Set(['max_dispatches_per_second', 'max_concurrent_dispatches', 'max_burst_size']);
const RETRY_FIELDS = new Set(['max_attempts', 'max_retry_duration', 'min_backoff', 'max_backoff']);

function toSnakeCase(path: string): string {
  return path.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Copies one snake_case field of a message into a new message with only that field. */
function pickField<T extends object>(message: T | undefined, snakeField: string): T {
  const camelField = snakeField.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
  const value = message === undefined ? undefined : (message as Record<string, unknown>)[camelField];
  return (value === undefined ? {} : { [camelField]: value }) as T;
}
