// The example's retry demo and task id field on its default, the in-process backend. That backend
// runs each task once, and it keeps a task's id only while the task waits or runs.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import { launchBrowser } from '../support/browser.js';
import { readStoredReport } from '../support/cloud-tasks.js';
import { type ExamplePage, openExamplePage, submitEmailForm, submitReportForm } from '../support/example-page.js';
import { exampleAppDir, type RunningNextApp, startNextApp, waitFor } from '../support/next-app.js';
import { createDataDir, readOutboxEmail } from '../support/task-requests.js';

let app: RunningNextApp | undefined;
let data: { dir: string; remove: () => Promise<void> } | undefined;
let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;
let openPage: Page | undefined;

beforeAll(async () => {
  data = await createDataDir();
  app = await startNextApp(exampleAppDir, { env: { EXAMPLE_DATA_DIR: data.dir, SMTP_URL: undefined } });
  browser = await launchBrowser();
});

afterEach(async () => {
  await openPage?.close();
  openPage = undefined;
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await data?.remove();
});

async function openHomePage(): Promise<ExamplePage> {
  if (browser === undefined || app === undefined) throw new Error('the browser or the app did not start');
  const opened = await openExamplePage(browser.context, app.url);
  openPage = opened.page;
  return opened;
}

function dataDir(): string {
  if (data === undefined) throw new Error('the data folder was not created');
  return data.dir;
}

/** Resolves once the page has finished two of its once-a-second refreshes (RSC requests). */
async function waitForTwoRefreshes(page: Page): Promise<void> {
  for (let refresh = 0; refresh < 2; refresh += 1) {
    await page.waitForResponse((response) => response.request().headers().rsc === '1', { timeout: 10_000 });
  }
}

describe('example demos on in-process backend', () => {
  test('flaky report is not retried', async () => {
    const { page, errors } = await openHomePage();

    const taskId = await submitReportForm(page, 2);
    const report = await waitFor(() => readStoredReport(dataDir(), taskId));
    // A retry would start within the two seconds of two refreshes; the in-process backend starts none.
    await waitForTwoRefreshes(page);

    expect((await readStoredReport(dataDir(), taskId))?.runs).toHaveLength(1);
    expect(report.runs[0]?.outcome).toBe('failed');
    expect(report.runs[0]?.attempt).toBe(1);
    expect(report.runs[0]?.queueName).toBeUndefined();
    expect(await page.locator(`[data-task-id="${taskId}"] strong`).textContent()).toBe('Not built yet after 1 run(s)');
    expect(await page.getByText('The in-process backend runs each task once').count()).toBe(1);
    expect(await page.getByText('The execution count stays 0').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test('report without failures succeeds', async () => {
    const { page, errors } = await openHomePage();

    const taskId = await submitReportForm(page, 0);
    const reportEntry = page.locator(`[data-task-id="${taskId}"]`);
    await reportEntry.filter({ hasText: 'succeeded' }).waitFor();

    expect(await reportEntry.locator('li').allTextContents()).toEqual([
      expect.stringMatching(/^succeeded at .* · attempt 1$/),
    ]);
    expect((await readStoredReport(dataDir(), taskId))?.summary).toBeDefined();
    expect(errors).toEqual([]);
  });

  test('id of waiting task is duplicate', async () => {
    const { page, errors } = await openHomePage();
    const taskId = `welcome-${Date.now()}`;

    // Delayed by 5 s, so the first task still waits when the second submission arrives.
    const form = await submitEmailForm(page, { subject: 'Welcome, first try', id: taskId, delaySeconds: 5 });
    await form.getByRole('status').waitFor();
    await submitEmailForm(page, { subject: 'Welcome, second try', id: taskId, delaySeconds: 5 });
    const alert = form.getByRole('alert');
    await alert.waitFor();

    expect(await alert.getAttribute('data-error-code')).toBe('duplicate_task');
    expect(await alert.textContent()).toContain(`A task with id "${taskId}" is already scheduled or running`);
    const email = await waitFor(() => readOutboxEmail(dataDir(), taskId), 20_000);
    expect(email.subject).toBe('Welcome, first try');
    expect(errors).toEqual([]);
  });

  test('invalid task id shows error', async () => {
    const { page, errors } = await openHomePage();

    const form = await submitEmailForm(page, { subject: 'Never sent', id: 'not valid!' });
    const alert = form.getByRole('alert');
    await alert.waitFor();

    expect(await alert.getAttribute('data-error-code')).toBe('invalid_enqueue_options');
    expect(await alert.textContent()).toContain('Invalid task id "not valid!"');
    expect(await form.getByLabel('Task id').inputValue()).toBe('not valid!');
    expect(errors).toEqual([]);
  });
});
