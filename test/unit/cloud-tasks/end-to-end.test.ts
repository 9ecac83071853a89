// task.enqueue() through the Cloud Tasks backend and the emulator to a local HTTP server that
// runs the task endpoint, configured in code and from environment variables.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { ENVIRONMENT_BACKEND_KEY } from '../../../src/backends/cloud-tasks/environment.js';
import { cloudTasksBackend } from '../../../src/backends/cloud-tasks/index.js';
import type { Authenticator, AuthResult } from '../../../src/core/auth.js';
import { forgetProcessWide, processWide } from '../../../src/core/process-wide.js';
import type { CloudTasksEmulator } from '../../../src/emulator/index.js';
import { configureTasks, defineTask, type TaskContext } from '../../../src/index.js';
import { handleTaskRequest } from '../../../src/next/index.js';
import { getBackend } from '../../../src/settings/settings.js';
import { resetTasks, silentLogger } from '../../../src/testing/index.js';
import { emulatorOptions, startEmulator } from './emulator-support.js';
import { PROJECT, QUEUE, type ReceivedRequest, type Receiver, SERVICE_ACCOUNT, startReceiver } from './support.js';

/**
 * Lets through calls with a bearer token and trusts their queue headers. The token itself is
 * checked by the OIDC authenticator's own tests; here it only has to be present.
 */
const bearerPresent: Authenticator = {
  scheme: 'bearer-present',
  challenge: 'Bearer realm="tasks"',
  async authenticate(request): Promise<AuthResult> {
    if (request.headers.get('authorization')?.startsWith('Bearer ')) return { ok: true, trustedQueue: true };
    return { ok: false, status: 401, message: 'A bearer token is required.' };
  },
};

/** Passes a received request to the task endpoint, as the Next.js route would. */
async function runTaskEndpoint(received: ReceivedRequest): Promise<{ status: number; body: string }> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(received.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const request = new Request(`http://127.0.0.1${received.url}`, {
    method: received.method,
    headers,
    body: new Uint8Array(received.body),
  });
  const name = received.url.split('/').pop() ?? '';

  const response = await handleTaskRequest(request, name, { auth: bearerPresent });
  return { status: response.status, body: await response.text() };
}

interface Run {
  params: { name: string };
  context: Pick<TaskContext, 'id' | 'attempt'> & { queueName: string | undefined };
}

let emulator: CloudTasksEmulator;
let app: Receiver;
let runs: Run[];

function defineGreetTask() {
  return defineTask({
    name: 'greet',
    schema: z.object({ name: z.string() }),
    run: (params, context) => {
      runs.push({
        params,
        context: { id: context.id, attempt: context.attempt, queueName: context.delivery?.queueName },
      });
      return `Hello, ${params.name}`;
    },
  });
}

beforeEach(async () => {
  resetTasks();
  runs = [];
  vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
  emulator = await startEmulator();
  app = await startReceiver(runTaskEndpoint);
});

afterEach(async () => {
  const environmentBackend = processWide<{ close?: () => Promise<void> } | undefined>(
    ENVIRONMENT_BACKEND_KEY,
    () => undefined,
  );
  await environmentBackend?.close?.();
  forgetProcessWide(ENVIRONMENT_BACKEND_KEY);
  vi.unstubAllEnvs();
  await emulator.stop();
  await app.close();
});

describe('Cloud Tasks end to end', () => {
  it('enqueued task runs at the endpoint', async () => {
    const backend = cloudTasksBackend(emulatorOptions(emulator, app.url));
    configureTasks({ backend, logger: silentLogger });
    const greet = defineGreetTask();

    const { id } = await greet.enqueue({ name: 'Zoë 東京' });
    const dispatches = await emulator.waitForDispatches((all) => all.some((dispatch) => dispatch.ok));
    await backend.close();

    expect(runs).toEqual([{ params: { name: 'Zoë 東京' }, context: { id, attempt: 1, queueName: QUEUE } }]);
    expect(dispatches[0]?.status).toBe(200);
    expect(JSON.parse(app.requests[0]?.body.toString('utf8') ?? '')).toEqual({ name: 'Zoë 東京' });
  });

  it('delayed task runs after its delay', async () => {
    const backend = cloudTasksBackend(emulatorOptions(emulator, app.url));
    configureTasks({ backend, logger: silentLogger });
    const greet = defineGreetTask();
    const enqueuedAt = Date.now();

    await greet.enqueue({ name: 'later' }, { delay: 1_500 });
    const [dispatch] = await emulator.waitForDispatches((all) => all.length >= 1);
    await backend.close();

    expect(dispatch!.startedAt.getTime() - enqueuedAt).toBeGreaterThanOrEqual(1_400);
    expect(runs.map((run) => run.params.name)).toEqual(['later']);
  });

  it('environment configuration reaches the endpoint', async () => {
    vi.stubEnv('TASKS_BACKEND', 'cloud-tasks');
    vi.stubEnv('CLOUD_TASKS_PROJECT', undefined);
    vi.stubEnv('GOOGLE_CLOUD_PROJECT', PROJECT);
    vi.stubEnv('CLOUD_TASKS_LOCATION', 'us-central1');
    vi.stubEnv('CLOUD_TASKS_QUEUE', QUEUE);
    vi.stubEnv('CLOUD_TASKS_SERVICE_ACCOUNT', SERVICE_ACCOUNT);
    vi.stubEnv('TASKS_BASE_URL', `${app.url}/`);
    vi.stubEnv('TASKS_OIDC_AUDIENCE', undefined);
    vi.stubEnv('CLOUD_TASKS_EMULATOR_HOST', emulator.grpcAddress);
    configureTasks({ logger: silentLogger });
    const greet = defineGreetTask();

    const { id } = await greet.enqueue({ name: 'from env' });
    await emulator.waitForDispatches((all) => all.some((dispatch) => dispatch.ok));

    expect(getBackend().name).toBe('cloud-tasks');
    expect(runs).toEqual([{ params: { name: 'from env' }, context: { id, attempt: 1, queueName: QUEUE } }]);
  });
});
