import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { configureTasks, defineTask } from '../../src/index.js';
import { getBackend } from '../../src/settings/settings.js';
import { resetTasks, silentLogger, type TestBackend, testBackend, useTestBackend } from '../../src/testing/index.js';
import { rejectionOf } from './helpers.js';

let backend: TestBackend;

beforeEach(() => {
  resetTasks();
  configureTasks({ logger: silentLogger });
  backend = useTestBackend();
});

const emailSchemas = [
  ['zod', z.object({ to: z.string(), subject: z.string().default('Hello') })],
  ['valibot', v.object({ to: v.string(), subject: v.optional(v.string(), 'Hello') })],
] as const;

describe('test backend', () => {
  it('useTestBackend makes it global', () => {
    expect(getBackend()).toBe(backend);
  });

  it.each(emailSchemas)('records without running (%s)', async (_vendor, schema) => {
    let runs = 0;
    const task = defineTask({
      name: 'send-email',
      schema,
      run: () => {
        runs += 1;
      },
    });

    const { id } = await task.enqueue({ to: 'ada@example.com' }, { delay: 1_000 });

    expect(runs).toBe(0);
    expect(backend.enqueued).toHaveLength(1);
    const [recorded] = backend.enqueued;
    expect(recorded?.name).toBe('send-email');
    expect(recorded?.id).toBe(id);
    expect(recorded?.params).toEqual({ to: 'ada@example.com' });
    expect(recorded?.payload).toBe('{"to":"ada@example.com"}');
    expect(recorded?.enqueuedAt).toBeInstanceOf(Date);
    expect(recorded?.runAt).toBeInstanceOf(Date);
  });

  it.each(emailSchemas)('enqueuedFor filters by task (%s)', async (_vendor, schema) => {
    const email = defineTask({ name: 'send-email', schema, run: () => undefined });
    const other = defineTask({ name: 'other', schema: z.object({ n: z.number() }), run: () => undefined });

    await email.enqueue({ to: 'a@example.com' });
    await other.enqueue({ n: 1 });
    await email.enqueue({ to: 'b@example.com', subject: 'Hi' });

    const recorded = backend.enqueuedFor(email);
    expect(recorded.map((entry) => entry.params.to)).toEqual(['a@example.com', 'b@example.com']);
    expect(recorded[1]?.params.subject).toBe('Hi');
    expect(backend.enqueuedFor(other).map((entry) => entry.params.n)).toEqual([1]);
  });

  it.each(emailSchemas)('runNext runs oldest task (%s)', async (_vendor, schema) => {
    const sent: string[] = [];
    const task = defineTask({
      name: 'send-email',
      schema,
      run: ({ to, subject }) => {
        sent.push(`${to}: ${subject}`);
        return sent.length;
      },
    });
    await task.enqueue({ to: 'a@example.com' });
    await task.enqueue({ to: 'b@example.com' });

    const result = await backend.runNext();

    expect(result).toBe(1);
    expect(sent).toEqual(['a@example.com: Hello']);
    expect(backend.enqueued.map((entry) => entry.params)).toEqual([{ to: 'b@example.com' }]);
  });

  it('runNext with nothing recorded', async () => {
    const error = await rejectionOf(backend.runNext());

    expect(error.code).toBe('task_not_found');
  });

  it('runAll runs tasks enqueued by tasks', async () => {
    const order: string[] = [];
    const child = defineTask({
      name: 'child',
      schema: z.object({ n: z.number() }),
      run: ({ n }) => {
        order.push(`child ${n}`);
      },
    });
    const parent = defineTask({
      name: 'parent',
      schema: v.object({ children: v.number() }),
      run: async ({ children }) => {
        order.push('parent');
        for (let n = 1; n <= children; n += 1) await child.enqueue({ n });
      },
    });
    await parent.enqueue({ children: 2 });

    const count = await backend.runAll();

    expect(count).toBe(3);
    expect(order).toEqual(['parent', 'child 1', 'child 2']);
    expect(backend.enqueued).toEqual([]);
  });

  it('runAll stops at failure', async () => {
    const failure = new Error('boom');
    const ran: number[] = [];
    const task = defineTask({
      name: 'maybe',
      schema: z.object({ n: z.number() }),
      run: ({ n }) => {
        if (n === 2) throw failure;
        ran.push(n);
      },
    });
    for (const n of [1, 2, 3]) await task.enqueue({ n });

    await expect(backend.runAll()).rejects.toBe(failure);
    expect(ran).toEqual([1]);
    expect(backend.enqueued.map((entry) => entry.params)).toEqual([{ n: 3 }]);
  });

  it('clear forgets recorded tasks', async () => {
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });
    await task.enqueue({});
    await task.enqueue({});

    backend.clear();

    expect(backend.enqueued).toEqual([]);
    expect(await backend.runAll()).toBe(0);
  });

  it('separate instances record separately', async () => {
    const first = testBackend();
    const second = testBackend();
    configureTasks({ backend: first });
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });

    await task.enqueue({});

    expect(first.enqueued).toHaveLength(1);
    expect(second.enqueued).toHaveLength(0);
  });
});
