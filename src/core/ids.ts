/**
 * Task names and task ids: both end up in URLs and in queue task names, so both are limited
 * to characters that need no escaping.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';

import { TaskError } from './errors.js';

/** Maximum length of a task name, in characters. */
export const MAX_TASK_NAME_LENGTH = 100;

/** Maximum length of a task id, in characters; Cloud Tasks allows 500 in a task name. */
export const MAX_TASK_ID_LENGTH = 500;

const TASK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const TASK_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * Checks a task name: ASCII letters, digits, `-` and `_`, starting with a letter or digit, at most
 * {@link MAX_TASK_NAME_LENGTH} characters.
 *
 * @throws {TaskError} `invalid_task_definition` naming the allowed characters and length.
 */
export function assertValidTaskName(name: unknown): asserts name is string {
  if (typeof name === 'string' && name.length <= MAX_TASK_NAME_LENGTH && TASK_NAME_PATTERN.test(name)) return;

  throw new TaskError(
    'invalid_task_definition',
    `Invalid task name ${describe(name)}: a name becomes a URL segment, so use 1 to ${MAX_TASK_NAME_LENGTH} ` +
      'characters from A-Z, a-z, 0-9, "-" and "_", starting with a letter or digit (for example "send-email").',
  );
}

/**
 * Checks a caller-chosen task id: 1 to {@link MAX_TASK_ID_LENGTH} characters from
 * A-Z, a-z, 0-9, `-` and `_`.
 *
 * @throws {TaskError} `invalid_enqueue_options` naming the allowed characters and length.
 */
export function assertValidTaskId(id: unknown): asserts id is string {
  if (isValidTaskId(id)) return;

  throw new TaskError(
    'invalid_enqueue_options',
    `Invalid task id ${describe(id)}: use 1 to ${MAX_TASK_ID_LENGTH} characters from A-Z, a-z, 0-9, "-" and "_", ` +
      'or leave out `id` to get a generated one.',
  );
}

/** Returns whether `id` is a valid task id (see {@link assertValidTaskId}). */
export function isValidTaskId(id: unknown): id is string {
  return typeof id === 'string' && id.length <= MAX_TASK_ID_LENGTH && TASK_ID_PATTERN.test(id);
}

/**
 * Generates a task id: a random UUID. Ids do not start with a timestamp, because queues such
 * as Cloud Tasks slow down when task names share a sequential prefix.
 */
export function generateTaskId(): string {
  return randomUUID();
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `(a ${value === null ? 'null' : typeof value}, expected a string)`;
  const excerpt = value.length > 60 ? `${value.slice(0, 60)}...` : value;
  return `${JSON.stringify(excerpt)} (${value.length} characters)`;
}
