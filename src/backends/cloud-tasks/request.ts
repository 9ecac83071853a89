/**
 * Building the `CreateTask` request for one queued task, and the checks that reject a task
 * before any call to Cloud Tasks.
 *
 * @module
 */
import { TaskError } from '../../core/errors.js';
import { isValidTaskId } from '../../core/ids.js';
import type { QueuedTask } from '../../core/types.js';
import type { ResolvedCloudTasksOptions } from './options.js';

/** Latest run time Cloud Tasks accepts, counted from now: 30 days (Cloud Tasks quotas and limits page). */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 60 * 60 * 1000;

/** A `google.protobuf.Timestamp` or `google.protobuf.Duration`: whole seconds and the nanoseconds after them. */
export interface ProtoTime {
  readonly seconds: number;
  readonly nanos: number;
}

/** The fields of `google.cloud.tasks.v2.CreateTaskRequest` that this backend sets. */
export interface CreateTaskRequest {
  readonly parent: string;
  readonly task: {
    readonly name: string;
    readonly httpRequest: {
      readonly url: string;
      readonly httpMethod: 'POST';
      readonly headers: Readonly<Record<string, string>>;
      readonly body: Buffer;
      readonly oidcToken: { readonly serviceAccountEmail: string; readonly audience: string };
    };
    readonly scheduleTime?: ProtoTime;
    readonly dispatchDeadline?: ProtoTime;
  };
}

/**
 * Checks the task and builds its `CreateTask` request: `POST {baseUrl}{endpointPath}` with the
 * JSON payload as UTF-8 bytes and an OIDC token, named `{queuePath}/tasks/{id}`.
 *
 * @throws {TaskError} `invalid_enqueue_options` for an invalid id or a run time more than 30 days
 *   ahead; `payload_too_large` for a payload over `maxPayloadBytes`.
 */
export function buildCreateTaskRequest(
  task: QueuedTask,
  options: ResolvedCloudTasksOptions,
  now: Date,
): CreateTaskRequest {
  assertTaskId(task);
  assertRunAt(task, now);
  const body = encodePayload(task, options.maxPayloadBytes);

  return {
    parent: options.queuePath,
    task: {
      name: `${options.queuePath}/tasks/${task.id}`,
      httpRequest: {
        url: `${options.baseUrl}${task.endpointPath}`,
        httpMethod: 'POST',
        // Cloud Tasks sets no Content-Type of its own, and the task endpoint expects JSON.
        headers: { 'Content-Type': 'application/json' },
        body,
        oidcToken: { serviceAccountEmail: options.serviceAccountEmail, audience: options.audience },
      },
      ...(task.runAt === undefined ? {} : { scheduleTime: toTimestamp(task.runAt) }),
      ...(task.timeout === undefined ? {} : { dispatchDeadline: toDuration(task.timeout) }),
    },
  };
}

/** Converts a Date to a protobuf Timestamp. A time before 1970 gets negative seconds and positive nanos. */
export function toTimestamp(date: Date): ProtoTime {
  return splitMilliseconds(date.getTime());
}

/** Converts milliseconds to a protobuf Duration. */
export function toDuration(milliseconds: number): ProtoTime {
  return splitMilliseconds(milliseconds);
}

function splitMilliseconds(milliseconds: number): ProtoTime {
  const seconds = Math.floor(milliseconds / 1000);
  return { seconds, nanos: Math.round((milliseconds - seconds * 1000) * 1_000_000) };
}

function assertTaskId(task: QueuedTask): void {
  // Ids from task.enqueue() are already checked; a custom caller of backend.enqueue() may not have.
  if (isValidTaskId(task.id)) return;

  throw new TaskError(
    'invalid_enqueue_options',
    `Invalid task id ${JSON.stringify(task.id)} for task "${task.name}": a Cloud Tasks task ID uses 1 to 500 ` +
      'characters from A-Z, a-z, 0-9, "-" and "_".',
  );
}

function assertRunAt(task: QueuedTask, now: Date): void {
  if (task.runAt === undefined) return;

  const latest = new Date(now.getTime() + MAX_SCHEDULE_AHEAD_MS);
  if (task.runAt.getTime() <= latest.getTime()) return;

  throw new TaskError(
    'invalid_enqueue_options',
    `Invalid run time ${task.runAt.toISOString()} for task "${task.name}" (id ${task.id}): Cloud Tasks schedules ` +
      `tasks at most 30 days ahead, so the latest run time now is ${latest.toISOString()}. ` +
      'Pass an earlier `runAt` or a shorter `delay`, or enqueue the task later.',
    { taskId: task.id },
  );
}

function encodePayload(task: QueuedTask, maxPayloadBytes: number): Buffer {
  const body = Buffer.from(task.payload, 'utf8');
  if (body.byteLength <= maxPayloadBytes) return body;

  throw new TaskError(
    'payload_too_large',
    `The params of task "${task.name}" (id ${task.id}) are ${body.byteLength} bytes as JSON, over the Cloud Tasks ` +
      `backend's limit of ${maxPayloadBytes} bytes (maxPayloadBytes). Pass a reference, such as a storage key, ` +
      'instead of the data itself.',
    { taskId: task.id },
  );
}
