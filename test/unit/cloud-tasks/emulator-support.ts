// Helpers of the Cloud Tasks backend tests that run against the local emulator.
import { createCloudTasksBackend } from '../../../src/backends/cloud-tasks/backend.js';
import type { CloudTasksBackendOptions } from '../../../src/backends/cloud-tasks/options.js';
import { type CloudTasksEmulator, startCloudTasksEmulator } from '../../../src/emulator/index.js';
import { countingLoaders, LOCATION, PROJECT, QUEUE, QUEUE_PATH, SERVICE_ACCOUNT } from './support.js';

/** Starts an emulator on free loopback ports with the test queue. */
export function startEmulator(): Promise<CloudTasksEmulator> {
  return startCloudTasksEmulator({ host: '127.0.0.1', port: 0, httpPort: 0, queues: [QUEUE_PATH] });
}

/** Options of a backend that enqueues on the emulator's test queue and calls `baseUrl` back. */
export function emulatorOptions(emulator: CloudTasksEmulator, baseUrl: string): CloudTasksBackendOptions {
  return {
    project: PROJECT,
    location: LOCATION,
    queue: QUEUE,
    baseUrl,
    serviceAccountEmail: SERVICE_ACCOUNT,
    emulatorHost: emulator.grpcAddress,
  };
}

/** Creates a backend on the emulator with counting loaders. */
export function emulatorBackend(
  emulator: CloudTasksEmulator,
  baseUrl: string,
  overrides: Partial<CloudTasksBackendOptions> = {},
) {
  const loaders = countingLoaders();
  const backend = createCloudTasksBackend({ ...emulatorOptions(emulator, baseUrl), ...overrides }, { loaders });
  return { backend, loaders };
}
