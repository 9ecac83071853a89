import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { configureTasks, defineTask } from '../../src/index.js';
import { resetTasks, silentLogger, type TestBackend, useTestBackend } from '../../src/testing/index.js';
import { rejectionOf } from './helpers.js';

let backend: TestBackend;

beforeEach(() => {
  resetTasks();
  configureTasks({ logger: silentLogger });
  backend = useTestBackend();
});

const anyValueSchemas = [
  ['zod', z.object({ value: z.unknown() })],
  ['valibot', v.object({ value: v.unknown() })],
] as const;

describe('task.enqueue validation', () => {
  it.each([
    ['zod', z.object({ to: z.email() })],
    ['valibot', v.object({ to: v.pipe(v.string(), v.email()) })],
  ] as const)('invalid params reach no backend (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'send-email', schema, run: () => undefined });

    const error = await rejectionOf(task.enqueue({ to: 'nobody' }));

    expect(error.code).toBe('invalid_params');
    expect(error.issues[0]?.path).toEqual(['to']);
    expect(backend.enqueued).toEqual([]);
  });

  it.each(anyValueSchemas)('returns id of queued task (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'store', schema, run: () => undefined });

    const { id } = await task.enqueue({ value: 1 });

    expect(backend.enqueued.map((recorded) => recorded.id)).toEqual([id]);
    expect(backend.enqueued[0]?.payload).toBe('{"value":1}');
  });
});

describe('task.enqueue JSON check', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;

  const notJson: Array<[string, unknown, string, string]> = [
    ['BigInt', 10n, 'value', 'BigInt'],
    ['function', () => 1, 'value', 'function'],
    ['symbol', Symbol('s'), 'value', 'symbol'],
    ['cycle', { nested: cycle }, 'value.nested.self', 'cycle'],
    ['NaN', Number.NaN, 'value', 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'value', 'Infinity'],
    ['negative Infinity', Number.NEGATIVE_INFINITY, 'value', '-Infinity'],
    ['Map', new Map([['a', 1]]), 'value', 'Map'],
    ['Set', new Set([1]), 'value', 'Set'],
    ['class instance', new Point(1, 2), 'value', 'Point'],
    ['undefined in array', [1, undefined, 3], 'value[1]', 'undefined inside an array'],
    // biome-ignore lint/suspicious/noSparseArray: JSON.stringify silently turns a hole into null.
    ['hole in array', [1, , 3], 'value[1]', 'undefined inside an array'],
    ['nested function', { list: [{ callback: () => 1 }] }, 'value.list[0].callback', 'function'],
    ['toJSON returning undefined', { toJSON: () => undefined }, 'value', 'undefined after toJSON()'],
  ];

  it.each(anyValueSchemas.flatMap(([vendor, schema]) => notJson.map((row) => [vendor, ...row, schema] as const)))(
    '%s: rejects %s',
    async (_vendor, _case, value, path, problem, schema) => {
      const task = defineTask({ name: 'store', schema, run: () => undefined });

      const error = await rejectionOf(task.enqueue({ value }));

      expect(error.code).toBe('params_not_json');
      expect(error.message).toContain(`: ${path} `);
      expect(error.message).toContain(problem);
      expect(backend.enqueued).toEqual([]);
    },
  );

  it.each(anyValueSchemas)('rejects undefined root (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'store', schema, run: () => undefined });

    const error = await rejectionOf(task.enqueue(undefined as never));

    expect(error.code).toBe('params_not_json');
    expect(error.message).toContain('(root)');
    expect(backend.enqueued).toEqual([]);
  });

  it.each(anyValueSchemas)('undefined property is dropped (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'store', schema, run: () => undefined });

    await task.enqueue({ value: { kept: 1, dropped: undefined } });

    expect(backend.enqueued[0]?.payload).toBe('{"value":{"kept":1}}');
  });

  it.each(anyValueSchemas)('shared reference is no cycle (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'store', schema, run: () => undefined });
    const shared = { n: 1 };

    await task.enqueue({ value: [shared, shared] });

    expect(backend.enqueued[0]?.params).toEqual({ value: [{ n: 1 }, { n: 1 }] });
  });

  it.each([
    ['zod', z.object({ at: z.string() })],
    ['valibot', v.object({ at: v.string() })],
  ] as const)('Date becomes ISO string (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'remind', schema, run: () => undefined });
    const at = new Date('2030-01-02T03:04:05.000Z');

    await task.enqueue({ at } as never);

    expect(backend.enqueued[0]?.params).toEqual({ at: '2030-01-02T03:04:05.000Z' });
  });

  it.each([
    ['zod', z.object({ at: z.date() })],
    ['valibot', v.object({ at: v.date() })],
  ] as const)('Date fails date schema (%s)', async (_vendor, schema) => {
    const task = defineTask({ name: 'remind', schema, run: () => undefined });

    const error = await rejectionOf(task.enqueue({ at: new Date() }));

    expect(error.code).toBe('invalid_params');
    expect(error.issues[0]?.path).toEqual(['at']);
    expect(backend.enqueued).toEqual([]);
  });
});

describe('task.enqueue options', () => {
  const invalidOptions: Array<[string, Record<string, unknown>, string]> = [
    ['negative delay', { delay: -1 }, '`delay`'],
    ['NaN delay', { delay: Number.NaN }, '`delay`'],
    ['infinite delay', { delay: Number.POSITIVE_INFINITY }, '`delay`'],
    ['string delay', { delay: '5' }, '`delay`'],
    ['invalid runAt', { runAt: new Date('not a date') }, '`runAt`'],
    ['runAt not Date', { runAt: '2030-01-01' }, '`runAt`'],
    ['delay and runAt', { delay: 5, runAt: new Date() }, 'either `delay` or `runAt`'],
    ['delay past latest Date', { delay: 1e20 }, '`delay` 100000000000000000000'],
    ['id with space', { id: 'my id' }, 'task id'],
    ['id with slash', { id: 'a/b' }, 'task id'],
    ['id with dot', { id: 'a.b' }, 'task id'],
    ['empty id', { id: '' }, 'task id'],
    ['id of 501 characters', { id: 'a'.repeat(501) }, 'task id'],
    ['numeric id', { id: 7 }, 'task id'],
  ];

  it.each(invalidOptions)('rejects %s', async (_case, options, named) => {
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });

    const error = await rejectionOf(task.enqueue({}, options as never));

    expect(error.code).toBe('invalid_enqueue_options');
    expect(error.message).toContain(named);
    expect(backend.enqueued).toEqual([]);
  });

  it('returns valid custom id', async () => {
    const task = defineTask({ name: 'store', schema: v.object({}), run: () => undefined });
    const id = `order-42_${'x'.repeat(491)}`;

    const result = await task.enqueue({}, { id });

    expect(result.id).toBe(id);
    expect(backend.enqueued[0]?.id).toBe(id);
  });

  it('delay becomes runAt', async () => {
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });

    await task.enqueue({}, { delay: 60_000 });

    const [recorded] = backend.enqueued;
    expect(recorded?.runAt?.getTime()).toBe((recorded?.enqueuedAt.getTime() ?? 0) + 60_000);
  });

  it('zero delay means now', async () => {
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });

    await task.enqueue({}, { delay: 0 });

    expect(backend.enqueued[0]?.runAt).toBeUndefined();
  });

  it('runAt passes through', async () => {
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });
    const runAt = new Date('2031-05-06T07:08:09.000Z');

    await task.enqueue({}, { runAt });

    expect(backend.enqueued[0]?.runAt?.toISOString()).toBe('2031-05-06T07:08:09.000Z');
  });
});

describe('generated task ids', () => {
  it('unique over 10,000 enqueues', async () => {
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });

    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i += 1) ids.add((await task.enqueue({})).id);

    expect(ids.size).toBe(10_000);
  });

  it('do not start with timestamp', async () => {
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });

    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1) ids.push((await task.enqueue({})).id);

    // Sequential ids (a time prefix, a counter) share their first characters, but random ones rarely do.
    const prefixes = new Set(ids.map((id) => id.slice(0, 4)));
    expect(prefixes.size).toBeGreaterThan(40);
    const now = Date.now();
    for (const id of ids) {
      expect(id.startsWith(String(now).slice(0, 6))).toBe(false);
      expect(id.startsWith(now.toString(16).slice(0, 6))).toBe(false);
      expect(id.startsWith(now.toString(36).slice(0, 4))).toBe(false);
    }
  });

  it('match allowed id characters', async () => {
    const task = defineTask({ name: 'store', schema: z.object({}), run: () => undefined });

    const { id } = await task.enqueue({});

    expect(id).toMatch(/^[A-Za-z0-9_-]{1,500}$/);
  });
});
