/**
 * Public types shared by tasks, backends and handlers.
 *
 * @module
 */
import type { AuthOption } from './auth.js';
import type { Logger } from './logger.js';
import type { AnySchema, SchemaInput, SchemaOutput } from './schema.js';

/** Facts about the current run, passed to a task's handler. */
export interface TaskContext {
  /** The task's name, as given to `defineTask`. */
  readonly name: string;
  /** The id of this task run; stays the same across retries. */
  readonly id: string;
  /** The attempt number: 1 for the first run, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** When the task was enqueued (for a direct call or an HTTP call, when it arrived). */
  readonly enqueuedAt: Date;
  /** The configured logger. */
  readonly logger: Logger;
  /**
   * Facts from the queue that delivered this run over HTTP (Cloud Tasks), read from its
   * `X-CloudTasks-*` headers only after an authenticator that trusts the queue accepted the call.
   * `undefined` for direct runs, in-process runs and unauthenticated headers.
   */
  readonly delivery: TaskDelivery | undefined;
}

/** Delivery facts of a run dispatched by a queue over HTTP. */
export interface TaskDelivery {
  /** The queue's short name (`X-CloudTasks-QueueName`). */
  readonly queueName: string;
  /**
   * How many times the queue has dispatched the task and received a response (`X-CloudTasks-TaskExecutionCount`).
   * Lower than `attempt - 1` when earlier dispatches got no response.
   */
  readonly executionCount: number;
  /** The time the task was scheduled to run (`X-CloudTasks-TaskETA`), when the queue sent it. */
  readonly eta: Date | undefined;
}

/** Shortest task timeout, in milliseconds: 15 seconds, the minimum Cloud Tasks accepts as a dispatch deadline. */
export const MIN_TASK_TIMEOUT_MS = 15_000;
/** Longest task timeout, in milliseconds: 30 minutes, the maximum Cloud Tasks accepts as a dispatch deadline. */
export const MAX_TASK_TIMEOUT_MS = 30 * 60_000;

/** The definition passed to `defineTask`. */
export interface TaskDefinition<TSchema extends AnySchema, TResult> {
  /**
   * The task's name. It becomes a URL segment (`{basePath}/{name}`) and part of queue task ids:
   * 1 to 100 characters from A-Z, a-z, 0-9, `-` and `_`, starting with a letter or digit.
   * Bundlers rename functions and classes, so the name is never derived from code.
   */
  name: string;
  /** A Standard Schema v1 validator for the params, for example a zod or valibot object. */
  schema: TSchema;
  /** The work itself. Receives the schema's output and a {@link TaskContext}. */
  run: (params: SchemaOutput<TSchema>, context: TaskContext) => TResult | Promise<TResult>;
  /** A sentence or two about what the task does, shown in API docs. */
  description?: string;
  /** Authentication of this task's HTTP endpoint; overrides the global setting. */
  auth?: AuthOption;
  /**
   * How long one attempt may take, in milliseconds, from 15,000 (15 s) to 1,800,000 (30 min).
   * The Cloud Tasks backend sends it as the task's dispatch deadline, after which the queue
   * counts the attempt as failed and retries it. The in-process backend does not enforce it.
   *
   * @default the backend's own limit (Cloud Tasks: 10 minutes)
   */
  timeout?: number;
}

/** Options of `task.enqueue`. */
export interface EnqueueOptions {
  /**
   * Milliseconds to wait before the task runs. Cannot be combined with `runAt`.
   *
   * @default 0
   */
  delay?: number;
  /** When the task should run. A time in the past means as soon as possible. Cannot be combined with `delay`. */
  runAt?: Date;
  /**
   * The task id, for de-duplication: 1 to 500 characters from A-Z, a-z, 0-9, `-` and `_`.
   *
   * @default a random UUID
   */
  id?: string;
}

/** The value `task.enqueue` resolves to. */
export interface EnqueueResult {
  /** The task id, generated or the one passed in {@link EnqueueOptions.id}. */
  readonly id: string;
}

/** A defined task: run it here with `run`, or hand it to the configured backend with `enqueue`. */
export interface Task<TSchema extends AnySchema = AnySchema, TResult = unknown> {
  /** The task's name. */
  readonly name: string;
  /** The params schema. */
  readonly schema: TSchema;
  /** The description given to `defineTask`. */
  readonly description: string | undefined;
  /** The per-task authentication given to `defineTask`. */
  readonly auth: AuthOption | undefined;
  /** The attempt timeout given to `defineTask`, in milliseconds. */
  readonly timeout: number | undefined;
  /**
   * Validates `params` and runs the task here and now, resolving to its result.
   *
   * @throws {TaskError} `invalid_params` when validation fails; errors of the task itself pass through.
   */
  run(params: SchemaInput<TSchema>): Promise<TResult>;
  /**
   * Validates `params`, checks that they survive JSON, and hands the task to the configured
   * backend. Resolves once the backend has accepted it.
   *
   * @throws {TaskError} `invalid_params`, `params_not_json` or `invalid_enqueue_options`; nothing is queued then.
   */
  enqueue(params: SchemaInput<TSchema>, options?: EnqueueOptions): Promise<EnqueueResult>;
}

/**
 * A task of any schema and result, for lists and registries. Every concrete task is assignable to
 * it because TypeScript checks method parameters (`run`, `enqueue`) bivariantly.
 */
export type AnyTask = Task<AnySchema, unknown>;

/**
 * A task handed to a backend. `payload` is the params as JSON text, already validated;
 * `execute` runs the task in this process (parsing, validating again and logging).
 */
export interface QueuedTask {
  /** The task's name. */
  readonly name: string;
  /** The task id. */
  readonly id: string;
  /** The params as UTF-8 JSON text. */
  readonly payload: string;
  /** When `enqueue` was called. */
  readonly enqueuedAt: Date;
  /** When the task should run; `undefined` means as soon as possible. */
  readonly runAt: Date | undefined;
  /** The attempt timeout from the task's definition, in milliseconds. */
  readonly timeout: number | undefined;
  /**
   * The path of the task's HTTP endpoint, `{basePath}/{name}`, for backends that deliver tasks
   * by calling the app back over HTTP.
   */
  readonly endpointPath: string;
  /** The configured logger, for the backend's own log lines. */
  readonly logger: Logger;
  /**
   * Runs the task in this process and resolves to its result. Logs the start, the success with
   * its duration, or the failure. Rejects with the task's own error.
   */
  execute(options?: { attempt?: number }): Promise<unknown>;
}

/**
 * A destination for enqueued tasks. Implement this interface to run tasks on your own queue.
 *
 * @example
 * ```ts
 * const backend: Backend = {
 *   name: 'my-queue',
 *   async enqueue(task) {
 *     await myQueue.add({ name: task.name, id: task.id, payload: task.payload, runAt: task.runAt });
 *   },
 * };
 * ```
 */
export interface Backend {
  /** Short name for logs, for example `in-process`. */
  readonly name: string;
  /**
   * Accepts a task. Resolve once the task is safely queued; reject (ideally with a
   * `TaskError`) when it is not, so the caller knows nothing was queued.
   */
  enqueue(task: QueuedTask): Promise<void>;
}
