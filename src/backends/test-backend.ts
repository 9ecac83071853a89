/**
 * A backend for tests that records enqueued tasks without running them.
 *
 * @module
 */
import { TaskError } from '../core/errors.js';
import type { AnySchema, SchemaInput } from '../core/schema.js';
import type { Backend, QueuedTask, Task } from '../core/types.js';

/** A task recorded by {@link testBackend}. */
export interface RecordedTask<TParams = unknown> {
  /** The task's name. */
  readonly name: string;
  /** The task id, generated or the one passed to `enqueue`. */
  readonly id: string;
  /** The params as they would travel: parsed back from the JSON payload. */
  readonly params: TParams;
  /** The params as JSON text. */
  readonly payload: string;
  /** When `enqueue` was called. */
  readonly enqueuedAt: Date;
  /** When the task should run, or `undefined` for as soon as possible. */
  readonly runAt: Date | undefined;
}

/** A backend that records enqueued tasks, with helpers to inspect and run them. */
export interface TestBackend extends Backend {
  /** Every task enqueued and not yet run or cleared, oldest first. */
  readonly enqueued: readonly RecordedTask[];
  /** The recorded tasks of one task definition, with its params typed. */
  enqueuedFor<TSchema extends AnySchema>(task: Task<TSchema>): Array<RecordedTask<SchemaInput<TSchema>>>;
  /**
   * Removes the oldest recorded task and runs it. Resolves to its result, or rejects with the
   * task's own error.
   *
   * @throws {TaskError} `task_not_found` when no recorded task is left.
   */
  runNext(): Promise<unknown>;
  /**
   * Runs recorded tasks oldest first until none are left, including tasks that they enqueue.
   * Resolves to the number run. Stops at the first failure and rejects with its error.
   */
  runAll(): Promise<number>;
  /** Forgets every recorded task. */
  clear(): void;
}

/**
 * Creates a backend that records enqueued tasks instead of running them, like Rails' Active Job
 * test adapter.
 *
 * @example
 * ```ts
 * const backend = useTestBackend();
 * await signUp({ email: 'ada@example.com' });
 * expect(backend.enqueuedFor(sendEmail)).toHaveLength(1);
 * await backend.runAll();
 * ```
 */
export function testBackend(): TestBackend {
  const recorded: Array<{ record: RecordedTask; task: QueuedTask }> = [];

  const runNext = async (): Promise<unknown> => {
    const next = recorded.shift();
    if (next === undefined) {
      throw new TaskError('task_not_found', 'No recorded task is left to run; enqueue a task first.');
    }
    return next.task.execute({ attempt: 1 });
  };

  return {
    name: 'test',

    get enqueued() {
      return recorded.map((entry) => entry.record);
    },

    async enqueue(task) {
      const record: RecordedTask = {
        name: task.name,
        id: task.id,
        params: JSON.parse(task.payload),
        payload: task.payload,
        enqueuedAt: task.enqueuedAt,
        runAt: task.runAt,
      };
      recorded.push({ record, task });
    },

    enqueuedFor<TSchema extends AnySchema>(task: Task<TSchema>) {
      return recorded
        .filter((entry) => entry.record.name === task.name)
        .map((entry) => entry.record as RecordedTask<SchemaInput<TSchema>>);
    },

    runNext,

    async runAll() {
      let count = 0;
      while (recorded.length > 0) {
        await runNext();
        count += 1;
      }
      return count;
    },

    clear() {
      recorded.length = 0;
    },
  };
}
