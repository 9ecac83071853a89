import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { configureTasks, defineTask, type InProcessBackend, inProcessBackend } from '../../src/index.js';
import { getBackend } from '../../src/settings/settings.js';
import { resetTasks } from '../../src/testing/index.js';
import { type CapturingLogger, capturingLogger, type Deferred, deferred, rejectionOf, sleep } from './helpers.js';

let logger: CapturingLogger;
let backend: InProcessBackend;

beforeEach(() => {
  resetTasks();
  logger = capturingLogger();
  backend = inProcessBackend();
  configureTasks({ backend, logger });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('in-process backend', () => {
  it('enqueue returns before task starts', async () => {
    const events: string[] = [];
    const task = defineTask({
      name: 'record',
      schema: z.object({ n: z.number() }),
      run: ({ n }) => {
        events.push(`run ${n}`);
      },
    });

    for (const n of [1, 2, 3]) {
      await task.enqueue({ n });
      events.push(`returned ${n}`);
      await backend.drain();
    }

    expect(events).toEqual(['returned 1', 'run 1', 'returned 2', 'run 2', 'returned 3', 'run 3']);
  });

  it('enqueue does not wait for task', async () => {
    const gate = deferred();
    let finished = false;
    const task = defineTask({
      name: 'slow',
      schema: z.object({}),
      run: async () => {
        await gate.promise;
        finished = true;
      },
    });

    await task.enqueue({});
    await sleep(20);

    expect(finished).toBe(false);
    expect(backend.stats().running).toBe(1);

    gate.resolve();
    await backend.drain();
    expect(finished).toBe(true);
  });

  it('concurrency limit holds', async () => {
    backend = inProcessBackend({ concurrency: 2 });
    configureTasks({ backend });
    const gates = new Map<number, Deferred>();
    let running = 0;
    let maxRunning = 0;
    const task = defineTask({
      name: 'gated',
      schema: v.object({ n: v.number() }),
      run: async ({ n }) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        const gate = deferred();
        gates.set(n, gate);
        await gate.promise;
        running -= 1;
      },
    });

    for (const n of [1, 2, 3, 4, 5]) await task.enqueue({ n });
    await vi.waitFor(() => expect(gates.size).toBe(2));

    expect(backend.stats()).toEqual({ scheduled: 0, queued: 3, running: 2 });

    for (const n of [1, 2, 3, 4, 5]) {
      await vi.waitFor(() => expect(gates.has(n)).toBe(true));
      expect(running).toBeLessThanOrEqual(2);
      gates.get(n)?.resolve();
    }
    await backend.drain();

    expect(maxRunning).toBe(2);
    expect(backend.stats()).toEqual({ scheduled: 0, queued: 0, running: 0 });
  });

  it('runs in enqueue order', async () => {
    backend = inProcessBackend({ concurrency: 1 });
    configureTasks({ backend });
    const order: number[] = [];
    const task = defineTask({
      name: 'ordered',
      schema: z.object({ n: z.number() }),
      run: async ({ n }) => {
        await sleep(1);
        order.push(n);
      },
    });

    for (const n of [1, 2, 3, 4]) await task.enqueue({ n });
    await backend.drain();

    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('honours delay', async () => {
    vi.useFakeTimers();
    let ran = false;
    const task = defineTask({
      name: 'later',
      schema: z.object({}),
      run: () => {
        ran = true;
      },
    });

    await task.enqueue({}, { delay: 1_000 });
    await vi.advanceTimersByTimeAsync(999);

    expect(ran).toBe(false);
    expect(backend.stats().scheduled).toBe(1);

    await vi.advanceTimersByTimeAsync(1);
    await backend.drain();
    expect(ran).toBe(true);
  });

  it('honours delay past timer limit', async () => {
    vi.useFakeTimers();
    // setTimeout fires at once for more than 2^31 - 1 ms (about 24.8 days), so this delay needs two timers.
    const maxTimerDelay = 2 ** 31 - 1;
    const delay = 30 * 24 * 60 * 60 * 1_000;
    let ran = false;
    const task = defineTask({
      name: 'next-month',
      schema: z.object({}),
      run: () => {
        ran = true;
      },
    });

    await task.enqueue({}, { delay });
    await vi.advanceTimersByTimeAsync(maxTimerDelay);

    expect(ran).toBe(false);

    await vi.advanceTimersByTimeAsync(delay - maxTimerDelay - 1);
    expect(ran).toBe(false);

    await vi.advanceTimersByTimeAsync(1);
    await backend.drain();
    expect(ran).toBe(true);
  });

  it('honours runAt', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00.000Z') });
    let ranAt: number | undefined;
    const task = defineTask({
      name: 'scheduled',
      schema: v.object({}),
      run: () => {
        ranAt = Date.now();
      },
    });

    await task.enqueue({}, { runAt: new Date('2030-01-01T00:01:00.000Z') });
    await vi.advanceTimersByTimeAsync(59_999);

    expect(ranAt).toBeUndefined();

    await vi.advanceTimersByTimeAsync(1);
    await backend.drain();
    expect(ranAt).toBe(Date.parse('2030-01-01T00:01:00.000Z'));
  });

  it('runs past runAt at once', async () => {
    let ran = false;
    const task = defineTask({
      name: 'overdue',
      schema: z.object({}),
      run: () => {
        ran = true;
      },
    });

    await task.enqueue({}, { runAt: new Date(Date.now() - 60_000) });
    await backend.drain();

    expect(ran).toBe(true);
  });

  it('logs failure without unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failure = new Error('disk full');
      const task = defineTask({
        name: 'explode',
        schema: z.object({}),
        run: () => {
          throw failure;
        },
      });

      const { id } = await task.enqueue({});
      await backend.drain();
      await sleep(20);

      const failed = logger.lines.find((line) => line.message === 'task failed');
      expect(failed?.level).toBe('error');
      expect(failed?.fields?.task).toBe('explode');
      expect(failed?.fields?.id).toBe(id);
      expect(failed?.fields?.error).toBe(failure);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('keeps running after failure', async () => {
    const seen: string[] = [];
    const task = defineTask({
      name: 'maybe-fail',
      schema: z.object({ fail: z.boolean() }),
      run: ({ fail }) => {
        if (fail) throw new Error('asked to fail');
        seen.push('ok');
      },
    });

    await task.enqueue({ fail: true });
    await task.enqueue({ fail: false });
    await backend.drain();

    expect(seen).toEqual(['ok']);
  });

  it.each([
    ['zod', z.object({ at: z.string(), tags: z.array(z.string()) })],
    ['valibot', v.object({ at: v.string(), tags: v.array(v.string()) })],
  ] as const)('params arrive JSON round-tripped (%s)', async (_vendor, schema) => {
    const received: unknown[] = [];
    const task = defineTask({
      name: 'round-trip',
      schema,
      run: (params) => {
        received.push(params);
      },
    });
    const params = { at: new Date('2030-01-02T03:04:05.000Z'), tags: ['a'], extra: undefined };

    await task.enqueue(params as never);
    await backend.drain();

    expect(received).toEqual([{ at: '2030-01-02T03:04:05.000Z', tags: ['a'] }]);
    expect(received[0]).not.toBe(params);
  });

  it('later mutation does not reach task', async () => {
    const received: string[][] = [];
    const task = defineTask({
      name: 'snapshot',
      schema: z.object({ tags: z.array(z.string()) }),
      run: ({ tags }) => {
        received.push(tags);
      },
    });
    const params = { tags: ['before'] };

    await task.enqueue(params);
    params.tags.push('after');
    await backend.drain();

    expect(received).toEqual([['before']]);
  });

  it('rejects duplicate pending id', async () => {
    const gate = deferred();
    const task = defineTask({ name: 'held', schema: z.object({}), run: () => gate.promise });

    await task.enqueue({}, { id: 'order-1' });
    const error = await rejectionOf(task.enqueue({}, { id: 'order-1' }));

    expect(error.code).toBe('duplicate_task');
    expect(error.taskId).toBe('order-1');
    expect(error.message).toContain('order-1');

    gate.resolve();
    await backend.drain();
  });

  it('rejects duplicate scheduled id', async () => {
    vi.useFakeTimers();
    const task = defineTask({ name: 'later', schema: z.object({}), run: () => undefined });

    await task.enqueue({}, { id: 'daily', delay: 60_000 });
    const error = await rejectionOf(task.enqueue({}, { id: 'daily' }));

    expect(error.code).toBe('duplicate_task');

    await vi.advanceTimersByTimeAsync(60_000);
    await backend.drain();
  });

  it('accepts id again after finish', async () => {
    let runs = 0;
    const task = defineTask({
      name: 'repeat',
      schema: z.object({}),
      run: () => {
        runs += 1;
      },
    });

    await task.enqueue({}, { id: 'same' });
    await backend.drain();
    await task.enqueue({}, { id: 'same' });
    await backend.drain();

    expect(runs).toBe(2);
  });

  it('drain resolves when idle', async () => {
    await expect(backend.drain()).resolves.toBeUndefined();
  });

  it('drain waits for running task', async () => {
    const gate = deferred();
    const task = defineTask({ name: 'held', schema: z.object({}), run: () => gate.promise });
    await task.enqueue({});

    let drained = false;
    const draining = backend.drain().then(() => {
      drained = true;
    });
    await sleep(20);

    expect(drained).toBe(false);

    gate.resolve();
    await draining;
    expect(drained).toBe(true);
  });

  it.each([0, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects concurrency %s', (concurrency) => {
    let caught: unknown;
    try {
      inProcessBackend({ concurrency });
    } catch (error) {
      caught = error;
    }

    expect(caught).toMatchObject({ code: 'configuration_error' });
    expect((caught as Error).message).toContain(String(concurrency));
  });
});

describe('default backend', () => {
  it('is in-process without configuration', () => {
    resetTasks();
    vi.stubEnv('TASKS_BACKEND', undefined);

    expect(getBackend().name).toBe('in-process');
  });

  it('is one backend per process', () => {
    resetTasks();
    vi.stubEnv('TASKS_BACKEND', undefined);

    expect(getBackend()).toBe(getBackend());
  });

  it('enqueue runs task later', async () => {
    resetTasks();
    vi.stubEnv('TASKS_BACKEND', undefined);
    configureTasks({ logger });
    const done = deferred<string>();
    const task = defineTask({
      name: 'default-run',
      schema: z.object({ word: z.string() }),
      run: ({ word }) => done.resolve(word),
    });

    await task.enqueue({ word: 'hello' });

    expect(await done.promise).toBe('hello');
  });
});
