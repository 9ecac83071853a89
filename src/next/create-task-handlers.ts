/**
 * The Next.js App Router adapter: route handlers for `app/api/tasks/[name]/route.ts`.
 *
 * @module
 */
import { toAuthenticator } from '../auth/resolve.js';
import { isTaskError, TaskError } from '../core/errors.js';
import { warnOnce } from '../core/logger.js';
import { handleTaskRequest, methodNotAllowed, type TaskHandlerOptions } from '../http/handler.js';
import { errorResponse } from '../http/responses.js';
import { DOCS_PAGE_NAME, isDocsPageName, serveDocsPage } from '../openapi/docs-page.js';
import { resolveDocumentInfo } from '../openapi/document.js';
import { authorizeOpenApiRequest, createOpenApiEndpoint, OPENAPI_DOCUMENT_NAME } from '../openapi/endpoint.js';
import { assertOpenApiOptions } from '../openapi/options.js';
import { assertMaxBodyBytes, getBasePath, getGlobalAuthenticator, getLogger } from '../settings/settings.js';

/** The second argument Next.js passes to a route handler of a `[name]` segment. */
export interface TaskRouteContext {
  /**
   * The route params, a Promise since Next.js 15. It is typed as a Promise only, because the
   * route type check of `next build --webpack` (Next.js 16) rejects a handler whose `params`
   * may be a plain object.
   */
  params: Promise<{ name?: string | string[] }>;
}

/** A Next.js route handler. */
export type TaskRouteHandler = (request: Request, context: TaskRouteContext) => Promise<Response>;

/** The route handlers returned by {@link createTaskHandlers}, one per HTTP method. */
export interface TaskRouteHandlers {
  /**
   * Serves the OpenAPI document at `{basePath}/openapi.json` and the docs page at `{basePath}/docs`
   * (with its files), each behind the `openapi.auth` check. Any other name responds 405 with
   * `Allow: POST`, because task endpoints accept only POST. A task named `docs` is still run by
   * POST; GET shows the page.
   */
  GET: TaskRouteHandler;
  /** Runs the task named in the URL. */
  POST: TaskRouteHandler;
  /** Responds 405 with `Allow: POST`. */
  PUT: TaskRouteHandler;
  /** Responds 405 with `Allow: POST`. */
  PATCH: TaskRouteHandler;
  /** Responds 405 with `Allow: POST`. */
  DELETE: TaskRouteHandler;
  /**
   * Responds 405 with `Allow: POST`. Without it, Next.js responds to OPTIONS itself with an `Allow`
   * header that lists every exported method.
   */
  OPTIONS: TaskRouteHandler;
}

/**
 * Creates the route handlers that expose every registered task as `POST {basePath}/{name}`.
 *
 * @example
 * ```ts
 * // app/api/tasks/[name]/route.ts
 * export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = createTaskHandlers();
 * ```
 * Without `auth`, the global authentication is checked here: a misconfigured one (for example
 * `TASKS_API_AUTHENTICATION=oidc` without an audience) is logged as an error at once, and every
 * task call then answers 500 `configuration_error` naming the setting until it is fixed. During
 * `next build` the check is skipped, because hosts such as Cloud Run set variables at run time.
 *
 * @throws {TaskError} `configuration_error` for an invalid `maxBodyBytes`, `auth` or `openapi` option.
 */
export function createTaskHandlers(options: TaskHandlerOptions = {}): TaskRouteHandlers {
  if (options.maxBodyBytes !== undefined) assertMaxBodyBytes(options.maxBodyBytes);
  if (options.auth !== undefined) toAuthenticator(options.auth);
  else checkGlobalAuthentication();
  assertOpenApiOptions(options.openapi);

  const rejectMethod: TaskRouteHandler = async (request, context) => {
    const name = await readTaskName(request, context);
    if (name instanceof Response) return name;

    return docsNameResponse(request.method, name) ?? methodNotAllowed(request.method);
  };
  const serveOpenApiDocument = createOpenApiEndpoint(options);

  return {
    GET: async (request, context) => {
      const name = await readTaskName(request, context);
      if (name instanceof Response) return name;

      if (name === OPENAPI_DOCUMENT_NAME) return serveOpenApiDocument(request);
      if (isDocsPageName(name)) return serveDocs(request, name, options);
      // Task names have no ".", so a dotted name can only have meant a file of the docs page.
      if (name.includes('.')) return unknownFile(name);
      return methodNotAllowed(request.method);
    },
    POST: async (request, context) => {
      const name = await readTaskName(request, context);
      if (name instanceof Response) return name;

      const docsResponse = docsNameResponse(request.method, name);
      if (docsResponse !== undefined) return docsResponse;

      warnIfMountedElsewhere(request);
      return handleTaskRequest(request, name, options);
    },
    PUT: rejectMethod,
    PATCH: rejectMethod,
    DELETE: rejectMethod,
    OPTIONS: rejectMethod,
  };
}

/**
 * Builds the response to a method other than GET on a name that is not a task: 405 for the OpenAPI
 * document and the docs files, and 404 for other dotted names, because task names have no ".".
 * Returns `undefined` for a task name, and for `docs` with POST, because `docs` may be a task too.
 */
function docsNameResponse(method: string, name: string): Response | undefined {
  const readOnly = name === OPENAPI_DOCUMENT_NAME || isDocsPageName(name);
  if (readOnly && !(method === 'POST' && name === DOCS_PAGE_NAME)) return readOnlyMethodNotAllowed(method, name);
  if (name.includes('.')) return unknownFile(name);
  return undefined;
}

/** Builds the 405 for the OpenAPI document and the docs page; `docs` may also be a task, which accepts POST. */
function readOnlyMethodNotAllowed(method: string, name: string): Response {
  const allow = name === DOCS_PAGE_NAME ? 'GET, HEAD, POST' : 'GET, HEAD';
  const error = new TaskError(
    'method_not_allowed',
    `Method ${method} is not allowed on ${JSON.stringify(name)}: it is part of the API docs, so fetch it with GET.`,
  );
  return errorResponse(error, { allow });
}

function unknownFile(name: string): Response {
  return errorResponse(
    new TaskError(
      'task_not_found',
      `No docs file is named ${JSON.stringify(name)}: the API docs are at "${OPENAPI_DOCUMENT_NAME}" and "${DOCS_PAGE_NAME}".`,
    ),
  );
}

/** Reads the task name from the route params, or returns the 500 response when they cannot be read. */
async function readTaskName(request: Request, context: TaskRouteContext | undefined): Promise<string | Response> {
  try {
    return await taskNameFrom(request, context);
  } catch (error) {
    getLogger().error('task route params could not be read', { error });
    return errorResponse(
      new TaskError('internal_error', 'The task route failed to read its params; the error was logged on the server.'),
    );
  }
}

/** Serves the docs page or one of its files to callers that may read the OpenAPI document. */
async function serveDocs(request: Request, name: string, options: TaskHandlerOptions): Promise<Response> {
  const denied = await authorizeOpenApiRequest(request, options, name);
  if (denied !== undefined) return denied;

  // authorizeOpenApiRequest returns a 404 response when `openapi` is false, so here it is options or undefined.
  const { title } = await resolveDocumentInfo(options.openapi || {});
  return serveDocsPage(request, name, { basePath: getBasePath(), title });
}

/**
 * Resolves the global authenticator, so that a misconfiguration is logged when the route module
 * loads rather than at the first call. `next build` evaluates route modules too, but hosts such as
 * Cloud Run set most variables only at run time, so the build skips the check.
 */
function checkGlobalAuthentication(): void {
  if (process.env.NEXT_PHASE === 'phase-production-build') return;

  try {
    getGlobalAuthenticator();
  } catch (error) {
    if (!isTaskError(error) || error.code !== 'configuration_error') throw error;
    // Throwing here would fail the route module on every request with an empty 500 and a stack
    // trace, so the error is logged now and each call returns 500 configuration_error with it.
    getLogger().error('task authentication is misconfigured; every task call will fail until it is fixed', {
      error: error.message,
    });
  }
}

/**
 * Warns once when the route serves a path outside `basePath`, because URLs built from `basePath`
 * (the OpenAPI document, backends that call tasks back over HTTP) would then point elsewhere.
 */
function warnIfMountedElsewhere(request: Request): void {
  const pathname = new URL(request.url).pathname;
  const basePath = getBasePath();
  if (pathname.includes(`${basePath}/`)) return;

  const mountedAt = pathname.slice(0, Math.max(pathname.lastIndexOf('/'), 0)) || '/';
  warnOnce(
    getLogger(),
    'base-path-mismatch',
    `task route is mounted at ${mountedAt} but basePath is ${basePath}; pass basePath: ${JSON.stringify(mountedAt)} to configureTasks()`,
  );
}

async function taskNameFrom(request: Request, context: TaskRouteContext | undefined): Promise<string> {
  const params = await context?.params;
  const name = params?.name;
  if (typeof name === 'string') return name;
  // A catch-all `[...name]` route gives an array. Several segments name no task, because a task name
  // has no "/", so they get the usual 404 rather than a lookup of the last segment alone.
  if (Array.isArray(name)) return name.join('/');

  // Without route params (a custom mount), the task name is the last path segment.
  const segments = new URL(request.url).pathname.split('/').filter((segment) => segment !== '');
  const lastSegment = segments.at(-1) ?? '';
  try {
    return decodeURIComponent(lastSegment);
  } catch {
    // A malformed escape names no task; the raw segment then gets the usual 404.
    return lastSegment;
  }
}
