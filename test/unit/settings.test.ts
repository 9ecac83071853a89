import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import {
  basicAuth,
  configureTasks,
  DEFAULT_BASE_PATH,
  DEFAULT_MAX_BODY_BYTES,
  defineTask,
  immediateBackend,
  noAuth,
} from '../../src/index.js';
import {
  getBackend,
  getBasePath,
  getGlobalAuthenticator,
  getLogger,
  getMaxBodyBytes,
} from '../../src/settings/settings.js';
import { resetTasks, silentLogger, testBackend } from '../../src/testing/index.js';
import { capturingLogger, rejectionOf, thrownBy } from './helpers.js';

beforeEach(() => {
  resetTasks();
  vi.stubEnv('TASKS_BACKEND', undefined);
  vi.stubEnv('TASKS_API_AUTHENTICATION', undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('backend setting', () => {
  it('configured backend wins over environment', () => {
    vi.stubEnv('TASKS_BACKEND', 'immediate');
    const backend = testBackend();

    configureTasks({ backend });

    expect(getBackend()).toBe(backend);
  });

  it('TASKS_BACKEND=immediate selects immediate', async () => {
    vi.stubEnv('TASKS_BACKEND', 'immediate');
    configureTasks({ logger: silentLogger });
    const done: string[] = [];
    const task = defineTask({
      name: 'record',
      schema: z.object({}),
      run: () => {
        done.push('ran');
      },
    });

    await task.enqueue({});

    expect(getBackend().name).toBe('immediate');
    expect(done).toEqual(['ran']);
  });

  it.each(['in-process', ' in-process ', ''])('TASKS_BACKEND=%j selects in-process', (value) => {
    vi.stubEnv('TASKS_BACKEND', value);

    expect(getBackend().name).toBe('in-process');
  });

  it('trims TASKS_BACKEND', () => {
    vi.stubEnv('TASKS_BACKEND', ' immediate\n');

    expect(getBackend().name).toBe('immediate');
  });

  it.each(['Immediate', ' IMMEDIATE '])('TASKS_BACKEND=%j is case-insensitive', (value) => {
    vi.stubEnv('TASKS_BACKEND', value);

    expect(getBackend().name).toBe('immediate');
  });

  it.each(['redis', 'Immediately', 'inprocess'])('unknown TASKS_BACKEND=%s rejected', (value) => {
    vi.stubEnv('TASKS_BACKEND', value);

    const error = thrownBy(() => getBackend());

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('TASKS_BACKEND');
    expect(error.message).toContain(`"${value}"`);
    expect(error.message).toContain('"in-process"');
    expect(error.message).toContain('"immediate"');
  });

  it('enqueue rejects unknown TASKS_BACKEND', async () => {
    vi.stubEnv('TASKS_BACKEND', 'redis');
    configureTasks({ logger: silentLogger });
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });

    const error = await rejectionOf(task.enqueue({}));

    expect(error.code).toBe('configuration_error');
  });
});

describe('authentication setting', () => {
  it('unset means none configured', () => {
    expect(getGlobalAuthenticator()).toBeUndefined();
  });

  it('TASKS_API_AUTHENTICATION=basic selects basic', () => {
    vi.stubEnv('TASKS_API_AUTHENTICATION', 'basic');

    expect(getGlobalAuthenticator()?.scheme).toBe('basic');
  });

  it('TASKS_API_AUTHENTICATION=none selects none', () => {
    vi.stubEnv('TASKS_API_AUTHENTICATION', 'none');

    expect(getGlobalAuthenticator()?.scheme).toBe('none');
  });

  it.each(['Basic', 'NONE'])('TASKS_API_AUTHENTICATION=%s is case-insensitive', (value) => {
    vi.stubEnv('TASKS_API_AUTHENTICATION', value);

    expect(getGlobalAuthenticator()?.scheme).toBe(value.toLowerCase());
  });

  it.each(['oauth', 'Bearer', 'off'])('unknown TASKS_API_AUTHENTICATION=%s rejected', (value) => {
    vi.stubEnv('TASKS_API_AUTHENTICATION', value);

    const error = thrownBy(() => getGlobalAuthenticator());

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('TASKS_API_AUTHENTICATION');
    expect(error.message).toContain('"basic"');
    expect(error.message).toContain('"none"');
  });

  it('configured auth wins over environment', () => {
    vi.stubEnv('TASKS_API_AUTHENTICATION', 'none');

    configureTasks({ auth: basicAuth({ username: 'u', password: 'p' }) });

    expect(getGlobalAuthenticator()?.scheme).toBe('basic');
  });

  it('configured function becomes authenticator', () => {
    configureTasks({ auth: () => true });

    expect(getGlobalAuthenticator()?.scheme).toBe('custom');
  });

  it('rejects invalid auth option', () => {
    const error = thrownBy(() => configureTasks({ auth: 'basic' as never }));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('googleOidcAuth()');
    expect(getGlobalAuthenticator()).toBeUndefined();
  });
});

describe('configureTasks', () => {
  it('defaults without configuration', () => {
    expect(getBasePath()).toBe(DEFAULT_BASE_PATH);
    expect(getMaxBodyBytes()).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(DEFAULT_MAX_BODY_BYTES).toBe(1_048_576);
  });

  it('later call keeps other fields', () => {
    const logger = capturingLogger();
    configureTasks({ logger, maxBodyBytes: 10 });

    configureTasks({ basePath: '/jobs', auth: noAuth() });

    expect(getLogger()).toBe(logger);
    expect(getMaxBodyBytes()).toBe(10);
    expect(getBasePath()).toBe('/jobs');
  });

  it('undefined field keeps earlier value', () => {
    configureTasks({ maxBodyBytes: 10 });

    configureTasks({ maxBodyBytes: undefined });

    expect(getMaxBodyBytes()).toBe(10);
  });

  it('resetTasks restores defaults', () => {
    configureTasks({ backend: immediateBackend(), maxBodyBytes: 10, basePath: '/jobs' });

    resetTasks();

    expect(getMaxBodyBytes()).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(getBasePath()).toBe(DEFAULT_BASE_PATH);
    expect(getBackend().name).toBe('in-process');
  });

  it.each(['/api/tasks', '/jobs', '/api/v1/tasks', '/a.b/c~d_e-f'])('accepts basePath %s', (basePath) => {
    configureTasks({ basePath });

    expect(getBasePath()).toBe(basePath);
  });

  it.each(['', '/', 'api/tasks', '/api/tasks/', '/api tasks', '/api?x=1', '//tasks', '/api#x', '/grüße'])(
    'rejects basePath %j',
    (basePath) => {
      const error = thrownBy(() => configureTasks({ basePath }));

      expect(error.code).toBe('configuration_error');
      expect(error.message).toContain('basePath');
      expect(getBasePath()).toBe(DEFAULT_BASE_PATH);
    },
  );

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '100'])('rejects maxBodyBytes %s', (value) => {
    const error = thrownBy(() => configureTasks({ maxBodyBytes: value as number }));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('maxBodyBytes');
    expect(getMaxBodyBytes()).toBe(DEFAULT_MAX_BODY_BYTES);
  });

  it('accepts maxBodyBytes of 1', () => {
    configureTasks({ maxBodyBytes: 1 });

    expect(getMaxBodyBytes()).toBe(1);
  });

  it.each([
    ['uncalled factory', immediateBackend, 'call the backend factory'],
    ['object without enqueue', { name: 'queue' }, 'no `enqueue(task)` method'],
    ['null', null, 'no `enqueue(task)` method'],
  ])('rejects backend: %s', (_case, backend, named) => {
    const error = thrownBy(() => configureTasks({ backend: backend as never }));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain(named);
    expect(getBackend().name).toBe('in-process');
  });

  it('rejects logger missing a level', () => {
    const { info: _info, ...partial } = capturingLogger();

    const error = thrownBy(() => configureTasks({ logger: partial as never }));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('lacks the method info');
    expect(getLogger()).not.toBe(partial);
  });
});
