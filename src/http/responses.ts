/**
 * JSON responses of the task handler. Every error has one shape:
 * `{ "error": { "code", "message", "issues"?, "taskId"? } }`.
 *
 * @module
 */
import type { TaskError } from '../core/errors.js';
import { STATUS_BY_CODE } from './status.js';

/** Builds a JSON response with `Cache-Control: no-store`, since task results are never cacheable. */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** Builds the error response for a {@link TaskError}; the status comes from its code. */
export function errorResponse(error: TaskError, headers: Record<string, string> = {}): Response {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.issues.length > 0) body.issues = error.issues;
  if (error.taskId !== undefined) body.taskId = error.taskId;
  return jsonResponse({ error: body }, STATUS_BY_CODE[error.code], headers);
}
