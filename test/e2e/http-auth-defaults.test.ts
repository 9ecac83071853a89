// Authentication of the task endpoints when TASKS_API_AUTHENTICATION is empty or `none`, over
// real HTTP against `next start`. Both values come from the server's environment, which Next.js
// 16 lets win over example-app/.env even when the value is empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signWebhookBody } from '../../example-app/lib/webhook-signature.js';
import { exampleAppDir, type RunningNextApp, startNextApp } from '../support/next-app.js';
import {
  callTask,
  createDataDir,
  exampleWebhookSecret,
  readContacts,
  readErrorBody,
} from '../support/task-requests.js';

const validEmail = { subject: 'Hello', content: 'Hello there.', recipients: ['ada@example.com'] };

/** Starts the example app with `TASKS_API_AUTHENTICATION` set to `authentication`. */
async function startWithAuthentication(authentication: string) {
  const dataDir = await createDataDir();
  const app = await startNextApp(exampleAppDir, {
    env: {
      EXAMPLE_DATA_DIR: dataDir.dir,
      TASKS_API_AUTHENTICATION: authentication,
      TASKS_BASIC_AUTH_USERNAME: undefined,
      TASKS_BASIC_AUTH_PASSWORD: undefined,
      EXAMPLE_WEBHOOK_SECRET: undefined,
      TASKS_BACKEND: undefined,
      SMTP_URL: undefined,
    },
  });
  return { app, dataDir };
}

describe('TASKS_API_AUTHENTICATION empty', () => {
  let app: RunningNextApp;
  let dataDir: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    ({ app, dataDir } = await startWithAuthentication(''));
  });

  afterAll(async () => {
    await app?.stop();
    await dataDir?.remove();
  });

  // These credentials would pass if example-app/.env applied, so a 401 shows that the empty value won.
  const calls = [
    { task: 'send-email', body: validEmail, authorization: undefined, case: 'with valid basic credentials' },
    { task: 'send-email', body: validEmail, authorization: null, case: 'without credentials' },
    { task: 'import-contacts', body: { csv: 'Ada,ada@example.com' }, authorization: undefined, case: 'for valibot' },
  ];
  for (const call of calls) {
    it(`returns 401 for ${call.task} ${call.case}`, async () => {
      const response = await callTask(app.url, call.task, { body: call.body, authorization: call.authorization });

      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('www-authenticate')).toBe('Custom realm="tasks"');
      const error = await readErrorBody(response);
      expect(error.code).toBe('unauthorized');
      expect(error.message).toContain('TASKS_API_AUTHENTICATION');
    });
  }

  it('runs no task while rejecting', async () => {
    expect(await readContacts(dataDir.dir)).toEqual([]);
  });

  it('logs the missing setting once', () => {
    const warnings = app.logs().match(/no authentication is configured/g) ?? [];

    expect(warnings).toHaveLength(1);
  });

  it('keeps the per-task authentication of receive-webhook', async () => {
    const raw = JSON.stringify({ type: 'ping' });

    const response = await callTask(app.url, 'receive-webhook', {
      body: raw,
      authorization: null,
      headers: { 'x-webhook-signature': signWebhookBody(raw, exampleWebhookSecret) },
    });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: unknown }).result).toEqual({ received: 'ping', fields: 0 });
  });
});

describe('TASKS_API_AUTHENTICATION=none', () => {
  let app: RunningNextApp;
  let dataDir: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    ({ app, dataDir } = await startWithAuthentication('none'));
  });

  afterAll(async () => {
    await app?.stop();
    await dataDir?.remove();
  });

  it('runs send-email without credentials', async () => {
    const response = await callTask(app.url, 'send-email', { body: validEmail, authorization: null });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: unknown }).result).toEqual({ delivered: 1 });
  });

  it('runs import-contacts without credentials', async () => {
    const response = await callTask(app.url, 'import-contacts', {
      body: { csv: 'Ada,ada@example.com' },
      authorization: null,
    });

    expect(response.status).toBe(200);
    expect(await readContacts(dataDir.dir)).toEqual([{ name: 'Ada', email: 'ada@example.com' }]);
  });

  it('accepts wrong basic credentials', async () => {
    const response = await callTask(app.url, 'send-email', {
      body: validEmail,
      authorization: 'Basic d3Jvbmc6d3Jvbmc=',
    });

    expect(response.status).toBe(200);
  });

  it('warns that authentication is disabled', () => {
    expect(app.logs()).toContain('authentication of task endpoints is disabled');
  });

  it('still checks the receive-webhook signature', async () => {
    const response = await callTask(app.url, 'receive-webhook', {
      body: JSON.stringify({ type: 'ping' }),
      authorization: null,
    });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Custom realm="tasks"');
    expect((await readErrorBody(response)).code).toBe('unauthorized');
  });
});
