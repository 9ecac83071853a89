/**
 * Checks of a CreateTask request against the Cloud Tasks limits, producing the new task's state.
 *
 * @module
 */
import type { CreateTaskRequest, HttpRequestMessage, TaskMessage } from './messages.js';
import { toMilliseconds } from './messages.js';
import { parseTaskPath, quote } from './names.js';
import { invalidArgument, RpcCode, RpcError } from './rpc-error.js';
import type { HttpMethod, TaskRequest } from './store.js';
import type { EmulatorLimits } from './types.js';

/** Default dispatch deadline of an HTTP task: 10 minutes. */
export const DEFAULT_DISPATCH_DEADLINE_MS = 10 * 60_000;

/** Longest URL Cloud Tasks accepts, in characters. */
const MAX_URL_LENGTH = 2083;
/** Cloud Tasks requires the task's headers to be smaller than 80 KB. */
const MAX_HEADERS_BYTES = 80 * 1024;

const METHODS: readonly HttpMethod[] = ['POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const METHODS_WITH_BODY: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH'];
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Node.js writes header values as Latin-1 and rejects control characters and code points above U+00FF.
const HEADER_VALUE_PATTERN = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The checked parts of a new task. */
export interface NewTask {
  /** The task id from the request; `undefined` when the emulator must generate one. */
  readonly id: string | undefined;
  readonly request: TaskRequest;
  readonly scheduleTimeMs: number;
  readonly dispatchDeadlineMs: number;
}

/**
 * Checks a CreateTask request for a queue that exists.
 *
 * @param encodedBytes Size of the request as received, which is the task's size.
 * @throws {RpcError} INVALID_ARGUMENT naming the field and the limit, or UNIMPLEMENTED for an App Engine task.
 */
export function readNewTask(
  request: CreateTaskRequest,
  queueName: string,
  limits: EmulatorLimits,
  encodedBytes: number,
  now: number,
): NewTask {
  const task = request.task;
  if (task === undefined) throw invalidArgument('Missing task: CreateTask needs a task with an httpRequest.');
  if (task.appEngineHttpRequest !== undefined) {
    throw new RpcError(
      RpcCode.UNIMPLEMENTED,
      'The emulator dispatches HTTP-target tasks only: set task.httpRequest instead of task.appEngineHttpRequest.',
    );
  }
  if (task.httpRequest === undefined) throw invalidArgument('Missing task.httpRequest: set its url.');

  if (encodedBytes > limits.maxTaskBytes) {
    throw invalidArgument(
      `Task size too large: the task is ${encodedBytes} bytes and the limit is ${limits.maxTaskBytes} bytes ` +
        '(body, URL, headers and names). Keep large data elsewhere and send a reference to it.',
    );
  }

  return {
    id: readTaskId(task, queueName),
    request: readHttpRequest(task.httpRequest),
    scheduleTimeMs: readScheduleTime(task, limits, now),
    dispatchDeadlineMs: readDispatchDeadline(task, limits),
  };
}

function readTaskId(task: TaskMessage, queueName: string): string | undefined {
  if (task.name === undefined || task.name === '') return undefined;

  const path = parseTaskPath(task.name, 'task.name');
  if (path.queue.name !== queueName) {
    throw invalidArgument(`Invalid task.name ${quote(task.name)}: it must be in the queue of parent, ${queueName}.`);
  }
  return path.id;
}

function readHttpRequest(message: HttpRequestMessage): TaskRequest {
  const url = readUrl(message.url);
  const method = readMethod(message.httpMethod);
  const body = message.body ?? Buffer.alloc(0);
  if (body.length > 0 && !METHODS_WITH_BODY.includes(method)) {
    throw invalidArgument(
      `Invalid task.httpRequest.body: a ${method} request cannot have a body; use POST, PUT or PATCH, or leave out the body.`,
    );
  }

  return {
    url,
    method,
    headers: readHeaders(message.headers ?? {}),
    body,
    oidcToken: readOidcToken(message),
    oauthToken: readOAuthToken(message),
  };
}

function readUrl(url: string | undefined): string {
  if (url === undefined || url === '')
    throw invalidArgument('Missing task.httpRequest.url: set the URL to dispatch to.');
  if (url.length > MAX_URL_LENGTH) {
    throw invalidArgument(
      `Invalid task.httpRequest.url: it has ${url.length} characters, over the limit of ${MAX_URL_LENGTH}.`,
    );
  }
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    throw invalidArgument(`Invalid task.httpRequest.url ${quote(url)}: use an absolute http:// or https:// URL.`);
  }
  return url;
}

function readMethod(value: string | number | undefined): HttpMethod {
  if (value === undefined || value === 'HTTP_METHOD_UNSPECIFIED' || value === 0) return 'POST';
  const method = METHODS.find((name) => name === value);
  if (method !== undefined) return method;
  throw invalidArgument(`Invalid task.httpRequest.httpMethod ${String(value)}: use one of ${METHODS.join(', ')}.`);
}

function readHeaders(headers: Record<string, string>): Record<string, string> {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME_PATTERN.test(name)) {
      throw invalidArgument(`Invalid header name ${quote(name)} in task.httpRequest.headers: use an HTTP token.`);
    }
    if (!HEADER_VALUE_PATTERN.test(value)) {
      throw invalidArgument(
        `Invalid value of header ${name} in task.httpRequest.headers: it contains a control character such as CR or LF, ` +
          'or a character above U+00FF; encode such values, for example with encodeURIComponent.',
      );
    }
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  }

  if (bytes >= MAX_HEADERS_BYTES) {
    throw invalidArgument(
      `Invalid task.httpRequest.headers: they are ${bytes} bytes, and Cloud Tasks requires less than ${MAX_HEADERS_BYTES}.`,
    );
  }
  return { ...headers };
}

function readOidcToken(message: HttpRequestMessage): TaskRequest['oidcToken'] {
  if (message.oidcToken === undefined) return undefined;

  const email = message.oidcToken.serviceAccountEmail;
  if (email === undefined || !email.includes('@')) {
    throw invalidArgument(
      `Invalid task.httpRequest.oidcToken.serviceAccountEmail ${quote(email)}: set the email of the service account to sign as.`,
    );
  }
  return { serviceAccountEmail: email, audience: message.oidcToken.audience || undefined };
}

function readOAuthToken(message: HttpRequestMessage): TaskRequest['oauthToken'] {
  if (message.oauthToken === undefined) return undefined;

  const email = message.oauthToken.serviceAccountEmail;
  if (email === undefined || !email.includes('@')) {
    throw invalidArgument(
      `Invalid task.httpRequest.oauthToken.serviceAccountEmail ${quote(email)}: set the email of the service account.`,
    );
  }
  return { serviceAccountEmail: email, scope: message.oauthToken.scope || undefined };
}

/** Reads the schedule time. A time in the past, or none, means now, as in Cloud Tasks. */
function readScheduleTime(task: TaskMessage, limits: EmulatorLimits, now: number): number {
  if (task.scheduleTime === undefined) return now;

  const scheduleTimeMs = toMilliseconds(task.scheduleTime);
  if (scheduleTimeMs - now > limits.maxScheduleAheadMs) {
    throw invalidArgument(
      `Invalid task.scheduleTime ${new Date(scheduleTimeMs).toISOString()}: it is more than ` +
        `${formatDuration(limits.maxScheduleAheadMs)} ahead, the longest Cloud Tasks allows.`,
    );
  }
  return Math.max(scheduleTimeMs, now);
}

/** Reads the dispatch deadline. An unset or zero deadline gets the default. */
function readDispatchDeadline(task: TaskMessage, limits: EmulatorLimits): number {
  const deadlineMs = task.dispatchDeadline === undefined ? 0 : toMilliseconds(task.dispatchDeadline);
  if (deadlineMs === 0)
    return Math.min(Math.max(DEFAULT_DISPATCH_DEADLINE_MS, limits.minDispatchDeadlineMs), limits.maxDispatchDeadlineMs);

  if (deadlineMs < limits.minDispatchDeadlineMs || deadlineMs > limits.maxDispatchDeadlineMs) {
    throw invalidArgument(
      `Invalid task.dispatchDeadline ${formatDuration(deadlineMs)}: use ${formatDuration(limits.minDispatchDeadlineMs)} ` +
        `to ${formatDuration(limits.maxDispatchDeadlineMs)}.`,
    );
  }
  return deadlineMs;
}

/** Formats milliseconds for a message: `15 s`, `30 min`, `30 days`, `250 ms`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds % 86_400_000 === 0) return `${milliseconds / 86_400_000} days`;
  if (milliseconds % 60_000 === 0) return `${milliseconds / 60_000} min`;
  if (milliseconds % 1000 === 0) return `${milliseconds / 1000} s`;
  return `${milliseconds} ms`;
}
