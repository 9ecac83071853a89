/**
 * Process-wide configuration: what `configureTasks` sets, completed from the environment.
 *
 * Like the registry, the configuration lives on `globalThis` so that `instrumentation.ts` and
 * every route see the same settings although Next.js gives each its own module copy.
 *
 * Precedence, for each setting on its own: a value passed to `configureTasks` wins over the
 * environment variable, which wins over the built-in default. A task's own `auth` wins over both.
 *
 * @module
 */

import { basicAuth } from '../auth/basic.js';
import { googleOidcAuthFromEnvironment } from '../auth/google-oidc/environment.js';
import { noAuth } from '../auth/none.js';
import { toAuthenticator } from '../auth/resolve.js';
import { environmentCloudTasksBackend } from '../backends/cloud-tasks/environment.js';
import { immediateBackend } from '../backends/immediate.js';
import { inProcessBackend } from '../backends/in-process.js';
import type { Authenticator, AuthOption } from '../core/auth.js';
import { TaskError } from '../core/errors.js';
import { createConsoleLogger, type Logger } from '../core/logger.js';
import { processWide } from '../core/process-wide.js';
import type { Backend } from '../core/types.js';

/** Options of `configureTasks`. Every field is optional, and unset fields keep their defaults. */
export interface TasksConfig {
  /**
   * The backend that `enqueue` sends tasks to.
   *
   * @default the backend `TASKS_BACKEND` names (`in-process`, `immediate` or `cloud-tasks`, which
   *   reads its queue from `CLOUD_TASKS_*` variables), else one process-wide {@link inProcessBackend}
   */
  backend?: Backend;
  /**
   * Authentication of the HTTP endpoints, for tasks without their own `auth`.
   *
   * @default the authenticator `TASKS_API_AUTHENTICATION` names (`basic`, `oidc` or `none`), else none,
   *   which rejects every HTTP call with 401
   */
  auth?: AuthOption;
  /**
   * The destination of log lines.
   *
   * @default the console, prefixed with `[next-generic-tasks]`, with `debug` lines only when `TASKS_DEBUG=1`
   */
  logger?: Logger;
  /**
   * The URL path the task route is mounted at, without a trailing slash. Next.js routes by the
   * folder of the route file, so this setting does not move the endpoint: keep it equal to that folder.
   *
   * The route handler warns once when it is called under another path, so that URLs built from
   * this setting stay correct.
   *
   * @default "/api/tasks"
   */
  basePath?: string;
  /**
   * Maximum size of a request body, in bytes: a whole number, 1 or more.
   *
   * @default 1048576 (1 MiB)
   */
  maxBodyBytes?: number;
}

/** Environment variable that selects the backend: `in-process`, `immediate` or `cloud-tasks`. */
export const BACKEND_ENV = 'TASKS_BACKEND';
/** Environment variable that selects the HTTP authentication: `basic`, `oidc` or `none`. */
export const AUTHENTICATION_ENV = 'TASKS_API_AUTHENTICATION';

/** Default of {@link TasksConfig.basePath}. */
export const DEFAULT_BASE_PATH = '/api/tasks';
/** Default of {@link TasksConfig.maxBodyBytes}: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The process-wide holder of what `configureTasks` set. */
function configHolder(): { current: TasksConfig } {
  return processWide('config', () => ({ current: {} }));
}

/**
 * Sets process-wide configuration. Call it from `tasks.ts` or `instrumentation.ts`. Calling it
 * again (a dev reload, a second `register()`) replaces the fields it names and keeps the others.
 *
 * @example
 * ```ts
 * configureTasks({ auth: basicAuth(), backend: inProcessBackend({ concurrency: 4 }) });
 * ```
 * @throws {TaskError} `configuration_error` naming the invalid field.
 */
export function configureTasks(config: TasksConfig): void {
  if (config.backend !== undefined) assertBackend(config.backend);
  if (config.logger !== undefined) assertLogger(config.logger);
  if (config.basePath !== undefined) assertBasePath(config.basePath);
  if (config.maxBodyBytes !== undefined) assertMaxBodyBytes(config.maxBodyBytes);
  if (config.auth !== undefined) toAuthenticator(config.auth);

  const defined = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
  const holder = configHolder();
  holder.current = { ...holder.current, ...defined };
}

/** Forgets everything `configureTasks` set, for test isolation. */
export function resetTasksConfig(): void {
  configHolder().current = {};
}

function config(): TasksConfig {
  return configHolder().current;
}

/** Returns the configured logger, or the console logger. */
export function getLogger(): Logger {
  return config().logger ?? defaultLogger;
}

const defaultLogger = createConsoleLogger();

/** Returns the configured base path, or `/api/tasks`. */
export function getBasePath(): string {
  return config().basePath ?? DEFAULT_BASE_PATH;
}

/** Returns the configured maximum body size in bytes, or 1 MiB. */
export function getMaxBodyBytes(): number {
  return config().maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
}

/**
 * Returns the backend that `enqueue` uses: the configured one, else the one `TASKS_BACKEND` names, else the
 * process-wide in-process backend.
 *
 * @throws {TaskError} `configuration_error` when `TASKS_BACKEND` contains an unknown value, or is
 *   `cloud-tasks` and a `CLOUD_TASKS_*` or `TASKS_BASE_URL` variable is missing or invalid.
 */
export function getBackend(): Backend {
  const configured = config().backend;
  if (configured !== undefined) return configured;

  const fromEnvironment = process.env[BACKEND_ENV]?.trim();
  // Values are matched case-insensitively, because `IN-PROCESS` or `Cloud-Tasks` mean the same to a reader.
  switch (fromEnvironment?.toLowerCase()) {
    case undefined:
    case '':
    case 'in-process':
      return defaultInProcessBackend();
    case 'immediate':
      return immediateBackend();
    case 'cloud-tasks':
      return environmentCloudTasksBackend();
    default:
      throw new TaskError(
        'configuration_error',
        `Unknown ${BACKEND_ENV} "${fromEnvironment}": use "in-process", "immediate" or "cloud-tasks", ` +
          'or pass `backend` to configureTasks().',
      );
  }
}

/** Returns the one in-process backend of the process, so its concurrency limit applies across module copies. */
function defaultInProcessBackend(): Backend {
  return processWide<Backend>('defaultBackend', () => inProcessBackend());
}

/**
 * Returns the global authenticator: the configured one, else the one `TASKS_API_AUTHENTICATION` names,
 * else `undefined`, which means every HTTP call is rejected.
 *
 * @throws {TaskError} `configuration_error` when `TASKS_API_AUTHENTICATION` contains an unknown value,
 *   or is `oidc` while the audience or the service accounts are missing or invalid.
 */
export function getGlobalAuthenticator(): Authenticator | undefined {
  const configured = config().auth;
  if (configured !== undefined) return toAuthenticator(configured);

  const fromEnvironment = process.env[AUTHENTICATION_ENV]?.trim();
  switch (fromEnvironment?.toLowerCase()) {
    case undefined:
    case '':
      return undefined;
    case 'basic':
      return environmentBasicAuth;
    case 'none':
      return environmentNoAuth;
    case 'oidc':
      return googleOidcAuthFromEnvironment();
    default:
      throw new TaskError(
        'configuration_error',
        `Unknown ${AUTHENTICATION_ENV} "${fromEnvironment}": use "basic", "oidc" or "none", or pass \`auth\` to configureTasks().`,
      );
  }
}

const environmentBasicAuth = basicAuth();
const environmentNoAuth = noAuth();

function assertBackend(backend: unknown): void {
  const candidate = backend as Partial<Backend> | null;
  if (typeof candidate === 'object' && candidate !== null && typeof candidate.enqueue === 'function') return;

  const fix =
    typeof backend === 'function'
      ? 'it is a function, so call the backend factory, for example `inProcessBackend()` rather than `inProcessBackend`'
      : 'it has no `enqueue(task)` method, so pass a backend such as inProcessBackend()';
  throw new TaskError('configuration_error', `Invalid \`backend\`: ${fix}.`);
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function assertLogger(logger: unknown): void {
  const candidate = logger as Partial<Logger> | null;
  const isObject = typeof candidate === 'object' && candidate !== null;
  const missing = LOG_LEVELS.filter((level) => !isObject || typeof candidate[level] !== 'function');
  if (missing.length === 0) return;

  throw new TaskError(
    'configuration_error',
    `Invalid \`logger\`: it lacks the method${missing.length === 1 ? '' : 's'} ${missing.join(', ')}. ` +
      'Pass an object with debug, info, warn and error methods, each taking (message, fields?).',
  );
}

function assertBasePath(basePath: string): void {
  if (/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) return;
  throw new TaskError(
    'configuration_error',
    `Invalid basePath ${JSON.stringify(basePath)}: use a path that starts with "/" and has no trailing slash, ` +
      'query or spaces, for example "/api/tasks".',
  );
}

/**
 * Checks a body size limit: a whole number of bytes, 1 or more.
 *
 * @throws {TaskError} `configuration_error` naming the value.
 */
export function assertMaxBodyBytes(value: number): void {
  if (Number.isSafeInteger(value) && value > 0) return;
  throw new TaskError(
    'configuration_error',
    `Invalid maxBodyBytes ${String(value)}: pass a whole number of bytes, 1 or more.`,
  );
}
