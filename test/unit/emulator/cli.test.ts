// `next-generic-tasks emulator` through the built bin (dist/cli/index.js), as a user runs it.
// `npm test` builds the library first; when running this file alone, run `npm run build` before.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { connectClient, queuePath } from './support.js';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const bin = path.join(repositoryRoot, 'dist/cli/index.js');

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

beforeAll(() => {
  if (!existsSync(path.join(repositoryRoot, 'dist/emulator/index.js'))) {
    throw new Error(
      `The CLI tests run the built bin, and ${bin} or dist/emulator is missing: run \`npm run build\` first.`,
    );
  }
});

function runCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [bin, 'emulator', ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, METADATA_SERVER_DETECTION: 'none' },
  });
}

function finished(child: ChildProcess, output: { stdout: string; stderr: string }): Promise<Finished> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve({ code, ...output }));
  });
}

function collect(child: ChildProcess): { stdout: string; stderr: string } {
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  return output;
}

async function runToEnd(args: string[]): Promise<Finished> {
  const child = runCli(args);
  return finished(child, collect(child));
}

/** Starts the emulator and resolves once its banner is printed, with the two environment values it prints. */
async function startCli(args: string[]) {
  const child = runCli(args);
  const output = collect(child);
  const exit = finished(child, output);

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`No banner within 10 s. Output so far:\n${output.stdout}${output.stderr}`)),
      10_000,
    );
    child.stdout?.on('data', () => {
      if (!output.stdout.includes('Press Ctrl+C')) return;
      clearTimeout(timer);
      resolve();
    });
  });

  const grpcAddress = /CLOUD_TASKS_EMULATOR_HOST=(\S+)/.exec(output.stdout)?.[1] ?? '';
  const certsUrl = /TASKS_OIDC_CERTS_URL=(\S+)/.exec(output.stdout)?.[1] ?? '';
  return { child, output, exit, grpcAddress, certsUrl };
}

describe('emulator CLI', () => {
  it('--help documents options, defaults and variables', async () => {
    const result = await runToEnd(['--help']);

    expect(result.code).toBe(0);
    for (const option of ['--host', '--port', '--http-port', '--issuer', '--queue', '--help']) {
      expect(result.stdout, option).toContain(option);
    }
    for (const fallback of [
      'Default: 127.0.0.1',
      'Default: 8123',
      'Default: 8124',
      'Default: https://accounts.google.com',
    ]) {
      expect(result.stdout, fallback).toContain(fallback);
    }
    expect(result.stdout).toContain('CLOUD_TASKS_EMULATOR_HOST=127.0.0.1:8123');
    expect(result.stdout).toContain('TASKS_OIDC_CERTS_URL=http://127.0.0.1:8124/certs');
  });

  it('rejects invalid options with exit code 2', async () => {
    const cases: Array<[string[], string]> = [
      [['--port', 'abc'], '--port "abc" is not a port'],
      [['--http-port', '70000'], '--http-port "70000" is not a port'],
      [['--queue', 'projects/demo/queues/q'], 'Invalid --queue'],
      [['--issuer', ''], '--issuer'],
      [['--bogus'], "Unknown option '--bogus'"],
      [['positional'], 'positional'],
      [['--port'], '--port'],
    ];

    for (const [args, message] of cases) {
      const result = await runToEnd(args);

      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(result.stderr, args.join(' ')).toContain('--help');
    }
  });

  it('starts, serves a client and stops on SIGTERM', async () => {
    const queue = queuePath('cli');
    const cli = await startCli(['--port', '0', '--http-port', '0', '--queue', queue]);

    const [host = '', port = ''] = cli.grpcAddress.split(':');
    const client = connectClient(host, Number(port));
    const [found] = await client.getQueue({ name: queue });
    await client.close();
    const certs = await fetch(cli.certsUrl);

    cli.child.kill('SIGTERM');
    const result = await cli.exit;

    expect(host).toBe('127.0.0.1');
    expect(found.name).toBe(queue);
    expect(certs.status).toBe(200);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Received SIGTERM');
    expect(result.stdout).toContain('Cloud Tasks emulator stopped');
  });

  it('stops on SIGINT', async () => {
    const cli = await startCli(['--port', '0', '--http-port', '0']);

    cli.child.kill('SIGINT');
    const result = await cli.exit;

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Received SIGINT');
  });

  it.each([
    ['gRPC', '--port', (port: number) => ['--port', String(port), '--http-port', '0']],
    ['HTTP', '--http-port', (port: number) => ['--port', '0', '--http-port', String(port)]],
  ])('exits 1 when the %s port is taken', async (_protocol, flag, args) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };

    try {
      const result = await runToEnd(args(port));

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('could not start');
      expect(result.stderr).toContain(String(port));
      expect(result.stderr).toContain(`Set ${flag} to another port`);
      expect(result.stderr).not.toContain('option');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
