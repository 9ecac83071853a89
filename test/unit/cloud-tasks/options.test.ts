// Checks of cloudTasksBackend() options, made when the backend is created.
import { describe, expect, it } from 'vitest';

import { type CloudTasksBackendOptions, cloudTasksBackend } from '../../../src/backends/cloud-tasks/index.js';
import { parseEmulatorHost } from '../../../src/backends/cloud-tasks/options.js';
import { thrownBy } from '../helpers.js';

const valid: CloudTasksBackendOptions = {
  project: 'my-project',
  location: 'us-central1',
  queue: 'tasks',
  baseUrl: 'https://app.example.com',
  serviceAccountEmail: 'tasks@my-project.iam.gserviceaccount.com',
};

describe('cloudTasksBackend options', () => {
  it('builds queue path from ids', () => {
    const backend = cloudTasksBackend(valid);

    expect(backend.queuePath).toBe('projects/my-project/locations/us-central1/queues/tasks');
    expect(backend.name).toBe('cloud-tasks');
  });

  it('normalizes base URL once', () => {
    const backend = cloudTasksBackend({ ...valid, baseUrl: 'https://App.Example.com/base/' });

    expect(backend.baseUrl).toBe('https://app.example.com/base');
  });

  it('audience defaults to normalized base URL', () => {
    const backend = cloudTasksBackend({ ...valid, baseUrl: 'https://App.Example.com/' });

    expect(backend.audience).toBe('https://app.example.com');
  });

  it('normalizes URL audience', () => {
    const backend = cloudTasksBackend({ ...valid, audience: 'HTTPS://Tasks.Example.com/' });

    expect(backend.audience).toBe('https://tasks.example.com');
  });

  it('keeps non-URL audience as given', () => {
    const backend = cloudTasksBackend({ ...valid, audience: 'my-tasks-audience' });

    expect(backend.audience).toBe('my-tasks-audience');
  });

  it('accepts domain-scoped project id', () => {
    const backend = cloudTasksBackend({ ...valid, project: 'example.com:my-project' });

    expect(backend.queuePath).toBe('projects/example.com:my-project/locations/us-central1/queues/tasks');
  });

  it.each<[keyof CloudTasksBackendOptions, unknown, string]>([
    ['project', 'my project', 'project ID'],
    ['project', '', 'project ID'],
    ['project', undefined, 'project ID'],
    ['location', 'US Central', 'location ID'],
    ['location', 'us_central1', 'location ID'],
    ['queue', 'my_queue', 'queue ID'],
    ['queue', 'q'.repeat(101), 'queue ID'],
    ['queue', 42, 'queue ID'],
    ['baseUrl', 'ftp://app.example.com', 'public URL'],
    ['baseUrl', 'https://app.example.com/?x=1', 'public URL'],
    ['serviceAccountEmail', 'tasks', 'service account'],
    ['serviceAccountEmail', 'tasks@ example.com', 'service account'],
    ['audience', '', 'audience'],
    ['audience', 'https://user:secret@example.com', 'public URL'],
    ['maxPayloadBytes', 0, 'whole number'],
    ['maxPayloadBytes', 1.5, 'whole number'],
    ['maxPayloadBytes', '1000', 'whole number'],
    ['emulatorHost', 'http://localhost:8123', 'host:port'],
    ['clientOptions', 'keyfile.json', 'object'],
  ])('rejects %s %j', (option, value, expected) => {
    const error = thrownBy(() => cloudTasksBackend({ ...valid, [option]: value }));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain(`\`${option}\``);
    expect(error.message).toContain(expected);
  });

  it('names every invalid option at once', () => {
    const error = thrownBy(() => cloudTasksBackend({ ...valid, project: 'a b', queue: 'a_b', maxPayloadBytes: -1 }));

    expect(error.message).toContain('`project` "a b"');
    expect(error.message).toContain('`queue` "a_b"');
    expect(error.message).toContain('`maxPayloadBytes` -1');
    expect(error.message).toContain('cloudTasksBackend()');
  });

  it('rejects missing options object', () => {
    const error = thrownBy(() => cloudTasksBackend(undefined as unknown as CloudTasksBackendOptions));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('expects an object');
  });
});

describe('emulator host parsing', () => {
  it.each([
    ['localhost:8123', 'localhost', 8123],
    ['127.0.0.1:1', '127.0.0.1', 1],
    ['[::1]:65535', '[::1]', 65535],
    ['tasks-emulator:9000', 'tasks-emulator', 9000],
  ])('parses %s', (value, host, port) => {
    expect(parseEmulatorHost(value, 'CLOUD_TASKS_EMULATOR_HOST')).toEqual({ host, port });
  });

  it.each([
    'localhost',
    'localhost:0',
    'localhost:65536',
    'http://localhost:8123',
    'localhost:8123/path',
    '::1:8123',
    ':8123',
  ])('rejects %s', (value) => {
    const error = thrownBy(() => parseEmulatorHost(value, 'CLOUD_TASKS_EMULATOR_HOST'));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain(`CLOUD_TASKS_EMULATOR_HOST ${JSON.stringify(value)}`);
    expect(error.message).toContain('"localhost:8123"');
  });
});
