/**
 * `next-generic-tasks/cloud-tasks`: a backend that enqueues tasks on Google Cloud Tasks, which
 * calls each task's endpoint back over HTTP with an OIDC token.
 *
 * `@google-cloud/tasks` (and `@grpc/grpc-js`, for the emulator) are optional peer dependencies,
 * loaded on the first `enqueue`.
 *
 * @module
 */

export { CLOUD_TASKS_SERVICE_ACCOUNT_ENV, OIDC_AUDIENCE_ENV, TASKS_BASE_URL_ENV } from '../../core/environment.js';
export { type CloudTasksBackend, cloudTasksBackend } from './backend.js';
export {
  CLOUD_TASKS_EMULATOR_HOST_ENV,
  CLOUD_TASKS_LOCATION_ENV,
  CLOUD_TASKS_PROJECT_ENV,
  CLOUD_TASKS_QUEUE_ENV,
  cloudTasksOptionsFromEnvironment,
  GOOGLE_CLOUD_PROJECT_ENV,
} from './environment.js';
export {
  type CloudTasksBackendOptions,
  type CloudTasksClientOptions,
  DEFAULT_MAX_PAYLOAD_BYTES,
} from './options.js';
export { MAX_SCHEDULE_AHEAD_MS } from './request.js';
