// The API docs page in Chromium. On the built example app under `next start`, Swagger UI's
// "Try it out" runs a real task with the browser's stored basic credentials. On a loopback server
// with public docs, the Authorize button supplies basic and bearer credentials.
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';

import { type Authenticator, basicAuth, configureTasks, defineTask, noAuth } from '../../src/index.js';
import { createTaskHandlers, type TaskHandlerOptions } from '../../src/next/index.js';
import { resetTasks, silentLogger } from '../../src/testing/index.js';
import { type BrowserContextOptions, launchBrowser } from '../support/browser.js';
import { exampleAppDir, type RunningNextApp, repositoryRoot, runCommand, startNextApp } from '../support/next-app.js';

/** The screenshot of the docs page, kept as a test artefact in test-results/, which git ignores. */
const screenshotPath = path.join(repositoryRoot, 'test-results', 'docs-page.png');

/** The time Swagger UI may take to render the document or a response, in ms, with room for a slow machine. */
const RENDER_TIMEOUT_MS = 20_000;

/** A browser, the requests its pages made, and the errors they reported. */
interface BrowserSession {
  readonly context: BrowserContext;
  readonly requestedUrls: string[];
  readonly problems: string[];
  close(): Promise<void>;
}

/** Launches Chromium and records every request and every error of its pages. */
async function startBrowserSession(options: BrowserContextOptions = {}): Promise<BrowserSession> {
  const browser = await launchBrowser(options);
  const requestedUrls: string[] = [];
  const problems: string[] = [];
  browser.context.on('request', (request) => requestedUrls.push(request.url()));
  browser.context.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  browser.context.on('page', (page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
  });
  return { context: browser.context, requestedUrls, problems, close: browser.close };
}

/** Opens the docs page and waits until Swagger UI has rendered the operations of the document. */
async function openDocsPage(session: BrowserSession, url: string): Promise<Page> {
  const page = await session.context.newPage();
  await page.goto(url);
  await page.locator('.opblock').first().waitFor({ timeout: RENDER_TIMEOUT_MS });
  return page;
}

/** Lists the operations that Swagger UI shows, as `METHOD path`. */
async function listedOperations(page: Page): Promise<string[]> {
  const summaries = page.locator('.opblock-summary');
  const operations: string[] = [];
  for (const summary of await summaries.all()) {
    const method = (await summary.locator('.opblock-summary-method').textContent()) ?? '';
    const operationPath = (await summary.locator('.opblock-summary-path').getAttribute('data-path')) ?? '';
    operations.push(`${method} ${operationPath}`);
  }
  return operations.sort();
}

/**
 * Runs "Try it out" on the operation of `operationPath`: expands it, sends `body` (when the
 * operation has one) with Execute, and returns the HTTP response the browser received.
 */
async function tryItOut(page: Page, method: string, operationPath: string, body?: unknown) {
  const operation = page.locator('.opblock').filter({
    has: page.locator(`.opblock-summary-path[data-path="${operationPath}"]`),
  });
  await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  if (body !== undefined) await operation.locator('textarea.body-param__text').fill(JSON.stringify(body));

  const response = page.waitForResponse(
    (candidate) => candidate.request().method() === method && new URL(candidate.url()).pathname === operationPath,
  );
  await operation.getByRole('button', { name: 'Execute' }).click();
  const statusCell = operation.locator('.live-responses-table tbody .response-col_status');
  await statusCell.waitFor({ timeout: RENDER_TIMEOUT_MS });
  return { response: await response, shownStatus: (await statusCell.textContent())?.trim() };
}

/** Expands the operation of `operationPath`, clicks "Try it out" and returns the request body Swagger UI fills in. */
async function sampleRequestBody(page: Page, operationPath: string): Promise<string> {
  const operation = page.locator('.opblock').filter({
    has: page.locator(`.opblock-summary-path[data-path="${operationPath}"]`),
  });
  await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  return operation.locator('textarea.body-param__text').inputValue();
}

/** Reads `name=value` lines of a dotenv file. */
async function readDotenv(file: string): Promise<Record<string, string>> {
  const entries = (await readFile(file, 'utf8'))
    .split('\n')
    .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map((match) => [match[1] ?? '', match[2] ?? ''] as const);
  return Object.fromEntries(entries);
}

describe('docs page of example app', () => {
  let app: RunningNextApp | undefined;
  let session: BrowserSession | undefined;
  let dataDir: string | undefined;
  let credentials: { username: string; password: string };

  beforeAll(async () => {
    const env = await readDotenv(path.join(exampleAppDir, '.env'));
    credentials = { username: env.TASKS_BASIC_AUTH_USERNAME ?? '', password: env.TASKS_BASIC_AUTH_PASSWORD ?? '' };
    dataDir = await mkdtemp(path.join(tmpdir(), 'ngt-docs-data-'));
    // SMTP_URL is removed so that send-email writes to the outbox and never connects to a mail server.
    app = await startNextApp(exampleAppDir, { env: { EXAMPLE_DATA_DIR: dataDir, SMTP_URL: undefined } });
    session = await startBrowserSession({ httpCredentials: credentials });
  });

  afterEach(async () => {
    for (const page of session?.context.pages() ?? []) await page.close();
  });

  afterAll(async () => {
    await session?.close();
    await app?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  function docsUrl(): string {
    if (app === undefined) throw new Error('the example app did not start');
    return `${app.url}/api/tasks/docs`;
  }

  /** Checks that the browser contacted no host but the app and reported no error. */
  function expectOnlyAppTraffic(): void {
    const origin = new URL(docsUrl()).origin;
    expect(session?.requestedUrls.length).toBeGreaterThan(0);
    expect(session?.requestedUrls.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(session?.problems).toEqual([]);
  }

  test('page lists tasks and merged route', async () => {
    if (session === undefined) throw new Error('the browser did not start');
    const page = await openDocsPage(session, docsUrl());

    expect(await listedOperations(page)).toEqual([
      'GET /api/health',
      'POST /api/tasks/flaky-report',
      'POST /api/tasks/import-contacts',
      'POST /api/tasks/receive-webhook',
      'POST /api/tasks/send-email',
    ]);
    expect(await page.title()).toBe('next-generic-tasks-example');

    await mkdir(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expectOnlyAppTraffic();
  });

  test('page loads only app files', async () => {
    if (session === undefined) throw new Error('the browser did not start');
    await openDocsPage(session, docsUrl());
    const paths = session.requestedUrls.map((url) => new URL(url).pathname);

    expect(new Set(paths)).toEqual(
      new Set([
        '/api/tasks/docs',
        '/api/tasks/docs.css',
        '/api/tasks/docs.js',
        '/api/tasks/docs-init.js',
        '/api/tasks/docs-icon.png',
        '/api/tasks/openapi.json',
      ]),
    );
    expectOnlyAppTraffic();
  });

  test('try it out runs send-email', async () => {
    if (session === undefined || dataDir === undefined) throw new Error('the browser or the data folder is missing');
    const page = await openDocsPage(session, docsUrl());
    const subject = `From the docs page ${Date.now()}`;

    const { response, shownStatus } = await tryItOut(page, 'POST', '/api/tasks/send-email', {
      subject,
      content: 'Sent with Swagger UI.',
      recipients: ['ada@example.com'],
    });
    const body = (await response.json()) as { id: string; result: unknown };

    expect(response.status()).toBe(200);
    expect(shownStatus).toBe('200');
    expect(body.result).toEqual({ delivered: 1 });
    // Swagger UI sets no Authorization header itself: Chromium added the credentials stored for the page.
    expect((await response.request().allHeaders()).authorization).toBe(
      `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
    );

    const outboxDir = path.join(dataDir, 'outbox');
    const storedName = (await readdir(outboxDir)).find((name) => name.endsWith(`-${body.id}.json`));
    expect(storedName).toBeDefined();
    const stored = JSON.parse(await readFile(path.join(outboxDir, storedName ?? ''), 'utf8'));
    expect(stored.subject).toBe(subject);
    expect(stored.recipients).toEqual(['ada@example.com']);
    expectOnlyAppTraffic();
  });

  test('sample body has short recipient', async () => {
    if (session === undefined) throw new Error('the browser did not start');
    const page = await openDocsPage(session, docsUrl());

    const sample = JSON.parse(await sampleRequestBody(page, '/api/tasks/send-email')) as { recipients: unknown };

    expect(sample.recipients).toEqual(['user@example.com']);
    expectOnlyAppTraffic();
  });

  test('sample import-contacts body gets 422', async () => {
    if (session === undefined) throw new Error('the browser did not start');
    const page = await openDocsPage(session, docsUrl());

    const { response, shownStatus } = await tryItOut(page, 'POST', '/api/tasks/import-contacts');
    const { error } = (await response.json()) as {
      error: { code: string; issues: Array<{ path: unknown[]; message: string }> };
    };
    // The 422 is the expected response, so it and the console line Chromium logs for it are no problem.
    const otherProblems = session.problems.filter((problem) => !problem.includes('422'));
    session.problems.splice(0);

    expect(response.status()).toBe(422);
    expect(shownStatus).toBe('422');
    expect(error.code).toBe('invalid_params');
    expect(error.issues[0]?.path).toEqual(['csv']);
    expect(error.issues[0]?.message).toMatch(/^Line 1 /);
    expect(otherProblems).toEqual([]);
  });

  test('try it out calls health route', async () => {
    if (session === undefined) throw new Error('the browser did not start');
    const page = await openDocsPage(session, docsUrl());

    const { response, shownStatus } = await tryItOut(page, 'GET', '/api/health');

    expect(response.status()).toBe(200);
    expect(shownStatus).toBe('200');
    expect(await response.json()).toEqual({ ok: true });
    expectOnlyAppTraffic();
  });
});

/** Starts a loopback HTTP server that passes each request to the task route handlers, as Next.js would. */
async function startRouteServer(options: TaskHandlerOptions): Promise<{ url: string; server: Server }> {
  const handlers = createTaskHandlers(options);
  const server = createServer((incoming, outgoing) => {
    forward(handlers, incoming, outgoing).catch((error: unknown) => {
      outgoing.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function forward(
  handlers: ReturnType<typeof createTaskHandlers>,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host}`);
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const method = incoming.method ?? 'GET';
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value);

  const request = new Request(url, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks),
  });
  const name = decodeURIComponent(url.pathname.split('/').at(-1) ?? '');
  const handler = method === 'HEAD' ? handlers.GET : handlers[method as keyof typeof handlers];
  const response = await handler(request, { params: Promise.resolve({ name }) });

  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}

/** Creates an authenticator for `Authorization: Bearer <token>`, which the document shows as an HTTP bearer scheme. */
function bearerAuth(token: string): Authenticator {
  return {
    scheme: 'bearer-token',
    challenge: 'Bearer realm="tasks"',
    async authenticate(request) {
      return request.headers.get('authorization') === `Bearer ${token}`
        ? { ok: true }
        : { ok: false, status: 401, message: 'Missing or wrong bearer token.' };
    },
  };
}

describe.each([
  {
    scheme: 'basic',
    auth: basicAuth({ username: 'docs-user', password: 'docs-password' }),
    fill: async (page: Page) => {
      const dialog = page.locator('.modal-ux');
      await dialog.locator('input[type=text]').fill('docs-user');
      await dialog.locator('input[type=password]').fill('docs-password');
    },
    expectedAuthorization: `Basic ${Buffer.from('docs-user:docs-password').toString('base64')}`,
  },
  {
    scheme: 'bearer',
    auth: bearerAuth('docs-token'),
    fill: (page: Page) => page.locator('.modal-ux input').fill('docs-token'),
    expectedAuthorization: 'Bearer docs-token',
  },
])('authorize button with $scheme scheme', ({ auth, fill, expectedAuthorization }) => {
  let route: { url: string; server: Server } | undefined;
  let session: BrowserSession | undefined;
  const runs: string[] = [];

  beforeAll(async () => {
    resetTasks();
    configureTasks({ auth, logger: silentLogger });
    defineTask({
      name: 'echo',
      description: 'Returns its text.',
      schema: z.object({ text: z.string() }),
      run: ({ text }) => {
        runs.push(text);
        return { text };
      },
    });
    // The docs are public, so the page opens without credentials and only tasks need them.
    route = await startRouteServer({ openapi: { auth: noAuth() } });
    session = await startBrowserSession();
  });

  afterAll(async () => {
    await session?.close();
    await new Promise((resolve) => route?.server.close(resolve));
    resetTasks();
  });

  test('authorized try it out runs task', async () => {
    if (session === undefined || route === undefined) throw new Error('the browser or the server did not start');
    const page = await openDocsPage(session, `${route.url}/api/tasks/docs`);

    await page
      .getByRole('button', { name: /Authorize/ })
      .first()
      .click();
    await fill(page);
    await page.locator('.modal-ux').getByRole('button', { name: 'Apply credentials' }).click();
    await page.locator('.modal-ux').getByRole('button', { name: 'Close' }).first().click();
    const { response, shownStatus } = await tryItOut(page, 'POST', '/api/tasks/echo', { text: 'authorized' });

    expect(response.status()).toBe(200);
    expect(shownStatus).toBe('200');
    expect((await response.request().allHeaders()).authorization).toBe(expectedAuthorization);
    expect(runs).toEqual(['authorized']);
    expect(session.requestedUrls.filter((url) => new URL(url).origin !== route?.url)).toEqual([]);
    expect(session.problems).toEqual([]);
  });
});

describe('built openapi command', () => {
  test('bin prints openapi help', async () => {
    const output = await runCommand(process.execPath, ['dist/cli/index.js', 'openapi', '--help'], {
      cwd: repositoryRoot,
    });

    expect(output).toContain('Usage: next-generic-tasks openapi --apis <folder|glob>');
  });
});
