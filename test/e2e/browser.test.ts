// The example app in a real browser. The form's server action enqueues the send-email task on
// the in-process backend, and the email is listed in the outbox after one of the page's refreshes.
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import { launchBrowser } from '../support/browser.js';
import { exampleAppDir, type RunningNextApp, repositoryRoot, startNextApp } from '../support/next-app.js';

/** The screenshot of the outbox, kept as a test artefact in test-results/, which git ignores. */
const screenshotPath = path.join(repositoryRoot, 'test-results', 'browser-outbox.png');

/**
 * The page refreshes every second, so an email that ran is listed within a few seconds. The
 * 20 s limit leaves room for a slow machine.
 */
const OUTBOX_TIMEOUT_MS = 20_000;

let app: RunningNextApp | undefined;
let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;
let dataDir: string | undefined;
let openPage: Page | undefined;
/** Uncaught errors and console errors of the current page, which a passing test must not have. */
let pageErrors: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ngt-example-data-'));
  // SMTP_URL is removed so that the task writes to the outbox and never connects to a mail server.
  // TASKS_DEBUG=1 prints the in-process backend's debug line, which records whether after() kept the run alive.
  app = await startNextApp(exampleAppDir, {
    env: { EXAMPLE_DATA_DIR: dataDir, SMTP_URL: undefined, TASKS_DEBUG: '1' },
  });
  browser = await launchBrowser();
});

afterEach(async () => {
  await openPage?.close();
  openPage = undefined;
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** Opens the home page in a new tab and records the errors it reports. */
async function openHomePage(): Promise<Page> {
  if (browser === undefined || app === undefined) throw new Error('the browser or the app did not start');

  pageErrors = [];
  const page = await browser.context.newPage();
  openPage = page;
  page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium may request /favicon.ico by itself, although the app declares an SVG icon, so that 404 is expected.
    const source = message.location().url;
    if (source.endsWith('/favicon.ico')) return;
    pageErrors.push(`console error: ${message.text()} (${source})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) pageErrors.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  await page.goto(app.url);
  // Next.js 16.5 inserts its route announcer from an effect, so the element exists once the page has hydrated.
  // Clicking earlier would submit the form as a plain HTML POST instead of calling the server action from React.
  await page.locator('next-route-announcer').waitFor({ state: 'attached' });
  return page;
}

async function fillForm(page: Page, values: { subject: string; recipients: string; content: string }): Promise<void> {
  await page.getByLabel('Subject').fill(values.subject);
  await page.getByLabel('Recipients').fill(values.recipients);
  await page.getByLabel('Content').fill(values.content);
}

/** Reads every email that the send-email task stored under EXAMPLE_DATA_DIR. */
async function readStoredEmails(): Promise<Array<{ id: string; subject: string; recipients: string[] }>> {
  if (dataDir === undefined) throw new Error('the data folder was not created');

  const outboxDir = path.join(dataDir, 'outbox');
  const names = await readdir(outboxDir).catch(() => [] as string[]);
  return Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => JSON.parse(await readFile(path.join(outboxDir, name), 'utf8'))),
  );
}

/** Resolves once the page has finished two of its once-a-second refreshes (RSC requests). */
async function waitForTwoRefreshes(page: Page): Promise<void> {
  for (let refresh = 0; refresh < 2; refresh += 1) {
    await page.waitForResponse((response) => response.request().headers().rsc === '1', { timeout: 10_000 });
  }
}

describe('example app in Chromium', () => {
  test('enqueued email appears in outbox', async () => {
    const page = await openHomePage();
    const subject = `Grüße ☕ 🚀 日本語 ${Date.now()}`;
    const content = 'Zeile eins: äöü ß\nline two: naïve café, 日本語のテキスト ✉️';

    await fillForm(page, { subject, recipients: 'ada@example.com, grace@example.com', content });
    await page.getByRole('button', { name: 'Enqueue email' }).click();

    await page.locator('form').getByRole('status').waitFor();
    const taskId = (await page.getByTestId('task-id').textContent()) ?? '';
    expect(taskId).toMatch(/^[A-Za-z0-9_-]+$/);

    const email = page.getByTestId('outbox-email').filter({ hasText: subject });
    await email.waitFor({ timeout: OUTBOX_TIMEOUT_MS });
    expect(await email.count()).toBe(1);
    expect(await email.locator('strong').textContent()).toBe(subject);
    expect(await email.locator('.meta').textContent()).toContain('to ada@example.com, grace@example.com');
    expect(await email.locator('.meta').textContent()).toContain(`task ${taskId}`);
    // Chromium submits a textarea's line breaks as CRLF, and the app stores them as submitted.
    expect(await email.locator('pre').textContent()).toBe(content.replaceAll('\n', '\r\n'));

    // The file the task wrote contains the same text, so the server action and the task changed nothing.
    const stored = (await readStoredEmails()).find((entry) => entry.id === taskId);
    expect(stored?.subject).toBe(subject);
    expect(stored?.recipients).toEqual(['ada@example.com', 'grace@example.com']);

    // Enqueued from a server action, the run is registered with Next.js after(), which keeps serverless hosts alive.
    expect(app?.logs()).toMatch(
      new RegExp(`task scheduled in process task=send-email id=${taskId} .*keptAliveByNextAfter=true`),
    );

    await mkdir(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  test('delayed email appears after delay', async () => {
    const page = await openHomePage();
    const subject = `Später ⏰ ${Date.now()}`;

    await fillForm(page, { subject, recipients: 'ada@example.com', content: 'Sent five seconds later.' });
    await page.getByRole('combobox', { name: /^Send/ }).selectOption('5');
    const submittedAt = Date.now();
    await page.getByRole('button', { name: 'Enqueue email' }).click();

    await page.locator('form').getByRole('status').waitFor();
    const taskId = (await page.getByTestId('task-id').textContent()) ?? '';
    expect((await readStoredEmails()).map((email) => email.id)).not.toContain(taskId);

    const email = page.getByTestId('outbox-email').filter({ hasText: subject });
    await email.waitFor({ timeout: 5_000 + OUTBOX_TIMEOUT_MS });
    expect(Date.now() - submittedAt).toBeGreaterThanOrEqual(5_000);
    expect(await email.locator('.meta').textContent()).toContain(`task ${taskId}`);
    expect(pageErrors).toEqual([]);
  });

  test.each([
    {
      case: 'invalid recipient',
      values: { subject: 'Invalid recipient', recipients: 'not-an-email', content: 'Never sent.' },
      message: 'recipients.0: Enter valid email addresses',
    },
    {
      case: 'one invalid recipient of two',
      values: { subject: 'Half invalid', recipients: 'ada@example.com, not-an-email', content: 'Never sent.' },
      message: 'recipients.1: Enter valid email addresses',
    },
    {
      // The input's `required` attribute lets spaces through, so the task schema's trim().min(1) rejects them.
      case: 'blank subject',
      values: { subject: '   ', recipients: 'ada@example.com', content: 'Never sent.' },
      message: 'subject: Enter a subject',
    },
  ])('$case shows validation error', async ({ values, message }) => {
    const page = await openHomePage();
    const emailsBefore = await page.getByTestId('outbox-email').count();
    const storedBefore = (await readStoredEmails()).length;

    await fillForm(page, values);
    await page.getByRole('button', { name: 'Enqueue email' }).click();

    // Scoped to the form: Next.js adds its own role="alert" element for route announcements.
    const form = page.locator('form');
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.locator('li').allTextContents()).toEqual([message]);
    expect(await form.getByRole('status').count()).toBe(0);
    // The form shows the rejected values again, so the user can correct them.
    expect(await form.locator('input[name="recipients"]').inputValue()).toBe(values.recipients);
    expect(await form.locator('input[name="subject"]').inputValue()).toBe(values.subject);

    // An enqueued task would run at once, so after two refreshes its email would be listed.
    await waitForTwoRefreshes(page);
    expect(await page.getByTestId('outbox-email').count()).toBe(emailsBefore);
    expect((await readStoredEmails()).length).toBe(storedBefore);
    expect(pageErrors).toEqual([]);
  });
});
