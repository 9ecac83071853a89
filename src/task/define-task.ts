/**
 * `defineTask`: the entry point for declaring a task.
 *
 * @module
 */
import { toAuthenticator } from '../auth/resolve.js';
import type { AuthOption } from '../core/auth.js';
import { resolveEnqueueOptions } from '../core/enqueue-options.js';
import { TaskError } from '../core/errors.js';
import { executePayload, performTask } from '../core/execute.js';
import { assertValidTaskName, generateTaskId } from '../core/ids.js';
import { serializeParams } from '../core/json.js';
import { findRegisteredTask, listRegisteredTasks, type RegisteredTask, registerTask } from '../core/registry.js';
import { type AnySchema, isStandardSchema, validateParams } from '../core/schema.js';
import {
  type AnyTask,
  type EnqueueOptions,
  type EnqueueResult,
  MAX_TASK_TIMEOUT_MS,
  MIN_TASK_TIMEOUT_MS,
  type QueuedTask,
  type Task,
  type TaskDefinition,
} from '../core/types.js';
import { getBackend, getBasePath, getLogger } from '../settings/settings.js';

/**
 * Defines a task and registers it process-wide under its name. Defining the same name again
 * (a dev-server reload, a second import of `tasks.ts`) replaces the earlier definition.
 *
 * @example
 * ```ts
 * export const sendEmail = defineTask({
 *   name: 'send-email',
 *   schema: z.object({ to: z.email(), subject: z.string() }),
 *   async run({ to, subject }, { id }) {
 *     await mailer.send({ to, subject, messageId: id });
 *   },
 * });
 * ```
 * @throws {TaskError} `invalid_task_definition` for an invalid name, a schema that does not
 *   implement Standard Schema v1, a `run` that is not a function, or a `description` that is not
 *   a string, or a `timeout` outside 15,000 to 1,800,000 ms; `configuration_error` for an `auth` that is neither an authenticator nor a function.
 */
export function defineTask<TSchema extends AnySchema, TResult>(
  definition: TaskDefinition<TSchema, TResult>,
): Task<TSchema, Awaited<TResult>> {
  assertDefinition(definition);

  const registered: RegisteredTask = {
    name: definition.name,
    schema: definition.schema,
    description: definition.description,
    auth: definition.auth,
    timeout: definition.timeout,
    handler: definition.run as RegisteredTask['handler'],
  };
  registerTask(registered);

  return createTaskHandle(registered) as Task<TSchema, Awaited<TResult>>;
}

/**
 * Builds the object users call `run` and `enqueue` on. It always runs the newest definition of
 * its name, so code that kept a task across a dev reload uses the reloaded handler.
 */
function createTaskHandle(task: RegisteredTask): AnyTask {
  return {
    name: task.name,
    schema: task.schema,
    description: task.description,
    auth: task.auth,
    timeout: task.timeout,

    async run(params: unknown) {
      const current = currentDefinition(task);
      const validated = await validateParams(current.name, current.schema, params);
      const run = { id: generateTaskId(), attempt: 1, enqueuedAt: new Date() };
      return performTask(current, validated, run, getLogger());
    },

    enqueue(params: unknown, options?: EnqueueOptions) {
      return enqueueTask(currentDefinition(task), params, options);
    },
  };
}

async function enqueueTask(
  task: RegisteredTask,
  params: unknown,
  options: EnqueueOptions | undefined,
): Promise<EnqueueResult> {
  const enqueuedAt = new Date();
  const { id, runAt } = resolveEnqueueOptions(options, enqueuedAt);

  const payload = serializeParams(task.name, params);
  // Validating the JSON round trip, not the original value, catches values that JSON changes (a Date becomes a string).
  await validateParams(task.name, task.schema, JSON.parse(payload));

  const backend = getBackend();
  const queued: QueuedTask = {
    name: task.name,
    id,
    payload,
    enqueuedAt,
    runAt,
    timeout: task.timeout,
    endpointPath: `${getBasePath()}/${task.name}`,
    logger: getLogger(),
    execute: ({ attempt = 1 } = {}) =>
      executePayload(currentDefinition(task), payload, { id, attempt, enqueuedAt }, getLogger()),
  };
  await backend.enqueue(queued);

  getLogger().debug('task enqueued', { task: task.name, id, backend: backend.name, runAt: runAt?.toISOString() });
  return { id };
}

/** Returns the newest definition of the task, so a run after a dev reload uses the reloaded code. */
function currentDefinition(task: RegisteredTask): RegisteredTask {
  return findRegisteredTask(task.name) ?? task;
}

function assertDefinition(definition: Partial<Record<keyof TaskDefinition<AnySchema, unknown>, unknown>>): void {
  if (typeof definition !== 'object' || definition === null) {
    throw new TaskError('invalid_task_definition', 'defineTask() expects an object: { name, schema, run }.');
  }
  assertValidTaskName(definition.name);
  if (!isStandardSchema(definition.schema)) {
    throw new TaskError(
      'invalid_task_definition',
      `Invalid schema for task "${definition.name}": pass a Standard Schema v1 validator, such as a zod 4 or valibot 1 schema.`,
    );
  }
  if (typeof definition.run !== 'function') {
    throw new TaskError(
      'invalid_task_definition',
      `Invalid run for task "${definition.name}": pass a function (params, context) => result.`,
    );
  }
  if (definition.description !== undefined && typeof definition.description !== 'string') {
    throw new TaskError('invalid_task_definition', `Invalid description for task "${definition.name}": pass a string.`);
  }
  if (definition.auth !== undefined) toAuthenticator(definition.auth as AuthOption);
  if (definition.timeout !== undefined) assertTimeout(definition.name, definition.timeout);
}

function assertTimeout(name: string, timeout: unknown): void {
  const valid =
    typeof timeout === 'number' &&
    Number.isInteger(timeout) &&
    timeout >= MIN_TASK_TIMEOUT_MS &&
    timeout <= MAX_TASK_TIMEOUT_MS;
  if (valid) return;

  throw new TaskError(
    'invalid_task_definition',
    `Invalid timeout ${String(timeout)} for task "${name}": pass a whole number of milliseconds from ` +
      `${MIN_TASK_TIMEOUT_MS} (15 s) to ${MAX_TASK_TIMEOUT_MS} (30 min), the range Cloud Tasks accepts as a dispatch deadline.`,
  );
}

/**
 * Looks up a task defined anywhere in this process, for code that must not import `tasks.ts`
 * itself. Pass the task's type to keep `enqueue` typed.
 *
 * @example
 * ```ts
 * import type { sendEmail } from '@/tasks';
 * await getTask<typeof sendEmail>('send-email').enqueue({ to, subject });
 * ```
 * @throws {TaskError} `task_not_found` listing the registered names.
 */
export function getTask<TTask extends AnyTask = AnyTask>(name: string): TTask {
  const task = findRegisteredTask(name);
  if (task === undefined) throw taskNotFound(name);

  return createTaskHandle(task) as TTask;
}

/** Builds the `task_not_found` error, naming the registered tasks and the usual cause. */
export function taskNotFound(name: string): TaskError {
  const known = listRegisteredTasks().map((task) => task.name);
  const list = known.length === 0 ? 'No task is registered' : `Registered tasks: ${known.join(', ')}`;
  return new TaskError(
    'task_not_found',
    `Unknown task ${JSON.stringify(name)}. ${list}. Define it with defineTask() in a module that instrumentation.ts imports.`,
  );
}
