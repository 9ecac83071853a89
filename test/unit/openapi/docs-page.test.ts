// The API docs page and its files, as Request to Response, alone and behind the task route's GET handler.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { basicAuth, configureTasks, noAuth } from '../../../src/index.js';
import { createTaskHandlers, type TaskHandlerOptions } from '../../../src/next/index.js';
import {
  DOCS_ASSET_NAMES,
  defaultSearchLocations,
  readDocsAssets,
  SWAGGER_UI_TRACING_GLOB,
} from '../../../src/openapi/docs-assets.js';
import {
  DOCS_PAGE_CONTENT_SECURITY_POLICY,
  type DocsPageOptions,
  isDocsPageName,
  serveDocsPage,
  serveDocsPageWith,
} from '../../../src/openapi/docs-page.js';
import { resetTasks } from '../../../src/testing/index.js';
import { basicAuthorization, type CapturingLogger, capturingLogger } from '../helpers.js';

const ORIGIN = 'http://localhost';
const BASE_PATH = '/api/tasks';
const PAGE_OPTIONS: DocsPageOptions = { basePath: BASE_PATH, title: 'Tasks API' };

let logger: CapturingLogger;

beforeEach(() => {
  resetTasks();
  logger = capturingLogger();
  configureTasks({ logger });
});

function docsRequest(name: string, init: RequestInit & { query?: string } = {}): Request {
  return new Request(`${ORIGIN}${BASE_PATH}/${name}${init.query ?? ''}`, init);
}

function serve(name: string, init: RequestInit & { query?: string } = {}): Promise<Response> {
  return serveDocsPage(docsRequest(name, init), name, PAGE_OPTIONS);
}

/** Lists the `src` and `href` attribute values of an HTML text. */
function linkedUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');
}

describe('docs page', () => {
  it('page links only same-origin files', async () => {
    const html = await (await serve('docs')).text();
    const urls = linkedUrls(html);

    expect(urls.length).toBe(4);
    for (const url of urls) expect(new URL(url, `${ORIGIN}${BASE_PATH}/docs`).origin).toBe(ORIGIN);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\s(?:src|href)="\/\//);
  });

  it('page links each asset with version', async () => {
    const html = await (await serve('docs')).text();
    const paths = linkedUrls(html).map((url) => new URL(url.replaceAll('&amp;', '&'), `${ORIGIN}${BASE_PATH}/docs`));

    expect(paths.map((url) => url.pathname).sort()).toEqual(
      DOCS_ASSET_NAMES.map((name) => `${BASE_PATH}/${name}`).sort(),
    );
    for (const url of paths) expect(url.searchParams.get('v')).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('page names document relative to itself', async () => {
    const html = await (await serve('docs')).text();

    expect(html).toContain('<div id="swagger-ui" data-openapi-url="./openapi.json"></div>');
    expect(html).not.toContain('<script>');
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  it('page has security and cache headers', async () => {
    const response = await serve('docs');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(DOCS_PAGE_CONTENT_SECURITY_POLICY);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('policy allows no inline or remote code', () => {
    const directives = new Map(
      DOCS_PAGE_CONTENT_SECURITY_POLICY.split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );

    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(DOCS_PAGE_CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('title is HTML-escaped', async () => {
    const response = await serveDocsPage(docsRequest('docs'), 'docs', {
      basePath: BASE_PATH,
      title: '<script>alert("x")</script> & Co',
    });
    const html = await response.text();

    expect(html).toContain('<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</title>');
    expect(html).not.toContain('<script>alert');
  });

  it('trailing slash page links one level up', async () => {
    const response = await serveDocsPage(docsRequest('docs/'), 'docs', PAGE_OPTIONS);
    const html = await response.text();

    expect(html).toContain('data-openapi-url="../openapi.json"');
    for (const url of linkedUrls(html)) expect(url.startsWith('../docs')).toBe(true);
  });

  it('HEAD sends headers without body', async () => {
    const response = await serve('docs', { method: 'HEAD' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.body).toBeNull();
  });
});

describe('docs assets', () => {
  it.each([
    ['docs.css', 'text/css; charset=utf-8', '.swagger-ui'],
    ['docs.js', 'text/javascript; charset=utf-8', 'SwaggerUIBundle'],
    ['docs-init.js', 'text/javascript; charset=utf-8', 'SwaggerUIBundle({'],
  ])('%s served as %s', async (name, contentType, expectedText) => {
    const response = await serve(name);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(contentType);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain(expectedText);
  });

  it('icon served as PNG', async () => {
    const response = await serve('docs-icon.png');
    const bytes = new Uint8Array(await response.arrayBuffer());

    expect(response.headers.get('content-type')).toBe('image/png');
    expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('stylesheet includes page layout rules', async () => {
    const css = await (await serve('docs.css')).text();

    expect(css).toMatch(/body\s*\{[^}]*margin:\s*0/);
  });

  it.each(['docs.css', 'docs.js'])('%s has no source map comment', async (name) => {
    const text = await (await serve(name)).text();

    expect(text).not.toContain('sourceMappingURL');
  });

  it('init script turns off remote validator', async () => {
    const script = await (await serve('docs-init.js')).text();

    expect(script).toContain('validatorUrl: null');
    expect(script).toContain("root.getAttribute('data-openapi-url')");
    expect(script).not.toMatch(/https?:\/\//);
  });

  it('versioned URL is cached for a year', async () => {
    const etag = (await serve('docs.js')).headers.get('etag') ?? '';
    const version = etag.replaceAll('"', '');

    const response = await serve('docs.js', { query: `?v=${version}` });

    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('unversioned URL must be revalidated', async () => {
    const response = await serve('docs.js', { query: '?v=outdated' });

    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{16}"$/);
  });

  it.each([
    ['exact', (etag: string) => etag],
    ['weak', (etag: string) => `W/${etag}`],
    ['listed', (etag: string) => `"other", ${etag}`],
    ['wildcard', () => '*'],
  ])('matching If-None-Match (%s) gets 304', async (_case, header) => {
    const etag = (await serve('docs.css')).headers.get('etag') ?? '';

    const response = await serve('docs.css', { headers: { 'if-none-match': header(etag) } });

    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe(etag);
    expect(await response.text()).toBe('');
  });

  it('other If-None-Match gets 200', async () => {
    const response = await serve('docs.css', { headers: { 'if-none-match': '"something-else"' } });

    expect(response.status).toBe(200);
  });

  it.each(['docs.map', 'swagger-ui.css', 'docs.js.map', 'index.html'])('unknown file %s gets 404', async (name) => {
    const response = await serve(name);
    const body = await response.json();

    expect(response.status).toBe(404);
    expect(body.error.code).toBe('task_not_found');
    expect(body.error.message).toContain(JSON.stringify(name));
  });

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('%s gets 405', async (method) => {
    const response = await serve('docs.js', { method });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect((await response.json()).error.code).toBe('method_not_allowed');
  });

  it('page names are recognized', () => {
    expect(isDocsPageName('docs')).toBe(true);
    for (const name of DOCS_ASSET_NAMES) expect(isDocsPageName(name)).toBe(true);
    expect(isDocsPageName('send-email')).toBe(false);
    expect(isDocsPageName('openapi.json')).toBe(false);
  });
});

describe('docs without swagger-ui-dist', () => {
  let emptyDir: string;

  beforeAll(async () => {
    emptyDir = await mkdtemp(path.join(tmpdir(), 'ngt-no-swagger-ui-'));
  });

  afterAll(async () => {
    await rm(emptyDir, { recursive: true, force: true });
  });

  /** Serves with assets resolved only from a folder that has no node_modules. */
  function serveWithoutPackage(name: string): Promise<Response> {
    const loadAssets = (basePath: string) => readDocsAssets([path.join(emptyDir, 'package.json')], basePath);
    return serveDocsPageWith(loadAssets, docsRequest(name), name, PAGE_OPTIONS);
  }

  it('later search location is tried', async () => {
    const repositoryPackage = path.resolve(import.meta.dirname, '../../../package.json');

    const assets = await readDocsAssets([path.join(emptyDir, 'package.json'), repositoryPackage], BASE_PATH);

    expect(assets['docs.js'].body.byteLength).toBeGreaterThan(0);
  });

  it('search falls back to working directory', () => {
    const locations = defaultSearchLocations();

    expect(locations.length).toBe(2);
    expect(locations[1]).toBe(pathToFileURL(path.join(process.cwd(), 'package.json')).href);
  });

  it('page gets 500 configuration_error', async () => {
    const response = await serveWithoutPackage('docs');
    const body = await response.json();

    expect(response.status).toBe(500);
    expect(body.error.code).toBe('configuration_error');
  });

  it('message names tracing entry to add', async () => {
    const body = await (await serveWithoutPackage('docs.js')).json();

    expect(body.error.message).toContain('swagger-ui-dist was not found');
    expect(body.error.message).toContain(
      `outputFileTracingIncludes: { "/api/tasks/*": ["./node_modules/swagger-ui-dist/{package.json,swagger-ui.css,index.css,swagger-ui-bundle.js,favicon-32x32.png}"] }`,
    );
    expect(SWAGGER_UI_TRACING_GLOB).toBe(
      './node_modules/swagger-ui-dist/{package.json,swagger-ui.css,index.css,swagger-ui-bundle.js,favicon-32x32.png}',
    );
  });

  it('failure is logged once', async () => {
    await serveWithoutPackage('docs');
    await serveWithoutPackage('docs');

    const errors = logger.lines.filter((line) => line.level === 'error');
    expect(errors.length).toBe(1);
    expect(errors[0]?.message).toBe('API docs page is misconfigured');
  });
});

describe('docs behind task route', () => {
  const credentials = { username: 'docs-reader', password: 'docs-secret' };

  function getFromRoute(options: TaskHandlerOptions, name: string, headers: Record<string, string> = {}) {
    const handlers = createTaskHandlers(options);
    return handlers.GET(new Request(`${ORIGIN}${BASE_PATH}/${name}`, { headers }), {
      params: Promise.resolve({ name }),
    });
  }

  it.each(['docs', 'docs.js'])('%s served with task credentials', async (name) => {
    configureTasks({ auth: basicAuth(credentials) });

    const response = await getFromRoute({}, name, {
      authorization: basicAuthorization(credentials.username, credentials.password),
    });

    expect(response.status).toBe(200);
  });

  it.each(['docs', 'docs.css', 'docs-init.js'])('%s without credentials gets 401', async (name) => {
    configureTasks({ auth: basicAuth(credentials) });

    const response = await getFromRoute({}, name);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="tasks", charset="UTF-8"');
    expect((await response.json()).error.code).toBe('unauthorized');
  });

  it('openapi.auth protects page', async () => {
    configureTasks({ auth: noAuth() });
    const docsAuth = basicAuth({ ...credentials, realm: 'docs' });

    const denied = await getFromRoute({ openapi: { auth: docsAuth } }, 'docs');
    const allowed = await getFromRoute({ openapi: { auth: docsAuth } }, 'docs', {
      authorization: basicAuthorization(credentials.username, credentials.password),
    });

    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Basic realm="docs", charset="UTF-8"');
    expect(allowed.status).toBe(200);
  });

  it('noAuth makes page public', async () => {
    configureTasks({ auth: basicAuth(credentials) });

    const response = await getFromRoute({ openapi: { auth: noAuth() } }, 'docs');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it.each(['docs', 'docs.js', 'openapi.json'])('openapi false answers %s with 404', async (name) => {
    configureTasks({ auth: noAuth() });

    const response = await getFromRoute({ openapi: false }, name);

    expect(response.status).toBe(404);
  });

  it('page title is document title', async () => {
    configureTasks({ auth: noAuth() });

    const response = await getFromRoute({ openapi: { title: 'Billing tasks' } }, 'docs');

    expect(await response.text()).toContain('<title>Billing tasks</title>');
  });
});
