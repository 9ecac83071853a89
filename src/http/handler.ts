/**
 * The task endpoint as a web-standard `Request` to `Response` function, independent of any
 * framework. `src/next` adapts it to Next.js route handlers.
 *
 * @module
 */
import type { AuthOption } from '../core/auth.js';
import { isTaskError, TaskError } from '../core/errors.js';
import { performTask, type RunMetadata } from '../core/execute.js';
import { generateTaskId } from '../core/ids.js';
import { logRateLimited } from '../core/logger.js';
import { findRegisteredTask, type RegisteredTask } from '../core/registry.js';
import { validateParams } from '../core/schema.js';
import type { OpenApiOptions } from '../openapi/options.js';
import { assertMaxBodyBytes, getLogger, getMaxBodyBytes } from '../settings/settings.js';
import { type AuthenticationOutcome, type AuthenticationTarget, authenticateRequest } from './authenticate.js';
import { assertJsonContentType, parseJsonBody, type SplitBody, splitBody, tooLarge } from './body.js';
import { runFromQueueHeaders } from './queue-headers.js';
import { errorResponse, jsonResponse } from './responses.js';

/** Options of the task endpoint; each overrides the matching `configureTasks` setting. */
export interface TaskHandlerOptions {
  /**
   * Authentication for tasks without their own `auth`.
   *
   * @default the `auth` of `configureTasks`, else the one `TASKS_API_AUTHENTICATION` names
   */
  auth?: AuthOption;
  /**
   * Maximum request body size, in bytes: a whole number, 1 or more.
   *
   * @default the `maxBodyBytes` of `configureTasks`, else 1 MiB (1,048,576)
   */
  maxBodyBytes?: number;
  /**
   * The OpenAPI document of every registered task at `GET {basePath}/openapi.json`, and its docs
   * page at `GET {basePath}/docs`: options, or `false` to turn both off (404).
   *
   * @default `{}`: title and version from the app's package.json, readable with the same
   *   authentication as tasks without their own `auth`
   */
  openapi?: OpenApiOptions | false;
}

/** The only method a task endpoint accepts. */
export const ALLOWED_METHODS = 'POST';

/**
 * Handles one call of `POST {basePath}/{name}`: authenticates, finds the task, checks the
 * content type, reads the body within the size limit, parses and validates the params, runs
 * the task, and responds `200 { id, result }`. Every failure gets a response with the JSON error
 * shape and the status of its code, so this function never throws.
 */
export async function handleTaskRequest(
  request: Request,
  name: string,
  options: TaskHandlerOptions = {},
): Promise<Response> {
  try {
    return await handleTaskCall(request, name, options);
  } catch (error) {
    return unexpectedFailure(error, name);
  }
}

/** Builds the 405 response with `Allow: POST`, for every method but POST. */
export function methodNotAllowed(method: string): Response {
  const error = new TaskError(
    'method_not_allowed',
    `Method ${method} is not allowed on a task endpoint: call it with POST and a JSON body.`,
  );
  return errorResponse(error, { allow: ALLOWED_METHODS });
}

async function handleTaskCall(request: Request, name: string, options: TaskHandlerOptions): Promise<Response> {
  if (request.method !== 'POST') return methodNotAllowed(request.method);

  const maxBodyBytes = options.maxBodyBytes ?? getMaxBodyBytes();
  assertMaxBodyBytes(maxBodyBytes);
  const body = splitBody(request, maxBodyBytes);
  const task = findRegisteredTask(name);

  // Unknown names are authenticated too (with the handler's or global authenticator), so that
  // callers without credentials cannot find out which task names exist.
  const authentication = await authenticateWithBody(body, { taskName: name, taskAuth: task?.auth }, options.auth);
  if (!authentication.ok) return authentication.response;
  if (task === undefined) return unknownTask(name);

  assertJsonContentType(request.headers.get('content-type'));
  const params = await validateParams(task.name, task.schema, parseJsonBody(await body.readHandlerCopy()));
  const run = authentication.trustedQueue ? runFromQueueHeaders(request.headers) : undefined;
  return runTask(task, params, run ?? { id: generateTaskId(), attempt: 1, enqueuedAt: new Date() });
}

/** Runs a task on validated params and builds the 200 response, or the `task_failed` one. */
async function runTask(task: RegisteredTask, params: unknown, run: RunMetadata): Promise<Response> {
  const { id } = run;
  let result: unknown;
  try {
    result = await performTask(task, params, run, getLogger());
  } catch (error) {
    // performTask has logged the error with task name and id; the client learns only the id.
    return errorResponse(
      new TaskError('task_failed', `Task "${task.name}" failed (id ${id}); the error was logged on the server.`, {
        cause: error,
        taskId: id,
      }),
    );
  }

  return resultResponse(task.name, id, result);
}

/**
 * Runs the authenticator on its own copy of the body, which it may read in full (for example to
 * check an HMAC). An authenticator error caused by a body over the limit becomes 413.
 */
async function authenticateWithBody(
  body: SplitBody,
  target: AuthenticationTarget,
  handlerAuth: AuthOption | undefined,
): Promise<AuthenticationOutcome> {
  try {
    return await authenticateRequest(target, body.authenticatorRequest, handlerAuth);
  } catch (error) {
    if (body.authenticatorCopyOverflowed()) throw tooLarge(body.maxBytes);
    throw error;
  } finally {
    await body.releaseAuthenticatorCopy();
  }
}

function unknownTask(name: string): Response {
  getLogger().debug('task endpoint called for an unknown task', { task: name });
  return errorResponse(
    new TaskError(
      'task_not_found',
      `Unknown task ${JSON.stringify(name)}: check the name in the URL, and that the module defining it is imported from instrumentation.ts.`,
    ),
  );
}

function resultResponse(name: string, id: string, result: unknown): Response {
  try {
    return jsonResponse({ id, result: result ?? null }, 200);
  } catch (error) {
    getLogger().error('task result is not JSON-serializable', { task: name, id, error });
    return errorResponse(
      new TaskError(
        'internal_error',
        `Task "${name}" ran (id ${id}) but its result cannot be sent as JSON; return plain data.`,
        {
          cause: error,
          taskId: id,
        },
      ),
    );
  }
}

function unexpectedFailure(error: unknown, name: string): Response {
  if (!isTaskError(error)) {
    getLogger().error('task endpoint failed', { task: name, error });
    return errorResponse(
      new TaskError('internal_error', 'The task endpoint failed unexpectedly; the error was logged on the server.'),
    );
  }

  if (error.code === 'configuration_error') {
    // A setup problem fails every call the same way, so it is logged once a minute, not per call.
    // The cause (a module-not-found error, say) goes to the log only, because it may name server paths.
    logRateLimited(getLogger(), 'error', `configuration:${error.message}`, 'task endpoint is misconfigured', {
      task: name,
      error: error.message,
      ...(error.cause instanceof Error ? { cause: error.cause.message } : {}),
    });
  } else if (error.code === 'internal_error') {
    getLogger().error('task endpoint failed', { task: name, error });
  }
  return errorResponse(error);
}
