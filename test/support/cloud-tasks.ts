// The example app on the Cloud Tasks backend with OIDC authentication, against the local
// emulator, for end-to-end tests. Besides the emulator there are a counting proxy in front of its
// /certs and a trap for the GCE metadata server, and helpers create tasks and sign ID tokens.
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';

import { type CloudTasksEmulator, startCloudTasksEmulator } from '../../src/emulator/index.js';
import { exampleAppDir, freePort, type RunningNextApp, startNextApp } from './next-app.js';
import { createDataDir } from './task-requests.js';

/** The demo project of the tests; the emulator accepts any. */
export const PROJECT = 'demo-project';
/** The queue's location. */
export const LOCATION = 'us-central1';
/** The queue the example app enqueues on. */
export const QUEUE = 'example-tasks';
/** The full name of {@link QUEUE}. */
export const QUEUE_PATH = `projects/${PROJECT}/locations/${LOCATION}/queues/${QUEUE}`;
/** The service account that the app names in its tasks and accepts in tokens. */
export const SERVICE_ACCOUNT = `tasks-invoker@${PROJECT}.iam.gserviceaccount.com`;
/** The key id of {@link CloudTasksExample.trustedTestKey}. */
export const TEST_KEY_ID = 'e2e-test-key';

/** A loopback HTTP server that records the requests it receives. */
export interface RecordingServer {
  /** Base URL, for example `http://127.0.0.1:41234`. */
  readonly url: string;
  /** `METHOD /path` of each request so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

async function startRecordingServer(
  respond: (request: IncomingMessage, response: ServerResponse) => void | Promise<void>,
): Promise<RecordingServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    Promise.resolve(respond(request, response)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(String(error));
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

/**
 * Starts a stand-in for the GCE metadata server that responds 404 to everything. Pointing
 * `GCE_METADATA_HOST` and `GCE_METADATA_IP` at it turns any metadata lookup into a recorded request.
 */
export function startMetadataTrap(): Promise<RecordingServer> {
  return startRecordingServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not a metadata server');
  });
}

/**
 * Starts a proxy whose `/certs` returns the emulator's keys plus `extraKeys`, with the emulator's
 * `Cache-Control` header. It counts the certificate fetches of the app, and the extra key lets a
 * test sign tokens that the app trusts, such as an expired one, which the emulator never signs.
 */
export function startCertsProxy(emulatorCertsUrl: string, extraKeys: Record<string, string>): Promise<RecordingServer> {
  return startRecordingServer(async (request, response) => {
    if (request.url !== '/certs') {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('only /certs is served');
      return;
    }

    const upstream = await fetch(emulatorCertsUrl);
    const keys = { ...((await upstream.json()) as Record<string, string>), ...extraKeys };
    response.writeHead(upstream.status, {
      'content-type': 'application/json',
      'cache-control': upstream.headers.get('cache-control') ?? 'no-store',
    });
    response.end(JSON.stringify(keys));
  });
}

/** An RSA key that signs ID tokens in the shape Google and the emulator use. */
export interface SigningKey {
  readonly kid: string;
  readonly publicKeyPem: string;
  /** Signs `claims` as an RS256 JWT with this key's `kid` in the header. */
  sign(claims: Record<string, unknown>): string;
}

/** Creates a 2048-bit RSA signing key whose tokens carry `kid`. */
export function createSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (claims) => signJwt(privateKey, kid, claims),
  };
}

function signJwt(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

/**
 * Claims of an ID token as Cloud Tasks sends it, for `audience` and {@link SERVICE_ACCOUNT},
 * issued now and valid for an hour; `overrides` replace single claims.
 */
export function idTokenClaims(audience: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://accounts.google.com',
    aud: audience,
    azp: '100000000000000000001',
    sub: '100000000000000000001',
    email: SERVICE_ACCOUNT,
    email_verified: true,
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

/** Decodes the claims of the JWT in an `Authorization: Bearer <JWT>` value, without verifying it. */
export function decodeBearerClaims(authorization: string | undefined): Record<string, unknown> {
  const payload = authorization?.replace(/^Bearer /, '').split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Connects a CloudTasksClient to an emulator the way the library does: plaintext, with a universe domain. */
export function connectClient(emulator: CloudTasksEmulator): CloudTasksClient {
  return new CloudTasksClient({
    apiEndpoint: emulator.apiEndpoint,
    port: emulator.port,
    sslCreds: credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  });
}

/** What {@link createHttpTask} creates: a POST with a JSON body, and an OIDC token when `oidcToken` is given. */
export interface HttpTaskSpec {
  readonly url: string;
  readonly body: unknown;
  readonly oidcToken?: { serviceAccountEmail: string; audience: string };
}

/** Creates an HTTP task in `queuePath` and resolves to its full name. */
export async function createHttpTask(client: CloudTasksClient, queuePath: string, spec: HttpTaskSpec): Promise<string> {
  const [task] = await client.createTask({
    parent: queuePath,
    task: {
      httpRequest: {
        url: spec.url,
        httpMethod: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify(spec.body), 'utf8'),
        ...(spec.oidcToken === undefined ? {} : { oidcToken: spec.oidcToken }),
      },
    },
  });
  if (typeof task.name !== 'string') throw new Error('CreateTask returned a task without a name');
  return task.name;
}

/** Creates a queue whose tasks get one attempt, so a rejected dispatch is not retried. */
export async function createSingleAttemptQueue(client: CloudTasksClient, queueId: string): Promise<string> {
  const name = `projects/${PROJECT}/locations/${LOCATION}/queues/${queueId}`;
  await client.createQueue({
    parent: `projects/${PROJECT}/locations/${LOCATION}`,
    queue: { name, retryConfig: { maxAttempts: 1 } },
  });
  return name;
}

/** Reads the subjects of every email the send-email task stored under `dataDir`. */
export async function readOutboxSubjects(dataDir: string): Promise<string[]> {
  const outbox = path.join(dataDir, 'outbox');
  const names = await readdir(outbox).catch(() => [] as string[]);
  const emails = await Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => JSON.parse(await readFile(path.join(outbox, name), 'utf8')) as { subject: string }),
  );
  return emails.map((email) => email.subject);
}

/** A report that the example's flaky-report task stored. */
export interface StoredReport {
  id: string;
  failures: number;
  runs: Array<{
    attempt: number;
    executionCount?: number;
    queueName?: string;
    startedAt: string;
    outcome: 'failed' | 'succeeded';
  }>;
  summary?: { emails: number; contacts: number };
}

/** Reads the report of flaky-report task `id`, or `undefined` before its first run. */
export async function readStoredReport(dataDir: string, id: string): Promise<StoredReport | undefined> {
  const text = await readFile(path.join(dataDir, 'reports', `${id}.json`), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as StoredReport);
}

/** The example app on Cloud Tasks with OIDC, and everything around it. */
export interface CloudTasksExample {
  readonly app: RunningNextApp;
  readonly emulator: CloudTasksEmulator;
  /** A client connected to the emulator, for tasks the tests create themselves. */
  readonly client: CloudTasksClient;
  /** The proxy the app fetches its OIDC certificates from. */
  readonly certsProxy: RecordingServer;
  /** The stand-in for the GCE metadata server, which must see no request. */
  readonly metadataTrap: RecordingServer;
  /** The example's EXAMPLE_DATA_DIR. */
  readonly dataDir: string;
  /** A key that the certificate proxy serves next to the emulator's, under {@link TEST_KEY_ID}. */
  readonly trustedTestKey: SigningKey;
  /** Stops the app, the client, the emulator and the servers, and deletes the data folder. */
  stop(): Promise<void>;
}

/**
 * Starts the emulator with {@link QUEUE_PATH}, the certificate proxy, the metadata trap and the
 * example app (`next start` of the global setup's build) with `TASKS_BACKEND=cloud-tasks` and
 * `TASKS_API_AUTHENTICATION=oidc`, all on free loopback ports.
 */
export async function startCloudTasksExample(): Promise<CloudTasksExample> {
  const emulator = await startCloudTasksEmulator({ host: '127.0.0.1', port: 0, httpPort: 0, queues: [QUEUE_PATH] });
  const trustedTestKey = createSigningKey(TEST_KEY_ID);
  const certsProxy = await startCertsProxy(emulator.certsUrl, { [TEST_KEY_ID]: trustedTestKey.publicKeyPem });
  const metadataTrap = await startMetadataTrap();
  const data = await createDataDir();
  const client = connectClient(emulator);

  // The app calls its own task endpoints through the emulator, so its URL is fixed before it starts.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const metadataHost = new URL(metadataTrap.url).host;
  let app: RunningNextApp;
  try {
    app = await startNextApp(exampleAppDir, {
      port,
      env: {
        EXAMPLE_DATA_DIR: data.dir,
        SMTP_URL: undefined,
        TASKS_BACKEND: 'cloud-tasks',
        CLOUD_TASKS_PROJECT: PROJECT,
        GOOGLE_CLOUD_PROJECT: undefined,
        CLOUD_TASKS_LOCATION: LOCATION,
        CLOUD_TASKS_QUEUE: QUEUE,
        CLOUD_TASKS_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
        CLOUD_TASKS_EMULATOR_HOST: emulator.grpcAddress,
        TASKS_BASE_URL: baseUrl,
        TASKS_API_AUTHENTICATION: 'oidc',
        TASKS_OIDC_AUDIENCE: undefined,
        TASKS_OIDC_SERVICE_ACCOUNTS: undefined,
        TASKS_OIDC_ISSUERS: undefined,
        TASKS_OIDC_CERTS_URL: `${certsProxy.url}/certs`,
        GOOGLE_APPLICATION_CREDENTIALS: undefined,
        METADATA_SERVER_DETECTION: 'none',
        GCE_METADATA_HOST: metadataHost,
        GCE_METADATA_IP: metadataHost,
      },
    });
  } catch (error) {
    await client.close();
    await Promise.all([emulator.stop(), certsProxy.close(), metadataTrap.close(), data.remove()]);
    throw error;
  }

  return {
    app,
    emulator,
    client,
    certsProxy,
    metadataTrap,
    dataDir: data.dir,
    trustedTestKey,
    async stop() {
      await app.stop();
      await client.close();
      await Promise.all([emulator.stop(), certsProxy.close(), metadataTrap.close(), data.remove()]);
    },
  };
}
