// The example app on the Cloud Tasks backend with OIDC authentication, against the local
// emulator, driven from Chromium. The form's task is created in the emulator, dispatched with a
// bearer token, verified and run. A failing task is retried, and a duplicate id reaches the form.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';

import type { DispatchRecord } from '../../src/emulator/index.js';
import { launchBrowser } from '../support/browser.js';
import {
  type CloudTasksExample,
  decodeBearerClaims,
  QUEUE,
  QUEUE_PATH,
  readStoredReport,
  SERVICE_ACCOUNT,
  startCloudTasksExample,
} from '../support/cloud-tasks.js';
import { type ExamplePage, openExamplePage, submitEmailForm, submitReportForm } from '../support/example-page.js';
import { repositoryRoot } from '../support/next-app.js';
import { exampleAuthorization, readOutboxEmail } from '../support/task-requests.js';

/** The screenshot of the page after the retry demo, kept in test-results/, which git ignores. */
const screenshotPath = path.join(repositoryRoot, 'test-results', 'cloud-tasks-example.png');

/** How long a dispatch may take to finish: the emulator dispatches at once, but `next start` may be slow on a busy machine. */
const DISPATCH_TIMEOUT_MS = 30_000;

/** gRPC status ALREADY_EXISTS, from the gRPC specification (doc/statuscodes.md). */
const ALREADY_EXISTS = 6;

let example: CloudTasksExample | undefined;
let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;
let openPage: Page | undefined;

beforeAll(async () => {
  // The test's own CloudTasksClient must not look for the GCE metadata server either.
  vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
  example = await startCloudTasksExample();
  browser = await launchBrowser();
});

afterEach(async () => {
  await openPage?.close();
  openPage = undefined;
});

afterAll(async () => {
  await browser?.close();
  await example?.stop();
  vi.unstubAllEnvs();
});

function running(): CloudTasksExample {
  if (example === undefined) throw new Error('the example app did not start');
  return example;
}

async function openHomePage(): Promise<ExamplePage> {
  if (browser === undefined) throw new Error('the browser did not start');
  const opened = await openExamplePage(browser.context, running().app.url);
  openPage = opened.page;
  return opened;
}

/** Waits until the task with `taskId` has a successful dispatch, and returns its attempts in order. */
async function waitForSuccess(taskId: string): Promise<DispatchRecord[]> {
  const all = await running().emulator.waitForDispatches(
    (dispatches) => dispatches.some((dispatch) => dispatch.taskId === taskId && dispatch.ok),
    DISPATCH_TIMEOUT_MS,
  );
  return all.filter((dispatch) => dispatch.taskId === taskId);
}

describe('example app on Cloud Tasks emulator', () => {
  test('form email runs through emulator', async () => {
    const { app, emulator, dataDir } = running();
    const { page, errors } = await openHomePage();
    const subject = `Über Cloud Tasks ☁️ ${randomUUID()}`;

    const form = await submitEmailForm(page, { subject });
    await form.getByRole('status').waitFor();
    const taskId = (await page.getByTestId('task-id').textContent()) ?? '';
    const attempts = await waitForSuccess(taskId);

    // The server action's enqueue created the task in the emulator's queue.
    const created = emulator.createdTasks().find((record) => record.name === `${QUEUE_PATH}/tasks/${taskId}`);
    const httpRequest = created?.task.httpRequest as
      | { url: string; httpMethod: string; oidcToken: { serviceAccountEmail: string; audience: string } }
      | undefined;
    expect(created?.parent).toBe(QUEUE_PATH);
    expect(created?.error).toBeUndefined();
    expect(httpRequest?.url).toBe(`${app.url}/api/tasks/send-email`);
    expect(httpRequest?.httpMethod).toBe('POST');
    expect(httpRequest?.oidcToken.serviceAccountEmail).toBe(SERVICE_ACCOUNT);
    expect(httpRequest?.oidcToken.audience).toBe(app.url);

    // One dispatch, with a bearer token for that account and audience, which the app accepted.
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.status).toBe(200);
    expect(attempts[0]?.url).toBe(`${app.url}/api/tasks/send-email`);
    expect(attempts[0]?.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = decodeBearerClaims(attempts[0]?.headers.authorization);
    expect(claims.aud).toBe(app.url);
    expect(claims.email).toBe(SERVICE_ACCOUNT);

    // The task ran under the id the emulator sent, and the page lists its email.
    expect((await readOutboxEmail(dataDir, taskId))?.subject).toBe(subject);
    const email = page.getByTestId('outbox-email').filter({ hasText: subject });
    await email.waitFor({ timeout: DISPATCH_TIMEOUT_MS });
    expect(await email.locator('.meta').textContent()).toContain(`task ${taskId}`);
    expect(await page.locator('main > p').first().textContent()).toContain('on Cloud Tasks');
    expect(errors).toEqual([]);
  });

  test('flaky report succeeds on attempt 3', async () => {
    const { dataDir } = running();
    const { page, errors } = await openHomePage();

    const taskId = await submitReportForm(page, 2);
    const attempts = await waitForSuccess(taskId);

    expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
    expect(attempts.map((attempt) => attempt.status)).toEqual([500, 500, 200]);

    // The task counted its own runs in the report file and recorded what the app read from the queue.
    const report = await readStoredReport(dataDir, taskId);
    const lastAttempt = attempts[2];
    expect(report?.runs.map((run) => run.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    expect(report?.runs.map((run) => run.attempt)).toEqual([1, 2, 3]);
    expect(report?.runs[2]?.executionCount).toBe(Number(lastAttempt?.headers['x-cloudtasks-taskexecutioncount']));
    expect(report?.runs[2]?.queueName).toBe(lastAttempt?.headers['x-cloudtasks-queuename']);
    expect(report?.runs[2]?.queueName).toBe(QUEUE);
    expect(report?.summary).toBeDefined();

    const reportEntry = page.locator(`[data-task-id="${taskId}"]`);
    await reportEntry.filter({ hasText: 'succeeded' }).waitFor({ timeout: DISPATCH_TIMEOUT_MS });
    expect(await reportEntry.locator('li').allTextContents()).toEqual([
      expect.stringMatching(/^failed at .* · attempt 1 · queue example-tasks, execution count 0$/),
      expect.stringMatching(/^failed at .* · attempt 2 · queue example-tasks, execution count 0$/),
      expect.stringMatching(/^succeeded at .* · attempt 3 · queue example-tasks, execution count 0$/),
    ]);
    expect(await page.getByText('Cloud Tasks does not count attempts that got a 5xx response').count()).toBe(1);

    await mkdir(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(errors).toEqual([]);
  });

  test('duplicate task id shows duplicate_task', async () => {
    const { emulator, dataDir } = running();
    const { page, errors } = await openHomePage();
    const taskId = `welcome-${randomUUID()}`;

    const form = await submitEmailForm(page, { subject: 'Welcome, first try', id: taskId });
    await form.getByRole('status').waitFor();
    expect(await page.getByTestId('task-id').textContent()).toBe(taskId);
    await waitForSuccess(taskId);

    await submitEmailForm(page, { subject: 'Welcome, second try', id: taskId });
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-error-code')).toBe('duplicate_task');
    expect(await alert.textContent()).toContain(`Task id "${taskId}" is already used in queue ${QUEUE_PATH}`);
    // The form keeps the values, so the user can pick another id.
    expect(await page.getByLabel('Task id').inputValue()).toBe(taskId);
    expect(await page.getByLabel('Subject').inputValue()).toBe('Welcome, second try');

    // The emulator rejected the second CreateTask, and only the first email was sent.
    const requests = emulator.createdTasks().filter((record) => record.task.name === `${QUEUE_PATH}/tasks/${taskId}`);
    expect(requests.map((record) => record.error?.code)).toEqual([undefined, ALREADY_EXISTS]);
    expect((await readOutboxEmail(dataDir, taskId))?.subject).toBe('Welcome, first try');
    expect(emulator.dispatches().filter((dispatch) => dispatch.taskId === taskId)).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  // Runs after the tests above on purpose: none of their requests may have reached the trap.
  test('docs take basic auth under OIDC', async () => {
    const documentUrl = `${running().app.url}/api/tasks/openapi.json`;

    const withBasic = await fetch(documentUrl, { headers: { authorization: exampleAuthorization } });
    const withoutCredentials = await fetch(documentUrl);

    expect(withBasic.status).toBe(200);
    expect(withoutCredentials.status).toBe(401);
  });

  test('metadata server sees no request', () => {
    expect(running().metadataTrap.requests).toEqual([]);
  });
});
