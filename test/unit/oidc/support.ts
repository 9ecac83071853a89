// Shared parts of the OIDC tests: RSA test keys, signed ID tokens, a local certificate endpoint
// on 127.0.0.1 and task calls through the real handler.
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { handleTaskRequest } from '../../../src/http/handler.js';

/** The audience the tests configure and put into tokens. */
export const AUDIENCE = 'https://tasks.example.com';
/** The service account the tests allow. */
export const SERVICE_ACCOUNT = 'tasks-invoker@my-project.iam.gserviceaccount.com';
/** The key id under which the certificate endpoint serves the signing key. */
export const KEY_ID = 'test-key-1';

/** An RSA key pair with its public key as PEM, as a certificate endpoint serves it. */
export interface TestKey {
  readonly privateKey: KeyObject;
  readonly publicPem: string;
}

/** Creates a 2048-bit RSA key pair. */
export function createTestKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Claims of a valid Cloud Tasks ID token for {@link AUDIENCE} and {@link SERVICE_ACCOUNT}, issued now. */
export function validClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://accounts.google.com',
    aud: AUDIENCE,
    azp: '104857600000000000001',
    sub: '104857600000000000001',
    email: SERVICE_ACCOUNT,
    email_verified: true,
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

/** Signs `claims` with RS256 as a compact JWT, with `kid` in its header. */
export function signToken(
  key: KeyObject,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT', kid: KEY_ID, ...header })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** How the local certificate endpoint responds. */
export type CertsMode = 'ok' | 'status-500' | 'invalid-json' | 'not-pem' | 'hang' | 'hang-body';

/** A certificate endpoint on 127.0.0.1 that serves `{ kid: PEM }` and counts its requests. */
export interface CertsServer {
  readonly url: string;
  /** How many requests it has received. */
  requests: number;
  mode: CertsMode;
  /** The `Cache-Control` header of successful responses. */
  cacheControl: string;
  close(): Promise<void>;
}

/** Starts a certificate endpoint on an ephemeral port that serves `certificates`. */
export async function startCertsServer(certificates: Record<string, string>): Promise<CertsServer> {
  const server: Server = createServer();
  const state: CertsServer = {
    url: '',
    requests: 0,
    mode: 'ok',
    cacheControl: 'public, max-age=3600, must-revalidate, no-transform',
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  server.on('request', (_request, response) => {
    state.requests += 1;
    switch (state.mode) {
      case 'ok':
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': state.cacheControl });
        response.end(JSON.stringify(certificates));
        return;
      case 'status-500':
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('internal error');
        return;
      case 'invalid-json':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"test-key-1": ');
        return;
      case 'not-pem':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ [KEY_ID]: 'not a certificate' }));
        return;
      case 'hang':
        return;
      case 'hang-body':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{');
        return;
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { url: `http://127.0.0.1:${port}/oauth2/v1/certs` });
}

/** Returns a loopback URL on which nothing listens: a port that was free a moment ago. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/certs`;
}

/** Calls the task endpoint of `name` through the real handler, with `headers` and a JSON body. */
export function callTask(name: string, headers: Record<string, string> = {}, body = '{}'): Promise<Response> {
  const request = new Request(`http://localhost/api/tasks/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: new TextEncoder().encode(body),
  });
  return handleTaskRequest(request, name);
}

/** Builds the `Authorization` header for a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Reads the `{ error: { code, message } }` body of an error response. */
export async function readError(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return body.error;
}
