/**
 * Loading `@google-cloud/tasks` on first use and creating its client.
 *
 * The packages are optional peer dependencies, so they are imported dynamically: an app that
 * never enqueues on Cloud Tasks neither installs nor loads them.
 *
 * @module
 */
import { TaskError } from '../../core/errors.js';
import type { CloudTasksClientOptions, ResolvedCloudTasksOptions } from './options.js';
import type { CreateTaskRequest } from './request.js';

/** The part of `CloudTasksClient` that the backend uses. */
export interface TasksClient {
  /** Creates the gRPC stub, which looks up credentials unless an emulator is used. */
  initialize(): Promise<unknown>;
  createTask(request: CreateTaskRequest): Promise<unknown>;
  close(): Promise<void>;
}

/** A constructor of {@link TasksClient}, such as `CloudTasksClient`. */
export type TasksClientConstructor = new (options?: Record<string, unknown>) => TasksClient;

/** Loaders of the optional packages; tests replace them to count or break client creation. */
export interface ClientModuleLoaders {
  /** Imports `@google-cloud/tasks` and resolves to its module namespace. */
  loadTasksModule(): Promise<unknown>;
  /** Imports `@grpc/grpc-js` and resolves to its module namespace; used with an emulator only. */
  loadGrpcModule(): Promise<unknown>;
}

/**
 * The loaders used outside tests: dynamic imports that bundlers leave to Node.js. Next.js would
 * otherwise try to resolve them when it builds any app that imports this library, and fail where
 * the optional packages are not installed. Bundling `@google-cloud/tasks` would break it anyway,
 * because it reads its JSON files next to its own modules at run time.
 */
export const defaultModuleLoaders: ClientModuleLoaders = {
  loadTasksModule: () => import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@google-cloud/tasks'),
  loadGrpcModule: () => import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@grpc/grpc-js'),
};

/**
 * The universe domain given to the client with an emulator. Without an explicit one, google-gax
 * requests it from google-auth-library, which looks for credentials and may query the GCE metadata
 * server (google-gax 5 and 6, `GrpcClient.createStub`).
 */
const EMULATOR_UNIVERSE_DOMAIN = 'googleapis.com';

/**
 * Creates a `CloudTasksClient`. With an emulator it connects over plaintext gRPC with
 * credentials from the same `@grpc/grpc-js` module that it hands to google-gax, so that no
 * Google credential or metadata lookup takes place. Otherwise `clientOptions` pass through.
 *
 * @throws {TaskError} `configuration_error` when a package is missing or has an unknown shape;
 *   the client's own error when it cannot create its gRPC stub, for example without credentials.
 */
export async function createTasksClient(
  options: ResolvedCloudTasksOptions,
  loaders: ClientModuleLoaders,
): Promise<TasksClient> {
  const CloudTasksClient = findClientConstructor(await importPackage('@google-cloud/tasks', loaders.loadTasksModule));
  const client = new CloudTasksClient(await clientOptionsFor(options, loaders));

  // A failed stub creation (no credentials, for example) stays stored in the client, and every
  // createTask() then leaves an unhandled rejection behind, because the generated client
  // (@google-cloud/tasks 6.3) rethrows it in a detached .catch(). By default that ends the Node.js
  // process. Creating the stub here surfaces the failure once, and the client is dropped.
  try {
    await client.initialize();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return client;
}

async function clientOptionsFor(
  options: ResolvedCloudTasksOptions,
  loaders: ClientModuleLoaders,
): Promise<CloudTasksClientOptions> {
  if (options.emulator === undefined) return { ...options.clientOptions };

  const grpc = findGrpcModule(await importPackage('@grpc/grpc-js', loaders.loadGrpcModule));
  const emulatorOptions: CloudTasksClientOptions = {
    ...options.clientOptions,
    apiEndpoint: options.emulator.host,
    port: options.emulator.port,
    // google-gax uses `sslCreds` as the channel credentials instead of requesting any from
    // google-auth-library, and builds its stubs from `grpc`. Both must come from one copy of
    // @grpc/grpc-js, because grpc-js rejects credentials made by another copy.
    grpc,
    sslCreds: grpc.credentials.createInsecure(),
    universeDomain: EMULATOR_UNIVERSE_DOMAIN,
    fallback: false,
  };
  return emulatorOptions;
}

async function importPackage(name: string, load: () => Promise<unknown>): Promise<unknown> {
  try {
    return await load();
  } catch (error) {
    throw packageLoadError(name, error);
  }
}

/**
 * Builds the error for a package that failed to load: not installed, or installed but missing
 * files, which is what Next.js standalone output without the tracing settings leaves behind.
 */
export function packageLoadError(name: string, error: unknown): TaskError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  const notInstalled = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && reason.includes(`'${name}'`);

  const message = notInstalled
    ? `The Cloud Tasks backend needs the package ${name}, which is not installed (${reason}). ` +
      `Install it with \`npm install ${name}\`.`
    : `Loading ${name} for the Cloud Tasks backend failed: ${reason}. Reinstall it with \`npm install ${name}\`. ` +
      "With Next.js `output: 'standalone'`, also list @google-cloud/tasks in `serverExternalPackages` and its " +
      'build/protos/*.json files in `outputFileTracingIncludes`.';
  return new TaskError('configuration_error', message, { cause: error });
}

/**
 * Finds `CloudTasksClient` in the module namespace of `@google-cloud/tasks`. Versions 6 and 7
 * export it by name, as `default.CloudTasksClient` and as `v2.CloudTasksClient`; a bundler's
 * CommonJS interop may leave only the `default` object.
 */
export function findClientConstructor(namespace: unknown): TasksClientConstructor {
  const candidates = [
    property(namespace, 'CloudTasksClient'),
    property(property(namespace, 'default'), 'CloudTasksClient'),
    property(property(namespace, 'v2'), 'CloudTasksClient'),
    property(property(property(namespace, 'default'), 'v2'), 'CloudTasksClient'),
  ];
  const found = candidates.find((candidate) => typeof candidate === 'function');
  if (found !== undefined) return found as TasksClientConstructor;

  throw new TaskError(
    'configuration_error',
    '@google-cloud/tasks has no CloudTasksClient export: install a supported version with `npm install @google-cloud/tasks@7`.',
  );
}

/** The part of `@grpc/grpc-js` that the emulator connection uses. */
interface GrpcModule {
  credentials: { createInsecure(): unknown };
}

function findGrpcModule(namespace: unknown): GrpcModule {
  // `default` is the CommonJS `module.exports` of grpc-js itself, so it comes first.
  for (const candidate of [property(namespace, 'default'), namespace]) {
    const createInsecure = property(property(candidate, 'credentials'), 'createInsecure');
    if (typeof createInsecure === 'function') return candidate as GrpcModule;
  }

  throw new TaskError(
    'configuration_error',
    '@grpc/grpc-js has no credentials.createInsecure(): install a supported version with `npm install @grpc/grpc-js`.',
  );
}

function property(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}
