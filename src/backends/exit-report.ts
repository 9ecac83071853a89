/**
 * A last log line for in-process tasks that a process exit cuts off, so that none is lost
 * silently.
 *
 * @module
 */
import type { Logger } from '../core/logger.js';
import { processWide } from '../core/process-wide.js';

/** A backend's report at exit: the ids of its unfinished tasks, and the logger to write them with. */
export type UnfinishedTasks = () => { logger: Logger; ids: string[] } | undefined;

// Log lines at exit list at most this many ids, so one line stays readable.
const MAX_LOGGED_IDS = 20;

/**
 * Registers a backend's report. One `exit` listener per process logs, for each backend that
 * still has unfinished tasks, an error with their count and ids.
 */
export function reportUnfinishedTasksOnExit(report: UnfinishedTasks): void {
  const reporters = processWide('unfinishedTaskReporters', () => {
    const created = new Set<UnfinishedTasks>();
    process.once('exit', () => logUnfinished(created));
    return created;
  });
  reporters.add(report);
}

function logUnfinished(reporters: Set<UnfinishedTasks>): void {
  for (const report of reporters) {
    const unfinished = report();
    if (unfinished === undefined || unfinished.ids.length === 0) continue;

    unfinished.logger.error('process exited before in-process tasks ran or finished; these tasks are lost', {
      count: unfinished.ids.length,
      ids: unfinished.ids.slice(0, MAX_LOGGED_IDS).join(','),
    });
  }
}
