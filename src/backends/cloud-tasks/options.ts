/**
 * Options of the Cloud Tasks backend and their checks. Every problem is collected first, so one
 * `configuration_error` names all of them.
 *
 * @module
 */
import { isServiceAccountEmail } from '../../core/environment.js';
import { TaskError } from '../../core/errors.js';
import { normalizeAudience, normalizeBaseUrl } from '../../core/url.js';

/**
 * Options passed to `new CloudTasksClient(options)` of `@google-cloud/tasks`, for example
 * `credentials`, `keyFilename` or `projectId`. Other fields of the client's `ClientOptions` pass
 * through as well.
 */
export interface CloudTasksClientOptions {
  /** Path of a service account key file. Leave it out to use Application Default Credentials. */
  keyFilename?: string;
  /** Service account credentials as an object: `{ client_email, private_key }`. */
  credentials?: { client_email?: string; private_key?: string };
  /** The project of the credentials, when it differs from the queue's project. */
  projectId?: string;
  /** Any other option of the client's `ClientOptions`. */
  [option: string]: unknown;
}

/** Options of `cloudTasksBackend`. */
export interface CloudTasksBackendOptions {
  /**
   * The Google Cloud project ID of the queue: letters, digits, `-`, `:` and `.`.
   * From the environment: `CLOUD_TASKS_PROJECT`, else `GOOGLE_CLOUD_PROJECT`.
   */
  project: string;
  /** The queue's location ID, such as `us-central1`. From the environment: `CLOUD_TASKS_LOCATION`. */
  location: string;
  /** The queue ID: 1 to 100 characters from A-Z, a-z, 0-9 and `-`. From the environment: `CLOUD_TASKS_QUEUE`. */
  queue: string;
  /**
   * The public URL of the app, such as `https://my-app-abc123-uc.a.run.app`. Cloud Tasks calls
   * `POST {baseUrl}{basePath}/{name}`. It is normalized once: lower-case host, no trailing slash.
   * From the environment: `TASKS_BASE_URL`.
   */
  baseUrl: string;
  /**
   * The email of the service account that Cloud Tasks signs each call's OIDC token as. The
   * identity that enqueues needs permission to act as it (`roles/iam.serviceAccountUser`).
   * From the environment: `CLOUD_TASKS_SERVICE_ACCOUNT`.
   */
  serviceAccountEmail: string;
  /**
   * The audience of the OIDC token. A URL audience is normalized like `baseUrl`, so it matches
   * the verifier's byte for byte. From the environment: `TASKS_OIDC_AUDIENCE`.
   *
   * @default the normalized `baseUrl`
   */
  audience?: string;
  /**
   * Largest accepted payload (the params as JSON), in UTF-8 bytes: a whole number, 1 or more.
   * Cloud Tasks limits a whole task (URL, headers and body) to 1 MB.
   *
   * @default 1048576 (1 MiB)
   */
  maxPayloadBytes?: number;
  /**
   * `host:port` of a local Cloud Tasks emulator, such as `localhost:8123`. When set, the client
   * connects over plaintext gRPC and uses no Google credentials, so it never reaches Google.
   * From the environment: `CLOUD_TASKS_EMULATOR_HOST`.
   */
  emulatorHost?: string;
  /**
   * Options for `new CloudTasksClient()`. Without them (and without `emulatorHost`) the client
   * uses Google's Application Default Credentials: the attached service account on Cloud Run and
   * GCE, or `GOOGLE_APPLICATION_CREDENTIALS`, or the `gcloud auth application-default login` file.
   */
  clientOptions?: CloudTasksClientOptions;
}

/**
 * Default of {@link CloudTasksBackendOptions.maxPayloadBytes}: 1 MiB.
 *
 * NOTE: Cloud Tasks limits the whole task (URL and headers included) to "1 MB", so a body just
 * under this default can still be rejected by Cloud Tasks as `backend_error`.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** A parsed `emulatorHost`. */
export interface EmulatorAddress {
  /** The host name or IP address; an IPv6 address keeps its brackets. */
  readonly host: string;
  readonly port: number;
}

/** Options after checking, with the values the backend sends. */
export interface ResolvedCloudTasksOptions {
  /** `projects/{project}/locations/{location}/queues/{queue}`. */
  readonly queuePath: string;
  readonly baseUrl: string;
  readonly audience: string;
  readonly serviceAccountEmail: string;
  readonly maxPayloadBytes: number;
  readonly emulator: EmulatorAddress | undefined;
  readonly clientOptions: CloudTasksClientOptions;
}

/**
 * The name each option is reported under in error messages: the option name for
 * `cloudTasksBackend()`, the environment variable for `TASKS_BACKEND=cloud-tasks`.
 */
export type OptionLabels = Readonly<Record<keyof CloudTasksBackendOptions, string>>;

/** Labels for options passed in code. */
export const CODE_LABELS: OptionLabels = {
  project: '`project`',
  location: '`location`',
  queue: '`queue`',
  baseUrl: '`baseUrl`',
  serviceAccountEmail: '`serviceAccountEmail`',
  audience: '`audience`',
  maxPayloadBytes: '`maxPayloadBytes`',
  emulatorHost: '`emulatorHost`',
  clientOptions: '`clientOptions`',
};

// Character sets from the Cloud Tasks v2 API reference (queue.proto, field `name`).
const PROJECT_PATTERN = /^[A-Za-z0-9:.-]+$/;
const QUEUE_PATTERN = /^[A-Za-z0-9-]{1,100}$/;
// The API reference describes a location only as "the canonical ID for the queue's location".
// Every such ID, such as us-central1 or europe-west1, is lower-case letters, digits and hyphens.
const LOCATION_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const EMULATOR_HOST_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * Checks options and computes the queue path, the normalized base URL and the audience.
 *
 * @param labels How each option is named in the error message.
 * @param fix The sentence that ends the error message and names where to change the values.
 * @throws {TaskError} `configuration_error` listing every invalid option with the expected form.
 */
export function resolveCloudTasksOptions(
  options: CloudTasksBackendOptions,
  labels: OptionLabels,
  fix: string,
): ResolvedCloudTasksOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TaskError(
      'configuration_error',
      'cloudTasksBackend() expects an object: { project, location, queue, baseUrl, serviceAccountEmail }.',
    );
  }

  const problems: string[] = [];
  const check = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };

  const project = check(() => checkProject(options.project, labels.project));
  const location = check(() => checkLocation(options.location, labels.location));
  const queue = check(() => checkQueue(options.queue, labels.queue));
  const baseUrl = check(() => normalizeBaseUrl(options.baseUrl, labels.baseUrl));
  const serviceAccountEmail = check(() =>
    checkServiceAccountEmail(options.serviceAccountEmail, labels.serviceAccountEmail),
  );
  const audience = check(() => resolveAudience(options.audience, baseUrl, labels.audience));
  const maxPayloadBytes = check(() => checkMaxPayloadBytes(options.maxPayloadBytes, labels.maxPayloadBytes));
  const emulator = check(() =>
    options.emulatorHost === undefined ? undefined : parseEmulatorHost(options.emulatorHost, labels.emulatorHost),
  );
  const clientOptions = check(() => checkClientOptions(options.clientOptions, labels.clientOptions));

  if (problems.length > 0) {
    throw new TaskError('configuration_error', `Invalid Cloud Tasks backend settings. ${problems.join(' ')} ${fix}`);
  }

  return {
    queuePath: `projects/${project}/locations/${location}/queues/${queue}`,
    baseUrl: baseUrl!,
    audience: audience!,
    serviceAccountEmail: serviceAccountEmail!,
    maxPayloadBytes: maxPayloadBytes!,
    emulator,
    clientOptions: clientOptions ?? {},
  };
}

/**
 * Parses `host:port` of an emulator. The host is a name, an IPv4 address or a bracketed IPv6
 * address, and the port is 1 to 65535.
 *
 * @param label The option or environment variable the value came from, for the error message.
 * @throws {TaskError} `configuration_error` naming the value and the expected form.
 */
export function parseEmulatorHost(value: unknown, label: string): EmulatorAddress {
  const match = typeof value === 'string' ? EMULATOR_HOST_PATTERN.exec(value) : null;
  const port = match === null ? Number.NaN : Number(match[2]);
  if (match === null || port < 1 || port > 65_535) {
    throw invalid(
      label,
      value,
      'pass host:port of the emulator without a scheme or path, such as "localhost:8123" or "127.0.0.1:8123"',
    );
  }

  return { host: match[1]!, port };
}

function checkProject(value: unknown, label: string): string {
  if (typeof value === 'string' && PROJECT_PATTERN.test(value)) return value;
  throw invalid(label, value, 'pass the Google Cloud project ID, made of A-Z, a-z, 0-9, "-", ":" and "."');
}

function checkLocation(value: unknown, label: string): string {
  if (typeof value === 'string' && LOCATION_PATTERN.test(value)) return value;
  throw invalid(label, value, 'pass the location ID of the queue, such as "us-central1"');
}

function checkQueue(value: unknown, label: string): string {
  if (typeof value === 'string' && QUEUE_PATTERN.test(value)) return value;
  throw invalid(label, value, 'pass the queue ID, 1 to 100 characters from A-Z, a-z, 0-9 and "-"');
}

function checkServiceAccountEmail(value: unknown, label: string): string {
  if (isServiceAccountEmail(value)) return value;
  throw invalid(
    label,
    value,
    'pass the email of the service account that signs the OIDC tokens, such as "tasks@my-project.iam.gserviceaccount.com"',
  );
}

function resolveAudience(value: unknown, baseUrl: string | undefined, label: string): string | undefined {
  if (value !== undefined) return normalizeAudience(value, label);
  return baseUrl;
}

function checkMaxPayloadBytes(value: unknown, label: string): number {
  if (value === undefined) return DEFAULT_MAX_PAYLOAD_BYTES;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw invalid(label, value, 'pass a whole number of bytes, 1 or more');
}

function checkClientOptions(value: unknown, label: string): CloudTasksClientOptions {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as CloudTasksClientOptions;
  throw invalid(label, value, 'pass an object of CloudTasksClient options');
}

function invalid(label: string, value: unknown, expected: string): TaskError {
  return new TaskError('configuration_error', `Invalid ${label} ${describe(value)}: ${expected}.`);
}

function describe(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return `(a ${value === null ? 'null' : typeof value})`;
}
