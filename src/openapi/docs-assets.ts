/**
 * The files of the docs page: Swagger UI's stylesheet, script and icon from the installed
 * `swagger-ui-dist` package, and the page's own start script. They are read from disk once per
 * process and kept in memory.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { TaskError } from '../core/errors.js';
import { processWide } from '../core/process-wide.js';

/** One file of the docs page, ready to send. */
export interface DocsAsset {
  /** The bytes sent as the response body. */
  readonly body: Uint8Array<ArrayBuffer>;
  /** The `Content-Type` header value. */
  readonly contentType: string;
  /** A hash of the body: the ETag, and the `v` query parameter that versions the asset's URL. */
  readonly version: string;
}

/**
 * The names the docs assets are served under, each `{basePath}/{name}`. Each contains a ".",
 * which no task name contains, so an asset never hides a task.
 */
export const DOCS_ASSET_NAMES = ['docs.css', 'docs.js', 'docs-init.js', 'docs-icon.png'] as const;

/** The name of one docs asset. */
export type DocsAssetName = (typeof DOCS_ASSET_NAMES)[number];

/** Every docs asset by name. */
export type DocsAssets = Readonly<Record<DocsAssetName, DocsAsset>>;

/** The npm package that contains Swagger UI's prebuilt browser files. */
const SWAGGER_UI_PACKAGE = 'swagger-ui-dist';

/**
 * The swagger-ui-dist 5 files that the page needs, each relative to the package folder. They are
 * also the files an `outputFileTracingIncludes` entry must copy into a standalone build.
 */
const SWAGGER_UI_FILES = {
  stylesheet: 'swagger-ui.css',
  pageStylesheet: 'index.css',
  script: 'swagger-ui-bundle.js',
  icon: 'favicon-32x32.png',
} as const;

/**
 * The glob of an `outputFileTracingIncludes` entry that copies every file the docs page reads,
 * relative to the app's folder.
 */
export const SWAGGER_UI_TRACING_GLOB = `./node_modules/${SWAGGER_UI_PACKAGE}/{package.json,${Object.values(SWAGGER_UI_FILES).join(',')}}`;

/**
 * The page's start script. It is a file rather than an inline script, so the page's
 * Content-Security-Policy can forbid inline scripts. It reads the document's URL from the
 * `data-openapi-url` attribute, so the script is the same for every app and can be cached.
 */
const INIT_SCRIPT = `// Starts Swagger UI on the OpenAPI document that the page names.
(function () {
  'use strict';
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-openapi-url'),
    domNode: root,
    deepLinking: true,
    // Without this, Swagger UI would load a validity badge from validator.swagger.io.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
})();
`;

/** Holds the assets of this process once read. A failed read is not kept, so the next request retries it. */
function assetCache(): { current: Promise<DocsAssets> | undefined } {
  return processWide('docsAssets', () => ({ current: undefined }));
}

/**
 * Returns the docs assets, reading them on first use and sharing them across every module copy
 * of this library in the process. `basePath` is the task route's folder, which an error message
 * names.
 *
 * @throws {TaskError} `configuration_error` when swagger-ui-dist cannot be found or read.
 */
export function getDocsAssets(basePath: string): Promise<DocsAssets> {
  const cache = assetCache();
  if (cache.current === undefined) {
    const read = readDocsAssets(defaultSearchLocations(), basePath);
    cache.current = read;
    read.catch(() => {
      if (cache.current === read) cache.current = undefined;
    });
  }
  return cache.current;
}

/**
 * Lists the places swagger-ui-dist is resolved from: this module's own file, then the working
 * directory. webpack replaces `import.meta.url` with the module's path at build time, which a
 * standalone build copied to another machine may not have. The standalone `server.js` changes to
 * its own folder, whose node_modules contains the traced files.
 */
export function defaultSearchLocations(): string[] {
  return [import.meta.url, pathToFileURL(path.join(process.cwd(), 'package.json')).href];
}

/**
 * Reads the docs assets, resolving swagger-ui-dist from each of `searchFrom` (file URLs or paths)
 * in turn. `basePath` is the task route's folder, which an error message names.
 *
 * @throws {TaskError} `configuration_error` when swagger-ui-dist cannot be found or read.
 */
export async function readDocsAssets(searchFrom: readonly string[], basePath: string): Promise<DocsAssets> {
  const packageDir = await locateSwaggerUi(searchFrom);
  if (packageDir === undefined) {
    throw missingSwaggerUi(`the package ${SWAGGER_UI_PACKAGE} was not found`, basePath);
  }

  const read = (file: string) => readPackageFile(packageDir, file, basePath);
  const [stylesheet, pageStylesheet, script, icon] = await Promise.all([
    read(SWAGGER_UI_FILES.stylesheet),
    read(SWAGGER_UI_FILES.pageStylesheet),
    read(SWAGGER_UI_FILES.script),
    read(SWAGGER_UI_FILES.icon),
  ]);
  const css = `${withoutSourceMap(stylesheet.toString('utf8'))}\n${pageStylesheet.toString('utf8')}`;
  return {
    'docs.css': createAsset(Buffer.from(css, 'utf8'), 'text/css; charset=utf-8'),
    'docs.js': createAsset(
      Buffer.from(withoutSourceMap(script.toString('utf8')), 'utf8'),
      'text/javascript; charset=utf-8',
    ),
    'docs-init.js': createAsset(Buffer.from(INIT_SCRIPT, 'utf8'), 'text/javascript; charset=utf-8'),
    'docs-icon.png': createAsset(icon, 'image/png'),
  };
}

/** Returns the folder of swagger-ui-dist as Node.js resolves it from the first location that finds it. */
async function locateSwaggerUi(searchFrom: readonly string[]): Promise<string | undefined> {
  // Turbopack and webpack rewrite `createRequire(import.meta.url).resolve(...)` into a module id of
  // their bundle, which is no file path. Importing node:module with their ignore comments keeps
  // Node.js's own createRequire, so the package is resolved on disk at run time.
  const { createRequire } = await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ 'node:module');
  for (const location of searchFrom) {
    try {
      return path.dirname(createRequire(location).resolve(`${SWAGGER_UI_PACKAGE}/package.json`));
    } catch {
      // Not found from this location: the next one may find it.
    }
  }
  return undefined;
}

async function readPackageFile(packageDir: string, file: string, basePath: string): Promise<Buffer<ArrayBuffer>> {
  try {
    return await readFile(path.join(packageDir, file));
  } catch (error) {
    throw missingSwaggerUi(`${SWAGGER_UI_PACKAGE}/${file} could not be read from ${packageDir}`, basePath, error);
  }
}

function createAsset(body: Uint8Array<ArrayBuffer>, contentType: string): DocsAsset {
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  return { body, contentType, version };
}

/**
 * Removes the trailing `sourceMappingURL` comment, because the page does not serve the map and
 * browser developer tools would report its 404.
 */
function withoutSourceMap(text: string): string {
  return text.replace(/\n?(?:\/\/# sourceMappingURL=[^\n]*|\/\*# sourceMappingURL=[^\n]*?\*\/)\s*$/, '\n');
}

function missingSwaggerUi(problem: string, basePath: string, cause?: unknown): TaskError {
  const tracingEntry = `outputFileTracingIncludes: { ${JSON.stringify(`${basePath}/*`)}: [${JSON.stringify(SWAGGER_UI_TRACING_GLOB)}] }`;
  return new TaskError(
    'configuration_error',
    `The API docs page cannot be served: ${problem}. It is a dependency of next-generic-tasks, so reinstall ` +
      'packages if it is missing. With output: "standalone", Next.js copies only the files it traces, so add ' +
      `this entry to next.config: ${tracingEntry}.`,
    cause === undefined ? {} : { cause },
  );
}
