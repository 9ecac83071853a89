/**
 * The one map from error code to HTTP status used by the task handler.
 *
 * @module
 */
import type { TaskErrorCode } from '../core/errors.js';

/** The HTTP status of the response for each {@link TaskErrorCode}. */
export const STATUS_BY_CODE: Readonly<Record<TaskErrorCode, number>> = {
  invalid_task_definition: 500,
  invalid_params: 422,
  params_not_json: 422,
  invalid_enqueue_options: 400,
  task_not_found: 404,
  duplicate_task: 409,
  configuration_error: 500,
  unauthorized: 401,
  forbidden: 403,
  auth_unavailable: 503,
  unsupported_media_type: 415,
  invalid_json: 400,
  payload_too_large: 413,
  method_not_allowed: 405,
  task_failed: 500,
  backend_error: 503,
  internal_error: 500,
};
