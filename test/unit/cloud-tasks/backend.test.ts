// The Cloud Tasks backend with the real @google-cloud/tasks client against the local emulator.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { CloudTasksBackend } from '../../../src/backends/cloud-tasks/index.js';
import type { CloudTasksEmulator } from '../../../src/emulator/index.js';
import { capturingLogger, rejectionOf } from '../helpers.js';
import { emulatorBackend, startEmulator } from './emulator-support.js';
import {
  type CountingLoaders,
  QUEUE_PATH,
  queuedTask,
  type Receiver,
  SERVICE_ACCOUNT,
  startReceiver,
} from './support.js';

let emulator: CloudTasksEmulator;
let receiver: Receiver;
let backend: CloudTasksBackend;
let loaders: CountingLoaders;

beforeEach(async () => {
  vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
  emulator = await startEmulator();
  receiver = await startReceiver();
  ({ backend, loaders } = emulatorBackend(emulator, receiver.url));
});

afterEach(async () => {
  await backend.close();
  await emulator.stop();
  await receiver.close();
  vi.unstubAllEnvs();
});

/** Returns the one task the emulator received, as it decoded it. */
function onlyCreatedTask() {
  const records = emulator.createdTasks();
  expect(records).toHaveLength(1);
  return records[0]!;
}

function httpRequestOf(task: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return task.httpRequest as Record<string, unknown>;
}

/** Reads a Timestamp or Duration field, whose seconds the emulator may decode as a number, string or Long. */
function protoTime(value: unknown): { seconds: number; nanos: number } {
  const { seconds, nanos } = value as { seconds: unknown; nanos?: unknown };
  return { seconds: Number(String(seconds)), nanos: Number(nanos ?? 0) };
}

function decodeJwtPayload(authorization: string | undefined): Record<string, unknown> {
  const token = authorization?.replace(/^Bearer /, '') ?? '';
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('Cloud Tasks backend task creation', () => {
  const params = { greeting: 'Grüße aus Köln, 東京 🎉', recipients: ['ada@example.com'] };

  it('names task after queue and id', async () => {
    await backend.enqueue(queuedTask({ id: 'welcome-42' }));

    const record = onlyCreatedTask();
    expect(record.parent).toBe(QUEUE_PATH);
    expect(record.task.name).toBe(`${QUEUE_PATH}/tasks/welcome-42`);
    expect(record.error).toBeUndefined();
  });

  it('targets POST on task endpoint', async () => {
    await backend.enqueue(queuedTask({ endpointPath: '/api/tasks/send-email' }));

    const httpRequest = httpRequestOf(onlyCreatedTask().task);
    expect(httpRequest.url).toBe(`${receiver.url}/api/tasks/send-email`);
    expect(httpRequest.httpMethod).toBe('POST');
  });

  it('sets JSON content type header', async () => {
    await backend.enqueue(queuedTask());

    expect(httpRequestOf(onlyCreatedTask().task).headers).toEqual({ 'Content-Type': 'application/json' });
  });

  it('sends payload as UTF-8 bytes', async () => {
    const payload = JSON.stringify(params);

    await backend.enqueue(queuedTask({ payload }));

    const body = httpRequestOf(onlyCreatedTask().task).body as Buffer;
    expect(body.equals(Buffer.from(payload, 'utf8'))).toBe(true);
    expect(JSON.parse(body.toString('utf8'))).toEqual(params);
  });

  it('asks for OIDC token with audience', async () => {
    await backend.enqueue(queuedTask());

    expect(httpRequestOf(onlyCreatedTask().task).oidcToken).toEqual({
      serviceAccountEmail: SERVICE_ACCOUNT,
      audience: receiver.url,
    });
  });

  it('sends configured audience', async () => {
    await backend.close();
    ({ backend, loaders } = emulatorBackend(emulator, receiver.url, { audience: 'https://Tasks.example.com/' }));

    await backend.enqueue(queuedTask());

    expect(httpRequestOf(onlyCreatedTask().task).oidcToken).toEqual({
      serviceAccountEmail: SERVICE_ACCOUNT,
      audience: 'https://tasks.example.com',
    });
  });

  it('converts runAt to schedule time', async () => {
    const wholeSecond = Math.ceil(Date.now() / 1000) * 1000;
    const runAt = new Date(wholeSecond + 3_600_000 + 123);

    await backend.enqueue(queuedTask({ runAt }));

    expect(protoTime(onlyCreatedTask().task.scheduleTime)).toEqual({
      seconds: (wholeSecond + 3_600_000) / 1000,
      nanos: 123_000_000,
    });
  });

  it('leaves schedule time unset without runAt', async () => {
    await backend.enqueue(queuedTask({ runAt: undefined }));

    const { scheduleTime } = onlyCreatedTask().task;
    expect(scheduleTime === undefined || scheduleTime === null).toBe(true);
  });

  it('converts timeout to dispatch deadline', async () => {
    await backend.enqueue(queuedTask({ timeout: 90_500 }));

    expect(protoTime(onlyCreatedTask().task.dispatchDeadline)).toEqual({ seconds: 90, nanos: 500_000_000 });
  });

  it('logs created task at debug', async () => {
    const logger = capturingLogger();
    const runAt = new Date(Date.now() + 60_000);

    await backend.enqueue(queuedTask({ id: 'logged-1', runAt, logger }));

    expect(logger.lines).toEqual([
      {
        level: 'debug',
        message: 'cloud task created',
        fields: { task: 'send-email', id: 'logged-1', queue: QUEUE_PATH, scheduleTime: runAt.toISOString() },
      },
    ]);
  });
});

describe('Cloud Tasks backend dispatch', () => {
  it('emulator delivers body and token', async () => {
    const payload = JSON.stringify({ text: 'naïve café ☕' });

    await backend.enqueue(queuedTask({ id: 'dispatch-1', payload }));
    const [dispatch] = await emulator.waitForDispatches((dispatches) => dispatches.length >= 1);

    expect(receiver.requests).toHaveLength(1);
    const received = receiver.requests[0]!;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/api/tasks/send-email');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.body.equals(Buffer.from(payload, 'utf8'))).toBe(true);
    expect(received.headers['x-cloudtasks-taskname']).toBe('dispatch-1');
    expect(dispatch?.status).toBe(200);
    const claims = decodeJwtPayload(received.headers.authorization);
    expect(claims.aud).toBe(receiver.url);
    expect(claims.email).toBe(SERVICE_ACCOUNT);
  });
});

describe('Cloud Tasks backend rejections before any call', () => {
  it('payload over limit', async () => {
    await backend.close();
    ({ backend, loaders } = emulatorBackend(emulator, receiver.url, { maxPayloadBytes: 10 }));

    const error = await rejectionOf(backend.enqueue(queuedTask({ payload: '"Grüße!!"' })));

    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain('11 bytes');
    expect(error.message).toContain('limit of 10 bytes');
    expect(emulator.createdTasks()).toEqual([]);
    expect(loaders.clientsCreated).toBe(0);
  });

  it('payload at limit accepted', async () => {
    await backend.close();
    ({ backend, loaders } = emulatorBackend(emulator, receiver.url, { maxPayloadBytes: 10 }));

    await backend.enqueue(queuedTask({ payload: '"Grüße!"' }));

    expect(onlyCreatedTask().error).toBeUndefined();
  });

  it('default limit counts UTF-8 bytes', async () => {
    // 524,287 two-byte characters, one "e" and two quotes: 524,290 characters but 1,048,577 bytes.
    const payload = JSON.stringify(`${'é'.repeat(524_287)}e`);

    const error = await rejectionOf(backend.enqueue(queuedTask({ payload })));

    expect(payload.length).toBeLessThan(1_048_576);
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain('1048577 bytes');
    expect(error.message).toContain('limit of 1048576 bytes');
    expect(emulator.createdTasks()).toEqual([]);
  });

  it('runAt more than 30 days ahead', async () => {
    const runAt = new Date(Date.now() + 30 * 86_400_000 + 60_000);

    const error = await rejectionOf(backend.enqueue(queuedTask({ runAt })));

    expect(error.code).toBe('invalid_enqueue_options');
    expect(error.message).toContain(runAt.toISOString());
    expect(error.message).toContain('at most 30 days ahead');
    expect(emulator.createdTasks()).toEqual([]);
    expect(loaders.clientsCreated).toBe(0);
  });

  it('runAt 29 days ahead accepted', async () => {
    await backend.enqueue(queuedTask({ runAt: new Date(Date.now() + 29 * 86_400_000) }));

    expect(onlyCreatedTask().error).toBeUndefined();
  });

  it('invalid id from custom caller', async () => {
    const error = await rejectionOf(backend.enqueue(queuedTask({ id: 'not/valid' })));

    expect(error.code).toBe('invalid_enqueue_options');
    expect(error.message).toContain('"not/valid"');
    expect(emulator.createdTasks()).toEqual([]);
  });
});

describe('Cloud Tasks backend errors', () => {
  it('ALREADY_EXISTS becomes duplicate_task', async () => {
    await backend.enqueue(queuedTask({ id: 'welcome-7', runAt: new Date(Date.now() + 3_600_000) }));

    const error = await rejectionOf(backend.enqueue(queuedTask({ id: 'welcome-7' })));

    expect(error.code).toBe('duplicate_task');
    expect(error.message).toContain('"welcome-7"');
    expect(error.message).toContain('about an hour');
    expect(emulator.createdTasks()[1]?.error?.code).toBe(6);
  });

  it('missing queue becomes backend_error', async () => {
    await backend.close();
    ({ backend, loaders } = emulatorBackend(emulator, receiver.url, { queue: 'missing-queue' }));

    const error = await rejectionOf(backend.enqueue(queuedTask()));

    expect(error.code).toBe('backend_error');
    expect(error.message).toContain('NOT_FOUND');
    expect(error.message).toContain('projects/test-project/locations/us-central1/queues/missing-queue');
    expect(error.message).toContain('gcloud tasks queues create missing-queue');
    expect((error.cause as { code?: number }).code).toBe(5);
  });
});

describe('Cloud Tasks backend with emulator down', () => {
  it('UNAVAILABLE names the emulator host', async () => {
    const address = emulator.grpcAddress;
    await emulator.stop();

    const error = await rejectionOf(backend.enqueue(queuedTask()));

    expect(error.code).toBe('backend_error');
    expect(error.message).toContain('UNAVAILABLE');
    expect(error.message).toContain(`Check that the Cloud Tasks emulator at ${address}`);
    expect(error.message).toContain('CLOUD_TASKS_EMULATOR_HOST');
    expect(error.message).toContain('npx next-generic-tasks emulator');
  });

  it('UNAVAILABLE details have no empty note', async () => {
    await emulator.stop();

    const error = await rejectionOf(backend.enqueue(queuedTask()));

    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toMatch(/Resolution note:\s*\)/);
    expect(error.message).not.toContain(': )');
  });
});

describe('Cloud Tasks backend client', () => {
  it('shares one client across enqueues', async () => {
    await Promise.all(Array.from({ length: 25 }, () => backend.enqueue(queuedTask())));
    for (let index = 0; index < 25; index += 1) await backend.enqueue(queuedTask());

    expect(loaders.clientsCreated).toBe(1);
    expect(emulator.createdTasks()).toHaveLength(50);
  });

  it('creates no client before enqueue', () => {
    expect(loaders.clientsCreated).toBe(0);
  });

  it('creates new client after close', async () => {
    await backend.enqueue(queuedTask());
    await backend.close();

    await backend.enqueue(queuedTask());

    expect(loaders.clientsCreated).toBe(2);
    expect(emulator.createdTasks()).toHaveLength(2);
  });
});
