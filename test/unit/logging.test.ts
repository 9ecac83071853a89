// Repeated log lines: warnOnce, rate limiting of rejected calls and setup errors, and the
// basePath check of the route handler.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { logRateLimited } from '../../src/core/logger.js';
import { basicAuth, configureTasks, defineTask } from '../../src/index.js';
import { createTaskHandlers } from '../../src/next/index.js';
import { resetTasks } from '../../src/testing/index.js';
import { type CapturingLogger, capturingLogger } from './helpers.js';

let logger: CapturingLogger;

beforeEach(() => {
  resetTasks();
  logger = capturingLogger();
  configureTasks({ logger });
});

afterEach(() => {
  vi.useRealTimers();
});

function echoCall(path: string, headers: Record<string, string> = {}) {
  const request = new Request(`http://localhost${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{"text":"hi"}',
  });
  return createTaskHandlers().POST(request, { params: Promise.resolve({ name: 'echo' }) });
}

describe('logRateLimited', () => {
  it('logs once per interval', () => {
    vi.useFakeTimers();

    logRateLimited(logger, 'warn', 'key', 'first');
    logRateLimited(logger, 'warn', 'key', 'second');
    logRateLimited(logger, 'warn', 'key', 'third');

    expect(logger.lines.map((line) => line.message)).toEqual(['first']);
  });

  it('reports suppressed count later', () => {
    vi.useFakeTimers();
    logRateLimited(logger, 'warn', 'key', 'first', {}, 1_000);
    logRateLimited(logger, 'warn', 'key', 'skipped', {}, 1_000);
    logRateLimited(logger, 'warn', 'key', 'skipped', {}, 1_000);

    vi.advanceTimersByTime(1_001);
    logRateLimited(logger, 'warn', 'key', 'after interval', {}, 1_000);

    expect(logger.lines.map((line) => line.message)).toEqual(['first', 'after interval']);
    expect(logger.lines[1]?.fields?.suppressed).toBe(2);
  });

  it('keeps keys apart', () => {
    logRateLimited(logger, 'error', 'one', 'a');
    logRateLimited(logger, 'error', 'two', 'b');

    expect(logger.lines).toHaveLength(2);
  });
});

describe('task endpoint log volume', () => {
  it('rejected calls log one line a minute', async () => {
    configureTasks({ auth: basicAuth({ username: 'ops', password: 'secret-password' }) });
    defineTask({ name: 'echo', schema: z.object({ text: z.string() }), run: (params) => params });

    for (let call = 0; call < 5; call += 1) {
      expect((await echoCall('/api/tasks/echo')).status).toBe(401);
    }

    const rejections = logger.lines.filter((line) => line.message === 'task call rejected by authentication');
    expect(rejections).toHaveLength(1);
  });

  it('rejection line names the reason', async () => {
    configureTasks({ auth: basicAuth({ username: 'ops', password: 'secret-password' }) });
    defineTask({ name: 'echo', schema: z.object({ text: z.string() }), run: (params) => params });

    const response = await echoCall('/api/tasks/echo');
    const body = (await response.json()) as { error: { message: string } };
    const rejection = logger.lines.find((line) => line.message === 'task call rejected by authentication');

    expect(rejection?.fields?.reason).toBe(body.error.message);
  });

  it('setup error logs one line a minute', async () => {
    vi.stubEnv('TASKS_API_AUTHENTICATION', 'basic');
    vi.stubEnv('TASKS_BASIC_AUTH_USERNAME', undefined);
    defineTask({ name: 'echo', schema: z.object({ text: z.string() }), run: (params) => params });

    for (let call = 0; call < 3; call += 1) {
      expect((await echoCall('/api/tasks/echo')).status).toBe(500);
    }
    vi.unstubAllEnvs();

    const errors = logger.lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
  });
});

describe('route basePath check', () => {
  beforeEach(() => {
    configureTasks({ auth: () => true });
    defineTask({ name: 'echo', schema: z.object({ text: z.string() }), run: (params) => params });
  });

  it('warns once when mounted elsewhere', async () => {
    await echoCall('/jobs/echo');
    await echoCall('/jobs/echo');

    const warnings = logger.lines.filter((line) => line.level === 'warn' && line.message.includes('basePath'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('"/jobs"');
  });

  it('stays quiet under basePath', async () => {
    const response = await echoCall('/api/tasks/echo');

    expect(response.status).toBe(200);
    expect(logger.lines.some((line) => line.message.includes('basePath'))).toBe(false);
  });

  it('follows a configured basePath', async () => {
    configureTasks({ basePath: '/jobs' });

    await echoCall('/jobs/echo');

    expect(logger.lines.some((line) => line.message.includes('basePath'))).toBe(false);
  });
});
