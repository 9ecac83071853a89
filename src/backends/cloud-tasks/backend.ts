/**
 * The Cloud Tasks backend: each enqueued task becomes an HTTP-target task that calls the app's
 * task endpoint back with an OIDC token.
 *
 * @module
 */
import { isTaskError } from '../../core/errors.js';
import type { Backend, QueuedTask } from '../../core/types.js';
import { type ClientModuleLoaders, createTasksClient, defaultModuleLoaders, type TasksClient } from './client.js';
import { toCreateTaskError } from './errors.js';
import {
  type CloudTasksBackendOptions,
  CODE_LABELS,
  type OptionLabels,
  type ResolvedCloudTasksOptions,
  resolveCloudTasksOptions,
} from './options.js';
import { buildCreateTaskRequest } from './request.js';

/** The Cloud Tasks backend, with the queue it sends to and a way to close its connection. */
export interface CloudTasksBackend extends Backend {
  /** The full queue name: `projects/{project}/locations/{location}/queues/{queue}`. */
  readonly queuePath: string;
  /** The normalized base URL that tasks call back, without a trailing slash. */
  readonly baseUrl: string;
  /** The audience of the OIDC token each call carries. */
  readonly audience: string;
  /**
   * Closes the gRPC connection of the client, if one was created. A later `enqueue` creates a
   * new client. Call it when a script or test is done.
   */
  close(): Promise<void>;
}

/**
 * Creates a backend that hands each task to a Google Cloud Tasks queue. Cloud Tasks then calls
 * `POST {baseUrl}{basePath}/{name}` with the params as the JSON body and an OIDC token signed as
 * `serviceAccountEmail`, retrying by the queue's retry settings.
 *
 * The options are checked here, and `@google-cloud/tasks` is loaded on the first `enqueue`,
 * which creates the one client of this backend. Google's Application Default Credentials are
 * used unless `clientOptions` or `emulatorHost` set others.
 *
 * @example
 * ```ts
 * import { configureTasks } from 'next-generic-tasks';
 * import { cloudTasksBackend } from 'next-generic-tasks/cloud-tasks';
 *
 * configureTasks({
 *   backend: cloudTasksBackend({
 *     project: 'my-project',
 *     location: 'us-central1',
 *     queue: 'tasks',
 *     baseUrl: 'https://my-app-abc123-uc.a.run.app',
 *     serviceAccountEmail: 'tasks@my-project.iam.gserviceaccount.com',
 *   }),
 * });
 * ```
 * @throws {TaskError} `configuration_error` listing every invalid option.
 */
export function cloudTasksBackend(options: CloudTasksBackendOptions): CloudTasksBackend {
  return createCloudTasksBackend(options);
}

/**
 * Creates the backend with replaceable package loaders and error labels; {@link cloudTasksBackend}
 * and the environment configuration call it.
 */
export function createCloudTasksBackend(
  options: CloudTasksBackendOptions,
  settings: { loaders?: ClientModuleLoaders; labels?: OptionLabels; fix?: string } = {},
): CloudTasksBackend {
  const resolved = resolveCloudTasksOptions(
    options,
    settings.labels ?? CODE_LABELS,
    settings.fix ?? 'Correct the options passed to cloudTasksBackend().',
  );
  const loaders = settings.loaders ?? defaultModuleLoaders;
  let client: Promise<TasksClient> | undefined;

  // Concurrent first enqueues share one creation; a failed creation is tried again next time.
  const getClient = (): Promise<TasksClient> => {
    client ??= createTasksClient(resolved, loaders).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };

  return {
    name: 'cloud-tasks',
    queuePath: resolved.queuePath,
    baseUrl: resolved.baseUrl,
    audience: resolved.audience,

    enqueue: (task) => enqueueTask(task, resolved, getClient),

    async close() {
      const closing = client;
      client = undefined;
      if (closing === undefined) return;

      const created = await closing.catch(() => undefined);
      await created?.close();
    },
  };
}

async function enqueueTask(
  task: QueuedTask,
  options: ResolvedCloudTasksOptions,
  getClient: () => Promise<TasksClient>,
): Promise<void> {
  const request = buildCreateTaskRequest(task, options, new Date());

  try {
    const client = await getClient();
    await client.createTask(request);
  } catch (error) {
    // A TaskError here is a configuration_error from loading the packages, and its message names the fix.
    throw isTaskError(error) ? error : toCreateTaskError(error, task, options);
  }

  task.logger.debug('cloud task created', {
    task: task.name,
    id: task.id,
    queue: options.queuePath,
    scheduleTime: task.runAt?.toISOString(),
  });
}
