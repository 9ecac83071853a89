// The Cloud Tasks backend configured from environment variables (TASKS_BACKEND=cloud-tasks).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  cloudTasksBackendFromEnvironment,
  ENVIRONMENT_BACKEND_KEY,
} from '../../../src/backends/cloud-tasks/environment.js';
import { cloudTasksOptionsFromEnvironment } from '../../../src/backends/cloud-tasks/index.js';
import { forgetProcessWide } from '../../../src/core/process-wide.js';
import { getBackend } from '../../../src/settings/settings.js';
import { resetTasks } from '../../../src/testing/index.js';
import { thrownBy } from '../helpers.js';

const complete = {
  CLOUD_TASKS_PROJECT: 'my-project',
  CLOUD_TASKS_LOCATION: 'us-central1',
  CLOUD_TASKS_QUEUE: 'tasks',
  CLOUD_TASKS_SERVICE_ACCOUNT: 'tasks@my-project.iam.gserviceaccount.com',
  TASKS_BASE_URL: 'https://app.example.com',
};

const required = Object.keys(complete) as Array<keyof typeof complete>;

const allVariables = [
  ...required,
  'GOOGLE_CLOUD_PROJECT',
  'TASKS_OIDC_AUDIENCE',
  'CLOUD_TASKS_EMULATOR_HOST',
  'TASKS_BACKEND',
];

function setEnvironment(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
}

beforeEach(() => {
  resetTasks();
  forgetProcessWide(ENVIRONMENT_BACKEND_KEY);
  for (const name of allVariables) vi.stubEnv(name, undefined);
});

afterEach(() => {
  forgetProcessWide(ENVIRONMENT_BACKEND_KEY);
  vi.unstubAllEnvs();
});

describe('Cloud Tasks environment variables', () => {
  it('reads complete environment', () => {
    setEnvironment(complete);

    const backend = cloudTasksBackendFromEnvironment();

    expect(backend.queuePath).toBe('projects/my-project/locations/us-central1/queues/tasks');
    expect(backend.baseUrl).toBe('https://app.example.com');
    expect(backend.audience).toBe('https://app.example.com');
  });

  it.each(required)('names missing %s', (name) => {
    setEnvironment({ ...complete, [name]: undefined });

    const error = thrownBy(() => cloudTasksBackendFromEnvironment());

    expect(error.code).toBe('configuration_error');
    expect(error.message).toMatch(new RegExp(`needs ${name}\\b`));
    expect(error.message).toContain('configureTasks()');
  });

  it('names every missing variable at once', () => {
    const error = thrownBy(() => cloudTasksBackendFromEnvironment());

    expect(error.message).toContain(
      'needs CLOUD_TASKS_PROJECT (or GOOGLE_CLOUD_PROJECT), CLOUD_TASKS_LOCATION, CLOUD_TASKS_QUEUE, ' +
        'CLOUD_TASKS_SERVICE_ACCOUNT, TASKS_BASE_URL, which are not set',
    );
  });

  it('counts empty value as missing', () => {
    setEnvironment({ ...complete, CLOUD_TASKS_QUEUE: '  ' });

    const error = thrownBy(() => cloudTasksBackendFromEnvironment());

    expect(error.message).toContain('needs CLOUD_TASKS_QUEUE, which is not set');
  });

  it('falls back to GOOGLE_CLOUD_PROJECT', () => {
    setEnvironment({ ...complete, CLOUD_TASKS_PROJECT: undefined, GOOGLE_CLOUD_PROJECT: 'fallback-project' });

    expect(cloudTasksBackendFromEnvironment().queuePath).toBe(
      'projects/fallback-project/locations/us-central1/queues/tasks',
    );
  });

  it('CLOUD_TASKS_PROJECT wins over fallback', () => {
    setEnvironment({ ...complete, GOOGLE_CLOUD_PROJECT: 'fallback-project' });

    expect(cloudTasksBackendFromEnvironment().queuePath).toContain('projects/my-project/');
  });

  it('names GOOGLE_CLOUD_PROJECT when its value is invalid', () => {
    setEnvironment({ ...complete, CLOUD_TASKS_PROJECT: undefined, GOOGLE_CLOUD_PROJECT: 'my project' });

    const error = thrownBy(() => cloudTasksBackendFromEnvironment());

    expect(error.message).toContain('Invalid GOOGLE_CLOUD_PROJECT "my project"');
  });

  it('names every invalid variable at once', () => {
    setEnvironment({ ...complete, CLOUD_TASKS_QUEUE: 'my_queue', TASKS_BASE_URL: 'app.example.com' });

    const error = thrownBy(() => cloudTasksBackendFromEnvironment());

    expect(error.message).toContain('Invalid CLOUD_TASKS_QUEUE "my_queue"');
    expect(error.message).toContain('Invalid TASKS_BASE_URL "app.example.com"');
    expect(error.message).toContain('Correct the environment variables');
  });

  it('trims values', () => {
    setEnvironment({ ...complete, CLOUD_TASKS_QUEUE: ' tasks\n', TASKS_BASE_URL: 'https://App.example.com/ ' });

    const backend = cloudTasksBackendFromEnvironment();

    expect(backend.queuePath).toMatch(/\/queues\/tasks$/);
    expect(backend.baseUrl).toBe('https://app.example.com');
  });

  it('reads TASKS_OIDC_AUDIENCE', () => {
    setEnvironment({ ...complete, TASKS_OIDC_AUDIENCE: 'https://Audience.example.com/' });

    expect(cloudTasksBackendFromEnvironment().audience).toBe('https://audience.example.com');
  });

  it('reads CLOUD_TASKS_EMULATOR_HOST', () => {
    setEnvironment({ ...complete, CLOUD_TASKS_EMULATOR_HOST: 'localhost:8123' });

    expect(cloudTasksOptionsFromEnvironment().emulatorHost).toBe('localhost:8123');
  });

  it('names invalid CLOUD_TASKS_EMULATOR_HOST', () => {
    setEnvironment({ ...complete, CLOUD_TASKS_EMULATOR_HOST: 'http://localhost:8123' });

    const error = thrownBy(() => cloudTasksBackendFromEnvironment());

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('Invalid CLOUD_TASKS_EMULATOR_HOST "http://localhost:8123"');
  });
});

describe('TASKS_BACKEND=cloud-tasks', () => {
  it('selects one process-wide backend', () => {
    setEnvironment({ ...complete, TASKS_BACKEND: 'cloud-tasks' });

    const first = getBackend();

    expect(first.name).toBe('cloud-tasks');
    expect(getBackend()).toBe(first);
  });

  it('reads environment when first needed', () => {
    setEnvironment({ ...complete, TASKS_BACKEND: 'cloud-tasks', CLOUD_TASKS_QUEUE: undefined });
    const error = thrownBy(() => getBackend());
    vi.stubEnv('CLOUD_TASKS_QUEUE', 'later-queue');

    const backend = getBackend() as ReturnType<typeof cloudTasksBackendFromEnvironment>;

    expect(error.code).toBe('configuration_error');
    expect(backend.queuePath).toMatch(/\/queues\/later-queue$/);
  });

  it('unknown value message lists cloud-tasks', () => {
    setEnvironment({ TASKS_BACKEND: 'cloudtasks' });

    const error = thrownBy(() => getBackend());

    expect(error.message).toContain('"cloud-tasks"');
  });
});
