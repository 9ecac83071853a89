// The route finds the tasks that instrumentation.ts registered under `next dev` and under a
// webpack build too. Each of them compiles instrumentation.ts and the route into separate module
// graphs, which is why the registry lives on globalThis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildNextApp, exampleAppDir, type RunningNextApp, startNextApp } from '../support/next-app.js';
import { callTask, createDataDir, readErrorBody, readOutboxEmail } from '../support/task-requests.js';

const validEmail = { subject: 'Hello', content: 'Hello there.', recipients: ['ada@example.com'] };

/** Environment of the example app: `.env` credentials, a fresh data folder and the given build folder. */
function exampleEnv(dataDir: string, distDir: string): Record<string, string | undefined> {
  return {
    EXAMPLE_DATA_DIR: dataDir,
    NEXT_DIST_DIR: distDir,
    TASKS_API_AUTHENTICATION: undefined,
    TASKS_BASIC_AUTH_USERNAME: undefined,
    TASKS_BASIC_AUTH_PASSWORD: undefined,
    TASKS_BACKEND: undefined,
    SMTP_URL: undefined,
  };
}

describe('next dev', () => {
  let app: RunningNextApp;
  let dataDir: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    dataDir = await createDataDir();
    app = await startNextApp(exampleAppDir, { mode: 'dev', env: exampleEnv(dataDir.dir, '.next-http-dev') });
  });

  afterAll(async () => {
    await app?.stop();
    await dataDir?.remove();
  });

  it('runs send-email registered by instrumentation.ts', async () => {
    const response = await callTask(app.url, 'send-email', { body: validEmail });

    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    expect(await readOutboxEmail(dataDir.dir, id)).toMatchObject(validEmail);
  });

  it('returns 404 for an unknown task', async () => {
    const response = await callTask(app.url, 'no-such-task', { body: {} });

    expect(response.status).toBe(404);
    expect((await readErrorBody(response)).code).toBe('task_not_found');
  });
});

describe('next build --webpack', () => {
  const distDir = '.next-http-webpack';
  let app: RunningNextApp;
  let dataDir: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    await buildNextApp(exampleAppDir, { args: ['--webpack'], env: { NEXT_DIST_DIR: distDir } });
    dataDir = await createDataDir();
    app = await startNextApp(exampleAppDir, { env: exampleEnv(dataDir.dir, distDir) });
  });

  afterAll(async () => {
    await app?.stop();
    await dataDir?.remove();
  });

  it('runs send-email registered by instrumentation.ts', async () => {
    const response = await callTask(app.url, 'send-email', { body: validEmail });

    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    expect(await readOutboxEmail(dataDir.dir, id)).toMatchObject(validEmail);
  });
});
