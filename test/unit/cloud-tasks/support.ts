// Helpers of the Cloud Tasks backend tests: an HTTP server that receives dispatches, package
// loaders that count clients, and queued tasks built by hand.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  type ClientModuleLoaders,
  defaultModuleLoaders,
  type TasksClientConstructor,
} from '../../../src/backends/cloud-tasks/client.js';
import type { QueuedTask } from '../../../src/core/types.js';
import { silentLogger } from '../../../src/testing/index.js';

export const PROJECT = 'test-project';
export const LOCATION = 'us-central1';
export const QUEUE = 'tasks';
export const QUEUE_PATH = `projects/${PROJECT}/locations/${LOCATION}/queues/${QUEUE}`;
export const SERVICE_ACCOUNT = 'tasks@test-project.iam.gserviceaccount.com';

/** One HTTP request received by a {@link Receiver}. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A loopback HTTP server that stores every request and responds 200, or as `respond` decides. */
export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts a {@link Receiver} on a free loopback port. */
export async function startReceiver(
  respond: (request: ReceivedRequest) => Promise<{ status: number; body: string }> = async () => ({
    status: 200,
    body: '{}',
  }),
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const request = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const response = await respond(request);
      outgoing.writeHead(response.status, { 'content-type': 'application/json' }).end(response.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Package loaders that count how many `CloudTasksClient`s were constructed. */
export interface CountingLoaders extends ClientModuleLoaders {
  readonly clientsCreated: number;
}

/**
 * Wraps the real `@google-cloud/tasks` module so that each `new CloudTasksClient()` is counted;
 * the client itself is the real one.
 */
export function countingLoaders(): CountingLoaders {
  let clientsCreated = 0;

  return {
    get clientsCreated() {
      return clientsCreated;
    },
    loadGrpcModule: defaultModuleLoaders.loadGrpcModule,
    async loadTasksModule() {
      const tasksModule = await import('@google-cloud/tasks');
      const RealClient = tasksModule.CloudTasksClient as unknown as TasksClientConstructor;
      class CountedClient extends RealClient {
        constructor(options?: Record<string, unknown>) {
          super(options);
          clientsCreated += 1;
        }
      }
      return { CloudTasksClient: CountedClient };
    },
  };
}

/** Builds a queued task as `task.enqueue` hands it to a backend. */
export function queuedTask(overrides: Partial<QueuedTask> = {}): QueuedTask {
  return {
    name: 'send-email',
    id: crypto.randomUUID(),
    payload: '{"to":"ada@example.com"}',
    enqueuedAt: new Date(),
    runAt: undefined,
    timeout: undefined,
    endpointPath: '/api/tasks/send-email',
    logger: silentLogger,
    execute: async () => undefined,
    ...overrides,
  };
}
