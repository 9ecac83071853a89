/**
 * The Cloud Tasks v2 RPCs that the emulator implements, on plain decoded messages.
 *
 * @module
 */
import type { Logger } from '../core/logger.js';
import type { Dispatcher } from './dispatcher.js';
import type {
  CreateQueueRequest,
  CreateTaskRequest,
  ListQueuesRequest,
  ListTasksRequest,
  NameRequest,
  QueueMessage,
  TaskMessage,
  TaskNameRequest,
  UpdateQueueRequest,
} from './messages.js';
import { generateTaskId, parseLocationPath, parseQueuePath, parseTaskPath, type QueuePath } from './names.js';
import { applyUpdateMask, DEFAULT_QUEUE_SETTINGS, readQueueSettings } from './queue-config.js';
import { invalidArgument, RpcCode, RpcError, rpcCodeName } from './rpc-error.js';
import type { EmulatorStore, QueueState, TaskState } from './store.js';
import { readNewTask } from './task-input.js';
import type { EmulatedTaskRecord, EmulatorLimits } from './types.js';
import { readTaskView, toQueueMessage, toTaskMessage } from './views.js';

/** Maximum page size of ListQueues. */
const MAX_QUEUES_PAGE_SIZE = 9800;
/** Maximum page size of ListTasks. */
const MAX_TASKS_PAGE_SIZE = 1000;

/** Dependencies of a {@link CloudTasksService}. */
export interface CloudTasksServiceOptions {
  readonly store: EmulatorStore;
  readonly dispatcher: Dispatcher;
  readonly limits: EmulatorLimits;
  readonly logger: Logger;
  /** Called with every CreateTask request, accepted or rejected. */
  readonly onCreateTask: (record: EmulatedTaskRecord) => void;
}

/** Empty response (`google.protobuf.Empty`). */
const EMPTY = {};

/** The implemented RPCs. Each one throws {@link RpcError} for a request that Cloud Tasks would reject. */
export class CloudTasksService {
  constructor(private readonly options: CloudTasksServiceOptions) {}

  /** Creates a queue with default settings, for the queues named at start. A queue named twice is created once. */
  createDefaultQueue(name: string): void {
    const path = parseQueuePath(name, 'queue');
    if (!this.options.store.queues.has(path.name)) this.addQueue(path, DEFAULT_QUEUE_SETTINGS);
  }

  createQueue(request: CreateQueueRequest): QueueMessage {
    const parent = parseLocationPath(request.parent, 'parent');
    const path = parseQueuePath(request.queue?.name, 'queue.name');
    if (path.parent !== parent) {
      throw invalidArgument(`Invalid queue.name ${path.name}: it must be in the location of parent, ${parent}.`);
    }
    if (this.options.store.queues.has(path.name)) {
      throw new RpcError(RpcCode.ALREADY_EXISTS, `Queue ${path.name} already exists.`);
    }

    const settings = readQueueSettings(request.queue ?? {}, DEFAULT_QUEUE_SETTINGS);
    return toQueueMessage(this.addQueue(path, settings));
  }

  getQueue(request: NameRequest): QueueMessage {
    return toQueueMessage(this.queueNamed(request.name));
  }

  listQueues(request: ListQueuesRequest): { queues: QueueMessage[]; nextPageToken: string } {
    const parent = parseLocationPath(request.parent, 'parent');
    const state = readStateFilter(request.filter);
    const queues = [...this.options.store.queues.values()].filter(
      (queue) => queue.path.parent === parent && (state === undefined || queue.state === state),
    );

    const { page, nextPageToken } = paginate(queues, request, MAX_QUEUES_PAGE_SIZE);
    return { queues: page.map(toQueueMessage), nextPageToken };
  }

  /** Updates a queue, or creates it when it does not exist, as Cloud Tasks does. */
  updateQueue(request: UpdateQueueRequest): QueueMessage {
    const message = request.queue ?? {};
    const path = parseQueuePath(message.name, 'queue.name');
    const paths = request.updateMask?.paths ?? [];

    const queue = this.options.store.queues.get(path.name);
    if (queue === undefined) {
      return toQueueMessage(this.addQueue(path, applyUpdateMask(DEFAULT_QUEUE_SETTINGS, message, paths)));
    }

    queue.settings = applyUpdateMask(queue.settings, message, paths);
    this.options.dispatcher.wake();
    return toQueueMessage(queue);
  }

  /**
   * Deletes a queue and its tasks.
   *
   * NOTE: Cloud Tasks refuses to re-create a deleted queue's name for 7 days; the emulator allows it at once.
   */
  deleteQueue(request: NameRequest): object {
    const queue = this.queueNamed(request.name);
    const dropped = this.options.store.removeAllTasks(queue, Date.now());
    this.options.store.queues.delete(queue.path.name);
    this.options.logger.info('Deleted queue', { queue: queue.path.name, deletedTasks: dropped });
    return EMPTY;
  }

  purgeQueue(request: NameRequest): QueueMessage {
    const queue = this.queueNamed(request.name);
    const now = Date.now();
    const dropped = this.options.store.removeAllTasks(queue, now);
    queue.purgeTimeMs = now;
    this.options.logger.info('Purged queue', { queue: queue.path.name, deletedTasks: dropped });
    return toQueueMessage(queue);
  }

  pauseQueue(request: NameRequest): QueueMessage {
    const queue = this.queueNamed(request.name);
    queue.state = 'PAUSED';
    this.options.logger.info('Paused queue', { queue: queue.path.name });
    return toQueueMessage(queue);
  }

  resumeQueue(request: NameRequest): QueueMessage {
    const queue = this.queueNamed(request.name);
    queue.state = 'RUNNING';
    this.options.logger.info('Resumed queue', { queue: queue.path.name });
    this.options.dispatcher.wake();
    return toQueueMessage(queue);
  }

  listTasks(request: ListTasksRequest): { tasks: TaskMessage[]; nextPageToken: string } {
    const queue = this.queueNamed(request.parent, 'parent');
    const view = readTaskView(request.responseView);
    const { page, nextPageToken } = paginate([...queue.tasks.values()], request, MAX_TASKS_PAGE_SIZE);
    return { tasks: page.map((task) => toTaskMessage(task, view)), nextPageToken };
  }

  getTask(request: TaskNameRequest): TaskMessage {
    return toTaskMessage(this.taskNamed(request.name), readTaskView(request.responseView));
  }

  /**
   * Creates a task after checking it against the Cloud Tasks limits.
   *
   * @param encodedBytes Size of the request as received.
   */
  createTask(request: CreateTaskRequest, encodedBytes: number): TaskMessage {
    const receivedAt = new Date();
    try {
      const task = this.addTask(request, encodedBytes, receivedAt.getTime());
      this.options.onCreateTask({ ...createRecord(request, receivedAt), name: task.name });
      // The response shows the task as created, before the dispatcher may start its first attempt.
      const response = toTaskMessage(task, readTaskView(request.responseView));
      this.options.dispatcher.wake();
      return response;
    } catch (error) {
      const rejection =
        error instanceof RpcError
          ? { code: error.code, message: error.message }
          : { code: RpcCode.INTERNAL, message: String(error) };
      this.options.onCreateTask({ ...createRecord(request, receivedAt), error: rejection });
      // Unexpected errors are logged as errors by the gRPC server, so only rejections are logged here.
      if (error instanceof RpcError) this.logRejectedTask(request, error);
      throw error;
    }
  }

  deleteTask(request: NameRequest): object {
    const task = this.taskNamed(request.name);
    this.options.store.removeTask(task, Date.now());
    this.options.logger.info('Deleted task', { task: task.name });
    return EMPTY;
  }

  /** Dispatches a task now, even when its queue is paused, and returns it as dispatched. */
  runTask(request: TaskNameRequest): TaskMessage {
    const task = this.taskNamed(request.name);
    this.options.dispatcher.runNow(task);
    return toTaskMessage(task, readTaskView(request.responseView));
  }

  /** Logs a rejected CreateTask with its queue and task id, leaving out the body and the headers. */
  private logRejectedTask(request: CreateTaskRequest, error: RpcError): void {
    const name = request.task?.name;
    this.options.logger.warn('Rejected CreateTask', {
      queue: request.parent,
      taskId: name ? name.slice(name.lastIndexOf('/') + 1) : undefined,
      status: rpcCodeName(error.code),
      error: error.message,
    });
  }

  private addQueue(path: QueuePath, settings: QueueState['settings']): QueueState {
    const queue: QueueState = {
      path,
      settings,
      state: 'RUNNING',
      purgeTimeMs: undefined,
      tasks: new Map(),
      inFlight: 0,
    };
    this.options.store.queues.set(path.name, queue);
    this.options.logger.info('Created queue', { queue: path.name });
    return queue;
  }

  private addTask(request: CreateTaskRequest, encodedBytes: number, now: number): TaskState {
    const { store, limits, logger } = this.options;
    const queue = this.queueNamed(request.parent, 'parent');
    const input = readNewTask(request, queue.path.name, limits, encodedBytes, now);

    const id = input.id ?? this.unusedTaskId(queue, now);
    const name = `${queue.path.name}/tasks/${id}`;
    store.assertNameFree(queue, name, now);

    const task: TaskState = {
      name,
      id,
      queue,
      request: input.request,
      createTimeMs: now,
      dispatchDeadlineMs: input.dispatchDeadlineMs,
      scheduleTimeMs: input.scheduleTimeMs,
      dispatchCount: 0,
      responseCount: 0,
      executionCount: 0,
      firstAttempt: undefined,
      lastAttempt: undefined,
      previousResponse: undefined,
      retryReason: undefined,
      running: false,
      removed: false,
    };
    store.addTask(task);
    logger.info('Created task', { task: name, scheduleTime: new Date(task.scheduleTimeMs).toISOString() });
    return task;
  }

  private unusedTaskId(queue: QueueState, now: number): string {
    for (;;) {
      const id = generateTaskId();
      if (!this.options.store.isNameTaken(queue, `${queue.path.name}/tasks/${id}`, now)) return id;
    }
  }

  private queueNamed(name: string | undefined, field = 'name'): QueueState {
    return this.options.store.getQueue(parseQueuePath(name, field).name);
  }

  private taskNamed(name: string | undefined): TaskState {
    const path = parseTaskPath(name, 'name');
    return this.options.store.getTask(path.queue.name, path.name);
  }
}

function createRecord(request: CreateTaskRequest, receivedAt: Date): EmulatedTaskRecord {
  return {
    parent: request.parent ?? '',
    task: { ...(request.task ?? {}) },
    name: undefined,
    error: undefined,
    receivedAt,
  };
}

/** Reads a ListQueues filter; the emulator supports `state: RUNNING` and `state: PAUSED`. */
function readStateFilter(filter: string | undefined): 'RUNNING' | 'PAUSED' | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;

  const match = /^\s*state\s*[:=]\s*(RUNNING|PAUSED)\s*$/i.exec(filter);
  if (match?.[1] !== undefined) return match[1].toUpperCase() as 'RUNNING' | 'PAUSED';
  throw invalidArgument(
    `Invalid filter ${JSON.stringify(filter)}: the emulator supports "state: RUNNING" and "state: PAUSED" only.`,
  );
}

/** Pages through `items` with page tokens that hold the offset of the next page. */
function paginate<T>(
  items: readonly T[],
  request: { pageSize?: number; pageToken?: string },
  maxPageSize: number,
): { page: T[]; nextPageToken: string } {
  const pageSize = request.pageSize || maxPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    throw invalidArgument(`Invalid pageSize ${pageSize}: use 1 to ${maxPageSize}, or 0 for the maximum.`);
  }

  const offset = readPageToken(request.pageToken);
  const page = items.slice(offset, offset + pageSize);
  const nextOffset = offset + page.length;
  return {
    page,
    nextPageToken: nextOffset < items.length ? Buffer.from(`offset:${nextOffset}`).toString('base64url') : '',
  };
}

function readPageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;

  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString());
  if (match?.[1] !== undefined) return Number(match[1]);
  throw invalidArgument(`Invalid pageToken ${JSON.stringify(token)}: pass the nextPageToken of the previous page.`);
}
