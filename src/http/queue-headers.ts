/**
 * Reading the `X-CloudTasks-*` headers that Cloud Tasks adds to each HTTP-target dispatch.
 * Anyone can send these headers, so the handler reads them only after an authenticator
 * reported a trusted queue.
 *
 * @module
 */
import type { RunMetadata } from '../core/execute.js';
import { isValidTaskId } from '../core/ids.js';

/**
 * Builds the run's id, attempt and delivery facts from Cloud Tasks headers, or returns
 * `undefined` when the task name header is missing or is not a valid task id. The attempt is
 * `X-CloudTasks-TaskRetryCount` + 1; a missing or malformed count counts as the first attempt.
 */
export function runFromQueueHeaders(headers: Headers): RunMetadata | undefined {
  const id = headers.get('x-cloudtasks-taskname');
  if (id === null || !isValidTaskId(id)) return undefined;

  const retryCount = nonNegativeInteger(headers.get('x-cloudtasks-taskretrycount')) ?? 0;
  const eta = parseEta(headers.get('x-cloudtasks-tasketa'));
  return {
    id,
    attempt: retryCount + 1,
    // Cloud Tasks sends no enqueue time; the ETA is the closest fact it gives, else the arrival.
    enqueuedAt: eta ?? new Date(),
    delivery: {
      queueName: headers.get('x-cloudtasks-queuename') ?? '',
      executionCount: nonNegativeInteger(headers.get('x-cloudtasks-taskexecutioncount')) ?? 0,
      eta,
    },
  };
}

function nonNegativeInteger(value: string | null): number | undefined {
  if (value === null || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

/** Parses the ETA header: seconds since the Unix epoch, with an optional fraction. */
function parseEta(value: string | null): Date | undefined {
  if (value === null || !/^\d{1,12}(\.\d{1,9})?$/.test(value)) return undefined;
  return new Date(Math.round(Number(value) * 1000));
}
