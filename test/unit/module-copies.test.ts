// Next.js compiles instrumentation.ts and each route into separate module graphs, so one process
// contains several copies of the library. vi.resetModules() and a second import build such a copy.
import * as v from 'valibot';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import * as copyA from '../../src/index.js';
import { resetTasks, silentLogger, useTestBackend } from '../../src/testing/index.js';
import { capturingLogger } from './helpers.js';

async function importSecondCopy() {
  vi.resetModules();
  const index = await import('../../src/index.js');
  const next = await import('../../src/next/index.js');
  return { ...index, ...next };
}

beforeEach(() => {
  resetTasks();
  copyA.configureTasks({ logger: silentLogger });
});

describe('module copies', () => {
  it('second import is separate copy', async () => {
    const copyB = await importSecondCopy();

    expect(copyB.defineTask).not.toBe(copyA.defineTask);
    expect(copyB.TaskError).not.toBe(copyA.TaskError);
  });

  it.each([
    ['zod', z.object({ n: z.number() })],
    ['valibot', v.object({ n: v.number() })],
  ] as const)('getTask of copy B finds task (%s)', async (_vendor, schema) => {
    copyA.defineTask({ name: 'double', schema, run: ({ n }) => n * 2 });

    const copyB = await importSecondCopy();

    expect(await copyB.getTask('double').run({ n: 4 })).toBe(8);
    expect(copyB.listRegisteredTasks().map((task) => task.name)).toEqual(['double']);
  });

  it('handler of copy B runs task', async () => {
    copyA.defineTask({ name: 'double', schema: z.object({ n: z.number() }), run: ({ n }) => n * 2 });
    copyA.configureTasks({ auth: copyA.noAuth() });

    const copyB = await importSecondCopy();
    const response = await copyB.handleTaskRequest(
      new Request('http://localhost/api/tasks/double', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"n":21}',
      }),
      'double',
    );

    expect(response.status).toBe(200);
    expect((await response.json()).result).toBe(42);
  });

  it('copy B sees configuration of copy A', async () => {
    const logger = capturingLogger();
    const backend = useTestBackend();
    copyA.configureTasks({ logger });

    const copyB = await importSecondCopy();
    const task = copyB.defineTask({ name: 'store', schema: z.object({}), run: () => undefined });
    await task.enqueue({});
    await task.run({});

    expect(backend.enqueued.map((recorded) => recorded.name)).toEqual(['store']);
    expect(logger.lines.map((line) => line.message)).toContain('task started');
  });

  it('copy A sees configuration of copy B', async () => {
    const copyB = await importSecondCopy();
    const logger = capturingLogger();
    copyB.configureTasks({ logger });

    await copyA.defineTask({ name: 'store', schema: z.object({}), run: () => undefined }).run({});

    expect(logger.lines.map((line) => line.message)).toContain('task succeeded');
  });

  it('TaskError of copy A is instanceof copy B', async () => {
    const copyB = await importSecondCopy();
    const fromA = new copyA.TaskError('task_not_found', 'missing');
    const fromB = new copyB.TaskError('task_not_found', 'missing');

    expect(fromA instanceof copyB.TaskError).toBe(true);
    expect(fromB instanceof copyA.TaskError).toBe(true);
    expect(copyB.isTaskError(fromA)).toBe(true);
  });

  it('thrown TaskError crosses copies', async () => {
    const copyB = await importSecondCopy();

    let caught: unknown;
    try {
      copyA.getTask('missing');
    } catch (error) {
      caught = error;
    }

    expect(caught instanceof copyB.TaskError).toBe(true);
  });

  it('plain errors are no TaskError', async () => {
    const copyB = await importSecondCopy();

    expect(new Error('x') instanceof copyB.TaskError).toBe(false);
    expect({ code: 'task_not_found' } instanceof copyB.TaskError).toBe(false);
    expect((null as unknown) instanceof copyB.TaskError).toBe(false);
  });
});
