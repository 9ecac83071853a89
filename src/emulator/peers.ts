/**
 * Loads the optional peer dependencies the emulator runs on: `@grpc/grpc-js`,
 * `@grpc/proto-loader`, and the Cloud Tasks protocol definitions that `@google-cloud/tasks` ships,
 * so the server speaks exactly the protocol of the installed client.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import type * as Grpc from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';

import { TaskError } from '../core/errors.js';

/** The loaded peers. */
export interface EmulatorPeers {
  readonly grpc: typeof Grpc;
  /** The `google.cloud.tasks.v2.CloudTasks` service definition. */
  readonly service: ProtoLoader.ServiceDefinition;
  /** Version of the `@google-cloud/tasks` package whose definitions were loaded. */
  readonly tasksVersion: string;
}

const SERVICE_NAME = 'google.cloud.tasks.v2.CloudTasks';
const INSTALL_COMMAND = 'npm install --save-dev @google-cloud/tasks @grpc/grpc-js @grpc/proto-loader';

/** Decoding options; messages.ts types the objects they produce. */
const LOADER_OPTIONS: ProtoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
};

/**
 * Loads the peers from the application's `node_modules`.
 *
 * @throws {TaskError} `configuration_error` naming the missing package and the install command.
 */
export function loadEmulatorPeers(): EmulatorPeers {
  const require = createRequire(import.meta.url);
  const grpc = requirePeer<typeof Grpc>(require, '@grpc/grpc-js');
  const protoLoader = requirePeer<typeof ProtoLoader>(require, '@grpc/proto-loader');
  const { protosJson, version } = readTasksProtos(require);

  const definition = protoLoader.fromJSON(protosJson, LOADER_OPTIONS);
  const service = definition[SERVICE_NAME];
  if (service === undefined || !isServiceDefinition(service)) {
    throw new TaskError(
      'configuration_error',
      `@google-cloud/tasks ${version} has no ${SERVICE_NAME} service in build/protos/protos.json; ` +
        'install version 6 or 7 of @google-cloud/tasks.',
    );
  }
  return { grpc, service, tasksVersion: version };
}

function requirePeer<T>(require: NodeJS.Require, name: string): T {
  try {
    return require(name) as T;
  } catch (error) {
    throw missingPeer(name, error);
  }
}

/**
 * Reads `build/protos/protos.json` of `@google-cloud/tasks`: the package's own bundle of its
 * definitions and their `google.api`, `google.protobuf` and `google.rpc` imports. Versions 6 and
 * 7 ship it at that path. The file is found through the package's main entry, because its
 * `exports` map does not list it.
 */
function readTasksProtos(require: NodeJS.Require): { protosJson: object; version: string } {
  let entry: string;
  try {
    entry = require.resolve('@google-cloud/tasks');
  } catch (error) {
    throw missingPeer('@google-cloud/tasks', error);
  }

  const root = findPackageRoot(entry, '@google-cloud/tasks');
  const protosFile = path.join(root.directory, 'build', 'protos', 'protos.json');
  try {
    return { protosJson: JSON.parse(readFileSync(protosFile, 'utf8')) as object, version: root.version };
  } catch (error) {
    throw new TaskError(
      'configuration_error',
      `Cannot read the Cloud Tasks protocol definitions at ${protosFile} (@google-cloud/tasks ${root.version}): ` +
        'install version 6 or 7 of @google-cloud/tasks.',
      { cause: error },
    );
  }
}

function findPackageRoot(entry: string, name: string): { directory: string; version: string } {
  let directory = path.dirname(entry);
  for (;;) {
    const manifest = readManifest(path.join(directory, 'package.json'));
    if (manifest?.name === name) return { directory, version: manifest.version ?? 'unknown' };

    const parent = path.dirname(directory);
    if (parent === directory) {
      throw new TaskError(
        'configuration_error',
        `Cannot find the package.json of ${name} above ${entry}; reinstall it.`,
      );
    }
    directory = parent;
  }
}

function readManifest(file: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}

function isServiceDefinition(value: ProtoLoader.AnyDefinition): value is ProtoLoader.ServiceDefinition {
  return !('format' in value);
}

function missingPeer(name: string, cause: unknown): TaskError {
  return new TaskError(
    'configuration_error',
    `The Cloud Tasks emulator needs ${name}, which could not be loaded. Install the emulator's peers: ${INSTALL_COMMAND}`,
    { cause },
  );
}
