// Type tests: run and enqueue take the schema's input type, the handler gets its output type, and
// the result type comes from the handler. Each `@ts-expect-error` line must fail to compile.
import * as v from 'valibot';
import { describe, expectTypeOf, test } from 'vitest';
import { z } from 'zod';

import {
  type AnyTask,
  defineTask,
  type EnqueueResult,
  getTask,
  type SchemaInput,
  type SchemaOutput,
  type Task,
  type TaskContext,
} from '../../src/index.js';
import { type RecordedTask, testBackend } from '../../src/testing/index.js';

interface EmailInput {
  to: string;
  priority?: number | undefined;
  name: string;
}

interface EmailOutput {
  to: string;
  priority: number;
  name: number;
}

const zodSchema = z.object({
  to: z.string(),
  priority: z.number().default(3),
  name: z.string().transform((name) => name.length),
});

const valibotSchema = v.object({
  to: v.string(),
  priority: v.optional(v.number(), 3),
  name: v.pipe(
    v.string(),
    v.transform((name) => name.length),
  ),
});

const zodTask = defineTask({
  name: 'zod-email',
  schema: zodSchema,
  run: (params, context) => {
    expectTypeOf(params).toEqualTypeOf<EmailOutput>();
    expectTypeOf(context).toEqualTypeOf<TaskContext>();
    return { sent: true as const, priority: params.priority };
  },
});

const valibotTask = defineTask({
  name: 'valibot-email',
  schema: valibotSchema,
  run: async (params) => {
    expectTypeOf(params).toEqualTypeOf<EmailOutput>();
    return params.name;
  },
});

describe('schema types', () => {
  test('SchemaInput and SchemaOutput', () => {
    expectTypeOf<SchemaInput<typeof zodSchema>>().toEqualTypeOf<EmailInput>();
    expectTypeOf<SchemaOutput<typeof zodSchema>>().toEqualTypeOf<EmailOutput>();
    expectTypeOf<SchemaInput<typeof valibotSchema>>().toEqualTypeOf<EmailInput>();
    expectTypeOf<SchemaOutput<typeof valibotSchema>>().toEqualTypeOf<EmailOutput>();
  });
});

describe('task.run types', () => {
  test('takes schema input (zod)', () => {
    expectTypeOf(zodTask.run).parameter(0).toEqualTypeOf<EmailInput>();
    zodTask.run({ to: 'ada@example.com', name: 'Ada' });
    zodTask.run({ to: 'ada@example.com', name: 'Ada', priority: 1 });
  });

  test('takes schema input (valibot)', () => {
    expectTypeOf(valibotTask.run).parameter(0).toEqualTypeOf<EmailInput>();
    valibotTask.run({ to: 'ada@example.com', name: 'Ada' });
  });

  test('result from sync handler', () => {
    expectTypeOf(zodTask.run).returns.toEqualTypeOf<Promise<{ sent: true; priority: number }>>();
  });

  test('result from async handler', () => {
    expectTypeOf(valibotTask.run).returns.toEqualTypeOf<Promise<number>>();
  });

  test('void handler gives void result', () => {
    const task = defineTask({ name: 'noop', schema: z.object({}), run: () => {} });

    expectTypeOf(task.run).returns.toEqualTypeOf<Promise<void>>();
  });

  test('wrong params fail (zod)', () => {
    // @ts-expect-error missing required field `to`
    zodTask.run({ name: 'Ada' });
    // @ts-expect-error `to` must be a string
    zodTask.run({ to: 1, name: 'Ada' });
    // @ts-expect-error `name` is the input string, not the transformed number
    zodTask.run({ to: 'a', name: 3 });
    // @ts-expect-error unknown field on an object literal
    zodTask.run({ to: 'a', name: 'Ada', extra: true });
    // @ts-expect-error params are required
    zodTask.run();
  });

  test('wrong params fail (valibot)', () => {
    // @ts-expect-error missing required field `to`
    valibotTask.run({ name: 'Ada' });
    // @ts-expect-error `priority` must be a number
    valibotTask.run({ to: 'a', name: 'Ada', priority: 'high' });
    // @ts-expect-error unknown field on an object literal
    valibotTask.run({ to: 'a', name: 'Ada', extra: true });
  });
});

describe('task.enqueue types', () => {
  test('takes schema input', () => {
    expectTypeOf(zodTask.enqueue).parameter(0).toEqualTypeOf<EmailInput>();
    expectTypeOf(valibotTask.enqueue).parameter(0).toEqualTypeOf<EmailInput>();
    expectTypeOf(zodTask.enqueue).returns.toEqualTypeOf<Promise<EnqueueResult>>();
    zodTask.enqueue({ to: 'a', name: 'Ada' }, { delay: 1_000, id: 'order-1' });
    valibotTask.enqueue({ to: 'a', name: 'Ada' }, { runAt: new Date() });
  });

  test('wrong params fail', () => {
    // @ts-expect-error missing required field `name`
    zodTask.enqueue({ to: 'a' });
    // @ts-expect-error `to` must be a string
    valibotTask.enqueue({ to: null, name: 'Ada' });
    // @ts-expect-error unknown field on an object literal
    valibotTask.enqueue({ to: 'a', name: 'Ada', extra: 1 });
  });

  test('wrong options fail', () => {
    // @ts-expect-error delay is a number of milliseconds
    zodTask.enqueue({ to: 'a', name: 'Ada' }, { delay: '5s' });
    // @ts-expect-error runAt is a Date
    zodTask.enqueue({ to: 'a', name: 'Ada' }, { runAt: '2030-01-01' });
    // @ts-expect-error unknown option
    zodTask.enqueue({ to: 'a', name: 'Ada' }, { retries: 3 });
  });
});

describe('defineTask types', () => {
  test('run must accept schema output', () => {
    defineTask({
      name: 'mismatch',
      schema: z.object({ to: z.string() }),
      // @ts-expect-error the handler expects a number where the schema gives a string
      run: (params: { to: number }) => params.to,
    });
  });

  test('task keeps schema type', () => {
    expectTypeOf(zodTask.schema).toEqualTypeOf<typeof zodSchema>();
    expectTypeOf(zodTask).toEqualTypeOf<Task<typeof zodSchema, { sent: true; priority: number }>>();
    expectTypeOf(valibotTask).toExtend<AnyTask>();
  });
});

describe('getTask types', () => {
  test('keeps task type', () => {
    const task = getTask<typeof zodTask>('zod-email');

    expectTypeOf(task).toEqualTypeOf<typeof zodTask>();
    expectTypeOf(task.enqueue).parameter(0).toEqualTypeOf<EmailInput>();
    // @ts-expect-error missing required field `to`
    task.enqueue({ name: 'Ada' });
  });

  test('defaults to AnyTask', () => {
    expectTypeOf(getTask('anything')).toEqualTypeOf<AnyTask>();
  });

  test('rejects non-task type argument', () => {
    // @ts-expect-error the type argument must be a task
    getTask<string>('zod-email');
  });
});

describe('TestBackend types', () => {
  test('enqueuedFor types params', () => {
    const backend = testBackend();

    expectTypeOf(backend.enqueuedFor(zodTask)).toEqualTypeOf<Array<RecordedTask<EmailInput>>>();
    expectTypeOf(backend.enqueuedFor(valibotTask)[0]?.params.priority).toEqualTypeOf<number | undefined>();
    expectTypeOf(backend.enqueued).toEqualTypeOf<readonly RecordedTask[]>();
  });
});
