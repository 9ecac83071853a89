// `npm run example:cloud-tasks`: it starts the Cloud Tasks emulator and the example app with
// `next dev` on loopback, the form's email runs through the emulator with an OIDC token, and
// Ctrl+C (SIGINT to the process group) stops both.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchBrowser } from '../support/browser.js';
import { type RecordingServer, startMetadataTrap } from '../support/cloud-tasks.js';
import { openExamplePage, submitEmailForm } from '../support/example-page.js';
import {
  exampleAppDir,
  freePort,
  quietNextEnv,
  repositoryRoot,
  saveGeneratedFiles,
  waitFor,
} from '../support/next-app.js';
import { createDataDir, readOutboxEmail } from '../support/task-requests.js';

describe('npm run example:cloud-tasks', () => {
  let child: ChildProcess;
  let output = '';
  let appUrl: string;
  let data: { dir: string; remove: () => Promise<void> };
  let metadataTrap: RecordingServer;
  let restoreGeneratedFiles: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    restoreGeneratedFiles = await saveGeneratedFiles(exampleAppDir);
    metadataTrap = await startMetadataTrap();
    data = await createDataDir();
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    const metadataHost = new URL(metadataTrap.url).host;

    child = spawn(process.execPath, [path.join(repositoryRoot, 'scripts/example-cloud-tasks.mjs')], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        ...quietNextEnv,
        PORT: String(port),
        EXAMPLE_DATA_DIR: data.dir,
        NEXT_DIST_DIR: '.next-example-cloud-tasks-script',
        GCE_METADATA_HOST: metadataHost,
        GCE_METADATA_IP: metadataHost,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    await waitFor(async () => {
      const response = await fetch(appUrl).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    }, 120_000);
  });

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    await metadataTrap?.close();
    await data?.remove();
    await restoreGeneratedFiles();
  });

  /** Reads `NAME=value` style settings from the banner, such as the emulator's addresses. */
  function bannerValue(label: string): string {
    const match = new RegExp(`^\\s+${label}\\s+(\\S+)`, 'm').exec(output);
    if (match?.[1] === undefined) throw new Error(`no "${label}" line in the output:\n${output}`);
    return match[1];
  }

  it('prints where everything runs', async () => {
    const certsUrl = bannerValue('OIDC keys');
    const certs = await fetch(certsUrl);

    expect(bannerValue('gRPC API')).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(certsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/certs$/);
    expect(certs.status).toBe(200);
    expect(Object.keys(await certs.json())).toHaveLength(1);
    expect(bannerValue('queue')).toBe('projects/demo-project/locations/us-central1/queues/example-tasks');
    expect(output).toContain(`Example app, next dev on loopback only: ${appUrl}`);
  });

  it('form email runs through emulator', async () => {
    const browser: { context: BrowserContext; close: () => Promise<void> } = await launchBrowser();
    try {
      const { page, errors } = await openExamplePage(browser.context, appUrl);
      const form = await submitEmailForm(page, { subject: 'From npm run example:cloud-tasks' });
      await form.getByRole('status').waitFor({ timeout: 60_000 });
      const taskId = (await page.getByTestId('task-id').textContent()) ?? '';

      // `next dev` compiles the task route on its first call, so the first dispatch may take a while.
      const email = await waitFor(() => readOutboxEmail(data.dir, taskId), 90_000);

      expect(email.subject).toBe('From npm run example:cloud-tasks');
      expect(output).toMatch(
        new RegExp(
          `\\[emulator\\] Dispatched task task=\\S+/tasks/${taskId} url=${appUrl}/api/tasks/send-email .*status=200`,
        ),
      );
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('metadata server sees no request', () => {
    expect(metadataTrap.requests).toEqual([]);
  });

  // Runs last on purpose, because it stops what the tests above use.
  it('SIGINT stops app and emulator', async () => {
    const certsUrl = bannerValue('OIDC keys');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // Ctrl+C in a terminal sends SIGINT to the whole foreground process group.
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const code = await exited;

    expect(code).toBe(0);
    expect(output).toContain('[emulator] Cloud Tasks emulator stopped');
    await expect(fetch(certsUrl)).rejects.toThrow();
    await expect(fetch(appUrl)).rejects.toThrow();
  });
});
