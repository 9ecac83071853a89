// HTTP helpers for calling the example app's task endpoints from end-to-end tests.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';

/** The basic credentials that example-app/.env sets for the task endpoints. */
export const exampleCredentials = { username: 'example', password: 'example-password' } as const;

/** The HMAC secret of the receive-webhook task that example-app/.env sets. */
export const exampleWebhookSecret = 'example-webhook-secret';

/** The body size limit of the task endpoints when nothing configures another: 1 MiB. */
export const defaultMaxBodyBytes = 1024 * 1024;

/** The error body of every failed task call. */
export interface TaskErrorBody {
  error: {
    code: string;
    message: string;
    issues?: Array<{ path: Array<string | number>; message: string }>;
    taskId?: string;
  };
}

/** Builds an `Authorization: Basic ...` header value. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** The `Authorization` header value with the example app's credentials. */
export const exampleAuthorization = basicAuthorization(exampleCredentials.username, exampleCredentials.password);

/** Options of {@link callTask}. */
export interface CallTaskOptions {
  /** The raw body. An object is sent as JSON. Default: no body. */
  body?: string | Uint8Array | object;
  /** The `Content-Type` header, or `null` to send none. Default: `application/json`. */
  contentType?: string | null;
  /** The `Authorization` header, or `null` to send none. Default: the example app's basic credentials. */
  authorization?: string | null;
  /** Further request headers. */
  headers?: Record<string, string>;
  /** The HTTP method. Default: `POST`. */
  method?: string;
}

/** Calls `{method} {baseUrl}/api/tasks/{name}` with fetch. */
export function callTask(baseUrl: string, name: string, options: CallTaskOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const authorization = options.authorization === undefined ? exampleAuthorization : options.authorization;
  if (authorization !== null) headers.authorization = authorization;

  // fetch adds `Content-Type: text/plain` to a string body, so every body is sent as bytes.
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (typeof options.body === 'string') body = new TextEncoder().encode(options.body);
  else if (options.body instanceof Uint8Array) body = new Uint8Array(options.body);
  else if (options.body !== undefined) body = new TextEncoder().encode(JSON.stringify(options.body));

  return fetch(`${baseUrl}/api/tasks/${name}`, {
    method: options.method ?? 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(60_000),
  });
}

/**
 * Reads an error response's JSON body and checks its shape: exactly `{ error: { code, message } }`
 * plus the optional keys named in `extraKeys`.
 */
export async function readErrorBody(
  response: Response,
  extraKeys: Array<'issues' | 'taskId'> = [],
): Promise<TaskErrorBody['error']> {
  return checkErrorShape(await response.json(), extraKeys);
}

/** Checks that `body` is exactly `{ error: { code, message } }` plus `extraKeys`, and returns `error`. */
export function checkErrorShape(body: unknown, extraKeys: Array<'issues' | 'taskId'> = []): TaskErrorBody['error'] {
  expect(Object.keys(body as object)).toEqual(['error']);
  const error = (body as TaskErrorBody).error;
  expect(Object.keys(error).sort()).toEqual(['code', 'message', ...extraKeys].sort());
  expect(typeof error.code).toBe('string');
  expect(typeof error.message).toBe('string');
  return error;
}

/** What {@link sendSlowly} observed. */
export interface SlowUploadResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Body bytes written before the response arrived. */
  bytesSentBeforeResponse: number;
  /** Whether the whole body had been written when the response arrived. */
  finishedSending: boolean;
}

/**
 * Posts `totalBytes` of body with node:http, one chunk of `chunkBytes` every `intervalMs`, and
 * stops writing as soon as the response arrives.
 */
export function sendSlowly(
  url: string,
  options: { headers: Record<string, string>; totalBytes: number; chunkBytes: number; intervalMs: number },
): Promise<SlowUploadResult> {
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;

    const request = httpRequest(url, { method: 'POST', headers: options.headers });
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };

    request.on('response', (response) => {
      const bytesSentBeforeResponse = bytesSent;
      clearTimeout(timer);
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        body += text;
      });
      response.on('error', fail);
      response.on('end', () => {
        if (settled) return;
        settled = true;
        // The upload was cut short, so this connection cannot carry another request.
        request.destroy();
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          bytesSentBeforeResponse,
          finishedSending: bytesSentBeforeResponse === options.totalBytes,
        });
      });
    });
    request.on('error', fail);
    request.setTimeout(60_000, () => fail(new Error(`no response from ${url} within 60 s`)));

    const writeNext = () => {
      if (settled || request.destroyed) return;
      if (bytesSent === options.totalBytes) {
        request.end();
        return;
      }
      const size = Math.min(options.chunkBytes, options.totalBytes - bytesSent);
      request.write(Buffer.alloc(size, 'a'));
      bytesSent += size;
      timer = setTimeout(writeNext, options.intervalMs);
    };
    writeNext();
  });
}

/** Creates a fresh temporary folder for EXAMPLE_DATA_DIR, and a function that deletes it. */
export async function createDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ngt-http-data-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Reads the outbox email that the send-email task stored for task `id`, or `undefined`. */
export async function readOutboxEmail(dataDir: string, id: string): Promise<Record<string, unknown> | undefined> {
  const outbox = path.join(dataDir, 'outbox');
  const names = await readdir(outbox).catch(() => [] as string[]);
  const name = names.find((candidate) => candidate.endsWith(`-${id}.json`));
  if (name === undefined) return undefined;
  return JSON.parse(await readFile(path.join(outbox, name), 'utf8')) as Record<string, unknown>;
}

/** Reads the contacts that the import-contacts task stored, an empty list before the first import. */
export async function readContacts(dataDir: string): Promise<Array<{ name: string; email: string }>> {
  const text = await readFile(path.join(dataDir, 'contacts.json'), 'utf8').catch(() => '[]');
  return JSON.parse(text) as Array<{ name: string; email: string }>;
}
