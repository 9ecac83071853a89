import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { configureTasks, defineTask, getTask, listRegisteredTasks } from '../../src/index.js';
import { resetTasks, silentLogger } from '../../src/testing/index.js';
import { thrownBy } from './helpers.js';

const schemas = [
  ['zod', z.object({ to: z.string() })],
  ['valibot', v.object({ to: v.string() })],
] as const;

beforeEach(() => {
  resetTasks();
  configureTasks({ logger: silentLogger });
});

describe('defineTask names', () => {
  const invalidNames: Array<[string, unknown]> = [
    ['empty', ''],
    ['101 characters', 'a'.repeat(101)],
    ['space', 'send email'],
    ['slash', 'send/email'],
    ['dot', 'send.email'],
    ['unicode letter', 'grüße'],
    ['leading dash', '-send'],
    ['leading underscore', '_send'],
    ['trailing newline', 'send\n'],
    ['number', 42],
    ['null', null],
    ['undefined', undefined],
  ];

  it.each(invalidNames)('rejects name: %s', (_case, name) => {
    const error = thrownBy(() => defineTask({ name: name as string, schema: z.object({}), run: () => undefined }));

    expect(error.code).toBe('invalid_task_definition');
    expect(error.message).toContain('A-Z, a-z, 0-9, "-" and "_"');
    expect(error.message).toContain('1 to 100 characters');
  });

  it('registers nothing for invalid name', () => {
    thrownBy(() => defineTask({ name: 'a b', schema: z.object({}), run: () => undefined }));

    expect(listRegisteredTasks()).toEqual([]);
  });

  it.each([
    ['one character', '7'],
    ['100 characters', 'a'.repeat(100)],
    ['dash and underscore', 'Send_email-2'],
  ])('accepts name: %s', (_case, name) => {
    const task = defineTask({ name, schema: z.object({}), run: () => undefined });

    expect(task.name).toBe(name);
    expect(getTask(name).name).toBe(name);
  });
});

describe('defineTask definition checks', () => {
  it.each([
    ['plain object', { parse: () => ({}) }],
    ['null', null],
    ['wrong version', { '~standard': { version: 2, vendor: 'x', validate: () => ({ value: {} }) } }],
    ['validate not a function', { '~standard': { version: 1, vendor: 'x', validate: 'yes' } }],
  ])('rejects schema: %s', (_case, schema) => {
    const error = thrownBy(() => defineTask({ name: 'bad-schema', schema: schema as never, run: () => undefined }));

    expect(error.code).toBe('invalid_task_definition');
    expect(error.message).toContain('Standard Schema v1');
  });

  it.each(schemas)('rejects run not function (%s)', (_vendor, schema) => {
    const error = thrownBy(() => defineTask({ name: 'no-run', schema, run: 'later' as never }));

    expect(error.code).toBe('invalid_task_definition');
    expect(error.message).toContain('pass a function');
  });

  it('rejects non-object definition', () => {
    const error = thrownBy(() => defineTask(null as never));

    expect(error.code).toBe('invalid_task_definition');
  });

  it('rejects invalid auth option', () => {
    const error = thrownBy(() =>
      defineTask({ name: 'bad-auth', schema: z.object({}), auth: { nope: true } as never, run: () => undefined }),
    );

    expect(error.code).toBe('configuration_error');
  });
});

describe('defineTask timeout', () => {
  it.each([
    ['below 15 s', 14_999],
    ['above 30 min', 1_800_001],
    ['fraction', 20_000.5],
    ['zero', 0],
    ['negative', -15_000],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['string', '60000'],
  ])('rejects timeout: %s', (_case, timeout) => {
    const error = thrownBy(() =>
      defineTask({ name: 'slow', schema: z.object({}), run: () => undefined, timeout: timeout as number }),
    );

    expect(error.code).toBe('invalid_task_definition');
    expect(error.message).toContain(`Invalid timeout ${String(timeout)} for task "slow"`);
    expect(error.message).toContain('from 15000 (15 s) to 1800000 (30 min)');
    expect(listRegisteredTasks()).toEqual([]);
  });

  it.each([15_000, 600_000, 1_800_000])('accepts timeout %i ms', (timeout) => {
    const task = defineTask({ name: 'slow', schema: z.object({}), run: () => undefined, timeout });

    expect(task.timeout).toBe(timeout);
    expect(listRegisteredTasks()[0]?.timeout).toBe(timeout);
  });

  it('timeout defaults to undefined', () => {
    const task = defineTask({ name: 'quick', schema: z.object({}), run: () => undefined });

    expect(task.timeout).toBeUndefined();
  });
});

describe('defineTask redefinition', () => {
  it.each(schemas)('newest run function wins (%s)', async (_vendor, schema) => {
    const first = defineTask({ name: 'greet', schema, run: ({ to }) => `first ${to}` });
    const second = defineTask({ name: 'greet', schema, run: ({ to }) => `second ${to}` });

    expect(await first.run({ to: 'Ada' })).toBe('second Ada');
    expect(await second.run({ to: 'Ada' })).toBe('second Ada');
    expect(await getTask('greet').run({ to: 'Ada' })).toBe('second Ada');
    expect(listRegisteredTasks()).toHaveLength(1);
  });
});

describe('getTask', () => {
  it('finds registered task', async () => {
    defineTask({ name: 'double', schema: z.object({ n: z.number() }), run: ({ n }) => n * 2 });

    expect(await getTask('double').run({ n: 21 })).toBe(42);
  });

  it('unknown name lists registered names', () => {
    defineTask({ name: 'send-email', schema: z.object({}), run: () => undefined });
    defineTask({ name: 'resize-image', schema: v.object({}), run: () => undefined });

    const error = thrownBy(() => getTask('send-mail'));

    expect(error.code).toBe('task_not_found');
    expect(error.message).toContain('"send-mail"');
    expect(error.message).toContain('send-email, resize-image');
  });

  it('unknown name with empty registry', () => {
    const error = thrownBy(() => getTask('send-email'));

    expect(error.code).toBe('task_not_found');
    expect(error.message).toContain('No task is registered');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('inherited key %s is unknown', (name) => {
    defineTask({ name: 'real-task', schema: z.object({}), run: () => undefined });

    const error = thrownBy(() => getTask(name));

    expect(error.code).toBe('task_not_found');
  });
});
