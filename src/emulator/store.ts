/**
 * The emulator's in-memory state: queues, their tasks, and the task names that stay reserved
 * after their task is gone.
 *
 * @module
 */
import type { QueuePath } from './names.js';
import type { QueueSettings } from './queue-config.js';
import { notFound, RpcCode, RpcError } from './rpc-error.js';

/** An HTTP method that Cloud Tasks can dispatch with. */
export type HttpMethod = 'POST' | 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';

/** One dispatch attempt as Cloud Tasks reports it in `Task.firstAttempt` and `Task.lastAttempt`. */
export interface AttemptState {
  scheduleTimeMs: number;
  dispatchTimeMs: number;
  responseTimeMs: number | undefined;
  /** The gRPC status code and message of the outcome, set when the attempt finished. */
  responseStatus: { code: number; message: string } | undefined;
}

/** The HTTP request a task dispatches. */
export interface TaskRequest {
  readonly url: string;
  readonly method: HttpMethod;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly oidcToken: { readonly serviceAccountEmail: string; readonly audience: string | undefined } | undefined;
  readonly oauthToken: { readonly serviceAccountEmail: string; readonly scope: string | undefined } | undefined;
}

/** A task waiting in a queue or being dispatched. */
export interface TaskState {
  readonly name: string;
  readonly id: string;
  readonly queue: QueueState;
  readonly request: TaskRequest;
  readonly createTimeMs: number;
  readonly dispatchDeadlineMs: number;
  /** When the next attempt is due. */
  scheduleTimeMs: number;
  dispatchCount: number;
  responseCount: number;
  /** Previous attempts that got a response other than 5xx: the `X-CloudTasks-TaskExecutionCount` value. */
  executionCount: number;
  firstAttempt: AttemptState | undefined;
  lastAttempt: AttemptState | undefined;
  /** The HTTP status of the previous attempt, when it got a response. */
  previousResponse: number | undefined;
  /** The reason the previous attempt failed, sent as `X-CloudTasks-TaskRetryReason`. */
  retryReason: string | undefined;
  /** Whether an attempt is in flight. */
  running: boolean;
  /** Whether the task left its queue (it succeeded, failed for good, or was deleted or purged). */
  removed: boolean;
}

/** A queue and its tasks. */
export interface QueueState {
  readonly path: QueuePath;
  settings: QueueSettings;
  state: 'RUNNING' | 'PAUSED';
  purgeTimeMs: number | undefined;
  /** Tasks by full name, in creation order. */
  readonly tasks: Map<string, TaskState>;
  /** Attempts in flight. */
  inFlight: number;
}

/** Queues, tasks and reserved task names. */
export class EmulatorStore {
  /** Queues by full path, in creation order. */
  readonly queues = new Map<string, QueueState>();

  // Task name -> when it was released. Map order is release order, so expired entries are at the front.
  private readonly tombstones = new Map<string, number>();

  constructor(private readonly tombstoneMs: number) {}

  /**
   * Returns a queue.
   *
   * @throws {RpcError} NOT_FOUND when it does not exist.
   */
  getQueue(name: string): QueueState {
    const queue = this.queues.get(name);
    if (queue !== undefined) return queue;
    throw notFound(`Queue ${name} not found: create it with CreateQueue, or start the emulator with --queue ${name}.`);
  }

  /**
   * Returns a task.
   *
   * @throws {RpcError} NOT_FOUND when its queue or the task does not exist.
   */
  getTask(queueName: string, taskName: string): TaskState {
    const task = this.getQueue(queueName).tasks.get(taskName);
    if (task !== undefined) return task;
    throw notFound(`Task ${taskName} not found: it never existed, or it ran, failed for good or was deleted.`);
  }

  /**
   * Checks that no task uses `name` and that it was not released within the tombstone period.
   *
   * @throws {RpcError} ALREADY_EXISTS naming the task.
   */
  assertNameFree(queue: QueueState, name: string, now: number): void {
    if (queue.tasks.has(name)) {
      throw new RpcError(RpcCode.ALREADY_EXISTS, `Task ${name} already exists: pick another task id.`);
    }

    this.pruneTombstones(now);
    const releasedAt = this.tombstones.get(name);
    if (releasedAt !== undefined) {
      const secondsAgo = Math.round((now - releasedAt) / 1000);
      throw new RpcError(
        RpcCode.ALREADY_EXISTS,
        `Task ${name} already existed: it ran or was deleted ${secondsAgo} s ago, and task names stay reserved for ` +
          `${Math.round(this.tombstoneMs / 1000)} s after that. Pick another task id.`,
      );
    }
  }

  /** Returns whether `name` is taken by a task or reserved. */
  isNameTaken(queue: QueueState, name: string, now: number): boolean {
    this.pruneTombstones(now);
    return queue.tasks.has(name) || this.tombstones.has(name);
  }

  /** Adds a task to its queue. */
  addTask(task: TaskState): void {
    task.queue.tasks.set(task.name, task);
  }

  /** Takes a task out of its queue and reserves its name for the tombstone period. */
  removeTask(task: TaskState, now: number): void {
    if (task.removed) return;

    task.removed = true;
    task.queue.tasks.delete(task.name);
    this.tombstones.delete(task.name);
    this.tombstones.set(task.name, now);
    this.pruneTombstones(now);
  }

  /** Removes every task of a queue, reserving their names. Returns how many were removed. */
  removeAllTasks(queue: QueueState, now: number): number {
    const tasks = [...queue.tasks.values()];
    for (const task of tasks) this.removeTask(task, now);
    return tasks.length;
  }

  /** Counts the tasks in every queue. */
  countTasks(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.tasks.size;
    return count;
  }

  private pruneTombstones(now: number): void {
    for (const [name, releasedAt] of this.tombstones) {
      if (now - releasedAt < this.tombstoneMs) return;
      this.tombstones.delete(name);
    }
  }
}
