/**
 * Public types of the Cloud Tasks emulator.
 *
 * @module
 */
import type { Logger } from '../core/logger.js';

/**
 * Limits that the emulator enforces on CreateTask. The defaults are the Cloud Tasks limits; tests
 * may lower them, for example to see a dispatch deadline expire in milliseconds.
 */
export interface EmulatorLimits {
  /**
   * Maximum size of a task, in bytes, measured as the encoded CreateTask request: the body plus
   * URL, headers and names. Google's quotas page gives a maximum task size of 1 MB (the
   * CreateTask reference still gives 100 KB) without saying what is counted, so the emulator
   * counts the whole request against 1 MiB.
   *
   * @default 1_048_576
   */
  readonly maxTaskBytes: number;
  /**
   * How far ahead `scheduleTime` may be, in milliseconds.
   *
   * @default 2_592_000_000 (30 days)
   */
  readonly maxScheduleAheadMs: number;
  /**
   * Shortest `dispatchDeadline` accepted, in milliseconds.
   *
   * @default 15_000 (15 seconds)
   */
  readonly minDispatchDeadlineMs: number;
  /**
   * Longest `dispatchDeadline` accepted, in milliseconds.
   *
   * @default 1_800_000 (30 minutes)
   */
  readonly maxDispatchDeadlineMs: number;
}

/** Options of {@link startCloudTasksEmulator}. */
export interface CloudTasksEmulatorOptions {
  /**
   * Address that the gRPC server and the OIDC key server listen on.
   *
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Port of the gRPC server (the Cloud Tasks API); `0` picks any free port.
   *
   * @default 8123
   */
  port?: number;
  /**
   * Port of the HTTP server that publishes the OIDC signing keys; `0` picks any free port.
   *
   * @default 8124
   */
  httpPort?: number;
  /**
   * The `iss` claim of the OIDC tokens that the emulator signs.
   *
   * @default 'https://accounts.google.com'
   */
  issuer?: string;
  /** Full queue paths to create at start, each `projects/P/locations/L/queues/Q`. */
  queues?: string[];
  /**
   * Logger for dispatches, retries and errors.
   *
   * @default a silent logger (the CLI passes one that writes to stdout)
   */
  logger?: Logger;
  /**
   * How long a task name stays reserved after its task was deleted, ran or failed for good, in
   * milliseconds. Creating a task with a reserved name fails with ALREADY_EXISTS.
   *
   * @default 3_600_000 (1 hour, as Cloud Tasks does)
   */
  tombstoneMs?: number;
  /** Limits enforced on CreateTask; each one left out keeps its Cloud Tasks default. */
  limits?: Partial<EmulatorLimits>;
  /**
   * How many of the newest records `createdTasks()` and `dispatches()` each keep: a whole
   * number, 1 or more. Older records are dropped, so a long-running emulator does not grow
   * without bound.
   *
   * @default unlimited (the CLI keeps 1,000)
   */
  maxRecords?: number;
}

/** One CreateTask request that reached the emulator, accepted or rejected. */
export interface EmulatedTaskRecord {
  /** The queue path from the request (`parent`). */
  readonly parent: string;
  /**
   * The task as decoded from the request, with camelCase field names as the Node.js client
   * sends them, enums as names (`'POST'`) and `httpRequest.body` as a Buffer.
   */
  readonly task: Readonly<Record<string, unknown>>;
  /** The full name of the created task (generated when the request had none); `undefined` when rejected. */
  readonly name: string | undefined;
  /** The gRPC error that rejected the request; `undefined` when the task was created. */
  readonly error: { readonly code: number; readonly message: string } | undefined;
  /** When the request arrived. */
  readonly receivedAt: Date;
}

/** One HTTP dispatch attempt, recorded when the attempt finished. */
export interface DispatchRecord {
  /** Full task name: `projects/P/locations/L/queues/Q/tasks/T`. */
  readonly taskName: string;
  /** The task id, the last segment of `taskName`. */
  readonly taskId: string;
  /** Full queue path: `projects/P/locations/L/queues/Q`. */
  readonly queueName: string;
  /** The URL the request went to. */
  readonly url: string;
  /** The HTTP method, for example `POST`. */
  readonly method: string;
  /**
   * The request headers as sent, with lowercase names: the task's own headers, the
   * `x-cloudtasks-*` headers, `user-agent` and, for tasks with a token, `authorization`.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The request body as sent (empty for methods without a body). */
  readonly body: Buffer;
  /** The attempt number: 1 for the first dispatch, `X-CloudTasks-TaskRetryCount` + 1. */
  readonly attempt: number;
  /** The HTTP status of the response; `undefined` when no response arrived. */
  readonly status: number | undefined;
  /** The reason no response arrived (the dispatch deadline passed, the connection failed); `undefined` when one did. */
  readonly error: string | undefined;
  /** Whether the attempt succeeded, that is the target responded with a 2xx status. */
  readonly ok: boolean;
  /** When the request was sent. */
  readonly startedAt: Date;
  /** When the response ended or the attempt failed. */
  readonly finishedAt: Date;
  /** `finishedAt - startedAt`, in milliseconds. */
  readonly durationMs: number;
}

/**
 * A running Cloud Tasks emulator.
 *
 * Connect the `@google-cloud/tasks` client to it without TLS and with an explicit
 * `universeDomain`, because without one the client may query the GCE metadata server to find
 * its universe domain:
 *
 * @example
 * ```ts
 * import { credentials } from '@grpc/grpc-js';
 * import { CloudTasksClient } from '@google-cloud/tasks';
 *
 * const emulator = await startCloudTasksEmulator({ port: 0, httpPort: 0 });
 * const client = new CloudTasksClient({
 *   apiEndpoint: emulator.apiEndpoint,
 *   port: emulator.port,
 *   sslCreds: credentials.createInsecure(),
 *   universeDomain: 'googleapis.com',
 * });
 * ```
 */
export interface CloudTasksEmulator {
  /** The address the servers listen on, for example `127.0.0.1`. */
  readonly host: string;
  /** `host` as the client's `apiEndpoint` option takes it: IPv6 addresses in brackets (`[::1]`). */
  readonly apiEndpoint: string;
  /** The gRPC port. */
  readonly port: number;
  /** `host:port` of the gRPC server (IPv6 hosts in brackets): the value of `CLOUD_TASKS_EMULATOR_HOST`. */
  readonly grpcAddress: string;
  /** Base URL of the OIDC key server, for example `http://127.0.0.1:8124`. */
  readonly httpUrl: string;
  /**
   * URL of the signing key as `{ kid: public key PEM }`, the format google-auth-library's
   * `OAuth2Client` reads: the value of `TASKS_OIDC_CERTS_URL`.
   */
  readonly certsUrl: string;
  /** URL of the signing keys as a JWK set. */
  readonly jwksUrl: string;
  /** URL of the OpenID Connect discovery document. */
  readonly openIdConfigurationUrl: string;
  /** The `iss` claim of the OIDC tokens. */
  readonly issuer: string;
  /** Every CreateTask request so far, accepted or rejected, oldest first. */
  createdTasks(): readonly EmulatedTaskRecord[];
  /** Every finished dispatch attempt so far, oldest first. */
  dispatches(): readonly DispatchRecord[];
  /**
   * Waits until `predicate` holds for the list of finished dispatch attempts, and resolves to that list.
   *
   * @param timeoutMs How long to wait, in milliseconds. Default 10,000.
   * @throws Error after `timeoutMs`, listing the attempts seen, or when the emulator stops.
   */
  waitForDispatches(
    predicate: (dispatches: readonly DispatchRecord[]) => boolean,
    timeoutMs?: number,
  ): Promise<readonly DispatchRecord[]>;
  /**
   * Stops both servers and every timer. Tasks still in queues are dropped (and logged as such),
   * and requests in flight are aborted. Calling it again does nothing.
   */
  stop(): Promise<void>;
}
