// What users install is what the tests ran. The npm tarball of this repository is checked file by
// file and linted by publint and are-the-types-wrong. Then it is installed into a fresh Next.js app
// outside the repository, which has no Next.js configuration for the library.
import { randomUUID } from 'node:crypto';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import {
  buildNextApp,
  type RunningNextApp,
  repositoryRoot,
  runCommand,
  startNextApp,
  waitFor,
} from '../support/next-app.js';

/** The entry points of the exports map, each as a JavaScript file and its declarations. */
const ENTRY_FILES = [
  'dist/index.js',
  'dist/index.d.ts',
  'dist/next/index.js',
  'dist/next/index.d.ts',
  'dist/testing/index.js',
  'dist/testing/index.d.ts',
  'dist/openapi/index.js',
  'dist/openapi/index.d.ts',
  'dist/emulator/index.js',
  'dist/emulator/index.d.ts',
  'dist/backends/cloud-tasks/index.js',
  'dist/backends/cloud-tasks/index.d.ts',
];

let workDir: string | undefined;
let tarballPath = '';
/** The tarball's `package/` folder, extracted. */
let extractedDir = '';
/** Paths inside the tarball without the leading `package/`. */
let packedFiles: string[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'ngt-package-'));

  // The global setup ran `npm run build`, so dist/ contains what the other tests imported.
  const packDir = path.join(workDir, 'pack');
  await mkdir(packDir);
  await runCommand('npm', ['pack', '--pack-destination', packDir], { cwd: repositoryRoot });
  const tarballs = (await readdir(packDir)).filter((name) => name.endsWith('.tgz'));
  expect(tarballs).toHaveLength(1);
  tarballPath = path.join(packDir, tarballs[0]!);

  const extractDir = path.join(workDir, 'extracted');
  await mkdir(extractDir);
  await runCommand('tar', ['-xzf', tarballPath, '-C', extractDir], { cwd: workDir });
  extractedDir = path.join(extractDir, 'package');

  const listing = await runCommand('tar', ['-tzf', tarballPath], { cwd: workDir });
  packedFiles = listing
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''))
    .sort();
});

afterAll(async () => {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('packed package', () => {
  test('contains every entry point', () => {
    for (const file of ENTRY_FILES) expect(packedFiles, file).toContain(file);
  });

  test('contains only dist and metadata', () => {
    const unexpected = packedFiles.filter(
      (file) => !(file.startsWith('dist/') || ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(file)),
    );
    expect(unexpected).toEqual([]);
    expect(packedFiles.filter((file) => file.endsWith('.tsbuildinfo'))).toEqual([]);
    expect(packedFiles.filter((file) => /(^|\/)(src|test|example-app)\//.test(file))).toEqual([]);
    expect(packedFiles.filter((file) => /\.test\.|\.test-d\./.test(file))).toEqual([]);
  });

  test('dist matches repository build', async () => {
    const distFiles = packedFiles.filter((file) => file.startsWith('dist/'));
    expect(distFiles.length).toBeGreaterThan(ENTRY_FILES.length);

    for (const file of distFiles) {
      const packed = await readFile(path.join(extractedDir, file), 'utf8');
      const built = await readFile(path.join(repositoryRoot, file), 'utf8');
      expect(packed, file).toBe(built);
    }
  });

  test('dist has no stale build output', async () => {
    // tsc never deletes dist/, so a module removed or renamed in src/ would still be packed.
    const modules = packedFiles.filter((file) => file.startsWith('dist/') && file.endsWith('.js'));
    const orphans: string[] = [];
    for (const file of modules) {
      const source = path.join(repositoryRoot, file.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'));
      const exists = await access(source).then(
        () => true,
        () => false,
      );
      if (!exists) orphans.push(file);
    }
    expect(orphans).toEqual([]);
  });

  test('publint reports no problems', async () => {
    // `--pack false` lints the extracted files as they are, instead of packing the folder again.
    // publint exits non-zero on an error, and `--strict` makes warnings errors; runCommand then fails with the report.
    const output = await runCommand('npx', ['publint', 'run', '--pack', 'false', '--strict', extractedDir], {
      cwd: repositoryRoot,
    });
    expect(output).toContain('All good!');
  });

  test('attw finds no type problems', async () => {
    // The esm-only profile ignores the node10 and node16-cjs resolutions, which an ESM-only package does not support.
    // `--no-definitely-typed` stops attw from looking up @types packages, because the package ships its own types.
    // attw exits non-zero on any problem, and runCommand then fails with the report.
    const output = await runCommand(
      'npx',
      ['attw', tarballPath, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-color'],
      { cwd: repositoryRoot },
    );
    expect(output).toContain('"next-generic-tasks/next"');
    expect(output).toContain('"next-generic-tasks/testing"');
    expect(output).toContain('"next-generic-tasks/openapi"');
    expect(output).toContain('"next-generic-tasks/emulator"');
    expect(output).toContain('"next-generic-tasks/cloud-tasks"');
  });
});

describe('packed package in a fresh Next.js app', () => {
  const username = 'package-test';
  const password = randomUUID();
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  let appDir = '';
  let outputFile = '';
  let app: RunningNextApp | undefined;
  let buildOutput = '';

  beforeAll(async () => {
    if (workDir === undefined) throw new Error('the temporary folder was not created');
    appDir = path.join(workDir, 'app');
    outputFile = path.join(workDir, 'task-output', 'runs.jsonl');
    await mkdir(path.dirname(outputFile));

    await writeConsumerApp(appDir, await lockedVersions(), tarballPath);
    await runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: appDir });
    buildOutput = await buildNextApp(appDir);
    app = await startNextApp(appDir, {
      env: {
        TASKS_API_AUTHENTICATION: 'basic',
        TASKS_BASIC_AUTH_USERNAME: username,
        TASKS_BASIC_AUTH_PASSWORD: password,
        TASKS_BACKEND: undefined,
        PACKAGE_TEST_OUTPUT_FILE: outputFile,
      },
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  function callTask(name: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    if (app === undefined) throw new Error('the app did not start');
    return fetch(`${app.url}/api/tasks/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async function readRuns(): Promise<Array<{ id: string; text: string }>> {
    const text = await readFile(outputFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
  }

  test('next build prints no warnings', () => {
    expect(buildOutput).toContain('Compiled successfully');
    // Next.js warns about a missing build cache whenever CI is set, and a fresh app never has one.
    const warnings = buildOutput
      .split('\n')
      .filter((line) => /⚠|warn/i.test(line) && !line.includes('No build cache found'));
    expect(warnings).toEqual([]);
  });

  test('plain Node.js imports every entry point', async () => {
    const script = `
      import * as core from 'next-generic-tasks';
      import * as next from 'next-generic-tasks/next';
      import * as testing from 'next-generic-tasks/testing';
      import { z } from 'zod';

      const backend = testing.useTestBackend();
      const echo = core.defineTask({ name: 'echo', schema: z.object({ text: z.string() }), run: ({ text }) => text });
      await echo.enqueue({ text: 'queued' });
      const enqueued = backend.enqueuedFor(echo).map((task) => task.params);
      const ran = await backend.runAll();
      console.log(JSON.stringify({
        createTaskHandlers: typeof next.createTaskHandlers,
        run: await echo.run({ text: 'Grüße' }),
        enqueued,
        ran,
      }));
    `;
    const output = await runCommand(process.execPath, ['--input-type=module', '-e', script], { cwd: appDir });
    const lastLine = output.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(lastLine)).toEqual({
      createTaskHandlers: 'function',
      run: 'Grüße',
      enqueued: [{ text: 'queued' }],
      ran: 1,
    });
  });

  test('task endpoint runs task', async () => {
    const response = await callTask('write-marker', { text: 'Grüße ☕ over HTTP' }, { authorization });
    expect(response.status).toBe(200);

    const body = (await response.json()) as { id: string; result: unknown };
    expect(body.result).toEqual({ written: 'Grüße ☕ over HTTP' });
    expect(await readRuns()).toContainEqual({ id: body.id, text: 'Grüße ☕ over HTTP' });
  });

  test('task endpoint rejects missing credentials', async () => {
    const response = await callTask('write-marker', { text: 'without credentials' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="tasks", charset="UTF-8"');

    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('unauthorized');
    expect((await readRuns()).map((run) => run.text)).not.toContain('without credentials');
  });

  test('task endpoint rejects wrong password', async () => {
    const wrong = `Basic ${Buffer.from(`${username}:not-${password}`).toString('base64')}`;
    const response = await callTask('write-marker', { text: 'wrong password' }, { authorization: wrong });
    expect(response.status).toBe(401);
    expect((await readRuns()).map((run) => run.text)).not.toContain('wrong password');
  });

  test('task endpoint rejects invalid params', async () => {
    const response = await callTask('write-marker', { text: '' }, { authorization });
    expect(response.status).toBe(422);

    const body = (await response.json()) as { error: { code: string; issues: Array<{ path: unknown[] }> } };
    expect(body.error.code).toBe('invalid_params');
    expect(body.error.issues.map((issue) => issue.path)).toEqual([['text']]);
  });

  test('task endpoint rejects GET', async () => {
    if (app === undefined) throw new Error('the app did not start');
    const response = await fetch(`${app.url}/api/tasks/write-marker`, { headers: { authorization } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  async function enqueueOverRoute(params: { text: string; delay?: number }): Promise<string> {
    if (app === undefined) throw new Error('the app did not start');
    const response = await fetch(`${app.url}/api/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  }

  test('enqueued task runs in background', async () => {
    const id = await enqueueOverRoute({ text: 'enqueued from a route handler' });

    const run = await waitFor(async () => (await readRuns()).find((entry) => entry.id === id));
    expect(run.text).toBe('enqueued from a route handler');
    await waitFor(() => (app?.logs().includes(`task succeeded task=write-marker id=${id}`) ? true : undefined));
  });

  test('delayed task runs after response', async () => {
    const delayMs = 2_000;
    const requestedAt = Date.now();
    const id = await enqueueOverRoute({ text: 'enqueued with a delay', delay: delayMs });

    // The response arrived before the task ran, so Next.js did not hold it until the after() promise settled.
    expect((await readRuns()).map((entry) => entry.id)).not.toContain(id);
    const run = await waitFor(async () => (await readRuns()).find((entry) => entry.id === id), delayMs + 10_000);
    expect(run.text).toBe('enqueued with a delay');
    expect(Date.now() - requestedAt).toBeGreaterThanOrEqual(delayMs);
  });
});

/** Reads the versions of the consumer app's dependencies from this repository's package-lock.json. */
async function lockedVersions(): Promise<Record<string, string>> {
  const lockfile = JSON.parse(await readFile(path.join(repositoryRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const names = ['next', 'react', 'react-dom', 'zod', 'typescript', '@types/react', '@types/react-dom', '@types/node'];
  const versions: Record<string, string> = {};
  for (const name of names) {
    const version = lockfile.packages[`node_modules/${name}`]?.version;
    if (version === undefined) {
      throw new Error(
        `package-lock.json has no entry for node_modules/${name}. Run npm install in the repository root.`,
      );
    }
    versions[name] = version;
  }
  return versions;
}

/**
 * Writes a minimal App Router app that uses the library as the example app does: tasks defined
 * in tasks.ts, loaded by instrumentation.ts, the one-line task route, and a route that enqueues.
 * It has no next.config file, because the in-process backend must work without one.
 */
async function writeConsumerApp(appDir: string, versions: Record<string, string>, tarball: string): Promise<void> {
  const {
    typescript,
    '@types/react': typesReact,
    '@types/react-dom': typesReactDom,
    '@types/node': typesNode,
  } = versions;
  const packageJson = {
    name: 'next-generic-tasks-package-test',
    private: true,
    type: 'module',
    dependencies: {
      'next-generic-tasks': `file:${tarball}`,
      next: versions.next,
      react: versions.react,
      'react-dom': versions['react-dom'],
      zod: versions.zod,
    },
    devDependencies: {
      typescript,
      '@types/react': typesReact,
      '@types/react-dom': typesReactDom,
      '@types/node': typesNode,
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['dom', 'dom.iterable', 'esnext'],
      strict: true,
      noEmit: true,
      // As in the example app. Checking next 16.5.0's own declarations fails, because they use URLPattern,
      // which TypeScript 5.9.3's DOM lib does not declare.
      skipLibCheck: true,
      module: 'esnext',
      moduleResolution: 'bundler',
      esModuleInterop: true,
      resolveJsonModule: true,
      isolatedModules: true,
      jsx: 'react-jsx',
      plugins: [{ name: 'next' }],
    },
    include: ['next-env.d.ts', '**/*.ts', '**/*.tsx', '.next/types/**/*.ts'],
    exclude: ['node_modules'],
  };

  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'app/layout.tsx': `import type { ReactNode } from 'react';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
`,
    'app/page.tsx': `export default function HomePage() {
  return <main>next-generic-tasks package test</main>;
}
`,
    'instrumentation.ts': `export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await import('./tasks');
  }
}
`,
    'tasks.ts': `import { appendFile } from 'node:fs/promises';
import { defineTask } from 'next-generic-tasks';
import { z } from 'zod';

/** Appends one JSON line { id, text } to the file named by PACKAGE_TEST_OUTPUT_FILE. */
export const writeMarker = defineTask({
  name: 'write-marker',
  schema: z.object({ text: z.string().min(1) }),
  async run({ text }, { id }) {
    const file = process.env.PACKAGE_TEST_OUTPUT_FILE;
    if (!file) throw new Error('PACKAGE_TEST_OUTPUT_FILE is not set');
    await appendFile(file, JSON.stringify({ id, text }) + '\\n', 'utf8');
    return { written: text };
  },
});
`,
    'app/api/tasks/[name]/route.ts': `import { createTaskHandlers } from 'next-generic-tasks/next';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = createTaskHandlers();
`,
    'app/api/enqueue/route.ts': `import { getTask } from 'next-generic-tasks';

import type { writeMarker } from '../../../tasks';

export async function POST(request: Request) {
  const { text, delay } = (await request.json()) as { text: string; delay?: number };
  const { id } = await getTask<typeof writeMarker>('write-marker').enqueue({ text }, { delay });
  return Response.json({ id }, { status: 202 });
}
`,
  };

  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(appDir, file)), { recursive: true });
    await writeFile(path.join(appDir, file), text, 'utf8');
  }
}
