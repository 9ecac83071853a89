// Helpers of the emulator tests: an emulator on free ports, a real CloudTasksClient connected to
// it, and HTTP target servers on loopback that record what they receive.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';

import {
  type CloudTasksEmulator,
  type CloudTasksEmulatorOptions,
  startCloudTasksEmulator,
} from '../../../src/emulator/index.js';
import { type CapturingLogger, capturingLogger } from '../helpers.js';

// The Cloud Tasks client must never look for the GCE metadata server in tests.
process.env.METADATA_SERVER_DETECTION = 'none';

/** An emulator, a client connected to it, and the logger it writes to. */
export interface EmulatorHarness {
  readonly emulator: CloudTasksEmulator;
  readonly client: CloudTasksClient;
  readonly logger: CapturingLogger;
  /** Stops the client and the emulator. */
  close(): Promise<void>;
}

/** Starts an emulator on free ports with a capturing logger, and a client connected to it. */
export async function startHarness(options: CloudTasksEmulatorOptions = {}): Promise<EmulatorHarness> {
  const logger = capturingLogger();
  const emulator = await startCloudTasksEmulator({ port: 0, httpPort: 0, logger, ...options });
  const client = connectClient(emulator.apiEndpoint, emulator.port);
  return {
    emulator,
    client,
    logger,
    async close() {
      await client.close();
      await emulator.stop();
    },
  };
}

/** Creates a CloudTasksClient for an emulator, the way the library's users connect one. */
export function connectClient(apiEndpoint: string, port: number): CloudTasksClient {
  return new CloudTasksClient({
    apiEndpoint,
    port,
    sslCreds: credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  });
}

/** Returns a new unique queue path in project `demo`, location `us-central1`. */
export function queuePath(prefix = 'queue'): string {
  return `projects/demo/locations/us-central1/queues/${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Creates a queue through the client, with fast retries unless `retryConfig` is given. */
export async function createQueue(
  client: CloudTasksClient,
  name: string,
  queue: { retryConfig?: object; rateLimits?: object } = {},
): Promise<void> {
  await client.createQueue({
    parent: name.replace(/\/queues\/[^/]+$/, ''),
    queue: {
      name,
      retryConfig: queue.retryConfig ?? {
        maxAttempts: 5,
        minBackoff: { nanos: 20_000_000 },
        maxBackoff: { seconds: 1 },
      },
      ...(queue.rateLimits === undefined ? {} : { rateLimits: queue.rateLimits }),
    },
  });
}

/** One request that reached a {@link TargetServer}. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly receivedAt: number;
}

/** An HTTP server on loopback that records each request and responds through `respond`. */
export interface TargetServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a target server. `respond` gets each request with its 0-based index and returns the
 * response status (default 200), or writes the response itself and returns `undefined`.
 */
export async function startTarget(
  respond: (
    request: ReceivedRequest,
    index: number,
    response: ServerResponse,
  ) => number | undefined | Promise<number | undefined> = () => 200,
): Promise<TargetServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const received: ReceivedRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
        receivedAt: Date.now(),
      };
      const index = requests.push(received) - 1;
      const status = await respond(received, index, response);
      if (status !== undefined && !response.headersSent) {
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(`status ${status}`);
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Returns the gRPC status code of a rejected client call, failing when it resolves. */
export async function grpcErrorOf(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (error) {
    const { code, details } = error as { code?: number; details?: string };
    return { code: code ?? -1, details: details ?? String(error) };
  }
  throw new Error('Expected the call to fail with a gRPC error, but it succeeded.');
}

/** gRPC status codes used in the assertions. */
export const Status = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
} as const;

/** Seconds since the epoch, as a Timestamp message, `offsetMs` from now. */
export function timestampIn(offsetMs: number): { seconds: number; nanos: number } {
  const ms = Date.now() + offsetMs;
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
