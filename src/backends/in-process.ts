/**
 * The embedded default backend: runs enqueued tasks asynchronously in this process.
 *
 * @module
 */
import { TaskError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Backend, QueuedTask } from '../core/types.js';
import { reportUnfinishedTasksOnExit } from './exit-report.js';
import { keepAliveUntilSettled } from './keep-alive.js';
import { MAX_TIMER_DELAY_MS } from './timers.js';

/** Options of {@link inProcessBackend}. */
export interface InProcessBackendOptions {
  /**
   * How many tasks may run at the same time; the rest wait in order. A whole number, 1 or more.
   *
   * @default 10
   */
  concurrency?: number;
}

/** Counts of the tasks an in-process backend holds. */
export interface InProcessBackendStats {
  /** Tasks waiting for their `delay` or `runAt`, or for the timer turn that starts a due task. */
  readonly scheduled: number;
  /** Tasks due and waiting for a free slot. */
  readonly queued: number;
  /** Tasks running now. */
  readonly running: number;
}

/** The in-process backend, with hooks for shutdown and tests. */
export interface InProcessBackend extends Backend {
  /** Resolves when no task is scheduled, queued or running. */
  drain(): Promise<void>;
  /** Counts of scheduled, queued and running tasks. */
  stats(): InProcessBackendStats;
}

/** Default of {@link InProcessBackendOptions.concurrency}. */
export const DEFAULT_CONCURRENCY = 10;

/**
 * Creates a backend that runs tasks in this process. `enqueue` returns at once; the task runs
 * when its `delay` or `runAt` is reached and a slot is free.
 *
 * Inside a Next.js request the run is registered with `after()`, so serverless hosts keep the
 * function alive until it finishes. A task that throws is logged with its name, id and error and
 * never becomes an unhandled rejection. Tasks still waiting when the process exits are lost, and
 * one error line at exit lists their ids: use a durable backend when that matters.
 *
 * @example
 * ```ts
 * configureTasks({ backend: inProcessBackend({ concurrency: 4 }) });
 * ```
 */
export function inProcessBackend(options: InProcessBackendOptions = {}): InProcessBackend {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TaskError(
      'configuration_error',
      `Invalid in-process backend concurrency ${String(concurrency)}: pass a whole number, 1 or more.`,
    );
  }

  const scheduled = new Set<string>();
  const queue: Array<{ task: QueuedTask; finish: () => void }> = [];
  const active = new Set<string>();
  // Ids of tasks whose enqueue() is still registering with after(). They count as known, so a
  // duplicate id is rejected before the task is scheduled.
  const accepting = new Set<string>();
  let idleWaiters: Array<() => void> = [];
  let logger: Logger | undefined;

  const isIdle = () => accepting.size === 0 && scheduled.size === 0 && queue.length === 0 && active.size === 0;

  const notifyIfIdle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const startNext = () => {
    while (active.size < concurrency && queue.length > 0) {
      const next = queue.shift();
      if (next === undefined) break;
      active.add(next.task.id);
      // execute() logs the failure with task name and id, so the rejection is handled here.
      next.task
        .execute({ attempt: 1 })
        .catch(() => undefined)
        .finally(() => {
          active.delete(next.task.id);
          next.finish();
          startNext();
          notifyIfIdle();
        });
    }
  };

  const makeDue = (task: QueuedTask, finish: () => void) => {
    scheduled.delete(task.id);
    queue.push({ task, finish });
    startNext();
  };

  const schedule = (task: QueuedTask, finish: () => void) => {
    const wait = task.runAt === undefined ? 0 : task.runAt.getTime() - Date.now();
    // A due task also waits for one timer turn, so the caller's code after `await enqueue()` runs first.
    setTimeout(
      () => {
        const due = task.runAt === undefined || task.runAt.getTime() <= Date.now();
        if (due) makeDue(task, finish);
        else schedule(task, finish);
      },
      Math.min(Math.max(wait, 0), MAX_TIMER_DELAY_MS),
    );
    scheduled.add(task.id);
  };

  const isKnown = (id: string) =>
    accepting.has(id) || scheduled.has(id) || active.has(id) || queue.some((entry) => entry.task.id === id);

  const unfinishedIds = () => [...active, ...queue.map((entry) => entry.task.id), ...scheduled];

  return {
    name: 'in-process',

    async enqueue(task) {
      if (isKnown(task.id)) {
        throw new TaskError(
          'duplicate_task',
          `A task with id "${task.id}" is already scheduled or running in this process; pick another id.`,
          { taskId: task.id },
        );
      }

      if (logger === undefined)
        reportUnfinishedTasksOnExit(() => (logger ? { logger, ids: unfinishedIds() } : undefined));
      logger = task.logger;

      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      // The task is scheduled only after the await, so it cannot start before enqueue resolves,
      // even on the first call, while next/server is still loading.
      accepting.add(task.id);
      const keptAlive = await keepAliveUntilSettled(finished);
      accepting.delete(task.id);
      schedule(task, finish);
      task.logger.debug('task scheduled in process', {
        task: task.name,
        id: task.id,
        runAt: task.runAt?.toISOString(),
        keptAliveByNextAfter: keptAlive,
      });
    },

    drain() {
      if (isIdle()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },

    stats() {
      return { scheduled: scheduled.size, queued: queue.length, running: active.size };
    },
  };
}
