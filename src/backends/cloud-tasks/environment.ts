/**
 * The Cloud Tasks backend configured from environment variables, for `TASKS_BACKEND=cloud-tasks`.
 *
 * The settings module imports this file, which is part of the core entry point, so this file
 * must import `@google-cloud/tasks` only dynamically (through `./client.js`), never statically.
 *
 * @module
 */
import {
  CLOUD_TASKS_SERVICE_ACCOUNT_ENV,
  type Environment,
  OIDC_AUDIENCE_ENV,
  readEnvironmentVariable,
  TASKS_BASE_URL_ENV,
} from '../../core/environment.js';
import { TaskError } from '../../core/errors.js';
import { processWide } from '../../core/process-wide.js';
import { type CloudTasksBackend, createCloudTasksBackend } from './backend.js';
import type { ClientModuleLoaders } from './client.js';
import type { CloudTasksBackendOptions, OptionLabels } from './options.js';

/** Environment variable with the project ID of the queue. */
export const CLOUD_TASKS_PROJECT_ENV = 'CLOUD_TASKS_PROJECT';
/** Environment variable read for the project ID when `CLOUD_TASKS_PROJECT` is unset. */
export const GOOGLE_CLOUD_PROJECT_ENV = 'GOOGLE_CLOUD_PROJECT';
/** Environment variable with the location ID of the queue, such as `us-central1`. */
export const CLOUD_TASKS_LOCATION_ENV = 'CLOUD_TASKS_LOCATION';
/** Environment variable with the queue ID. */
export const CLOUD_TASKS_QUEUE_ENV = 'CLOUD_TASKS_QUEUE';
/** Environment variable with `host:port` of a local Cloud Tasks emulator; optional. */
export const CLOUD_TASKS_EMULATOR_HOST_ENV = 'CLOUD_TASKS_EMULATOR_HOST';

const ENVIRONMENT_LABELS: OptionLabels = {
  project: CLOUD_TASKS_PROJECT_ENV,
  location: CLOUD_TASKS_LOCATION_ENV,
  queue: CLOUD_TASKS_QUEUE_ENV,
  baseUrl: TASKS_BASE_URL_ENV,
  serviceAccountEmail: CLOUD_TASKS_SERVICE_ACCOUNT_ENV,
  audience: OIDC_AUDIENCE_ENV,
  maxPayloadBytes: '`maxPayloadBytes`',
  emulatorHost: CLOUD_TASKS_EMULATOR_HOST_ENV,
  clientOptions: '`clientOptions`',
};

const ENVIRONMENT_FIX =
  'Correct the environment variables, or pass `backend: cloudTasksBackend({ ... })` to configureTasks().';

/**
 * Reads the Cloud Tasks backend options from environment variables. Values are trimmed, and an
 * empty value counts as unset.
 *
 * @throws {TaskError} `configuration_error` naming every missing variable at once.
 */
export function cloudTasksOptionsFromEnvironment(environment: Environment = process.env): CloudTasksBackendOptions {
  const read = (name: string) => readEnvironmentVariable(name, environment);

  const project = read(CLOUD_TASKS_PROJECT_ENV) ?? read(GOOGLE_CLOUD_PROJECT_ENV);
  const location = read(CLOUD_TASKS_LOCATION_ENV);
  const queue = read(CLOUD_TASKS_QUEUE_ENV);
  const serviceAccountEmail = read(CLOUD_TASKS_SERVICE_ACCOUNT_ENV);
  const baseUrl = read(TASKS_BASE_URL_ENV);

  const missing = [
    project === undefined ? `${CLOUD_TASKS_PROJECT_ENV} (or ${GOOGLE_CLOUD_PROJECT_ENV})` : undefined,
    location === undefined ? CLOUD_TASKS_LOCATION_ENV : undefined,
    queue === undefined ? CLOUD_TASKS_QUEUE_ENV : undefined,
    serviceAccountEmail === undefined ? CLOUD_TASKS_SERVICE_ACCOUNT_ENV : undefined,
    baseUrl === undefined ? TASKS_BASE_URL_ENV : undefined,
  ].filter((name) => name !== undefined);
  if (missing.length > 0) {
    throw new TaskError(
      'configuration_error',
      `TASKS_BACKEND=cloud-tasks needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set. ` +
        'Set the queue (CLOUD_TASKS_PROJECT, CLOUD_TASKS_LOCATION, CLOUD_TASKS_QUEUE), the service account that ' +
        'signs the OIDC tokens (CLOUD_TASKS_SERVICE_ACCOUNT) and the public URL of the app (TASKS_BASE_URL), ' +
        'or pass `backend: cloudTasksBackend({ ... })` to configureTasks().',
    );
  }

  return {
    project: project!,
    location: location!,
    queue: queue!,
    serviceAccountEmail: serviceAccountEmail!,
    baseUrl: baseUrl!,
    audience: read(OIDC_AUDIENCE_ENV),
    emulatorHost: read(CLOUD_TASKS_EMULATOR_HOST_ENV),
  };
}

/**
 * Creates a Cloud Tasks backend from environment variables, reporting invalid values under their
 * variable names.
 *
 * @throws {TaskError} `configuration_error` naming every missing or invalid variable.
 */
export function cloudTasksBackendFromEnvironment(
  environment: Environment = process.env,
  loaders?: ClientModuleLoaders,
): CloudTasksBackend {
  const options = cloudTasksOptionsFromEnvironment(environment);
  const projectVariable =
    readEnvironmentVariable(CLOUD_TASKS_PROJECT_ENV, environment) === undefined
      ? GOOGLE_CLOUD_PROJECT_ENV
      : CLOUD_TASKS_PROJECT_ENV;

  return createCloudTasksBackend(options, {
    labels: { ...ENVIRONMENT_LABELS, project: projectVariable },
    fix: ENVIRONMENT_FIX,
    ...(loaders === undefined ? {} : { loaders }),
  });
}

/** The process-wide key of the backend that `TASKS_BACKEND=cloud-tasks` selects. */
export const ENVIRONMENT_BACKEND_KEY = 'cloudTasksEnvironmentBackend';

/**
 * Returns the one Cloud Tasks backend of the process that `TASKS_BACKEND=cloud-tasks` selects,
 * creating it from the environment when first needed. A failed creation is not stored, so a
 * later call reads the environment again.
 *
 * @throws {TaskError} `configuration_error` naming every missing or invalid variable.
 */
export function environmentCloudTasksBackend(): CloudTasksBackend {
  return processWide<CloudTasksBackend>(ENVIRONMENT_BACKEND_KEY, () => cloudTasksBackendFromEnvironment());
}
