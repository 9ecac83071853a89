// With an emulator host, the client must not look for Google credentials: no request may reach
// the GCE metadata server. GCE_METADATA_HOST and GCE_METADATA_IP point gcp-metadata at a local
// trap server, so any lookup lands there instead of leaving this machine, and
// METADATA_SERVER_DETECTION=ping-only makes a lookup ping it rather than skip it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { cloudTasksBackend } from '../../../src/backends/cloud-tasks/index.js';
import type { CloudTasksEmulator } from '../../../src/emulator/index.js';
import { configureTasks, defineTask } from '../../../src/index.js';
import { resetTasks, silentLogger } from '../../../src/testing/index.js';
import { rejectionOf } from '../helpers.js';
import { emulatorOptions, startEmulator } from './emulator-support.js';
import { type Receiver, startReceiver } from './support.js';

let emulator: CloudTasksEmulator;
let receiver: Receiver;
let trap: Receiver;
let emptyHome: string;

beforeEach(async () => {
  resetTasks();
  emulator = await startEmulator();
  receiver = await startReceiver();
  trap = await startReceiver(async () => ({ status: 404, body: '{}' }));
  emptyHome = await mkdtemp(join(tmpdir(), 'cloud-tasks-guard-'));

  const trapAddress = trap.url.replace('http://', '');
  vi.stubEnv('METADATA_SERVER_DETECTION', 'ping-only');
  vi.stubEnv('GCE_METADATA_HOST', trapAddress);
  vi.stubEnv('GCE_METADATA_IP', trapAddress);
  // No credentials file either, so Application Default Credentials fall through to the metadata server.
  vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', undefined);
  vi.stubEnv('HOME', emptyHome);
  vi.stubEnv('CLOUDSDK_CONFIG', emptyHome);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await emulator.stop();
  await receiver.close();
  await trap.close();
  await rm(emptyHome, { recursive: true, force: true });
});

describe('Cloud Tasks metadata server guard', () => {
  it('emulator client sends no metadata request', async () => {
    const backend = cloudTasksBackend(emulatorOptions(emulator, receiver.url));
    configureTasks({ backend, logger: silentLogger });
    const task = defineTask({ name: 'guarded', schema: z.object({ n: z.number() }), run: () => undefined });

    await task.enqueue({ n: 1 });
    await backend.close();

    expect(emulator.createdTasks()).toHaveLength(1);
    expect(trap.requests).toEqual([]);
  });

  it('client without emulator reaches the trap', async () => {
    // The control case: Application Default Credentials do query the metadata server, so the
    // trap above would have seen a lookup by the emulator client.
    const backend = cloudTasksBackend({
      ...emulatorOptions(emulator, receiver.url),
      emulatorHost: undefined,
      clientOptions: { apiEndpoint: '127.0.0.1', port: emulator.port },
    });
    configureTasks({ backend, logger: silentLogger });
    const task = defineTask({ name: 'unguarded', schema: z.object({}), run: () => undefined });

    const error = await rejectionOf(task.enqueue({}));
    await backend.close();

    expect(error.code).toBe('backend_error');
    expect(error.message).toContain('Could not load the default credentials');
    expect(trap.requests.length).toBeGreaterThan(0);
    expect(trap.requests[0]?.url).toMatch(/^\/computeMetadata\/v1\//);
    expect(emulator.createdTasks()).toEqual([]);
  });
});
