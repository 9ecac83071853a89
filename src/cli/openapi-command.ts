/**
 * `next-generic-tasks openapi`: writes, at build time, the OpenAPI fragment that next-swagger-doc
 * builds from the `@swagger` JSDoc comments of the app's own routes. next-swagger-doc reads source
 * files, which standalone and serverless deployments do not ship, so the fragment is written
 * before `next build` and imported as JSON: `createTaskHandlers({ openapi: { merge } })`.
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** The part of next-swagger-doc 0.4 that the command calls: `createSwaggerSpec`. */
export interface SwaggerDocModule {
  createSwaggerSpec(options: SwaggerSpecOptions): object;
}

/** The options of next-swagger-doc's `createSwaggerSpec` that this command sets. */
export interface SwaggerSpecOptions {
  /** swagger-jsdoc globs of the files to read. They replace next-swagger-doc's own folder scan. */
  apis: string[];
  /** The document that the comments are merged into. */
  definition: { openapi: string; info: { title: string; version: string } };
  /** Makes swagger-jsdoc throw on invalid YAML in a comment instead of printing it and leaving the comment out. */
  failOnErrors: boolean;
}

/** The command's access to the outside world, replaceable in tests. */
export interface OpenApiCommandEnvironment {
  /** The folder that relative paths start from. */
  readonly cwd: string;
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Loads next-swagger-doc. */
  readonly loadSwaggerDoc: () => Promise<SwaggerDocModule>;
}

/** Exit code of a run that wrote the fragment. */
const EXIT_OK = 0;
/** Exit code of a run that failed: next-swagger-doc missing, invalid YAML, a file that cannot be written. */
const EXIT_FAILED = 1;
/** Exit code of invalid command-line options. */
const EXIT_USAGE = 2;

const INSTALL_HINT = 'npm install --save-dev next-swagger-doc';

/**
 * The files read in a folder given to `--apis`: the source files that next-swagger-doc 0.4 scans
 * in its `apiFolder`, plus `.mjs` and `.cjs`, and its `.swagger.yaml` files.
 */
const FOLDER_PATTERNS = ['**/*.{ts,tsx,js,jsx,mjs,cjs}', '**/*.swagger.yaml'];

/** The OpenAPI version of the fragment, the version of the document it is merged into. */
const FRAGMENT_OPENAPI_VERSION = '3.1.0';

export const OPENAPI_COMMAND_HELP = `Usage: next-generic-tasks openapi --apis <folder|glob> [--apis ...] --out <file.json> [options]

Writes an OpenAPI fragment built by next-swagger-doc from the @swagger (or @openapi) JSDoc
comments of your app's own routes. Pass it to the task route, which merges its paths,
components and tags into the document at {basePath}/openapi.json and the page at {basePath}/docs:

  import routesSpec from '@/openapi-routes.json';
  export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = createTaskHandlers({ openapi: { merge: routesSpec } });

Run it before \`next build\`, because standalone and serverless deployments do not ship the
source files that the comments are in.

Options:
  --apis <folder|glob>  A folder whose .ts, .tsx, .js, .jsx, .mjs, .cjs and .swagger.yaml
                        files are read at any depth, or a glob of files (quote it), relative
                        to the current folder. Repeat it to read several. Required.
  --out <file.json>     The JSON file to write; missing folders are created. Required.
  --title <text>        The fragment's info.title. The task route ignores it.
                        Default: the name in ./package.json, else "API".
  --version <text>      The fragment's info.version. The task route ignores it.
                        Default: the version in ./package.json, else "0.0.0".
  -h, --help            Print this help and exit.

Only the files given are read: next-swagger-doc's own scan of .next/server and public/ is
not used, so the fragment never contains routes from an earlier build.

Needs next-swagger-doc 0.4 or newer: ${INSTALL_HINT}
Exit codes: 0 written, 1 failed, 2 invalid options.
`;

/** The parsed, checked options of one run. */
interface CommandOptions {
  readonly apis: string[];
  readonly out: string;
  readonly title: string | undefined;
  readonly version: string | undefined;
}

/** An error for invalid command-line options. Its message is printed above a pointer to `--help`. */
class UsageError extends Error {}

/**
 * Runs the openapi command with the arguments after `openapi` and resolves to the exit code:
 * 0 when the fragment was written, 1 when it failed, 2 for invalid options.
 */
export async function runOpenApiCommand(
  args: string[],
  environment: OpenApiCommandEnvironment = processEnvironment(),
): Promise<number> {
  let options: CommandOptions | 'help';
  try {
    options = parseOptions(args, environment.cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    environment.stderr(`${error.message}\nRun \`next-generic-tasks openapi --help\` for the options.\n`);
    return EXIT_USAGE;
  }
  if (options === 'help') {
    environment.stdout(OPENAPI_COMMAND_HELP);
    return EXIT_OK;
  }

  try {
    return await writeFragment(options, environment);
  } catch (error) {
    environment.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
}

function processEnvironment(): OpenApiCommandEnvironment {
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    loadSwaggerDoc: importSwaggerDoc,
  };
}

function parseOptions(args: string[], cwd: string): CommandOptions | 'help' {
  let values: { apis?: string[]; out?: string; title?: string; version?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        apis: { type: 'string', multiple: true },
        out: { type: 'string' },
        title: { type: 'string' },
        version: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(`Invalid options: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (values.help === true) return 'help';

  const apis = values.apis ?? [];
  if (apis.length === 0)
    throw new UsageError('Missing --apis: name a folder or glob of route files, for example --apis app/api.');
  for (const api of apis) assertApisValue(api, cwd);
  const out = assertOut(values.out);
  for (const name of ['title', 'version'] as const) {
    if (values[name] !== undefined && values[name].trim() === '') {
      throw new UsageError(`Invalid --${name} "": pass a non-empty text, or leave the option out.`);
    }
  }

  return { apis, out, title: values.title, version: values.version };
}

function assertApisValue(api: string, cwd: string): void {
  if (api.trim() === '') throw new UsageError('Invalid --apis "": name a folder or glob of route files.');
  if (isGlob(api) || existsSync(path.resolve(cwd, api))) return;

  throw new UsageError(`Invalid --apis ${JSON.stringify(api)}: no such file or folder in ${cwd}.`);
}

function assertOut(out: string | undefined): string {
  if (out === undefined)
    throw new UsageError('Missing --out: name the JSON file to write, for example --out openapi-routes.json.');
  if (!out.endsWith('.json')) {
    throw new UsageError(
      `Invalid --out ${JSON.stringify(out)}: the app imports the file as JSON, so give it a .json name.`,
    );
  }
  return out;
}

/** Tells whether `value` contains a glob pattern character, so it may name several files. */
function isGlob(value: string): boolean {
  return /[*?[\]{}]/.test(value);
}

async function writeFragment(options: CommandOptions, environment: OpenApiCommandEnvironment): Promise<number> {
  const { createSwaggerSpec } = await loadNextSwaggerDoc(environment);
  const info = await fragmentInfo(options, environment.cwd);

  let fragment: object;
  try {
    fragment = createSwaggerSpec({
      apis: options.apis.flatMap((api) => toSwaggerJsdocGlobs(api, environment.cwd)),
      definition: { openapi: FRAGMENT_OPENAPI_VERSION, info },
      failOnErrors: true,
    });
  } catch (error) {
    throw new Error(`next-swagger-doc could not read the @swagger comments: ${errorText(error)}`, { cause: error });
  }

  const outFile = path.resolve(environment.cwd, options.out);
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, `${JSON.stringify(fragment, null, 2)}\n`, 'utf8');

  reportPaths(fragment, options, environment);
  return EXIT_OK;
}

async function loadNextSwaggerDoc(environment: OpenApiCommandEnvironment): Promise<SwaggerDocModule> {
  let loaded: SwaggerDocModule;
  try {
    loaded = await environment.loadSwaggerDoc();
  } catch (error) {
    if (isMissingNextSwaggerDoc(error)) {
      throw new Error(`The openapi command needs next-swagger-doc, which is not installed. Run: ${INSTALL_HINT}`);
    }
    throw error;
  }

  if (typeof loaded?.createSwaggerSpec !== 'function') {
    throw new Error(
      `The installed next-swagger-doc has no createSwaggerSpec function; install version 0.4 or newer: ${INSTALL_HINT}`,
    );
  }
  return loaded;
}

/** next-swagger-doc is an optional peer dependency, so it is imported only when the command runs. */
async function importSwaggerDoc(): Promise<SwaggerDocModule> {
  // A variable specifier keeps TypeScript from loading next-swagger-doc's types, which pull in
  // Next.js's global types (such as a required `process.env.NODE_ENV`) for the whole project.
  const specifier = 'next-swagger-doc';
  return (await import(specifier)) as SwaggerDocModule;
}

/** Tells whether `error` reports that next-swagger-doc itself, not one of its dependencies, is missing. */
function isMissingNextSwaggerDoc(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  return missing && /['"]next-swagger-doc['"]/.test(error.message);
}

/** Builds the fragment's `info` from the options, else the app's package.json, else fixed defaults. */
async function fragmentInfo(options: CommandOptions, cwd: string): Promise<{ title: string; version: string }> {
  const manifest = await readPackageManifest(path.join(cwd, 'package.json'));
  return {
    title: options.title ?? manifest.name ?? 'API',
    version: options.version ?? manifest.version ?? '0.0.0',
  };
}

async function readPackageManifest(file: string): Promise<{ name?: string; version?: string }> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // Without a readable package.json the fixed defaults apply, which the task route ignores anyway.
    return {};
  }
  if (typeof manifest !== 'object' || manifest === null) return {};

  const { name, version } = manifest as Record<string, unknown>;
  return {
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
    ...(typeof version === 'string' && version !== '' ? { version } : {}),
  };
}

/**
 * Turns one `--apis` value into absolute swagger-jsdoc globs. A folder gets {@link FOLDER_PATTERNS},
 * a file is read as it is, and a glob is resolved against `cwd`. Glob characters in the folder or
 * file path (such as the brackets of `app/api/tasks/[name]`) are escaped, so they match literally.
 */
function toSwaggerJsdocGlobs(api: string, cwd: string): string[] {
  const resolved = path.resolve(cwd, api);
  if (existsSync(resolved)) {
    const literal = escapeGlob(toGlobPath(resolved));
    return statSync(resolved).isDirectory() ? FOLDER_PATTERNS.map((pattern) => `${literal}/${pattern}`) : [literal];
  }

  if (path.isAbsolute(api)) return [toGlobPath(api)];
  return [`${escapeGlob(toGlobPath(cwd))}/${api.replaceAll('\\', '/')}`];
}

/** glob 7 (used by swagger-jsdoc 6) takes forward slashes only, also on Windows. */
function toGlobPath(filePath: string): string {
  return filePath.split(path.sep).join('/');
}

function escapeGlob(literal: string): string {
  // NOTE: glob 7 treats a backslash as an escape on POSIX only, so on Windows a path with glob characters still fails to match.
  return literal.replace(/[*?[\]{}()!+@]/g, '\\$&');
}

function reportPaths(fragment: object, options: CommandOptions, environment: OpenApiCommandEnvironment): void {
  const paths = Object.keys((fragment as { paths?: Record<string, unknown> }).paths ?? {});
  if (paths.length === 0) {
    environment.stderr(
      `Warning: no @swagger or @openapi JSDoc comment with a path was found in ${options.apis.join(', ')}, ` +
        `so ${options.out} has no paths.\n`,
    );
    environment.stdout(`Wrote ${options.out} with no paths.\n`);
    return;
  }
  environment.stdout(`Wrote ${options.out} with ${paths.length} path(s): ${paths.join(', ')}.\n`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
