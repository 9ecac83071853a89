import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { configureTasks, defineTask, type TaskContext } from '../../src/index.js';
import { resetTasks, useTestBackend } from '../../src/testing/index.js';
import { type CapturingLogger, capturingLogger, rejectionOf } from './helpers.js';

let logger: CapturingLogger;

beforeEach(() => {
  resetTasks();
  logger = capturingLogger();
  configureTasks({ logger });
});

const defaultedSchemas = [
  ['zod', z.object({ to: z.string(), priority: z.number().default(3) })],
  ['valibot', v.object({ to: v.string(), priority: v.optional(v.number(), 3) })],
] as const;

const transformedSchemas = [
  ['zod', z.object({ name: z.string().transform((name) => name.toUpperCase()) })],
  [
    'valibot',
    v.object({
      name: v.pipe(
        v.string(),
        v.transform((name) => name.toUpperCase()),
      ),
    }),
  ],
] as const;

const nestedSchemas = [
  ['zod', z.object({ recipients: z.array(z.object({ email: z.email() })) })],
  ['valibot', v.object({ recipients: v.array(v.object({ email: v.pipe(v.string(), v.email()) })) })],
] as const;

describe('task.run', () => {
  it.each(defaultedSchemas)('applies schema default (%s)', async (_vendor, schema) => {
    const received: unknown[] = [];
    const task = defineTask({
      name: 'defaulted',
      schema,
      run: (params) => {
        received.push(params);
      },
    });

    await task.run({ to: 'ada@example.com' });

    expect(received).toEqual([{ to: 'ada@example.com', priority: 3 }]);
  });

  it.each(transformedSchemas)('handler gets transformed output (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'shout', schema, run: ({ name }) => `${name}!` });

    expect(await task.run({ name: 'ada' })).toBe('ADA!');
  });

  it('resolves to async result', async () => {
    const task = defineTask({
      name: 'sum',
      schema: v.object({ numbers: v.array(v.number()) }),
      run: async ({ numbers }) => numbers.reduce((total, n) => total + n, 0),
    });

    expect(await task.run({ numbers: [1, 2, 3] })).toBe(6);
  });

  it.each(nestedSchemas)('rejects with nested issue path (%s)', async (_vendor, schema) => {
    let ran = false;
    const task = defineTask({
      name: 'notify',
      schema,
      run: () => {
        ran = true;
      },
    });

    const error = await rejectionOf(task.run({ recipients: [{ email: 'not-an-email' }] }));

    expect(error.code).toBe('invalid_params');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toEqual(['recipients', 0, 'email']);
    expect(error.issues[0]?.message).not.toBe('');
    expect(error.message).toContain('recipients[0].email');
    expect(error.message).toContain('"notify"');
    expect(ran).toBe(false);
  });

  it.each(nestedSchemas)('lists every issue (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'notify', schema, run: () => undefined });

    const error = await rejectionOf(
      task.run({ recipients: [{ email: 'x' }, { email: 'ada@example.com' }, {}] } as never),
    );

    expect(error.issues.map((issue) => issue.path)).toEqual([
      ['recipients', 0, 'email'],
      ['recipients', 2, 'email'],
    ]);
  });

  it.each(nestedSchemas)('root issue has empty path (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'notify', schema, run: () => undefined });

    const error = await rejectionOf(task.run('text' as never));

    expect(error.issues[0]?.path).toEqual([]);
    expect(error.message).toContain('(root)');
  });

  it('passes task errors through', async () => {
    const failure = new Error('mailbox full');
    const task = defineTask({
      name: 'fail',
      schema: z.object({}),
      run: () => {
        throw failure;
      },
    });

    await expect(task.run({})).rejects.toBe(failure);
  });

  it('gives handler full context', async () => {
    const contexts: TaskContext[] = [];
    const task = defineTask({
      name: 'context-check',
      schema: z.object({}),
      run: (_params, context) => {
        contexts.push(context);
      },
    });

    await task.run({});
    await task.run({});

    const [first, second] = contexts;
    expect(first?.name).toBe('context-check');
    expect(first?.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first?.id).not.toBe(second?.id);
    expect(first?.attempt).toBe(1);
    expect(first?.enqueuedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(first?.enqueuedAt.getTime())).toBe(false);
    expect(first?.logger).toBe(logger);
  });

  it('logs start and success', async () => {
    const task = defineTask({ name: 'logged', schema: z.object({}), run: () => undefined });

    await task.run({});

    expect(logger.lines.map((line) => line.message)).toEqual(['task started', 'task succeeded']);
    expect(logger.lines[1]?.fields?.task).toBe('logged');
    expect(typeof logger.lines[1]?.fields?.durationMs).toBe('number');
  });
});

describe('queued task execution', () => {
  it('reports a throwing schema as internal_error', async () => {
    const backend = useTestBackend();
    let calls = 0;
    const flakySchema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate(value: unknown) {
          calls += 1;
          if (calls > 1) throw new Error('validator crashed');
          return { value };
        },
      },
    };
    const task = defineTask({ name: 'flaky-schema', schema: flakySchema, run: () => 'ran' });
    await task.enqueue({});

    const error = await rejectionOf(backend.runNext());

    expect(error.code).toBe('internal_error');
    expect(logger.text()).toContain('validator crashed');
  });
});
