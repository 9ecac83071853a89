// `next-generic-tasks openapi`: options, a real next-swagger-doc run over temporary route files, and its failures.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  OPENAPI_COMMAND_HELP,
  type OpenApiCommandEnvironment,
  runOpenApiCommand,
  type SwaggerDocModule,
} from '../../src/cli/openapi-command.js';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

const HEALTH_ROUTE = `import { NextResponse } from 'next/server';

/**
 * @swagger
 * /api/health:
 *   get:
 *     summary: Reports that the app is up.
 *     responses:
 *       200:
 *         description: The app is up.
 */
export function GET() {
  return NextResponse.json({ ok: true });
}
`;

/** A route in a folder with brackets, which glob patterns would read as a character class. */
const BRACKET_ROUTE = `/**
 * @openapi
 * /api/users/{id}:
 *   get:
 *     summary: Reads a user.
 *     parameters:
 *       - name: id
 *         in: path
 *         required: true
 *         schema:
 *           type: string
 *     responses:
 *       200:
 *         description: The user.
 */
export function GET() {}
`;

let appDir: string;

/**
 * Imports the installed next-swagger-doc. The specifier is a variable so that TypeScript does not
 * load its types, which pull in Next.js's global types.
 */
async function importSwaggerDoc(): Promise<SwaggerDocModule> {
  const specifier = 'next-swagger-doc';
  return (await import(specifier)) as SwaggerDocModule;
}

beforeEach(async () => {
  appDir = await mkdtemp(path.join(tmpdir(), 'ngt-cli-openapi-'));
  await writeFile(path.join(appDir, 'package.json'), JSON.stringify({ name: 'demo-app', version: '2.3.4' }));
  await writeRoute('app/api/health/route.ts', HEALTH_ROUTE);
  await writeRoute('app/api/users/[id]/route.ts', BRACKET_ROUTE);
});

afterEach(async () => {
  await rm(appDir, { recursive: true, force: true });
});

async function writeRoute(relativePath: string, text: string): Promise<void> {
  const file = path.join(appDir, relativePath);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
}

/** Runs the command in `appDir` (unless `cwd` is given) and captures its output. */
async function run(
  args: string[],
  overrides: Partial<OpenApiCommandEnvironment> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runOpenApiCommand(args, {
    cwd: appDir,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    loadSwaggerDoc: importSwaggerDoc,
    ...overrides,
  });
  return { code, stdout, stderr };
}

async function readJson(relativePath: string): Promise<Record<string, unknown> & { paths: Record<string, unknown> }> {
  return JSON.parse(await readFile(path.join(appDir, relativePath), 'utf8'));
}

describe('openapi command help', () => {
  it.each([['--help'], ['-h']])('%s prints usage', async (flag) => {
    const result = await run([flag]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(OPENAPI_COMMAND_HELP);
    expect(result.stderr).toBe('');
  });

  it.each(['--apis <folder|glob>', '--out <file.json>', '--title <text>', '--version <text>', '-h, --help'])(
    'help documents %s',
    (option) => {
      expect(OPENAPI_COMMAND_HELP).toContain(`  ${option}`);
    },
  );

  it('help names install command', () => {
    expect(OPENAPI_COMMAND_HELP).toContain('npm install --save-dev next-swagger-doc');
  });
});

describe('openapi command options', () => {
  it.each([
    {
      case: 'unknown option',
      args: ['--apis', 'app/api', '--out', 'a.json', '--fast'],
      message: "Unknown option '--fast'",
    },
    { case: 'missing --apis', args: ['--out', 'a.json'], message: 'Missing --apis' },
    { case: 'missing --out', args: ['--apis', 'app/api'], message: 'Missing --out' },
    {
      case: '--out without value',
      args: ['--apis', 'app/api', '--out'],
      message: "Option '--out <value>' argument missing",
    },
    {
      case: 'non-JSON --out',
      args: ['--apis', 'app/api', '--out', 'routes.yaml'],
      message: 'Invalid --out "routes.yaml"',
    },
    {
      case: 'missing folder',
      args: ['--apis', 'app/apx', '--out', 'a.json'],
      message: 'Invalid --apis "app/apx": no such file or folder',
    },
    { case: 'empty --apis', args: ['--apis', '', '--out', 'a.json'], message: 'Invalid --apis ""' },
    {
      case: 'empty --title',
      args: ['--apis', 'app/api', '--out', 'a.json', '--title', ' '],
      message: 'Invalid --title ""',
    },
    { case: 'positional argument', args: ['app/api', '--out', 'a.json'], message: 'Unexpected argument' },
  ])('$case exits 2', async ({ args, message }) => {
    const result = await run(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('next-generic-tasks openapi --help');
    expect(result.stdout).toBe('');
  });

  it('invalid options write no file', async () => {
    await run(['--apis', 'app/api', '--out', 'a.json', '--fast']);

    await expect(readFile(path.join(appDir, 'a.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('openapi command run', () => {
  it('folder fragment lists documented routes', async () => {
    const result = await run(['--apis', 'app/api', '--out', 'generated/openapi-routes.json']);
    const fragment = await readJson('generated/openapi-routes.json');

    expect(result.code).toBe(0);
    expect(Object.keys(fragment.paths).sort()).toEqual(['/api/health', '/api/users/{id}']);
    expect(fragment.paths['/api/health']).toEqual({
      get: { summary: 'Reports that the app is up.', responses: { 200: { description: 'The app is up.' } } },
    });
    expect(result.stdout).toBe('Wrote generated/openapi-routes.json with 2 path(s): /api/health, /api/users/{id}.\n');
    expect(result.stderr).toBe('');
  });

  it('fragment is OpenAPI 3.1 with package info', async () => {
    await run(['--apis', 'app/api', '--out', 'routes.json']);
    const fragment = await readJson('routes.json');

    expect(fragment.openapi).toBe('3.1.0');
    expect(fragment.info).toEqual({ title: 'demo-app', version: '2.3.4' });
  });

  it('title and version options win', async () => {
    await run(['--apis', 'app/api', '--out', 'routes.json', '--title', 'Routes', '--version', '9.0.0']);
    const fragment = await readJson('routes.json');

    expect(fragment.info).toEqual({ title: 'Routes', version: '9.0.0' });
  });

  it('glob reads only matching files', async () => {
    const result = await run(['--apis', 'app/api/health/*.ts', '--out', 'routes.json']);
    const fragment = await readJson('routes.json');

    expect(result.code).toBe(0);
    expect(Object.keys(fragment.paths)).toEqual(['/api/health']);
  });

  it('repeated --apis reads each', async () => {
    await run(['--apis', 'app/api/health', '--apis', 'app/api/users/[id]/route.ts', '--out', 'routes.json']);
    const fragment = await readJson('routes.json');

    expect(Object.keys(fragment.paths).sort()).toEqual(['/api/health', '/api/users/{id}']);
  });

  it('absolute folder is read', async () => {
    await run(['--apis', path.join(appDir, 'app/api'), '--out', path.join(appDir, 'absolute.json')]);
    const fragment = await readJson('absolute.json');

    expect(Object.keys(fragment.paths).sort()).toEqual(['/api/health', '/api/users/{id}']);
  });

  it('output is stable across runs', async () => {
    await run(['--apis', 'app/api', '--out', 'first.json']);
    await run(['--apis', 'app/api', '--out', 'second.json']);

    expect(await readFile(path.join(appDir, 'second.json'), 'utf8')).toBe(
      await readFile(path.join(appDir, 'first.json'), 'utf8'),
    );
  });

  it('earlier build output is not read', async () => {
    // next-swagger-doc's own folder scan would also read .next/server and public/.
    await writeRoute('.next/server/app/api/old/route.js', HEALTH_ROUTE.replace('/api/health', '/api/old'));
    await writeRoute(
      'public/old.swagger.yaml',
      '/api/public-old:\n  get:\n    responses:\n      200:\n        description: x\n',
    );

    await run(['--apis', 'app/api', '--out', 'routes.json']);
    const fragment = await readJson('routes.json');

    expect(Object.keys(fragment.paths).sort()).toEqual(['/api/health', '/api/users/{id}']);
  });

  it('no comments warns and writes empty fragment', async () => {
    await writeRoute('plain/route.ts', 'export function GET() {}\n');

    const result = await run(['--apis', 'plain', '--out', 'routes.json']);
    const fragment = await readJson('routes.json');

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Warning: no @swagger or @openapi JSDoc comment with a path was found in plain');
    expect(fragment.paths).toEqual({});
  });

  it('invalid YAML exits 1', async () => {
    await writeRoute(
      'broken/route.ts',
      '/**\n * @swagger\n * /api/broken:\n *   get: [unclosed\n */\nexport function GET() {}\n',
    );

    const result = await run(['--apis', 'broken', '--out', 'routes.json']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('next-swagger-doc could not read the @swagger comments');
    expect(result.stderr).toContain('route.ts');
    await expect(readFile(path.join(appDir, 'routes.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('openapi command without next-swagger-doc', () => {
  /**
   * Imports next-swagger-doc in a Node.js process started in the temporary app folder, which has no
   * node_modules, and rejects with the error that Node.js raised there. The import runs in its own
   * process because Vitest resolves imports in the test process itself.
   */
  async function importFromEmptyFolder(): Promise<SwaggerDocModule> {
    const script =
      "try { await import('next-swagger-doc'); } catch (error) { " +
      'process.stdout.write(JSON.stringify({ code: error.code, message: error.message })); }';
    const child = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
      cwd: appDir,
      encoding: 'utf8',
    });
    const { code, message } = JSON.parse(child.stdout) as { code: string; message: string };
    throw Object.assign(new Error(message), { code });
  }

  it('missing package names install command', async () => {
    const result = await run(['--apis', 'app/api', '--out', 'routes.json'], { loadSwaggerDoc: importFromEmptyFolder });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'The openapi command needs next-swagger-doc, which is not installed. Run: npm install --save-dev next-swagger-doc\n',
    );
    expect(result.stdout).toBe('');
  });

  it('missing dependency keeps its own message', async () => {
    const error = Object.assign(
      new Error("Cannot find package 'swagger-jsdoc' imported from /x/next-swagger-doc/dist/index.js"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );

    const result = await run(['--apis', 'app/api', '--out', 'routes.json'], {
      loadSwaggerDoc: () => Promise.reject(error),
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Cannot find package 'swagger-jsdoc'");
    expect(result.stderr).not.toContain('npm install');
  });

  it('module without createSwaggerSpec exits 1', async () => {
    const result = await run(['--apis', 'app/api', '--out', 'routes.json'], {
      loadSwaggerDoc: async () => ({}) as SwaggerDocModule,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has no createSwaggerSpec function; install version 0.4 or newer');
  });
});

describe('example app fragment', () => {
  it('committed fragment is up to date', async () => {
    const exampleDir = path.join(repositoryRoot, 'example-app');
    const manifest = JSON.parse(await readFile(path.join(exampleDir, 'package.json'), 'utf8'));
    const script: string = manifest.scripts.openapi;
    // The script runs the CLI from this repository's dist/, as `node ../dist/cli/index.js openapi ...`.
    const args = script.replace(/^.*? openapi /, '').split(' ');
    const outIndex = args.indexOf('--out') + 1;
    const committed = await readFile(path.join(exampleDir, args[outIndex] ?? ''), 'utf8');
    args[outIndex] = path.join(appDir, 'fresh.json');

    const result = await run(args, { cwd: exampleDir });

    expect(result.code).toBe(0);
    expect(await readFile(path.join(appDir, 'fresh.json'), 'utf8')).toBe(committed);
  });
});
