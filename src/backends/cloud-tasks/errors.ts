/**
 * Turning failures of `CreateTask` into `TaskError`s that name the queue and the fix.
 *
 * @module
 */
import { TaskError } from '../../core/errors.js';
import type { QueuedTask } from '../../core/types.js';
import type { EmulatorAddress } from './options.js';

// gRPC status codes by number, from the gRPC specification (doc/statuscodes.md).
const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** Maximum length of the service's own error text kept in a message, in characters. */
const MAX_DETAILS_LENGTH = 300;

/** The queue, the signing service account and the emulator (if any) of the failed call, for the message. */
export interface CreateTaskTarget {
  readonly queuePath: string;
  readonly serviceAccountEmail: string;
  readonly emulator?: EmulatorAddress | undefined;
}

/**
 * Converts an error of `CreateTask` into a `TaskError`: `duplicate_task` for ALREADY_EXISTS,
 * `backend_error` for everything else, with the original error as `cause`.
 */
export function toCreateTaskError(error: unknown, task: QueuedTask, target: CreateTaskTarget): TaskError {
  const status = grpcStatusName(error);
  const options = { cause: error, taskId: task.id };

  if (status === 'ALREADY_EXISTS') {
    return new TaskError(
      'duplicate_task',
      `Task id "${task.id}" is already used in queue ${target.queuePath}. Cloud Tasks keeps a task's name while ` +
        'the task is queued and for about an hour after it ran or was deleted (about 9 days for queues created ' +
        'from queue.yaml), and rejects a new task with that name meanwhile. Pass another id, or leave out `id` ' +
        'to get a generated one.',
      options,
    );
  }

  const failure = `Creating task "${task.name}" (id ${task.id}) in Cloud Tasks queue ${target.queuePath} failed`;
  const reason = status === undefined ? describeError(error) : `${status}${detailsOf(error)}`;
  return new TaskError('backend_error', `${failure}: ${reason}. ${adviceFor(status, target)}`, options);
}

/** Returns the gRPC status name of an error with a numeric `code`, such as `NOT_FOUND`. */
export function grpcStatusName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;

  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'number' || !Number.isInteger(code)) return undefined;
  return GRPC_STATUS_NAMES[code];
}

function adviceFor(status: string | undefined, target: CreateTaskTarget): string {
  switch (status) {
    case 'NOT_FOUND':
      return (
        `The queue, its location or its project does not exist: create the queue with \`${createQueueCommand(target.queuePath)}\`, ` +
        'or correct the project, location and queue settings.'
      );
    case 'PERMISSION_DENIED':
      return (
        'The credentials the app runs with lack a role: grant them Cloud Tasks Enqueuer (roles/cloudtasks.enqueuer) ' +
        `on the queue and Service Account User (roles/iam.serviceAccountUser) on ${target.serviceAccountEmail}.`
      );
    case 'UNAUTHENTICATED':
      return 'Check the Google credentials of the app: Application Default Credentials or `clientOptions`.';
    case 'UNAVAILABLE':
    case 'DEADLINE_EXCEEDED':
      return (
        (status === 'UNAVAILABLE' && target.emulator !== undefined ? emulatorAdvice(target.emulator) : '') +
        'Cloud Tasks could not be reached or did not respond in time, so the task may or may not exist. ' +
        'Retry with the same id: a duplicate_task error then means the first call created it.'
      );
    case 'RESOURCE_EXHAUSTED':
      return 'A Cloud Tasks quota is used up: retry later, or ask for a higher quota.';
    case 'INVALID_ARGUMENT':
      return 'Check the base URL, the service account email and the task size (at most 1 MB with URL and headers).';
    case 'FAILED_PRECONDITION':
      return 'Check the state of the queue, for example that it is not disabled or being deleted.';
    case undefined:
      return 'Check the Google credentials of the app and its network access to Cloud Tasks.';
    default:
      return 'Retry later; when it keeps failing, check the queue in the Google Cloud console.';
  }
}

function emulatorAdvice(emulator: EmulatorAddress): string {
  return (
    `Check that the Cloud Tasks emulator at ${emulator.host}:${emulator.port} (set by \`emulatorHost\` or ` +
    'CLOUD_TASKS_EMULATOR_HOST) is running: `npx next-generic-tasks emulator --help` shows how to start it. '
  );
}

/** Builds the gcloud command that creates the queue of `projects/{project}/locations/{location}/queues/{queue}`. */
function createQueueCommand(queuePath: string): string {
  const [, project, , location, , queue] = queuePath.split('/');
  return `gcloud tasks queues create ${queue} --location=${location} --project=${project}`;
}

function detailsOf(error: unknown): string {
  const details = (error as { details?: unknown }).details;
  if (typeof details !== 'string') return '';

  const text = tidyGrpcDetails(details);
  return text === '' ? '' : ` (${excerpt(redactCredentials(text))})`;
}

/**
 * Drops the empty "Resolution note:" that ends @grpc/grpc-js 1.14's "No connection established"
 * text, and the "Error: " that it repeats after "Last error:".
 */
function tidyGrpcDetails(details: string): string {
  return details
    .replace(/\.?\s*Resolution note:\s*$/, '')
    .replace(/(Last error: )Error: /, '$1')
    .trim();
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return excerpt(redactCredentials(text));
}

function excerpt(text: string): string {
  return text.length > MAX_DETAILS_LENGTH ? `${text.slice(0, MAX_DETAILS_LENGTH)}...` : text;
}

/**
 * Replaces credentials that an error text may quote (bearer tokens, Google access tokens, JWTs
 * and private keys) with `[redacted]`, because the message may reach logs and HTTP responses.
 */
export function redactCredentials(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted]')
    .replace(/\bBearer\s+[^\s"',;]+/gi, 'Bearer [redacted]')
    .replace(/\bya29\.[\w.-]+/g, '[redacted]')
    .replace(/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, '[redacted]');
}
