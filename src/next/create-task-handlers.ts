/**
 * The Next.js App Router adapter: route handlers for `app/api/tasks/[name]/route.ts`.
 *
 * @module
 */
import { handleTaskRequest, methodNotAllowed, type TaskHandlerOptions } from '../http/handler.js';

/** The second argument Next.js passes to a route handler of a `[name]` segment. */
export interface TaskRouteContext {
  /** A Promise since Next.js 15, a plain object before. */
  params: Promise<{ name?: string | string[] }> | { name?: string | string[] };
}

/** A Next.js route handler. */
export type TaskRouteHandler = (request: Request, context: TaskRouteContext) => Promise<Response>;

/** The route handlers returned by {@link createTaskHandlers}, one per HTTP method. */
export interface TaskRouteHandlers {
  /** Answers 405; task endpoints accept only POST. */
  GET: TaskRouteHandler;
  /** Runs the task named in the URL. */
  POST: TaskRouteHandler;
  /** Answers 405 with `Allow: POST`. */
  PUT: TaskRouteHandler;
  /** Answers 405 with `Allow: POST`. */
  PATCH: TaskRouteHandler;
  /** Answers 405 with `Allow: POST`. */
  DELETE: TaskRouteHandler;
}

/**
 * Creates the route handlers that expose every registered task as `POST {basePath}/{name}`.
 *
 * @example
 * ```ts
 * // app/api/tasks/[name]/route.ts
 * export const { GET, POST, PUT, PATCH, DELETE } = createTaskHandlers();
 * ```
 */
export function createTaskHandlers(options: TaskHandlerOptions = {}): TaskRouteHandlers {
  const rejectMethod: TaskRouteHandler = async (request) => methodNotAllowed(request.method);

  return {
    // TODO: serve the OpenAPI document at {basePath}/openapi.json; until then GET answers 405.
    GET: rejectMethod,
    POST: async (request, context) => handleTaskRequest(request, await taskNameFrom(request, context), options),
    PUT: rejectMethod,
    PATCH: rejectMethod,
    DELETE: rejectMethod,
  };
}

async function taskNameFrom(request: Request, context: TaskRouteContext | undefined): Promise<string> {
  const params = await context?.params;
  const name = params?.name;
  if (typeof name === 'string') return name;
  if (Array.isArray(name) && name.length === 1 && typeof name[0] === 'string') return name[0];

  // Without route params (a custom mount), the task name is the last path segment.
  const segments = new URL(request.url).pathname.split('/').filter((segment) => segment !== '');
  return decodeURIComponent(segments.at(-1) ?? '');
}
