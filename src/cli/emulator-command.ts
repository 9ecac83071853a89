/**
 * `next-generic-tasks emulator`: runs the local Cloud Tasks emulator until SIGINT or SIGTERM.
 *
 * @module
 */
import process from 'node:process';
import { parseArgs } from 'node:util';

import type { LogFields, Logger } from '../core/logger.js';
import {
  type CloudTasksEmulator,
  type CloudTasksEmulatorOptions,
  DEFAULT_EMULATOR_HTTP_PORT,
  DEFAULT_EMULATOR_ISSUER,
  DEFAULT_EMULATOR_PORT,
  EmulatorListenError,
  type EmulatorPortOption,
  startCloudTasksEmulator,
} from '../emulator/index.js';
import { parseQueuePath } from '../emulator/names.js';

/** Exit code for invalid options, as most command-line tools use. */
const EXIT_USAGE = 2;
/** Exit code when the emulator cannot start, for example because a port is taken. */
const EXIT_FAILURE = 1;

const DEFAULT_HOST = '127.0.0.1';
/** Records the CLI's emulator keeps for its API, so a long run does not grow without bound. */
const CLI_MAX_RECORDS = 1000;

const HELP = `Usage: next-generic-tasks emulator [options]

Runs a local Cloud Tasks emulator: the Cloud Tasks v2 gRPC API for the @google-cloud/tasks
client, HTTP dispatch of each task at its schedule time with the X-CloudTasks-* headers, retries
and dispatch deadlines, and OIDC tokens signed with a key pair made at start. Everything is kept
in memory and lost when the emulator stops.

Options:
  --host <address>     Address the gRPC API and the key server listen on. Default: ${DEFAULT_HOST}
  --port <port>        Port of the gRPC API; 0 picks any free port. Default: ${DEFAULT_EMULATOR_PORT}
  --http-port <port>   Port of the OIDC key server, which serves /certs, /jwks and
                       /.well-known/openid-configuration; 0 picks any free port. Default: ${DEFAULT_EMULATOR_HTTP_PORT}
  --issuer <issuer>    The iss claim of the OIDC tokens. Default: ${DEFAULT_EMULATOR_ISSUER}
  --queue <path>       A queue to create at start, as projects/PROJECT/locations/LOCATION/queues/QUEUE.
                       Repeat the option for more queues. Default: none
  -h, --help           Print this help and exit.

Point the app at the emulator with these environment variables (shown for the default ports):
  CLOUD_TASKS_EMULATOR_HOST=${DEFAULT_HOST}:${DEFAULT_EMULATOR_PORT}
  TASKS_OIDC_CERTS_URL=http://${DEFAULT_HOST}:${DEFAULT_EMULATOR_HTTP_PORT}/certs

Logs go to stdout. Stop the emulator with Ctrl+C (SIGINT) or SIGTERM.
`;

/** Runs the emulator command with the arguments after `emulator`; resolves to the exit code once it stops. */
export async function runEmulatorCommand(args: string[]): Promise<number> {
  let options: CloudTasksEmulatorOptions | 'help';
  try {
    options = readArguments(args);
  } catch (error) {
    process.stderr.write(
      `Invalid option: ${error instanceof Error ? error.message : String(error)}\n` +
        'Run `next-generic-tasks emulator --help` for the options.\n',
    );
    return EXIT_USAGE;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }

  // Listen before starting, so that a signal sent during start-up or right after the banner stops cleanly.
  const stopSignal = listenForStopSignal();
  let emulator: CloudTasksEmulator;
  try {
    emulator = await startCloudTasksEmulator({ ...options, logger: createStdoutLogger(), maxRecords: CLI_MAX_RECORDS });
  } catch (error) {
    stopSignal.dispose();
    process.stderr.write(`The emulator could not start: ${describeStartError(error)}\n`);
    return EXIT_FAILURE;
  }

  process.stdout.write(startBanner(emulator));
  const signal = await stopSignal.received;
  process.stdout.write(`Received ${signal}; stopping the emulator.\n`);
  await emulator.stop();
  return 0;
}

/** The flags that set the ports, by the emulator option they pass. */
const PORT_FLAGS: Readonly<Record<EmulatorPortOption, string>> = { port: '--port', httpPort: '--http-port' };

/** Returns the message of a start-up error, naming the CLI flag instead of the API option for a taken port. */
function describeStartError(error: unknown): string {
  if (error instanceof EmulatorListenError) return error.describe(PORT_FLAGS[error.option]);
  return error instanceof Error ? error.message : String(error);
}

function readArguments(args: string[]): CloudTasksEmulatorOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      issuer: { type: 'string' },
      queue: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return 'help';

  const options: CloudTasksEmulatorOptions = {};
  if (values.host !== undefined) options.host = readHost(values.host);
  if (values.port !== undefined) options.port = readPort(values.port, '--port');
  if (values['http-port'] !== undefined) options.httpPort = readPort(values['http-port'], '--http-port');
  if (values.issuer !== undefined) options.issuer = readIssuer(values.issuer);
  if (values.queue !== undefined) options.queues = values.queue.map(readQueue);
  return options;
}

function readHost(value: string): string {
  if (value !== '' && !/[\s/[\]]/.test(value)) return value;
  throw new Error(
    `--host ${JSON.stringify(value)} is not an address: pass an IP address or host name, such as 127.0.0.1.`,
  );
}

function readPort(value: string, option: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (port <= 65_535) return port;
  throw new Error(
    `${option} ${JSON.stringify(value)} is not a port: use a whole number from 0 to 65535 (0 picks any free port).`,
  );
}

function readIssuer(value: string): string {
  if (value !== '' && !/\s/.test(value)) return value;
  throw new Error(`--issuer ${JSON.stringify(value)} is empty or contains spaces: pass the issuer the app expects.`);
}

function readQueue(value: string): string {
  try {
    return parseQueuePath(value, '--queue').name;
  } catch (error) {
    throw new Error(error instanceof Error ? error.message : String(error));
  }
}

function startBanner(emulator: CloudTasksEmulator): string {
  return [
    'Cloud Tasks emulator running.',
    `  gRPC API:       ${emulator.grpcAddress}`,
    `  OIDC keys:      ${emulator.certsUrl} (JWK set: ${emulator.jwksUrl})`,
    `  Token issuer:   ${emulator.issuer}`,
    '',
    'Point the app at it with:',
    `  CLOUD_TASKS_EMULATOR_HOST=${emulator.grpcAddress}`,
    `  TASKS_OIDC_CERTS_URL=${emulator.certsUrl}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/** Resolves `received` at the first SIGINT or SIGTERM; `dispose` removes the listeners. */
function listenForStopSignal(): { received: Promise<NodeJS.Signals>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const dispose = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      dispose();
      resolve(signal);
    };
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { received, dispose };
}

/** Creates a logger that writes one line per entry to stdout: time, level, message and `key=value` fields. */
function createStdoutLogger(): Logger {
  const write =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      const suffix = fields === undefined ? '' : formatFields(fields);
      process.stdout.write(`${new Date().toISOString()} ${level} ${message}${suffix}\n`);
    };
  return { debug: write('DEBUG'), info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}

function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .map(([key, value]) => ` ${key}=${formatValue(value)}`)
    .join('');
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
