/**
 * A backend that runs each task inside `enqueue`, for scripts and tests.
 *
 * @module
 */
import { TaskError } from '../core/errors.js';
import type { Backend } from '../core/types.js';
import { waitUntil } from './timers.js';

/**
 * Creates a backend that runs the task inside `enqueue` and resolves once it has finished. A
 * `delay` or `runAt` is waited for. When the task throws, `enqueue` rejects with a
 * `task_failed` error whose `cause` is the task's own error.
 */
export function immediateBackend(): Backend {
  return {
    name: 'immediate',

    async enqueue(task) {
      await waitUntil(task.runAt);

      try {
        await task.execute({ attempt: 1 });
      } catch (error) {
        throw new TaskError('task_failed', `Task "${task.name}" (id ${task.id}) failed: ${describe(error)}`, {
          cause: error,
          taskId: task.id,
        });
      }
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
