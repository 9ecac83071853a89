/**
 * Cloud Tasks resource names: `projects/P/locations/L`, `.../queues/Q` and `.../tasks/T`, with
 * the character rules of the Cloud Tasks v2 API reference (task.proto and queue.proto).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

import { isValidTaskId, MAX_TASK_ID_LENGTH } from '../core/ids.js';
import { invalidArgument } from './rpc-error.js';

/** Maximum length of a queue id, in characters. */
export const MAX_QUEUE_ID_LENGTH = 100;

// Project ids may contain letters, digits, hyphens, colons and periods ("example.com:my-project").
const LOCATION_PATTERN = /^projects\/([A-Za-z0-9.:-]+)\/locations\/([A-Za-z0-9_-]+)$/;
const QUEUE_PATTERN = /^(projects\/[A-Za-z0-9.:-]+\/locations\/[A-Za-z0-9_-]+)\/queues\/([^/]*)$/;
const TASK_PATTERN = /^(projects\/[A-Za-z0-9.:-]+\/locations\/[A-Za-z0-9_-]+\/queues\/[^/]*)\/tasks\/([^/]*)$/;
const QUEUE_ID_PATTERN = /^[A-Za-z0-9-]+$/;

/** A parsed queue path. */
export interface QueuePath {
  /** `projects/P/locations/L/queues/Q`. */
  readonly name: string;
  /** `projects/P/locations/L`. */
  readonly parent: string;
  /** `Q`. */
  readonly id: string;
}

/** A parsed task name. */
export interface TaskPath {
  /** `projects/P/locations/L/queues/Q/tasks/T`. */
  readonly name: string;
  /** The queue path. */
  readonly queue: QueuePath;
  /** `T`. */
  readonly id: string;
}

/**
 * Checks a location path `projects/P/locations/L`.
 *
 * @param field The request field, for the error message.
 * @throws {RpcError} INVALID_ARGUMENT naming the field and the expected form.
 */
export function parseLocationPath(value: string | undefined, field: string): string {
  if (value !== undefined && LOCATION_PATTERN.test(value)) return value;
  throw invalidArgument(`Invalid ${field} ${quote(value)}: expected "projects/PROJECT_ID/locations/LOCATION_ID".`);
}

/**
 * Checks a queue path `projects/P/locations/L/queues/Q`, where Q has 1 to 100 letters, digits or hyphens.
 *
 * @param field The request field, for the error message.
 * @throws {RpcError} INVALID_ARGUMENT naming the field, the allowed characters and the length limit.
 */
export function parseQueuePath(value: string | undefined, field: string): QueuePath {
  const match = value === undefined ? null : QUEUE_PATTERN.exec(value);
  if (value === undefined || match === null) {
    throw invalidArgument(
      `Invalid ${field} ${quote(value)}: expected "projects/PROJECT_ID/locations/LOCATION_ID/queues/QUEUE_ID".`,
    );
  }

  const [, parent = '', id = ''] = match;
  if (id.length > MAX_QUEUE_ID_LENGTH || !QUEUE_ID_PATTERN.test(id)) {
    throw invalidArgument(
      `Invalid queue id ${quote(id)} in ${field}: use 1 to ${MAX_QUEUE_ID_LENGTH} characters from A-Z, a-z, 0-9 and "-".`,
    );
  }
  return { name: value, parent, id };
}

/**
 * Checks a task name `projects/P/locations/L/queues/Q/tasks/T`, where T has 1 to 500 letters,
 * digits, hyphens or underscores.
 *
 * @param field The request field, for the error message.
 * @throws {RpcError} INVALID_ARGUMENT naming the field, the allowed characters and the length limit.
 */
export function parseTaskPath(value: string | undefined, field: string): TaskPath {
  const match = value === undefined ? null : TASK_PATTERN.exec(value);
  if (value === undefined || match === null) {
    throw invalidArgument(
      `Invalid ${field} ${quote(value)}: expected "projects/PROJECT_ID/locations/LOCATION_ID/queues/QUEUE_ID/tasks/TASK_ID".`,
    );
  }

  const [, queueName = '', id = ''] = match;
  const queue = parseQueuePath(queueName, field);
  if (!isValidTaskId(id)) {
    throw invalidArgument(
      `Invalid task id ${quote(id)} in ${field}: use 1 to ${MAX_TASK_ID_LENGTH} characters from A-Z, a-z, 0-9, "-" and "_".`,
    );
  }
  return { name: value, queue, id };
}

/** Generates a task id for a task created without a name: a random 19-digit decimal number. */
export function generateTaskId(): string {
  const value = randomBytes(8).readBigUInt64BE() % 9_000_000_000_000_000_000n;
  return (value + 1_000_000_000_000_000_000n).toString();
}

/** Quotes a value for an error message, shortening long values. */
export function quote(value: string | undefined): string {
  if (value === undefined || value === '') return '(empty)';
  if (value.length <= 80) return JSON.stringify(value);
  return `${JSON.stringify(`${value.slice(0, 80)}...`)} (${value.length} characters)`;
}
