// `npm test`: installs what is missing (npm packages, and Debian's chromium for the browser
// tests), builds the library, lints, and runs every test: unit, type, end-to-end, browser and
// package tests. Arguments are passed to vitest, for example `npm test -- --project unit`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { buildLibrary, installPackages, quietEnv, repositoryRoot, run } from './setup.mjs';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function ensureChromium() {
  if (existsSync(chromiumPath)) return;

  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(
      `Chromium is missing at ${chromiumPath}; the browser tests need it. Install Debian's package ` +
        '(sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.',
    );
    process.exit(1);
  }
  console.log('Installing Debian chromium for the browser tests...');
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
}

installPackages();
ensureChromium();
buildLibrary();
run('npx', ['biome', 'check', '.']);

const reportFile = path.join(repositoryRoot, 'test-results/vitest.json');
rmSync(reportFile, { force: true });

const vitest = spawnSync(
  process.execPath,
  [path.join(repositoryRoot, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)],
  {
    cwd: repositoryRoot,
    stdio: 'inherit',
    env: { ...quietEnv, CHROMIUM_PATH: chromiumPath },
  },
);

// One closing line with the counts from vitest's JSON report, which CI reads.
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
process.exit(vitest.status ?? 1);
