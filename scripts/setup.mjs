// Shared steps of `npm test` and `npm run example`: install npm packages when they are missing
// or older than the lockfile, and build the library into dist/.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

export const repositoryRoot = path.resolve(import.meta.dirname, '..');

/** Environment for every child process: no telemetry, no metadata-server probing. */
export const quietEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  METADATA_SERVER_DETECTION: 'none',
  SCARF_ANALYTICS: 'false',
};

/** Runs a command with inherited output; exits this process when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: repositoryRoot, stdio: 'inherit', env: quietEnv, ...options });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(' ')} failed (exit code ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

/** Installs npm packages with `npm ci` unless node_modules is newer than package-lock.json. */
export function installPackages() {
  const marker = path.join(repositoryRoot, 'node_modules', '.package-lock.json');
  const lockfile = path.join(repositoryRoot, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs) return;

  console.log('Installing npm packages (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** Compiles src/ into dist/, which the example app and the packed package use. */
export function buildLibrary() {
  run('npm', ['run', 'build', '--silent']);
}

/**
 * Starts the example app with `next dev` on 127.0.0.1 and returns the child process. Loopback only,
 * because the example's task endpoints use demo credentials.
 */
export function startExampleDevServer(port, env) {
  const nextArguments = [
    path.join(repositoryRoot, 'node_modules/next/dist/bin/next'),
    'dev',
    '-H',
    '127.0.0.1',
    '-p',
    port,
  ];
  return spawn(process.execPath, nextArguments, {
    cwd: path.join(repositoryRoot, 'example-app'),
    env,
    stdio: 'inherit',
  });
}
