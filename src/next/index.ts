/**
 * `next-generic-tasks/next`: route handlers for the Next.js App Router.
 *
 * @module
 */

export { handleTaskRequest, type TaskHandlerOptions } from '../http/handler.js';
export {
  createTaskHandlers,
  type TaskRouteContext,
  type TaskRouteHandler,
  type TaskRouteHandlers,
} from './create-task-handlers.js';
