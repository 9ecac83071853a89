/**
 * One dispatch attempt over HTTP: the headers Cloud Tasks adds, and the request with its deadline.
 *
 * @module
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type { TaskState } from './store.js';

/**
 * The `Authorization` value sent for tasks with `oauthToken`. It is a fixed placeholder, not an
 * access token: the emulator cannot mint Google access tokens, and a target that checks one
 * with Google rejects it.
 */
export const OAUTH_PLACEHOLDER_TOKEN = 'cloud-tasks-emulator-oauth-placeholder';

/** `User-Agent` of every dispatch, as the Cloud Tasks API reference states. */
const USER_AGENT = 'Google-Cloud-Tasks';

/**
 * Task headers that Cloud Tasks replaces or drops (HttpRequest.headers in target.proto), plus the
 * hop-by-hop headers that Node.js computes itself.
 */
const REPLACED_HEADERS = new Set(['host', 'content-length', 'user-agent', 'connection', 'transfer-encoding']);
const RESERVED_HEADER_PREFIXES = ['x-google-', 'x-appengine-', 'x-cloudtasks-'];

/** The HTTP request of one attempt. */
export interface OutgoingRequest {
  readonly url: string;
  readonly method: string;
  /** Lowercase header names. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** The outcome of an attempt: a response, or the reason there was none. */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly status: number }
  | {
      readonly kind: 'no-response';
      /** `DEADLINE_EXCEEDED` when the dispatch deadline passed, `UNAVAILABLE` when the connection failed, `CANCELLED` when the emulator stopped. */
      readonly reason: 'DEADLINE_EXCEEDED' | 'UNAVAILABLE' | 'CANCELLED';
      readonly message: string;
    };

/**
 * Builds the request of one attempt: the task's headers minus the ones Cloud Tasks replaces,
 * then the `X-CloudTasks-*` headers, `User-Agent` and, when given, `Authorization`.
 *
 * @param authorization The `Authorization` value for tasks with a token; it overrides the task's own.
 */
export function buildOutgoingRequest(task: TaskState, authorization: string | undefined): OutgoingRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(task.request.headers)) {
    const lower = name.toLowerCase();
    if (REPLACED_HEADERS.has(lower) || RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))) continue;
    if (lower === 'authorization' && authorization !== undefined) continue;
    headers[lower] = value;
  }

  Object.assign(headers, cloudTasksHeaders(task));
  headers['user-agent'] = USER_AGENT;
  if (authorization !== undefined) headers.authorization = authorization;

  const hasBody = ['POST', 'PUT', 'PATCH'].includes(task.request.method);
  if (hasBody) headers['content-length'] = String(task.request.body.length);

  return {
    url: task.request.url,
    method: task.request.method,
    headers,
    body: hasBody ? task.request.body : Buffer.alloc(0),
  };
}

/**
 * Builds the `X-CloudTasks-*` headers of the attempt that is starting (`dispatchCount` already counts
 * it). `TaskPreviousResponse` and `TaskRetryReason` are sent on retries only, the first one only
 * when the previous attempt got a response.
 *
 * NOTE: Google documents `TaskRetryReason` as the reason for the retry but not its values. The
 * emulator sends `HTTP_<status>`, `DEADLINE_EXCEEDED` or `UNAVAILABLE`.
 */
function cloudTasksHeaders(task: TaskState): Record<string, string> {
  const headers: Record<string, string> = {
    'x-cloudtasks-queuename': task.queue.path.id,
    'x-cloudtasks-taskname': task.id,
    'x-cloudtasks-taskretrycount': String(task.dispatchCount - 1),
    'x-cloudtasks-taskexecutioncount': String(task.executionCount),
    'x-cloudtasks-tasketa': (task.scheduleTimeMs / 1000).toFixed(6),
  };

  if (task.dispatchCount > 1) {
    if (task.previousResponse !== undefined)
      headers['x-cloudtasks-taskpreviousresponse'] = String(task.previousResponse);
    if (task.retryReason !== undefined) headers['x-cloudtasks-taskretryreason'] = task.retryReason;
  }
  return headers;
}

/**
 * Sends the request and waits for the whole response, at most `deadlineMs`. Redirects are not
 * followed, so a 3xx status counts as a failed attempt.
 *
 * @param stopSignal Aborts the request when the emulator stops.
 */
export function sendOutgoingRequest(
  outgoing: OutgoingRequest,
  deadlineMs: number,
  stopSignal: AbortSignal,
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const deadline = AbortSignal.timeout(deadlineMs);
    const fail = (error: unknown) => resolve(noResponse(error, deadline, deadlineMs));

    try {
      const url = new URL(outgoing.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      // No connection reuse: a kept-alive socket would hold the target server open after a test closes it.
      const request = send(url, {
        method: outgoing.method,
        headers: outgoing.headers,
        agent: false,
        signal: AbortSignal.any([deadline, stopSignal]),
      });
      request.on('response', (response: IncomingMessage) => {
        response.on('error', fail);
        response.on('end', () => resolve({ kind: 'response', status: response.statusCode ?? 0 }));
        response.resume();
      });
      request.on('error', fail);
      request.end(outgoing.body.length > 0 ? outgoing.body : undefined);
    } catch (error) {
      fail(error);
    }
  });
}

function noResponse(error: unknown, deadline: AbortSignal, deadlineMs: number): AttemptOutcome {
  if (deadline.aborted) {
    return {
      kind: 'no-response',
      reason: 'DEADLINE_EXCEEDED',
      message: `No response within the dispatch deadline of ${deadlineMs} ms.`,
    };
  }

  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'AbortError') {
    return { kind: 'no-response', reason: 'CANCELLED', message: 'The emulator stopped during the attempt.' };
  }
  return { kind: 'no-response', reason: 'UNAVAILABLE', message: `The request failed: ${message}` };
}
