/**
 * `next-generic-tasks`: define typed tasks, run them now or enqueue them on a backend.
 *
 * @module
 */

export { BASIC_AUTH_PASSWORD_ENV, BASIC_AUTH_USERNAME_ENV, type BasicAuthOptions, basicAuth } from './auth/basic.js';
export { googleOidcAuth } from './auth/google-oidc/authenticator.js';
export {
  OIDC_AUDIENCE_ENV,
  OIDC_CERTS_URL_ENV,
  OIDC_ISSUERS_ENV,
  OIDC_SERVICE_ACCOUNTS_ENV,
} from './auth/google-oidc/environment.js';
export type { GoogleOidcAuthBaseOptions, GoogleOidcAuthOptions } from './auth/google-oidc/options.js';
export { noAuth } from './auth/none.js';
export { immediateBackend } from './backends/immediate.js';
export {
  DEFAULT_CONCURRENCY,
  type InProcessBackend,
  type InProcessBackendOptions,
  type InProcessBackendStats,
  inProcessBackend,
} from './backends/in-process.js';
export type {
  AuthenticationContext,
  Authenticator,
  AuthenticatorFunction,
  AuthOption,
  AuthResult,
} from './core/auth.js';
export {
  formatPath,
  isTaskError,
  TaskError,
  type TaskErrorCode,
  type TaskErrorOptions,
  type ValidationIssue,
} from './core/errors.js';
export { createConsoleLogger, type LogFields, type Logger } from './core/logger.js';
export { listRegisteredTasks, type RegisteredTask } from './core/registry.js';
export type { AnySchema, SchemaInput, SchemaOutput } from './core/schema.js';
export type {
  AnyTask,
  Backend,
  EnqueueOptions,
  EnqueueResult,
  QueuedTask,
  Task,
  TaskContext,
  TaskDefinition,
} from './core/types.js';
export {
  AUTHENTICATION_ENV,
  BACKEND_ENV,
  configureTasks,
  DEFAULT_BASE_PATH,
  DEFAULT_MAX_BODY_BYTES,
  type TasksConfig,
} from './settings/settings.js';
export { defineTask, getTask } from './task/define-task.js';
