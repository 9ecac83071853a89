/**
 * The interactive API docs page at `GET {basePath}/docs`: Swagger UI showing
 * `{basePath}/openapi.json`, with every file served by the app itself, so the page works offline
 * and under a strict Content-Security-Policy.
 *
 * The route has a single `[name]` segment, so the page's files live next to it under names that
 * contain a "." (which task names never contain): `docs.css`, `docs.js` (the Swagger UI bundle),
 * `docs-init.js` (the start script) and `docs-icon.png`.
 *
 * @module
 */
import { isTaskError, TaskError } from '../core/errors.js';
import { logRateLimited } from '../core/logger.js';
import { errorResponse } from '../http/responses.js';
import { getLogger } from '../settings/settings.js';
import { DOCS_ASSET_NAMES, type DocsAsset, type DocsAssetName, type DocsAssets, getDocsAssets } from './docs-assets.js';

/** The name the docs page is served under: `GET {basePath}/docs`. */
export const DOCS_PAGE_NAME = 'docs';

/** The methods that the docs page and its files accept. */
const ALLOWED_METHODS = 'GET, HEAD';

/**
 * The page's Content-Security-Policy. Scripts and styles come only from the app, and no inline
 * script runs. The `data:` images are the icons inside Swagger UI's stylesheet. `connect-src 'self'`
 * lets "Try it out" call the app's own origin only.
 */
export const DOCS_PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Cache lifetime of an asset requested with its current version in the `v` query parameter, in
 * seconds (one year). Such a URL changes whenever the file does.
 */
const VERSIONED_ASSET_MAX_AGE_SECONDS = 31_536_000;

/** Options of {@link serveDocsPage}. */
export interface DocsPageOptions {
  /** The task route's URL path, for example `/api/tasks`. Error messages about file tracing name it. */
  readonly basePath: string;
  /** The page title, usually the document's `info.title`. */
  readonly title: string;
}

/** Tells whether `name` is the docs page or one of its files, which {@link serveDocsPage} serves. */
export function isDocsPageName(name: string): boolean {
  return name === DOCS_PAGE_NAME || isAssetName(name);
}

/**
 * Serves the docs page (`name` = `docs`) or one of its files. GET and HEAD get the
 * file, any other method 405 with `Allow: GET, HEAD`, and an unknown name 404. When Swagger UI's
 * files cannot be found, the response is 500 `configuration_error`, whose message names the
 * `outputFileTracingIncludes` entry to add. The caller checks authentication first. A failure to load the files becomes that 500
 * response, not a thrown error.
 *
 * @example
 * ```ts
 * if (request.method === 'GET' && isDocsPageName(name)) {
 *   return serveDocsPage(request, name, { basePath: '/api/tasks', title: 'Tasks API' });
 * }
 * ```
 */
export function serveDocsPage(request: Request, name: string, options: DocsPageOptions): Promise<Response> {
  return serveDocsPageWith(getDocsAssets, request, name, options);
}

/** A function that reads the docs assets. Its `basePath` is named in error messages. */
export type DocsAssetLoader = (basePath: string) => Promise<DocsAssets>;

/**
 * Serves like {@link serveDocsPage}, but with the assets from `loadAssets`, so that tests can
 * simulate a deployment without swagger-ui-dist.
 */
export async function serveDocsPageWith(
  loadAssets: DocsAssetLoader,
  request: Request,
  name: string,
  options: DocsPageOptions,
): Promise<Response> {
  if (!isDocsPageName(name)) return unknownDocsFile(name);
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed(request.method);

  let assets: DocsAssets;
  try {
    assets = await loadAssets(options.basePath);
  } catch (error) {
    return assetFailure(error);
  }

  const response = isAssetName(name)
    ? assetResponse(request, assets[name])
    : pageResponse(request, assets, options.title);
  if (request.method === 'HEAD') return new Response(null, { status: response.status, headers: response.headers });
  return response;
}

function isAssetName(name: string): name is DocsAssetName {
  return (DOCS_ASSET_NAMES as readonly string[]).includes(name);
}

function pageResponse(request: Request, assets: DocsAssets, title: string): Response {
  return new Response(renderPage(request, assets, title), {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': DOCS_PAGE_CONTENT_SECURITY_POLICY,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
  });
}

/**
 * Builds the page. Its links are relative to the page's own URL, so they stay right when the app
 * is served under a Next.js `basePath` or behind a proxy that changes the path prefix.
 */
function renderPage(request: Request, assets: DocsAssets, title: string): string {
  // With `trailingSlash: true`, Next.js serves the page at `.../docs/`, one folder deeper.
  const prefix = new URL(request.url).pathname.endsWith('/') ? '../' : './';
  const assetUrl = (name: DocsAssetName) => escapeHtml(`${prefix}${name}?v=${assets[name].version}`);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" type="image/png" href="${assetUrl('docs-icon.png')}">
<link rel="stylesheet" href="${assetUrl('docs.css')}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="${escapeHtml(`${prefix}openapi.json`)}"></div>
<script src="${assetUrl('docs.js')}"></script>
<script src="${assetUrl('docs-init.js')}"></script>
</body>
</html>
`;
}

/**
 * Sends an asset with an ETag, and 304 for a matching `If-None-Match`. A URL carrying the current
 * version may be cached for a year, but any other URL must be revalidated on each use.
 */
function assetResponse(request: Request, asset: DocsAsset): Response {
  const etag = `"${asset.version}"`;
  const versioned = new URL(request.url).searchParams.get('v') === asset.version;
  const headers = {
    etag,
    'cache-control': versioned ? `public, max-age=${VERSIONED_ASSET_MAX_AGE_SECONDS}, immutable` : 'no-cache',
    'x-content-type-options': 'nosniff',
  };
  if (matchesEtag(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });

  return new Response(asset.body, { status: 200, headers: { ...headers, 'content-type': asset.contentType } });
}

/** Compares `If-None-Match` with `etag` the weak way, as RFC 9110 section 13.1.2 requires for GET and HEAD. */
function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  if (ifNoneMatch.trim() === '*') return true;

  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function unknownDocsFile(name: string): Response {
  return errorResponse(
    new TaskError(
      'task_not_found',
      `Unknown docs file ${JSON.stringify(name)}: the docs page is "${DOCS_PAGE_NAME}" and its files are ` +
        `${DOCS_ASSET_NAMES.map((asset) => `"${asset}"`).join(', ')}.`,
    ),
  );
}

function methodNotAllowed(method: string): Response {
  const error = new TaskError(
    'method_not_allowed',
    `Method ${method} is not allowed on the API docs page or its files: request them with GET.`,
  );
  return errorResponse(error, { allow: ALLOWED_METHODS });
}

function assetFailure(error: unknown): Response {
  const logger = getLogger();
  if (isTaskError(error) && error.code === 'configuration_error') {
    // A missing package fails every request the same way, so it is logged once a minute, not per request.
    logRateLimited(logger, 'error', `configuration:${error.message}`, 'API docs page is misconfigured', {
      error: error.message,
    });
    return errorResponse(error);
  }

  logger.error('API docs page failed to read its files', { error });
  return errorResponse(
    new TaskError('internal_error', 'The API docs page failed to read its files; the error was logged on the server.'),
  );
}
