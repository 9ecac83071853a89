/**
 * Running a registered task with logging. Backends and the HTTP handler all go through here,
 * so every run logs the same start, success and failure lines.
 *
 * @module
 */
import { TaskError } from './errors.js';
import type { Logger } from './logger.js';
import type { RegisteredTask } from './registry.js';
import { validateParams } from './schema.js';
import type { TaskDelivery } from './types.js';

/** Identifies one run of a task. */
export interface RunMetadata {
  readonly id: string;
  readonly attempt: number;
  readonly enqueuedAt: Date;
  /** Facts from the queue that delivered the run over HTTP, when it was trusted. */
  readonly delivery?: TaskDelivery;
}

/**
 * Runs a task's handler on validated params. Logs one line when it starts and one when it
 * succeeds (with the duration in milliseconds) or fails; rethrows the task's own error.
 */
export async function performTask(
  task: RegisteredTask,
  params: unknown,
  run: RunMetadata,
  logger: Logger,
): Promise<unknown> {
  const fields = { task: task.name, id: run.id, attempt: run.attempt };
  logger.info('task started', fields);
  const startedAt = performance.now();

  try {
    const result = await task.handler(params, {
      name: task.name,
      id: run.id,
      attempt: run.attempt,
      enqueuedAt: run.enqueuedAt,
      delivery: run.delivery,
      logger,
    });
    logger.info('task succeeded', { ...fields, durationMs: Math.round(performance.now() - startedAt) });
    return result;
  } catch (error) {
    logger.error('task failed', { ...fields, durationMs: Math.round(performance.now() - startedAt), error });
    throw error;
  }
}

/**
 * Runs a task from its JSON payload, as a backend does: parses, validates, then
 * {@link performTask}. A payload that no longer validates (for example after a deploy
 * changed the schema) is logged and rejected with `invalid_params`.
 */
export async function executePayload(
  task: RegisteredTask,
  payload: string,
  run: RunMetadata,
  logger: Logger,
): Promise<unknown> {
  let params: unknown;
  try {
    params = await validateParams(task.name, task.schema, parsePayload(task.name, payload, run.id));
  } catch (error) {
    const failure = error instanceof TaskError ? error : schemaFailure(error, task.name, run.id);
    logger.error('task params rejected before run', { task: task.name, id: run.id, code: failure.code, error });
    throw failure;
  }

  return performTask(task, params, run, logger);
}

function parsePayload(taskName: string, payload: string, taskId: string): unknown {
  try {
    return JSON.parse(payload);
  } catch (error) {
    throw new TaskError('invalid_json', `The payload of task "${taskName}" (id ${taskId}) is not valid JSON.`, {
      cause: error,
      taskId,
    });
  }
}

function schemaFailure(error: unknown, taskName: string, taskId: string): TaskError {
  return new TaskError('internal_error', `The schema of task "${taskName}" threw while validating (id ${taskId}).`, {
    cause: error,
    taskId,
  });
}
