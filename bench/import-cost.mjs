// Measures what importing the core entry costs, with and without the Cloud Tasks client
// packages (@google-cloud/tasks and google-auth-library) loaded as well.
//
// Usage: node bench/import-cost.mjs [--runs 20] [--json results.json]
//
// The library is compiled with `tsc -p tsconfig.build.json` into a temporary folder, so dist/ is
// left alone. Each scenario runs in a fresh Node process, the scenarios take turns, and every
// figure is the median over the runs. A child reports its memory after a forced garbage
// collection (`--expose-gc`), so the heap figure counts what stays loaded.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArguments(argv) {
  const options = { runs: 20, json: undefined };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--runs') options.runs = Number(argv[++index]);
    else if (argument === '--json') options.json = argv[++index];
    else throw new Error(`Unknown argument ${JSON.stringify(argument)}: use --runs N and --json FILE.`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) {
    throw new Error(`Invalid --runs ${options.runs}: pass a whole number of runs per scenario, 1 or more.`);
  }
  return options;
}

/** Compiles the library into a temporary folder whose node_modules links to the repository's. */
function compileLibrary() {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'next-generic-tasks-bench-'));
  const outDir = path.join(folder, 'dist');
  try {
    execFileSync(
      process.execPath,
      [path.join(repositoryRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
      { cwd: repositoryRoot, stdio: 'inherit' },
    );
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  // Bare imports in the compiled files resolve through this link, as they would in an app.
  symlinkSync(path.join(repositoryRoot, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
  return { folder, outDir };
}

/** Builds the child's script, which imports `specifiers` in order and prints timing and memory as JSON. */
function childScript(specifiers) {
  const imports = specifiers.map((specifier) => `await import(${JSON.stringify(specifier)});`).join('\n');
  return `
const started = performance.now();
${imports}
const importMs = performance.now() - started;
globalThis.gc();
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write(JSON.stringify({ importMs, rss, heapUsed }));
`;
}

function scenarios(outDir) {
  const core = pathToFileURL(path.join(outDir, 'index.js')).href;
  const cloudTasksEntry = pathToFileURL(path.join(outDir, 'backends/cloud-tasks/index.js')).href;
  return [
    { name: 'baseline: node with an empty script', specifiers: [] },
    { name: 'core entry (dist/index.js)', specifiers: [core] },
    { name: 'core + next-generic-tasks/cloud-tasks entry', specifiers: [core, cloudTasksEntry] },
    {
      name: 'core + @google-cloud/tasks + google-auth-library',
      specifiers: [core, '@google-cloud/tasks', 'google-auth-library'],
    },
  ];
}

/** Runs one child process and resolves to its wall time and the figures it printed. */
function runOnce(cwd, script) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`The benchmark child exited with code ${code}.`));
      else resolve({ wallMs, ...JSON.parse(output) });
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function packageVersion(name) {
  const file = path.join(repositoryRoot, 'node_modules', name, 'package.json');
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

function machineFacts() {
  const cpus = os.cpus();
  return {
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: `${cpus[0]?.model ?? 'unknown'} (${cpus.length} logical cores)`,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    packages: Object.fromEntries(
      ['@google-cloud/tasks', 'google-gax', 'google-auth-library', '@grpc/grpc-js', 'typescript'].map((name) => [
        name,
        packageVersion(name),
      ]),
    ),
  };
}

function formatTable(results) {
  const [baseline, core] = results;
  const mebibytes = (bytes) => (bytes / 1024 ** 2).toFixed(1);
  const ratio = (value, base) => `${(value / base).toFixed(2)}x`;
  const rows = results.map((result) =>
    [
      result.name,
      result.wallMs.toFixed(0),
      ratio(result.wallMs, baseline.wallMs),
      ratio(result.wallMs, core.wallMs),
      result.importMs.toFixed(1),
      mebibytes(result.heapUsed),
      ratio(result.heapUsed, baseline.heapUsed),
      mebibytes(result.rss),
      ratio(result.rss, baseline.rss),
    ].join(' | '),
  );
  return [
    '| scenario | wall ms | vs baseline | vs core | import ms | heap MiB | heap vs baseline | RSS MiB | RSS vs baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const { folder, outDir } = compileLibrary();

  try {
    const cases = scenarios(outDir).map((scenario) => ({ ...scenario, script: childScript(scenario.specifiers) }));
    const samples = cases.map(() => []);

    // One warm-up round fills the file system cache, then the scenarios take turns.
    for (const scenario of cases) await runOnce(folder, scenario.script);
    for (let run = 0; run < options.runs; run += 1) {
      for (const [index, scenario] of cases.entries()) samples[index].push(await runOnce(folder, scenario.script));
    }

    const results = cases.map((scenario, index) => ({
      name: scenario.name,
      runs: samples[index].length,
      wallMs: median(samples[index].map((sample) => sample.wallMs)),
      importMs: median(samples[index].map((sample) => sample.importMs)),
      heapUsed: median(samples[index].map((sample) => sample.heapUsed)),
      rss: median(samples[index].map((sample) => sample.rss)),
    }));
    const report = { date: new Date().toISOString(), runsPerScenario: options.runs, machine: machineFacts(), results };

    process.stdout.write(`${JSON.stringify(report.machine, null, 2)}\n`);
    process.stdout.write(`\nMedians of ${options.runs} runs per scenario:\n\n${formatTable(results)}\n`);
    if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
