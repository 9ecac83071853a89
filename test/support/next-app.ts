// Building and starting real Next.js apps for end-to-end tests, on free loopback ports.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

/** The repository root. */
export const repositoryRoot = path.resolve(import.meta.dirname, '../..');

/** The example app's folder. */
export const exampleAppDir = path.join(repositoryRoot, 'example-app');

/** Environment for every `next` process: no telemetry, no metadata-server probing. */
export const quietNextEnv: Record<string, string> = {
  NEXT_TELEMETRY_DISABLED: '1',
  METADATA_SERVER_DETECTION: 'none',
};

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function nextBin(appDir: string): string {
  return createRequire(path.join(appDir, 'package.json')).resolve('next/dist/bin/next');
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...quietNextEnv, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code} in ${options.cwd}:\n${output}`));
    });
  });
}

/**
 * Saves files that `next build` and `next dev` change in the app folder, and returns a function
 * that puts them back as they were: it rewrites a changed file and deletes one that was absent.
 * Both commands add the type folders of their distDir to tsconfig.json and reformat it, and
 * `next dev` of Next.js 16.5 writes AGENTS.md, so a test run would otherwise leave the work tree changed.
 */
export async function saveGeneratedFiles(appDir: string): Promise<() => Promise<void>> {
  const files = ['tsconfig.json', 'AGENTS.md'].map((name) => path.join(appDir, name));
  const originals = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => undefined)));
  return async () => {
    for (const [index, file] of files.entries()) {
      const original = originals[index];
      const current = await readFile(file, 'utf8').catch(() => undefined);
      if (current === original) continue;
      if (original === undefined) await rm(file, { force: true });
      else await writeFile(file, original, 'utf8');
    }
  };
}

/** Runs `next build` in `appDir`, leaving its tsconfig.json as it was. */
export async function buildNextApp(
  appDir: string,
  options: { env?: Record<string, string>; args?: string[] } = {},
): Promise<string> {
  const restoreGeneratedFiles = await saveGeneratedFiles(appDir);
  try {
    return await runCommand(process.execPath, [nextBin(appDir), 'build', ...(options.args ?? [])], {
      cwd: appDir,
      env: options.env,
    });
  } finally {
    await restoreGeneratedFiles();
  }
}

/** A running Next.js server. */
export interface RunningNextApp {
  /** Base URL, for example `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Everything the server printed so far. */
  logs(): string;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `next start` (or `next dev`) in `appDir` on a loopback port and waits until it responds
 * to HTTP. The port is `options.port`, for an app that must know its own URL in advance, else a
 * free one. The files that a `next dev` server generates or changes are restored when it stops.
 */
export async function startNextApp(
  appDir: string,
  options: {
    env?: Record<string, string | undefined>;
    mode?: 'start' | 'dev';
    args?: string[];
    port?: number;
  } = {},
): Promise<RunningNextApp> {
  // Restoring while `next dev` runs would make it restart, so the restore waits for the stop.
  const restoreGeneratedFiles = options.mode === 'dev' ? await saveGeneratedFiles(appDir) : async () => undefined;
  const port = options.port ?? (await freePort());
  const env: Record<string, string | undefined> = { ...process.env, ...quietNextEnv, ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];

  const child = spawn(
    process.execPath,
    [nextBin(appDir), options.mode ?? 'start', '-H', '127.0.0.1', '-p', String(port), ...(options.args ?? [])],
    { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(child);
    await restoreGeneratedFiles();
  };
  try {
    await waitUntilServing(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, logs: () => output, stop };
}

async function waitUntilServing(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next exited with ${child.exitCode} before serving:\n${logs()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await stopProcess(child);
  throw new Error(`next did not answer at ${url} within 90 s:\n${logs()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Polls `check` every 100 ms until it returns a value other than `undefined`, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
