// Loading @google-cloud/tasks, the export shapes it may have, and how CreateTask failures become TaskErrors.
import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

import { createCloudTasksBackend } from '../../../src/backends/cloud-tasks/backend.js';
import {
  defaultModuleLoaders,
  findClientConstructor,
  packageLoadError,
} from '../../../src/backends/cloud-tasks/client.js';
import { redactCredentials, toCreateTaskError } from '../../../src/backends/cloud-tasks/errors.js';
import { rejectionOf, thrownBy } from '../helpers.js';
import { queuedTask, SERVICE_ACCOUNT } from './support.js';

const require = createRequire(import.meta.url);

const options = {
  project: 'my-project',
  location: 'us-central1',
  queue: 'tasks',
  baseUrl: 'https://app.example.com',
  serviceAccountEmail: SERVICE_ACCOUNT,
};

const target = {
  queuePath: 'projects/my-project/locations/us-central1/queues/tasks',
  serviceAccountEmail: SERVICE_ACCOUNT,
};

/** Resolves packages from a folder without node_modules, where no package is installed. */
const requireWithoutPackages = createRequire('/folder-without-packages/index.js');

/** Loads @google-cloud/tasks where it is not installed, failing as a missing optional peer does. */
async function importMissingTasks(): Promise<unknown> {
  return requireWithoutPackages('@google-cloud/tasks');
}

/** Loads @grpc/grpc-js where it is not installed. */
async function importMissingGrpc(): Promise<unknown> {
  return requireWithoutPackages('@grpc/grpc-js');
}

describe('@google-cloud/tasks export shapes', async () => {
  const namespace = await import('@google-cloud/tasks');
  const RealClient = namespace.CloudTasksClient;

  it.each([
    ['named export', namespace],
    ['default object only', { default: namespace.default }],
    ['v2 namespace only', { v2: namespace.v2 }],
    ['default v2 namespace only', { default: { v2: namespace.v2 } }],
  ])('finds client in %s', (_shape, moduleNamespace) => {
    expect(findClientConstructor(moduleNamespace)).toBe(RealClient);
  });

  it('finds client in CommonJS build', () => {
    const commonJs: unknown = require('@google-cloud/tasks');

    expect(typeof findClientConstructor(commonJs)).toBe('function');
  });

  it('rejects module without client', () => {
    const error = thrownBy(() => findClientConstructor({ v2: {} }));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('npm install @google-cloud/tasks');
  });
});

describe('missing optional packages', () => {
  it('names npm install for @google-cloud/tasks', async () => {
    const backend = createCloudTasksBackend(options, {
      loaders: { loadTasksModule: importMissingTasks, loadGrpcModule: defaultModuleLoaders.loadGrpcModule },
    });

    const error = await rejectionOf(backend.enqueue(queuedTask()));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('@google-cloud/tasks, which is not installed');
    expect(error.message).toContain('`npm install @google-cloud/tasks`');
    expect((error.cause as { code?: string }).code).toBe('MODULE_NOT_FOUND');
  });

  it('names tracing settings for missing package file', () => {
    let cause: unknown;
    try {
      require('/app/node_modules/@google-cloud/tasks/build/protos/protos.json');
    } catch (error) {
      cause = error;
    }

    const error = packageLoadError('@google-cloud/tasks', cause);

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('protos.json');
    expect(error.message).toContain('serverExternalPackages');
    expect(error.message).toContain('outputFileTracingIncludes');
    expect(error.cause).toBe(cause);
  });

  it('names npm install for @grpc/grpc-js', async () => {
    const backend = createCloudTasksBackend(
      { ...options, emulatorHost: '127.0.0.1:1' },
      { loaders: { loadTasksModule: defaultModuleLoaders.loadTasksModule, loadGrpcModule: importMissingGrpc } },
    );

    const error = await rejectionOf(backend.enqueue(queuedTask()));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('@grpc/grpc-js, which is not installed');
    expect(error.message).toContain('`npm install @grpc/grpc-js`');
  });

  it('retries loading after a failure', async () => {
    let attempts = 0;
    const backend = createCloudTasksBackend(options, {
      loaders: {
        loadTasksModule: () => {
          attempts += 1;
          return importMissingTasks();
        },
        loadGrpcModule: defaultModuleLoaders.loadGrpcModule,
      },
    });

    await rejectionOf(backend.enqueue(queuedTask()));
    await rejectionOf(backend.enqueue(queuedTask()));

    expect(attempts).toBe(2);
  });
});

describe('CreateTask error mapping', () => {
  const task = queuedTask({ id: 'welcome-42' });

  it('ALREADY_EXISTS becomes duplicate_task', () => {
    const cause = { code: 6, details: 'Requested entity already exists' };

    const error = toCreateTaskError(cause, task, target);

    expect(error.code).toBe('duplicate_task');
    expect(error.message).toContain('"welcome-42"');
    expect(error.message).toContain('about an hour');
    expect(error.taskId).toBe('welcome-42');
    expect(error.cause).toBe(cause);
  });

  it.each([
    [5, 'NOT_FOUND', 'gcloud tasks queues create tasks --location=us-central1 --project=my-project'],
    [7, 'PERMISSION_DENIED', 'roles/cloudtasks.enqueuer'],
    [7, 'PERMISSION_DENIED', `roles/iam.serviceAccountUser) on ${SERVICE_ACCOUNT}`],
    [14, 'UNAVAILABLE', 'Retry with the same id'],
    [4, 'DEADLINE_EXCEEDED', 'Retry with the same id'],
    [16, 'UNAUTHENTICATED', 'Application Default Credentials'],
    [8, 'RESOURCE_EXHAUSTED', 'quota'],
    [3, 'INVALID_ARGUMENT', 'task size'],
    [13, 'INTERNAL', 'Retry later'],
  ])('status %i becomes backend_error naming %s', (code, status, advice) => {
    const cause = { code, details: 'service text' };

    const error = toCreateTaskError(cause, task, target);

    expect(error.code).toBe('backend_error');
    expect(error.message).toContain(`failed: ${status} (service text)`);
    expect(error.message).toContain(target.queuePath);
    expect(error.message).toContain(advice);
    expect(error.cause).toBe(cause);
    expect(error.taskId).toBe('welcome-42');
  });

  it('UNAVAILABLE names emulator only when set', () => {
    const cause = { code: 14, details: 'No connection established. Resolution note: ' };

    const withEmulator = toCreateTaskError(cause, task, { ...target, emulator: { host: '127.0.0.1', port: 8123 } });
    const withoutEmulator = toCreateTaskError(cause, task, target);

    expect(withEmulator.message).toContain('emulator at 127.0.0.1:8123');
    expect(withEmulator.message).toContain('failed: UNAVAILABLE (No connection established). ');
    expect(withoutEmulator.message).not.toContain('emulator');
  });

  it('error without status keeps its message', () => {
    const error = toCreateTaskError(new Error('Could not load the default credentials.'), task, target);

    expect(error.code).toBe('backend_error');
    expect(error.message).toContain('Could not load the default credentials.');
    expect(error.message).toContain('Check the Google credentials');
  });

  it('message never quotes a credential', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const cause = new Error(
      `request failed with Authorization: Bearer ya29.a0secret-token, id token ${jwt}, ` +
        'key -----BEGIN PRIVATE KEY-----\nMIIEvAIBADANBg\n-----END PRIVATE KEY-----',
    );

    const error = toCreateTaskError(cause, task, target);

    expect(error.message).not.toContain('ya29');
    expect(error.message).not.toContain('a0secret-token');
    expect(error.message).not.toContain(jwt);
    expect(error.message).not.toContain('MIIEvAIBADANBg');
    expect(error.message).toContain('Bearer [redacted]');
  });

  it('redacts credentials in service details', () => {
    const error = toCreateTaskError({ code: 3, details: 'bad token ya29.abc' }, task, target);

    expect(error.message).not.toContain('ya29.abc');
  });

  it('redaction keeps ordinary text', () => {
    expect(redactCredentials('Queue does not exist.')).toBe('Queue does not exist.');
  });
});
