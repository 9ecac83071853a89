// GET {basePath}/openapi.json through the route handlers: headers, access control, caching,
// `openapi: false`, and the routing of other GET names.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { basicAuth, configureTasks, defineTask, noAuth, TaskError } from '../../../src/index.js';
import { createTaskHandlers } from '../../../src/next/index.js';
import type { OpenApiDocument } from '../../../src/openapi/index.js';
import { resetTasks } from '../../../src/testing/index.js';
import { basicAuthorization, type CapturingLogger, capturingLogger, thrownBy } from '../helpers.js';
import { getFromRoute, postRaw, routeContext } from './fixtures.js';

const credentials = { username: 'docs-reader', password: 'open-sesame' };
const authorization = basicAuthorization(credentials.username, credentials.password);

let logger: CapturingLogger;

beforeEach(() => {
  resetTasks();
  logger = capturingLogger();
  configureTasks({ logger, auth: basicAuth(credentials) });
  defineTask({ name: 'send-email', schema: z.object({ to: z.email() }), run: () => null });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('document response', () => {
  it('200 with JSON content type', async () => {
    const response = await getFromRoute('openapi.json', {}, { authorization });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const document = (await response.json()) as OpenApiDocument;
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(['/api/tasks/send-email']);
  });

  it('protected document is private', async () => {
    const response = await getFromRoute('openapi.json', {}, { authorization });

    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it('public document may be cached', async () => {
    const response = await getFromRoute('openapi.json', { openapi: { auth: noAuth() } });

    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('matching If-None-Match gets 304', async () => {
    const handlers = createTaskHandlers();
    const first = await handlers.GET(documentRequest({ authorization }), routeContext('openapi.json'));
    const etag = first.headers.get('etag') ?? '';

    const second = await handlers.GET(
      documentRequest({ authorization, 'if-none-match': etag }),
      routeContext('openapi.json'),
    );

    expect(second.status).toBe(304);
    expect(await second.text()).toBe('');
    expect(second.headers.get('etag')).toBe(etag);
  });

  it('stale If-None-Match gets 200', async () => {
    const response = await getFromRoute('openapi.json', {}, { authorization, 'if-none-match': '"old"' });

    expect(response.status).toBe(200);
  });

  it('options shape the document', async () => {
    const response = await getFromRoute(
      'openapi.json',
      { openapi: { title: 'Shop', version: '4.5.6', servers: [{ url: 'https://shop.example.com' }] } },
      { authorization },
    );
    const document = (await response.json()) as OpenApiDocument;

    expect(document.info.title).toBe('Shop');
    expect(document.info.version).toBe('4.5.6');
    expect(document.servers).toEqual([{ url: 'https://shop.example.com' }]);
  });

  it('document auth is not in document', async () => {
    const response = await getFromRoute('openapi.json', { openapi: { auth: noAuth() } });
    const document = (await response.json()) as OpenApiDocument;

    expect(document.paths['/api/tasks/send-email']?.post).toMatchObject({ security: [{ basicAuth: [] }] });
  });
});

function documentRequest(headers: Record<string, string> = {}): Request {
  return new Request('http://localhost/api/tasks/openapi.json', { headers });
}

describe('document access', () => {
  it('401 without credentials by default', async () => {
    const response = await getFromRoute('openapi.json');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="tasks", charset="UTF-8"');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('401 with wrong credentials', async () => {
    const response = await getFromRoute('openapi.json', {}, { authorization: basicAuthorization('docs-reader', 'x') });

    expect(response.status).toBe(401);
  });

  it('200 for anyone with noAuth', async () => {
    const response = await getFromRoute('openapi.json', { openapi: { auth: noAuth() } });

    expect(response.status).toBe(200);
  });

  it('handler auth protects document', async () => {
    configureTasks({ auth: noAuth() });
    const handlerAuth = basicAuth({ username: 'handler', password: 'only' });

    const without = await getFromRoute('openapi.json', { auth: handlerAuth });
    const withCredentials = await getFromRoute(
      'openapi.json',
      { auth: handlerAuth },
      { authorization: basicAuthorization('handler', 'only') },
    );

    expect(without.status).toBe(401);
    expect(withCredentials.status).toBe(200);
  });

  it('openapi auth wins over handler auth', async () => {
    const response = await getFromRoute('openapi.json', {
      auth: basicAuth({ username: 'handler', password: 'only' }),
      openapi: { auth: () => true },
    });

    expect(response.status).toBe(200);
  });

  it('401 when no authentication is configured', async () => {
    resetTasks();
    configureTasks({ logger });
    vi.stubEnv('TASKS_API_AUTHENTICATION', '');

    const response = await getFromRoute('openapi.json');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Custom realm="tasks"');
  });

  it('authenticator setup error gets 500', async () => {
    configureTasks({ auth: basicAuth() });
    vi.stubEnv('TASKS_BASIC_AUTH_USERNAME', '');
    vi.stubEnv('TASKS_BASIC_AUTH_PASSWORD', '');

    const response = await getFromRoute('openapi.json', {}, { authorization });

    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('configuration_error');
  });

  it('public document logs no auth warning', async () => {
    await getFromRoute('openapi.json', { openapi: { auth: noAuth() } });

    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });
});

describe('openapi false', () => {
  it('document answers 404', async () => {
    const response = await getFromRoute('openapi.json', { openapi: false }, { authorization });

    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string; message: string } }).error.message).toContain(
      'openapi: false',
    );
  });

  it('docs page answers 404', async () => {
    const response = await getFromRoute('docs', { openapi: false }, { authorization });

    expect(response.status).toBe(404);
  });

  it('tasks still run', async () => {
    const handlers = createTaskHandlers({ openapi: false });
    const request = new Request('http://localhost/api/tasks/send-email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: new TextEncoder().encode('{"to":"ada@example.com"}'),
    });

    expect((await handlers.POST(request, routeContext('send-email'))).status).toBe(200);
  });
});

describe('caching', () => {
  it('builds once for repeated requests', async () => {
    const input = vi.fn(() => ({ type: 'object' }));
    const schema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: (value: unknown) => ({ value }),
        jsonSchema: { input, output: input },
      },
    };
    defineTask({ name: 'counted', schema, run: () => null });
    const handlers = createTaskHandlers();

    const first = await (await handlers.GET(documentRequest({ authorization }), routeContext('openapi.json'))).text();
    const second = await (await handlers.GET(documentRequest({ authorization }), routeContext('openapi.json'))).text();

    expect(second).toBe(first);
    expect(input).toHaveBeenCalledTimes(1);
  });

  it('rebuilds when a task is registered', async () => {
    const handlers = createTaskHandlers();
    const first = await handlers.GET(documentRequest({ authorization }), routeContext('openapi.json'));

    defineTask({ name: 'added-later', schema: z.object({}), run: () => null });
    const second = await handlers.GET(documentRequest({ authorization }), routeContext('openapi.json'));
    const document = (await second.json()) as OpenApiDocument;

    expect(Object.keys(document.paths)).toContain('/api/tasks/added-later');
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
  });

  it('rebuilds when a task is redefined', async () => {
    const handlers = createTaskHandlers();
    await handlers.GET(documentRequest({ authorization }), routeContext('openapi.json'));

    defineTask({ name: 'send-email', description: 'Reloaded.', schema: z.object({ to: z.email() }), run: () => null });
    const document = (await (
      await handlers.GET(documentRequest({ authorization }), routeContext('openapi.json'))
    ).json()) as OpenApiDocument;

    expect(document.paths['/api/tasks/send-email']?.post).toMatchObject({ description: 'Reloaded.' });
  });

  it('rebuilds when global auth changes', async () => {
    const handlers = createTaskHandlers({ openapi: { auth: noAuth() } });
    await handlers.GET(documentRequest(), routeContext('openapi.json'));

    configureTasks({ auth: () => true });
    const document = (await (
      await handlers.GET(documentRequest(), routeContext('openapi.json'))
    ).json()) as OpenApiDocument;

    expect(document.paths['/api/tasks/send-email']?.post).toMatchObject({ security: [{ customAuth: [] }] });
  });

  it('rebuilds when basePath changes', async () => {
    const handlers = createTaskHandlers({ openapi: { auth: noAuth() } });
    await handlers.GET(documentRequest(), routeContext('openapi.json'));

    configureTasks({ basePath: '/jobs' });
    const document = (await (
      await handlers.GET(documentRequest(), routeContext('openapi.json'))
    ).json()) as OpenApiDocument;

    expect(Object.keys(document.paths)).toEqual(['/jobs/send-email']);
  });

  it('failed build is retried', async () => {
    const handlers = createTaskHandlers({ openapi: { auth: noAuth() } });
    const cwd = vi.spyOn(process, 'cwd').mockImplementation(() => {
      throw new Error('working directory was removed');
    });

    const failed = await handlers.GET(documentRequest(), routeContext('openapi.json'));
    cwd.mockRestore();
    const retried = await handlers.GET(documentRequest(), routeContext('openapi.json'));

    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe('internal_error');
    expect(logger.lines.some((line) => line.level === 'error' && line.message === 'OpenAPI document failed')).toBe(
      true,
    );
    expect(retried.status).toBe(200);
  });
});

describe('GET routing', () => {
  it('other names answer 405', async () => {
    const response = await getFromRoute('send-email', {}, { authorization });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('docs page needs credentials', async () => {
    const response = await getFromRoute('docs');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="tasks", charset="UTF-8"');
  });

  it('docs page served with credentials', async () => {
    const response = await getFromRoute('docs', {}, { authorization });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('task named docs runs on POST', async () => {
    defineTask({ name: 'docs', schema: z.object({}), run: () => 'ran' });

    const post = await postRaw('docs', '{}', 'application/json', { authorization });
    const get = await getFromRoute('docs', {}, { authorization });

    expect(((await post.json()) as { result: unknown }).result).toBe('ran');
    expect(get.headers.get('content-type')).toContain('text/html');
  });

  it('POST to openapi.json is not a task', async () => {
    const response = await postRaw('openapi.json', '{}', 'application/json', { authorization });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('options', () => {
  it.each([
    ['a string', 'yes', 'Invalid openapi'],
    ['empty title', { title: ' ' }, 'Invalid openapi.title'],
    ['numeric version', { version: 1 }, 'Invalid openapi.version'],
    ['servers not a list', { servers: 'https://x' }, 'Invalid openapi.servers'],
    ['server without url', { servers: [{ description: 'x' }] }, 'Invalid openapi.servers[0]'],
    ['merge not an object', { merge: 'openapi.json' }, 'Invalid openapi.merge'],
    ['merge paths a list', { merge: { paths: [] } }, 'Invalid openapi.merge.paths'],
    [
      'merge component map a list',
      { merge: { components: { schemas: [] } } },
      'Invalid openapi.merge.components.schemas',
    ],
    ['merge tag without name', { merge: { tags: [{}] } }, 'Invalid openapi.merge.tags[0]'],
    ['auth not an authenticator', { auth: 'basic' }, 'Invalid `auth` option'],
  ])('rejects %s', (_label, openapi, message) => {
    const error = thrownBy(() => createTaskHandlers({ openapi: openapi as never }));

    expect(error).toBeInstanceOf(TaskError);
    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain(message);
  });

  it('accepts false and empty object', () => {
    expect(() => createTaskHandlers({ openapi: false })).not.toThrow();
    expect(() => createTaskHandlers({ openapi: {} })).not.toThrow();
  });
});
