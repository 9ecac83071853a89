// The example app's home page in Chromium: opening it ready for input, and its forms.
import type { BrowserContext, Locator, Page } from 'playwright-core';

/** An open home page and the errors it reported, which a passing test must not have. */
export interface ExamplePage {
  readonly page: Page;
  /** Uncaught errors and console errors so far. */
  readonly errors: string[];
}

/** Opens the example's home page in a new tab, records the errors it reports, and waits until it has hydrated. */
export async function openExamplePage(context: BrowserContext, url: string): Promise<ExamplePage> {
  const errors: string[] = [];
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium may request /favicon.ico by itself, although the app declares an SVG icon, so that 404 is expected.
    const source = message.location().url;
    if (source.endsWith('/favicon.ico')) return;
    errors.push(`console error: ${message.text()} (${source})`);
  });
  await page.goto(url);
  // Next.js inserts its route announcer once the page has hydrated; an earlier click would submit plain HTML.
  await page.locator('next-route-announcer').waitFor({ state: 'attached' });
  return { page, errors };
}

/**
 * Fills and submits the send-email form, and returns the form. Fields left out keep their values;
 * `delaySeconds` picks one of the form's delays (0, 5 or 30).
 */
export async function submitEmailForm(
  page: Page,
  values: { subject?: string; id?: string; delaySeconds?: 0 | 5 | 30 },
): Promise<Locator> {
  const form = page.locator('form').filter({ has: page.getByLabel('Subject') });
  if (values.subject !== undefined) await form.getByLabel('Subject').fill(values.subject);
  if (values.id !== undefined) await form.getByLabel('Task id').fill(values.id);
  if (values.delaySeconds !== undefined) {
    await form.getByRole('combobox', { name: /^Send/ }).selectOption(String(values.delaySeconds));
  }
  await form.getByRole('button', { name: 'Enqueue email' }).click();
  return form;
}

/** Submits the retry demo's form with the number of runs that fail on purpose, and resolves to the task id. */
export async function submitReportForm(page: Page, failures: 0 | 1 | 2 | 3): Promise<string> {
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Enqueue report' }) });
  const taskId = form.getByTestId('report-task-id');
  const previousId = (await taskId.count()) === 0 ? undefined : await taskId.textContent();

  await form.getByLabel('Runs that fail on purpose').selectOption(String(failures));
  await form.getByRole('button', { name: 'Enqueue report' }).click();

  // A second submission on the same page replaces the id that is already shown.
  const deadline = Date.now() + 30_000;
  for (;;) {
    await taskId.waitFor({ timeout: Math.max(deadline - Date.now(), 1) });
    const id = await taskId.textContent();
    if (id !== null && id !== previousId) return id;
    if (Date.now() > deadline) throw new Error('the report form showed no new task id within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
