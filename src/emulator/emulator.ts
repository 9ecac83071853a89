/**
 * {@link startCloudTasksEmulator}: wires the gRPC API, the dispatcher and the OIDC key server together.
 *
 * @module
 */
import type { Server } from 'node:http';

import { TaskError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { MAX_TASK_TIMEOUT_MS, MIN_TASK_TIMEOUT_MS } from '../core/types.js';
import { Dispatcher } from './dispatcher.js';
import { buildServiceImplementation, startGrpcServer, stopGrpcServer } from './grpc-server.js';
import { EmulatorListenError } from './listen-error.js';
import { parseQueuePath } from './names.js';
import { createKeyServer, IdTokenSigner, KEY_SERVER_PATHS } from './oidc.js';
import { loadEmulatorPeers } from './peers.js';
import { RpcError } from './rpc-error.js';
import { CloudTasksService } from './service.js';
import { EmulatorStore } from './store.js';
import type {
  CloudTasksEmulator,
  CloudTasksEmulatorOptions,
  DispatchRecord,
  EmulatedTaskRecord,
  EmulatorLimits,
} from './types.js';
import { DispatchWaiters } from './waiters.js';

/** Default gRPC port of the emulator. */
export const DEFAULT_EMULATOR_PORT = 8123;
/** Default port of the emulator's OIDC key server. */
export const DEFAULT_EMULATOR_HTTP_PORT = 8124;
/** Default `iss` claim of the emulator's OIDC tokens. */
export const DEFAULT_EMULATOR_ISSUER = 'https://accounts.google.com';
/** Default time a task name stays reserved after its task is gone: one hour, as in Cloud Tasks. */
export const DEFAULT_TOMBSTONE_MS = 3_600_000;

/** The Cloud Tasks limits the emulator enforces by default. */
export const DEFAULT_EMULATOR_LIMITS: EmulatorLimits = {
  maxTaskBytes: 1024 * 1024,
  maxScheduleAheadMs: 30 * 86_400_000,
  // The task timeout range of defineTask() is the dispatch deadline range of Cloud Tasks.
  minDispatchDeadlineMs: MIN_TASK_TIMEOUT_MS,
  maxDispatchDeadlineMs: MAX_TASK_TIMEOUT_MS,
};

/**
 * Starts a local Cloud Tasks emulator: the Cloud Tasks v2 gRPC API for the real
 * `@google-cloud/tasks` client, HTTP dispatch of tasks with retries, and OIDC tokens whose keys
 * it publishes. It keeps everything in memory and needs the optional peers
 * `@google-cloud/tasks`, `@grpc/grpc-js` and `@grpc/proto-loader`.
 *
 * Point the app at it with `CLOUD_TASKS_EMULATOR_HOST=<grpcAddress>` and, to verify its tokens,
 * `TASKS_OIDC_CERTS_URL=<certsUrl>`. See {@link CloudTasksEmulator} for how to connect a client.
 *
 * @throws {TaskError} `configuration_error` for an invalid option or a missing peer.
 * @throws {EmulatorListenError} naming the address and the option (`port` or `httpPort`) when a port
 *   cannot be bound.
 *
 * @example
 * ```ts
 * const emulator = await startCloudTasksEmulator({
 *   port: 0,
 *   httpPort: 0,
 *   queues: ['projects/demo/locations/us-central1/queues/default'],
 * });
 * // ... create tasks through a CloudTasksClient, then:
 * const [first] = await emulator.waitForDispatches((dispatches) => dispatches.length > 0);
 * await emulator.stop();
 * ```
 */
export async function startCloudTasksEmulator(options: CloudTasksEmulatorOptions = {}): Promise<CloudTasksEmulator> {
  const settings = readOptions(options);
  const peers = loadEmulatorPeers();
  const logger = settings.logger;

  const signer = await IdTokenSigner.create(settings.issuer);
  const store = new EmulatorStore(settings.tombstoneMs);
  const created: EmulatedTaskRecord[] = [];
  const dispatches: DispatchRecord[] = [];
  const waiters = new DispatchWaiters(() => dispatches);
  const dispatcher = new Dispatcher({
    store,
    signer,
    logger,
    onDispatch: (record) => {
      appendBounded(dispatches, record, settings.maxRecords);
      waiters.check();
    },
  });
  const service = new CloudTasksService({
    store,
    dispatcher,
    limits: settings.limits,
    logger,
    onCreateTask: (record) => appendBounded(created, record, settings.maxRecords),
  });
  for (const queue of settings.queues) service.createDefaultQueue(queue);

  let httpUrl = '';
  const keyServer = createKeyServer(signer, () => httpUrl);
  const httpPort = await listen(keyServer, settings.host, settings.httpPort);
  httpUrl = `http://${formatHost(settings.host)}:${httpPort}`;

  const { definition, implementation } = buildServiceImplementation(peers.service, service, logger);
  let grpc: Awaited<ReturnType<typeof startGrpcServer>>;
  try {
    grpc = await startGrpcServer(
      peers.grpc,
      definition,
      implementation,
      `${formatHost(settings.host)}:${settings.port}`,
    );
  } catch (error) {
    await closeServer(keyServer);
    throw error;
  }

  const grpcAddress = `${formatHost(settings.host)}:${grpc.port}`;
  logger.info('Cloud Tasks emulator started', {
    grpcAddress,
    certsUrl: `${httpUrl}${KEY_SERVER_PATHS.certs}`,
    issuer: settings.issuer,
    tasksVersion: peers.tasksVersion,
  });

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    const pending = store.countTasks();
    await dispatcher.stop();
    waiters.rejectAll('the emulator stopped');
    await Promise.all([stopGrpcServer(grpc.server), closeServer(keyServer)]);
    logger.info('Cloud Tasks emulator stopped', { droppedTasks: pending });
  };

  return {
    host: settings.host,
    apiEndpoint: formatHost(settings.host),
    port: grpc.port,
    grpcAddress,
    httpUrl,
    certsUrl: `${httpUrl}${KEY_SERVER_PATHS.certs}`,
    jwksUrl: `${httpUrl}${KEY_SERVER_PATHS.jwks}`,
    openIdConfigurationUrl: `${httpUrl}${KEY_SERVER_PATHS.openIdConfiguration}`,
    issuer: settings.issuer,
    createdTasks: () => [...created],
    dispatches: () => [...dispatches],
    waitForDispatches: (predicate, timeoutMs = 10_000) => waiters.wait(predicate, timeoutMs),
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

interface EmulatorSettings {
  readonly host: string;
  readonly port: number;
  readonly httpPort: number;
  readonly issuer: string;
  readonly queues: readonly string[];
  readonly logger: Logger;
  readonly tombstoneMs: number;
  readonly limits: EmulatorLimits;
  readonly maxRecords: number;
}

/** Appends `record` and drops the oldest records beyond `max`. */
function appendBounded<T>(records: T[], record: T, max: number): void {
  records.push(record);
  if (records.length > max) records.splice(0, records.length - max);
}

function readOptions(options: CloudTasksEmulatorOptions): EmulatorSettings {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.trim() === '' || /[\s/[\]]/.test(host)) {
    throw invalidOption('host', host, 'pass an IP address or host name such as "127.0.0.1"');
  }

  const issuer = options.issuer ?? DEFAULT_EMULATOR_ISSUER;
  if (typeof issuer !== 'string' || issuer.trim() !== issuer || issuer === '') {
    throw invalidOption('issuer', issuer, 'pass the issuer URL the app expects, such as "https://accounts.google.com"');
  }

  const queues = options.queues ?? [];
  for (const queue of queues) {
    try {
      parseQueuePath(queue, 'queue');
    } catch (error) {
      throw invalidOption('queues', queue, error instanceof RpcError ? error.message : String(error));
    }
  }

  return {
    host,
    port: readPort(options.port, DEFAULT_EMULATOR_PORT, 'port'),
    httpPort: readPort(options.httpPort, DEFAULT_EMULATOR_HTTP_PORT, 'httpPort'),
    issuer,
    queues,
    logger: options.logger ?? silentLogger,
    tombstoneMs: readNonNegative(options.tombstoneMs, DEFAULT_TOMBSTONE_MS, 'tombstoneMs'),
    limits: readLimits(options.limits ?? {}),
    maxRecords: readMaxRecords(options.maxRecords),
  };
}

function readMaxRecords(value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw invalidOption('maxRecords', value, 'pass a whole number of records, 1 or more');
}

function readLimits(limits: Partial<EmulatorLimits>): EmulatorLimits {
  const result: EmulatorLimits = {
    maxTaskBytes: readNonNegative(limits.maxTaskBytes, DEFAULT_EMULATOR_LIMITS.maxTaskBytes, 'limits.maxTaskBytes'),
    maxScheduleAheadMs: readNonNegative(
      limits.maxScheduleAheadMs,
      DEFAULT_EMULATOR_LIMITS.maxScheduleAheadMs,
      'limits.maxScheduleAheadMs',
    ),
    minDispatchDeadlineMs: readNonNegative(
      limits.minDispatchDeadlineMs,
      DEFAULT_EMULATOR_LIMITS.minDispatchDeadlineMs,
      'limits.minDispatchDeadlineMs',
    ),
    maxDispatchDeadlineMs: readNonNegative(
      limits.maxDispatchDeadlineMs,
      DEFAULT_EMULATOR_LIMITS.maxDispatchDeadlineMs,
      'limits.maxDispatchDeadlineMs',
    ),
  };
  if (result.minDispatchDeadlineMs === 0 || result.minDispatchDeadlineMs > result.maxDispatchDeadlineMs) {
    throw invalidOption(
      'limits.minDispatchDeadlineMs',
      result.minDispatchDeadlineMs,
      `use a value above 0 and at most limits.maxDispatchDeadlineMs (${result.maxDispatchDeadlineMs})`,
    );
  }
  return result;
}

function readPort(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (Number.isInteger(value) && value >= 0 && value <= 65_535) return value;
  throw invalidOption(name, value, 'use a whole number from 0 to 65535, where 0 picks any free port');
}

function readNonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (Number.isSafeInteger(value) && value >= 0) return value;
  throw invalidOption(name, value, 'use a whole number of milliseconds or bytes, 0 or more');
}

function invalidOption(name: string, value: unknown, fix: string): TaskError {
  return new TaskError('configuration_error', `Invalid emulator option ${name} ${JSON.stringify(value)}: ${fix}.`);
}

/** Puts an IPv6 address in brackets, for URLs and gRPC addresses. */
function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      reject(new EmulatorListenError('HTTP', `${formatHost(host)}:${port}`, 'httpPort', error));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
