/**
 * Conversion of the emulator's queues and tasks to the `Queue` and `Task` messages it returns.
 *
 * @module
 */
import { type AttemptMessage, fromMilliseconds, type QueueMessage, type TaskMessage } from './messages.js';
import { toRetryConfigMessage } from './queue-config.js';
import type { AttemptState, QueueState, TaskState } from './store.js';

/** How much of a task to return: BASIC leaves out the body, FULL includes it. */
export type TaskView = 'BASIC' | 'FULL';

/** Reads a `responseView` field: FULL when asked for, BASIC otherwise, as Cloud Tasks defaults. */
export function readTaskView(value: string | number | undefined): TaskView {
  return value === 'FULL' || value === 2 ? 'FULL' : 'BASIC';
}

/** Converts a queue to its message. */
export function toQueueMessage(queue: QueueState): QueueMessage {
  const { rateLimits, retry, stackdriverLoggingConfig } = queue.settings;
  return {
    name: queue.path.name,
    rateLimits: { ...rateLimits },
    retryConfig: toRetryConfigMessage(retry),
    state: queue.state,
    ...(queue.purgeTimeMs === undefined ? {} : { purgeTime: fromMilliseconds(queue.purgeTimeMs) }),
    ...(stackdriverLoggingConfig === undefined ? {} : { stackdriverLoggingConfig }),
  };
}

/** Converts a task to its message in the given view. */
export function toTaskMessage(task: TaskState, view: TaskView): TaskMessage {
  const { url, method, headers, body, oidcToken, oauthToken } = task.request;
  return {
    name: task.name,
    httpRequest: {
      url,
      httpMethod: method,
      headers: { ...headers },
      ...(view === 'FULL' ? { body } : {}),
      ...(oidcToken === undefined ? {} : { oidcToken: { ...oidcToken } }),
      ...(oauthToken === undefined ? {} : { oauthToken: { ...oauthToken } }),
    },
    scheduleTime: fromMilliseconds(task.scheduleTimeMs),
    // Cloud Tasks truncates createTime to whole seconds.
    createTime: fromMilliseconds(Math.floor(task.createTimeMs / 1000) * 1000),
    dispatchDeadline: fromMilliseconds(task.dispatchDeadlineMs),
    dispatchCount: task.dispatchCount,
    responseCount: task.responseCount,
    // Cloud Tasks keeps only the dispatch time of the first attempt.
    ...(task.firstAttempt === undefined
      ? {}
      : { firstAttempt: { dispatchTime: fromMilliseconds(task.firstAttempt.dispatchTimeMs) } }),
    ...(task.lastAttempt === undefined ? {} : { lastAttempt: toAttemptMessage(task.lastAttempt) }),
    view,
  };
}

function toAttemptMessage(attempt: AttemptState): AttemptMessage {
  return {
    scheduleTime: fromMilliseconds(attempt.scheduleTimeMs),
    dispatchTime: fromMilliseconds(attempt.dispatchTimeMs),
    ...(attempt.responseTimeMs === undefined ? {} : { responseTime: fromMilliseconds(attempt.responseTimeMs) }),
    ...(attempt.responseStatus === undefined ? {} : { responseStatus: { ...attempt.responseStatus } }),
  };
}
