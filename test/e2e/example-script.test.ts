// The README's first quick-start command, `npm run example`: it starts the example app with
// `next dev` on loopback only, and the README's curl call works against it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  exampleAppDir,
  freePort,
  quietNextEnv,
  repositoryRoot,
  saveGeneratedFiles,
  waitFor,
} from '../support/next-app.js';

describe('npm run example', () => {
  let child: ChildProcess;
  let output = '';
  let port: number;
  let dataDir: string;
  let restoreGeneratedFiles: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    restoreGeneratedFiles = await saveGeneratedFiles(exampleAppDir);
    port = await freePort();
    dataDir = await mkdtemp(path.join(tmpdir(), 'ngt-example-script-'));
    child = spawn(process.execPath, [path.join(repositoryRoot, 'scripts/example.mjs')], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        ...quietNextEnv,
        PORT: String(port),
        EXAMPLE_DATA_DIR: dataDir,
        NEXT_DIST_DIR: '.next-example-script',
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
      const response = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    }, 120_000);
  });

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
    await restoreGeneratedFiles();
  });

  it('serves the README curl example', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/tasks/import-contacts`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('example:example-password').toString('base64')}`,
      },
      body: JSON.stringify({ csv: 'Ada Lovelace,ada@example.com' }),
    });

    expect(response.status).toBe(200);
    expect((await response.json()).result).toEqual({ imported: 1, total: 1 });
  });

  it('listens on loopback only', () => {
    const networkLine = output.split('\n').find((line) => line.includes('Network:'));

    expect(output).toContain(`http://localhost:${port}`);
    expect(networkLine ?? '').not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);
  });
});
