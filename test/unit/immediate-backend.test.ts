import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { configureTasks, defineTask, immediateBackend } from '../../src/index.js';
import { resetTasks } from '../../src/testing/index.js';
import { type CapturingLogger, capturingLogger, rejectionOf } from './helpers.js';

let logger: CapturingLogger;

beforeEach(() => {
  resetTasks();
  logger = capturingLogger();
  configureTasks({ backend: immediateBackend(), logger });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('immediate backend', () => {
  it.each([
    ['zod', z.object({ item: z.string() })],
    ['valibot', v.object({ item: v.string() })],
  ] as const)('runs inside enqueue (%s)', async (_vendor, schema) => {
    const done: string[] = [];
    const task = defineTask({
      name: 'record',
      schema,
      run: async ({ item }) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        done.push(item);
      },
    });

    await task.enqueue({ item: 'first' });

    expect(done).toEqual(['first']);
  });

  it('passes JSON round-tripped params', async () => {
    const received: unknown[] = [];
    const task = defineTask({
      name: 'record',
      schema: z.object({ at: z.string() }),
      run: (params) => {
        received.push(params);
      },
    });

    await task.enqueue({ at: new Date('2030-01-01T00:00:00.000Z') } as never);

    expect(received).toEqual([{ at: '2030-01-01T00:00:00.000Z' }]);
  });

  it('failure rejects with task_failed', async () => {
    const failure = new Error('smtp refused');
    const task = defineTask({
      name: 'send',
      schema: z.object({}),
      run: () => {
        throw failure;
      },
    });

    const error = await rejectionOf(task.enqueue({}, { id: 'mail-7' }));

    expect(error.code).toBe('task_failed');
    expect(error.cause).toBe(failure);
    expect(error.taskId).toBe('mail-7');
    expect(error.message).toContain('"send"');
    expect(error.message).toContain('smtp refused');
  });

  it('failure is logged', async () => {
    const task = defineTask({
      name: 'send',
      schema: z.object({}),
      run: () => {
        throw new Error('smtp refused');
      },
    });

    await rejectionOf(task.enqueue({}, { id: 'mail-8' }));

    const failed = logger.lines.find((line) => line.message === 'task failed');
    expect(failed?.fields?.task).toBe('send');
    expect(failed?.fields?.id).toBe('mail-8');
  });

  it('waits for delay', async () => {
    vi.useFakeTimers();
    let ran = false;
    const task = defineTask({
      name: 'later',
      schema: z.object({}),
      run: () => {
        ran = true;
      },
    });

    let resolved = false;
    const enqueued = task.enqueue({}, { delay: 500 }).then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(499);

    expect(ran).toBe(false);
    expect(resolved).toBe(false);

    await vi.advanceTimersByTimeAsync(1);
    await enqueued;
    expect(ran).toBe(true);
  });

  // setTimeout fires at once for more than 2^31 - 1 ms, about 24.8 days.
  it('waits for runAt past timer limit', async () => {
    vi.useFakeTimers();
    const day = 24 * 60 * 60 * 1000;
    let ran = false;
    const task = defineTask({
      name: 'next-month',
      schema: z.object({}),
      run: () => {
        ran = true;
      },
    });

    const enqueued = task.enqueue({}, { runAt: new Date(Date.now() + 30 * day) });
    await vi.advanceTimersByTimeAsync(29 * day);

    expect(ran).toBe(false);

    await vi.advanceTimersByTimeAsync(day);
    await enqueued;
    expect(ran).toBe(true);
  });
});
