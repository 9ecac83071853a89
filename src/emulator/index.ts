/**
 * `next-generic-tasks/emulator`: a local Cloud Tasks emulator for development and tests. It
 * serves the Cloud Tasks v2 gRPC API to the real `@google-cloud/tasks` client, dispatches tasks
 * over HTTP with the Cloud Tasks headers, retries and deadlines, and signs OIDC tokens whose
 * keys it publishes.
 *
 * The CLI runs the same emulator: `npx next-generic-tasks emulator --help`.
 *
 * @module
 */
export {
  DEFAULT_EMULATOR_HTTP_PORT,
  DEFAULT_EMULATOR_ISSUER,
  DEFAULT_EMULATOR_LIMITS,
  DEFAULT_EMULATOR_PORT,
  DEFAULT_TOMBSTONE_MS,
  startCloudTasksEmulator,
} from './emulator.js';
export { OAUTH_PLACEHOLDER_TOKEN } from './http-dispatch.js';
export { EmulatorListenError, type EmulatorPortOption } from './listen-error.js';
export type {
  CloudTasksEmulator,
  CloudTasksEmulatorOptions,
  DispatchRecord,
  EmulatedTaskRecord,
  EmulatorLimits,
} from './types.js';
