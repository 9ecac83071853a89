// The task endpoint as a plain Request to Response function, and its Next.js route handlers.
import { createHmac, timingSafeEqual } from 'node:crypto';

import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import {
  type AnySchema,
  basicAuth,
  configureTasks,
  DEFAULT_MAX_BODY_BYTES,
  defineTask,
  noAuth,
} from '../../src/index.js';
import {
  createTaskHandlers,
  handleTaskRequest,
  type TaskHandlerOptions,
  type TaskRouteContext,
} from '../../src/next/index.js';
import { resetTasks } from '../../src/testing/index.js';
import { basicAuthorization, type CapturingLogger, capturingLogger } from './helpers.js';

interface ErrorBody {
  code: string;
  message: string;
  issues?: Array<{ path: Array<string | number>; message: string }>;
  taskId?: string;
}

const URL_BASE = 'http://localhost/api/tasks';
const encoder = new TextEncoder();

let logger: CapturingLogger;

beforeEach(() => {
  resetTasks();
  logger = capturingLogger();
  configureTasks({ logger, auth: noAuth() });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Builds a task call. A string body is sent as UTF-8 bytes, so fetch adds no Content-Type of its own. */
function taskRequest(
  name: string,
  body: string | Uint8Array<ArrayBuffer> | null,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
): Request {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  return new Request(`${URL_BASE}/${encodeURIComponent(name)}`, { method, headers, body: bytes });
}

function call(
  name: string,
  body: string | Uint8Array<ArrayBuffer> | null,
  headers?: Record<string, string>,
  options?: TaskHandlerOptions,
) {
  return handleTaskRequest(taskRequest(name, body, headers), name, options);
}

/** Reads an error response and checks that its body has exactly the documented shape. */
async function readError(response: Response): Promise<ErrorBody> {
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = (await response.json()) as { error: ErrorBody };

  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).filter((key) => !['code', 'message', 'issues', 'taskId'].includes(key))).toEqual([]);
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  for (const issue of body.error.issues ?? []) expect(Object.keys(issue).sort()).toEqual(['message', 'path']);
  return body.error;
}

/**
 * Builds a route context whose `params` is a plain object, as Next.js before 15 passes it. The
 * handler awaits `params`, so it accepts both, although the type lists only the Promise.
 */
function plainParams(params: { name?: string | string[] }): TaskRouteContext {
  return { params } as unknown as TaskRouteContext;
}

function defineEcho(schema: AnySchema = z.object({ text: z.string() })) {
  return defineTask({ name: 'echo', schema, run: (params) => params });
}

const echoSchemas = [
  ['zod', z.object({ text: z.string() })],
  ['valibot', v.object({ text: v.string() })],
] as const;

describe('task endpoint success', () => {
  it.each(echoSchemas)('200 with id and result (%s)', async (_vendor, schema) => {
    defineEcho(schema);

    const response = await call('echo', '{"text":"hi"}');

    expect(response.status).toBe(200);
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(['id', 'result']);
    expect(body.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(body.result).toEqual({ text: 'hi' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['zod', z.object({ name: z.string().transform((name) => name.toUpperCase()), n: z.number().default(2) })],
    [
      'valibot',
      v.object({
        name: v.pipe(
          v.string(),
          v.transform((name) => name.toUpperCase()),
        ),
        n: v.optional(v.number(), 2),
      }),
    ],
  ] as const)('handler gets schema output (%s)', async (_vendor, schema) => {
    defineTask({ name: 'shout', schema, run: ({ name, n }) => name.repeat(n) });

    const response = await call('shout', '{"name":"ab"}');

    expect((await response.json()).result).toBe('ABAB');
  });

  it('undefined result becomes null', async () => {
    defineTask({ name: 'nothing', schema: z.object({}), run: () => undefined });

    const body = await (await call('nothing', '{}')).json();

    expect(body).toHaveProperty('result', null);
  });

  it('context id matches response id', async () => {
    const ids: string[] = [];
    defineTask({
      name: 'ids',
      schema: z.object({}),
      run: (_params, context) => {
        ids.push(context.id);
      },
    });

    const body = await (await call('ids', '{}')).json();

    expect(ids).toEqual([body.id]);
  });
});

describe('task endpoint text', () => {
  const texts = [
    ['mixed scripts', 'Grüße ☕ 🚀 日本語'],
    ['combining characters', 'e\u0301 A\u030A n\u0303 \u1100\u1161\u11A8'],
    ['ZWJ emoji', '👩\u200D👩\u200D👧\u200D👦 🏳️\u200D🌈 👍🏽'],
    ['escapes and controls', 'quote " backslash \\ tab \t newline \n nul \u0000 lone-looking \uFFFD'],
  ];

  it.each(texts)('round-trips %s byte-exact', async (_case, text) => {
    const received: string[] = [];
    defineTask({
      name: 'text',
      schema: v.object({ text: v.string() }),
      run: ({ text: value }) => {
        received.push(value);
        return value;
      },
    });

    const response = await call('text', JSON.stringify({ text }));

    expect(response.status).toBe(200);
    expect(received).toEqual([text]);
    expect(encoder.encode(received[0])).toEqual(encoder.encode(text));
    expect((await response.json()).result).toBe(text);
  });
});

describe('task endpoint not found', () => {
  it.each(['missing', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])('404 for %s', async (name) => {
    defineEcho();

    const response = await call(name, '{}');

    expect(response.status).toBe(404);
    const error = await readError(response);
    expect(error.code).toBe('task_not_found');
    expect(error.message).toContain(JSON.stringify(name));
  });
});

describe('task endpoint content type', () => {
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/json'])(
    '415 for %s',
    async (contentType) => {
      defineEcho();

      const response = await call('echo', '{"text":"hi"}', { 'content-type': contentType });

      expect(response.status).toBe(415);
      const error = await readError(response);
      expect(error.code).toBe('unsupported_media_type');
      expect(error.message).toContain('application/json');
    },
  );

  it.each(['application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset='])(
    '415 for charset: %s',
    async (contentType) => {
      defineEcho();

      const response = await call('echo', '{"text":"hi"}', { 'content-type': contentType });

      expect(response.status).toBe(415);
      expect((await readError(response)).message).toContain('UTF-8');
    },
  );

  it.each([
    ['no Content-Type', {}],
    ['utf-8 charset', { 'content-type': 'application/json; charset=utf-8' }],
    ['quoted uppercase charset', { 'content-type': 'Application/JSON; charset="UTF-8"' }],
    ['+json type', { 'content-type': 'application/vnd.api+json' }],
  ])('accepts %s', async (_case, headers) => {
    defineEcho();

    const request = taskRequest('echo', '{"text":"hi"}', headers);
    expect(request.headers.get('content-type')).toBe((headers as Record<string, string>)['content-type'] ?? null);

    const response = await handleTaskRequest(request, 'echo');

    expect(response.status).toBe(200);
  });
});

describe('task endpoint body', () => {
  it.each([
    ['empty body', ''],
    ['whitespace body', ' \n\t '],
    ['malformed JSON', '{"text": "hi"'],
    ['trailing comma', '{"text":"hi",}'],
    ['single quotes', "{'text':'hi'}"],
  ])('400 for %s', async (_case, body) => {
    defineEcho();

    const response = await call('echo', body);

    expect(response.status).toBe(400);
    expect((await readError(response)).code).toBe('invalid_json');
  });

  it('400 for no body', async () => {
    defineEcho();

    const response = await call('echo', null);

    expect(response.status).toBe(400);
    expect((await readError(response)).code).toBe('invalid_json');
  });

  it.each([
    ['lone continuation byte', [0x80]],
    ['truncated sequence', [0xe6, 0x97]],
    ['overlong encoding', [0xc0, 0xaf]],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['latin1 byte', [0xfc]],
  ])('400 for invalid UTF-8: %s', async (_case, bad) => {
    defineEcho();
    const body = new Uint8Array([...encoder.encode('{"text":"'), ...bad, ...encoder.encode('"}')]);

    const response = await call('echo', body);

    expect(response.status).toBe(400);
    const error = await readError(response);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toContain('UTF-8');
  });
});

describe('task endpoint validation', () => {
  it.each([
    ['zod', z.object({ recipients: z.array(z.object({ email: z.email() })) })],
    ['valibot', v.object({ recipients: v.array(v.object({ email: v.pipe(v.string(), v.email()) })) })],
  ] as const)('422 with nested issue path (%s)', async (_vendor, schema) => {
    let ran = false;
    defineTask({
      name: 'notify',
      schema,
      run: () => {
        ran = true;
      },
    });

    const response = await call('notify', '{"recipients":[{"email":"nope"}]}');

    expect(response.status).toBe(422);
    const error = await readError(response);
    expect(error.code).toBe('invalid_params');
    expect(error.issues).toHaveLength(1);
    expect(error.issues?.[0]?.path).toEqual(['recipients', 0, 'email']);
    expect(error.issues?.[0]?.message).not.toBe('');
    expect(ran).toBe(false);
  });

  it.each(
    echoSchemas.flatMap(([vendor, schema]) =>
      (
        [
          ['JSON array', '[{"text":"hi"}]'],
          ['JSON string', '"hi"'],
          ['JSON number', '42'],
          ['JSON null', 'null'],
        ] as const
      ).map(([name, body]) => [vendor, name, body, schema] as const),
    ),
  )('%s: 422 for %s', async (_vendor, _case, body, schema) => {
    defineEcho(schema);

    const response = await call('echo', body);

    expect(response.status).toBe(422);
    const error = await readError(response);
    expect(error.code).toBe('invalid_params');
    expect(error.issues?.length).toBeGreaterThan(0);
  });

  it.each(echoSchemas)('JSON string issue at root (%s)', async (_vendor, schema) => {
    defineEcho(schema);

    const response = await call('echo', '"hi"');

    expect((await readError(response)).issues?.[0]?.path).toEqual([]);
  });

  it.each(echoSchemas)('422 for wrong field type (%s)', async (_vendor, schema) => {
    defineEcho(schema);

    const response = await call('echo', '{"text":5}');

    expect(response.status).toBe(422);
    expect((await readError(response)).issues?.[0]?.path).toEqual(['text']);
  });
});

describe('task endpoint body limit', () => {
  /** Creates a stream of `chunks` chunks of `chunkSize` spaces that counts how many chunks were pulled. */
  function countingStream(chunks: number, chunkSize: number) {
    const counter = { pulled: 0, cancelled: false };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (counter.pulled === chunks) {
          controller.close();
          return;
        }
        counter.pulled += 1;
        controller.enqueue(new Uint8Array(chunkSize).fill(0x20));
      },
      cancel() {
        counter.cancelled = true;
      },
    });
    return { stream, counter };
  }

  function streamRequest(stream: ReadableStream<Uint8Array>, headers: Record<string, string>): Request {
    // Node's Request needs duplex: 'half' for a stream body, but the DOM RequestInit type does not list it.
    const init = { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit;
    return new Request(`${URL_BASE}/echo`, init);
  }

  it('413 from Content-Length without reading', async () => {
    defineEcho();
    const { stream, counter } = countingStream(64, 64 * 1024);
    const request = streamRequest(stream, {
      'content-type': 'application/json',
      'content-length': String(64 * 64 * 1024),
    });

    const response = await handleTaskRequest(request, 'echo');

    expect(response.status).toBe(413);
    const error = await readError(response);
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain('1048576 bytes');
    expect(counter.pulled).toBeLessThanOrEqual(1);
  });

  it('413 for stream without Content-Length', async () => {
    defineEcho();
    const { stream, counter } = countingStream(64, 64 * 1024);
    const request = streamRequest(stream, { 'content-type': 'application/json' });
    expect(request.headers.get('content-length')).toBeNull();

    const response = await handleTaskRequest(request, 'echo');

    expect(response.status).toBe(413);
    expect((await readError(response)).code).toBe('payload_too_large');
    // 1 MiB is 16 chunks, so the 17th passes the limit. The stream may pull a few chunks ahead.
    expect(counter.pulled).toBeGreaterThanOrEqual(17);
    expect(counter.pulled).toBeLessThan(24);
    expect(counter.cancelled).toBe(true);
  });

  it('413 when Content-Length understates body', async () => {
    defineEcho();
    const { stream, counter } = countingStream(64, 64 * 1024);
    const request = streamRequest(stream, { 'content-type': 'application/json', 'content-length': '10' });

    const response = await handleTaskRequest(request, 'echo');

    expect(response.status).toBe(413);
    expect(counter.pulled).toBeLessThan(24);
  });

  it('handler maxBodyBytes option respected', async () => {
    defineEcho();
    const body = '{"text":"123456"}';

    const atLimit = await call('echo', body, undefined, { maxBodyBytes: body.length });
    const overLimit = await call('echo', body, undefined, { maxBodyBytes: body.length - 1 });

    expect(atLimit.status).toBe(200);
    expect(overLimit.status).toBe(413);
    expect((await readError(overLimit)).message).toContain(`${body.length - 1} bytes`);
  });

  it('configured maxBodyBytes respected', async () => {
    defineEcho();
    const body = '{"text":"123456"}';
    configureTasks({ maxBodyBytes: body.length - 1 });

    const response = await call('echo', body);

    expect(response.status).toBe(413);
  });

  it('handler option overrides configured limit', async () => {
    defineEcho();
    configureTasks({ maxBodyBytes: 5 });

    const response = await call('echo', '{"text":"123456"}', undefined, { maxBodyBytes: 100 });

    expect(response.status).toBe(200);
  });

  it('limit counts bytes, not characters', async () => {
    defineEcho();
    const body = JSON.stringify({ text: '☕☕' });
    const bytes = encoder.encode(body).length;
    expect(bytes).toBeGreaterThan(body.length);

    const response = await call('echo', body, undefined, { maxBodyBytes: bytes - 1 });

    expect(response.status).toBe(413);
  });

  it('NaN handler limit is not unlimited', async () => {
    defineEcho();

    const response = await call('echo', JSON.stringify({ text: 'x'.repeat(2048) }), undefined, {
      maxBodyBytes: Number.NaN,
    });

    expect(response.status).not.toBe(200);
  });
});

describe('task endpoint authentication', () => {
  const credentials = { username: 'tasks', password: 'correct horse:battery ☕' };

  it('401 without configured authentication', async () => {
    resetTasks();
    configureTasks({ logger });
    vi.stubEnv('TASKS_API_AUTHENTICATION', undefined);
    defineEcho();

    const response = await call('echo', '{"text":"hi"}');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).not.toBeNull();
    const error = await readError(response);
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('TASKS_API_AUTHENTICATION');
    expect(error.message).toContain('"oidc"');
  });

  it.each([
    ['missing credentials', undefined],
    ['wrong password', basicAuthorization('tasks', 'wrong')],
    ['wrong user', basicAuthorization('other', credentials.password)],
    ['wrong scheme', 'Bearer token'],
  ])('401 for %s', async (_case, authorization) => {
    configureTasks({ auth: basicAuth(credentials) });
    let ran = false;
    defineTask({
      name: 'guarded',
      schema: z.object({}),
      run: () => {
        ran = true;
      },
    });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization !== undefined) headers.authorization = authorization;

    const response = await call('guarded', '{}', headers);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="tasks"/);
    expect((await readError(response)).code).toBe('unauthorized');
    expect(ran).toBe(false);
  });

  it('200 with right credentials', async () => {
    configureTasks({ auth: basicAuth(credentials) });
    defineEcho();

    const response = await call('echo', '{"text":"hi"}', {
      'content-type': 'application/json',
      authorization: basicAuthorization(credentials.username, credentials.password),
    });

    expect(response.status).toBe(200);
  });

  it('TASKS_API_AUTHENTICATION=basic uses env credentials', async () => {
    resetTasks();
    configureTasks({ logger });
    vi.stubEnv('TASKS_API_AUTHENTICATION', 'basic');
    vi.stubEnv('TASKS_BASIC_AUTH_USERNAME', 'env-user');
    vi.stubEnv('TASKS_BASIC_AUTH_PASSWORD', 'env-pass');
    defineEcho();

    const accepted = await call('echo', '{"text":"hi"}', { authorization: basicAuthorization('env-user', 'env-pass') });
    const rejected = await call('echo', '{"text":"hi"}', { authorization: basicAuthorization('env-user', 'nope') });

    expect(accepted.status).toBe(200);
    expect(rejected.status).toBe(401);
  });

  it('missing env credentials give 500', async () => {
    resetTasks();
    configureTasks({ logger });
    vi.stubEnv('TASKS_API_AUTHENTICATION', 'basic');
    vi.stubEnv('TASKS_BASIC_AUTH_USERNAME', undefined);
    vi.stubEnv('TASKS_BASIC_AUTH_PASSWORD', undefined);
    defineEcho();

    const response = await call('echo', '{"text":"hi"}', { authorization: basicAuthorization('u', 'p') });

    expect(response.status).toBe(500);
    expect((await readError(response)).code).toBe('configuration_error');
    expect(
      logger.lines.some((line) => line.level === 'error' && line.message === 'task endpoint is misconfigured'),
    ).toBe(true);
  });

  it('task noAuth overrides global basic', async () => {
    configureTasks({ auth: basicAuth(credentials) });
    defineTask({ name: 'public', schema: z.object({}), auth: noAuth(), run: () => 'open' });
    defineTask({ name: 'private', schema: z.object({}), run: () => 'closed' });

    const open = await call('public', '{}');
    const closed = await call('private', '{}');

    expect(open.status).toBe(200);
    expect(closed.status).toBe(401);
  });

  it('task basicAuth overrides global none', async () => {
    configureTasks({ auth: noAuth() });
    defineTask({ name: 'private', schema: z.object({}), auth: basicAuth(credentials), run: () => 'closed' });
    defineTask({ name: 'public', schema: z.object({}), run: () => 'open' });

    const withoutCredentials = await call('private', '{}');
    const withCredentials = await call('private', '{}', {
      authorization: basicAuthorization(credentials.username, credentials.password),
    });
    const other = await call('public', '{}');

    expect(withoutCredentials.status).toBe(401);
    expect(withCredentials.status).toBe(200);
    expect(other.status).toBe(200);
  });

  it('handler auth overrides global auth', async () => {
    configureTasks({ auth: noAuth() });
    defineEcho();

    const response = await call('echo', '{"text":"hi"}', undefined, { auth: basicAuth(credentials) });

    expect(response.status).toBe(401);
  });

  it('task auth overrides handler auth', async () => {
    defineTask({ name: 'public', schema: z.object({}), auth: noAuth(), run: () => 'open' });

    const response = await call('public', '{}', undefined, { auth: basicAuth(credentials) });

    expect(response.status).toBe(200);
  });

  it('function returning false gives 401', async () => {
    configureTasks({ auth: () => false });
    defineEcho();

    const response = await call('echo', '{"text":"hi"}');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).not.toBeNull();
    expect((await readError(response)).code).toBe('unauthorized');
  });

  it('function returning true gives 200', async () => {
    configureTasks({ auth: async (request) => request.headers.get('x-api-key') === 'k1' });
    defineEcho();

    const allowed = await call('echo', '{"text":"hi"}', { 'x-api-key': 'k1' });
    const denied = await call('echo', '{"text":"hi"}', { 'x-api-key': 'k2' });

    expect(allowed.status).toBe(200);
    expect(denied.status).toBe(401);
  });

  it('throwing authenticator gives 500', async () => {
    configureTasks({
      auth: () => {
        throw new Error('key store unreachable');
      },
    });
    defineEcho();

    const response = await call('echo', '{"text":"hi"}');

    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text).error.code).toBe('internal_error');
    expect(text).not.toContain('key store unreachable');
    const logged = logger.lines.find((line) => line.message === 'task endpoint failed');
    expect(logged?.level).toBe('error');
    expect(logged?.fields?.task).toBe('echo');
    expect(logged?.fields?.error).toBeInstanceOf(Error);
    expect((logged?.fields?.error as Error | undefined)?.message).toBe('key store unreachable');
  });

  it('403 from custom authenticator', async () => {
    configureTasks({
      auth: {
        scheme: 'roles',
        challenge: 'Roles realm="tasks"',
        authenticate: async () => ({ ok: false, status: 403, message: 'Role "viewer" may not run tasks.' }),
      },
    });
    defineEcho();

    const response = await call('echo', '{"text":"hi"}');

    expect(response.status).toBe(403);
    expect((await readError(response)).code).toBe('forbidden');
  });
});

describe('task endpoint HMAC authenticator', () => {
  const secret = 'webhook-secret';

  function sign(body: Uint8Array): string {
    return createHmac('sha256', secret).update(body).digest('hex');
  }

  async function verifySignature(request: Request): Promise<boolean> {
    const raw = new Uint8Array(await request.arrayBuffer());
    const given = Buffer.from(request.headers.get('x-signature') ?? '', 'hex');
    const expected = Buffer.from(sign(raw), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  it('reads body and handler still parses', async () => {
    const received: string[] = [];
    defineTask({
      name: 'webhook',
      schema: z.object({ event: z.string() }),
      auth: verifySignature,
      run: ({ event }) => {
        received.push(event);
        return event;
      },
    });
    const body = encoder.encode(JSON.stringify({ event: 'paid ☕' }));

    const response = await call('webhook', body, { 'content-type': 'application/json', 'x-signature': sign(body) });

    expect(response.status).toBe(200);
    expect((await response.json()).result).toBe('paid ☕');
    expect(received).toEqual(['paid ☕']);
  });

  it('wrong signature gives 401', async () => {
    let ran = false;
    defineTask({
      name: 'webhook',
      schema: z.object({ event: z.string() }),
      auth: verifySignature,
      run: () => {
        ran = true;
      },
    });
    const body = encoder.encode('{"event":"paid"}');
    const tampered = encoder.encode('{"event":"paix"}');

    const response = await call('webhook', tampered, { 'content-type': 'application/json', 'x-signature': sign(body) });

    expect(response.status).toBe(401);
    expect(ran).toBe(false);
  });
});

describe('task endpoint task failure', () => {
  it('500 with taskId and no details', async () => {
    const failure = new Error('database password rejected: hunter2');
    defineTask({
      name: 'explode',
      schema: z.object({}),
      run: () => {
        throw failure;
      },
    });

    const response = await call('explode', '{}');

    expect(response.status).toBe(500);
    const text = await response.clone().text();
    const error = await readError(response);
    expect(error.code).toBe('task_failed');
    expect(error.taskId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('database password');
    expect(text).not.toContain('handler.test.ts');
    expect(text).not.toMatch(/\bat .+:\d+:\d+/);

    const failed = logger.lines.find((line) => line.message === 'task failed');
    expect(failed?.level).toBe('error');
    expect(failed?.fields?.task).toBe('explode');
    expect(failed?.fields?.id).toBe(error.taskId);
    expect(failed?.fields?.error).toBe(failure);
  });

  it('non-Error throw gives 500', async () => {
    defineTask({
      name: 'explode',
      schema: z.object({}),
      run: () => {
        throw 'plain string failure';
      },
    });

    const response = await call('explode', '{}');

    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('plain string failure');
  });

  it('unserializable result gives 500', async () => {
    defineTask({ name: 'bigint', schema: z.object({}), run: () => ({ total: 10n }) });

    const response = await call('bigint', '{}');

    expect(response.status).toBe(500);
    const error = await readError(response);
    expect(error.code).toBe('internal_error');
    expect(error.taskId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(logger.lines.some((line) => line.message === 'task result is not JSON-serializable')).toBe(true);
  });
});

describe('task endpoint methods', () => {
  it.each(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const)('route %s gives 405', async (method) => {
    defineEcho();
    const handlers = createTaskHandlers();
    const body = method === 'GET' || method === 'OPTIONS' ? null : encoder.encode('{"text":"hi"}');
    const request = new Request(`${URL_BASE}/echo`, { method, body });

    const response = await handlers[method](request, { params: Promise.resolve({ name: 'echo' }) });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await readError(response)).code).toBe('method_not_allowed');
  });

  it.each(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('handleTaskRequest %s gives 405', async (method) => {
    defineEcho();
    const body = method === 'GET' ? null : '{"text":"hi"}';

    const response = await handleTaskRequest(taskRequest('echo', body, undefined, method), 'echo');

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await readError(response)).message).toContain(method);
  });
});

describe('createTaskHandlers POST', () => {
  it.each([
    ['Promise params', () => ({ params: Promise.resolve({ name: 'echo' }) })],
    ['plain params', () => plainParams({ name: 'echo' })],
    ['one-element array', () => ({ params: Promise.resolve({ name: ['echo'] }) })],
    ['name from URL', () => ({ params: Promise.resolve({}) })],
  ])('finds task from %s', async (_case, context) => {
    defineEcho();

    const response = await createTaskHandlers().POST(taskRequest('echo', '{"text":"hi"}'), context());

    expect(response.status).toBe(200);
    expect((await response.json()).result).toEqual({ text: 'hi' });
  });

  it('options reach the handler', async () => {
    defineEcho();
    const denying = createTaskHandlers({ auth: () => false });
    const limited = createTaskHandlers({ auth: () => true, maxBodyBytes: 1_000 });

    const denied = await denying.POST(taskRequest('echo', '{"text":"hi"}'), plainParams({ name: 'echo' }));
    const tooLarge = await limited.POST(
      taskRequest('echo', JSON.stringify({ text: 'x'.repeat(1_000) })),
      plainParams({ name: 'echo' }),
    );

    expect(denied.status).toBe(401);
    expect(tooLarge.status).toBe(413);
  });

  // A catch-all `[...name]` route with two segments names no task, even when the last one does.
  it('404 for several catch-all segments', async () => {
    defineEcho();

    const response = await createTaskHandlers().POST(taskRequest('echo', '{"text":"hi"}'), {
      params: Promise.resolve({ name: ['other', 'echo'] }),
    });

    expect(response.status).toBe(404);
  });

  it('404 for unknown route name', async () => {
    const response = await createTaskHandlers().POST(taskRequest('nope', '{}'), {
      params: Promise.resolve({ name: 'nope' }),
    });

    expect(response.status).toBe(404);
  });

  // Without route params the name comes from the last path segment, which may be a malformed escape.
  it('malformed escape in URL gives response', async () => {
    const request = new Request(`${URL_BASE}/%E0%A4%A`, { method: 'POST', body: encoder.encode('{}') });

    const response = await createTaskHandlers().POST(request, { params: Promise.resolve({}) });

    expect(response.status).toBe(404);
  });
});

describe('task endpoint credentials', () => {
  it('no credential in logs or bodies', async () => {
    const password = 'Tr0ub4dor&3:☕-never-log-me';
    const wrongPassword = 'guess-Xq7-wrong-password';
    const authorization = basicAuthorization('ops', password);
    const wrongPasswordAuthorization = basicAuthorization('ops', wrongPassword);
    const wrongUserAuthorization = basicAuthorization('opz', password);
    configureTasks({ auth: basicAuth({ username: 'ops', password }) });
    defineEcho();
    defineTask({
      name: 'explode',
      schema: z.object({}),
      run: () => {
        throw new Error('failed');
      },
    });

    const responses = await Promise.all([
      call('echo', '{"text":"hi"}', { authorization }),
      call('echo', '{"text":"hi"}', { authorization: wrongPasswordAuthorization }),
      call('echo', '{"text":"hi"}', { authorization: wrongUserAuthorization }),
      call('echo', '{"text":5}', { authorization }),
      call('echo', '{bad', { authorization }),
      call('explode', '{}', { authorization }),
      call('missing', '{}', { authorization }),
      call('echo', '{"text":"hi"}', { authorization, 'content-type': 'text/plain' }),
    ]);
    const bodies = await Promise.all(responses.map((response) => response.text()));

    expect(responses.map((response) => response.status)).toEqual([200, 401, 401, 422, 400, 500, 404, 415]);
    expect(logger.lines.length).toBeGreaterThan(0);
    const secrets = [password, wrongPassword, 'never-log-me'];
    for (const header of [authorization, wrongPasswordAuthorization, wrongUserAuthorization]) {
      secrets.push(header, header.slice('Basic '.length));
    }
    for (const text of [...bodies, logger.text()]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});

describe('task endpoint check order', () => {
  const credentials = { username: 'ops', password: 'order-check-password' };

  it('unknown task without credentials gives 401', async () => {
    configureTasks({ auth: basicAuth(credentials) });

    const response = await call('no-such-task', '{}');

    expect(response.status).toBe(401);
    expect((await readError(response)).code).toBe('unauthorized');
  });

  it('unknown task with credentials gives 404', async () => {
    configureTasks({ auth: basicAuth(credentials) });
    const headers = {
      'content-type': 'application/json',
      authorization: basicAuthorization(credentials.username, credentials.password),
    };

    const response = await call('no-such-task', '{}', headers);

    expect(response.status).toBe(404);
  });

  it('wrong content type without credentials gives 401', async () => {
    configureTasks({ auth: basicAuth(credentials) });
    defineEcho();

    const response = await call('echo', 'hello', { 'content-type': 'text/plain' });

    expect(response.status).toBe(401);
  });

  // The declared length is checked in the documented order: after authentication, task name and content type.
  it.each([
    ['no credentials', 'echo', false, 'application/json', 401],
    ['unknown task', 'no-such-task', true, 'application/json', 404],
    ['wrong content type', 'echo', true, 'text/plain', 415],
    ['valid call', 'echo', true, 'application/json', 413],
  ] as const)('oversized Content-Length with %s', async (_case, name, withCredentials, contentType, status) => {
    configureTasks({ auth: basicAuth(credentials) });
    defineEcho();
    const headers: Record<string, string> = {
      'content-type': contentType,
      'content-length': String(DEFAULT_MAX_BODY_BYTES + 1),
    };
    if (withCredentials) headers.authorization = basicAuthorization(credentials.username, credentials.password);

    const response = await call(name, '{"text":"hi"}', headers);

    expect(response.status).toBe(status);
  });

  it('body-reading authenticator with oversized Content-Length gives 413', async () => {
    defineTask({
      name: 'signed',
      schema: z.object({ text: z.string() }),
      auth: async (request) => {
        await request.arrayBuffer();
        return true;
      },
      run: ({ text }) => text,
    });

    const response = await call('signed', '{"text":"hi"}', {
      'content-type': 'application/json',
      'content-length': String(DEFAULT_MAX_BODY_BYTES + 1),
    });

    expect(response.status).toBe(413);
    expect((await readError(response)).code).toBe('payload_too_large');
  });

  it('body-reading authenticator over limit gives 413', async () => {
    let authenticatorRan = false;
    defineTask({
      name: 'signed',
      schema: z.object({ text: z.string() }),
      auth: async (request) => {
        authenticatorRan = true;
        await request.arrayBuffer();
        return true;
      },
      run: ({ text }) => text,
    });

    const response = await call('signed', JSON.stringify({ text: 'x'.repeat(2_000) }), undefined, {
      maxBodyBytes: 1_000,
    });

    expect(authenticatorRan).toBe(true);
    expect(response.status).toBe(413);
    expect((await readError(response)).code).toBe('payload_too_large');
  });

  it('rejected call leaves the body unread', async () => {
    configureTasks({ auth: basicAuth(credentials) });
    defineEcho();
    let pulledChunks = 0;
    const chunk = encoder.encode(' '.repeat(64 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulledChunks += 1;
        if (pulledChunks > 64) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const request = new Request(`${URL_BASE}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);

    const response = await handleTaskRequest(request, 'echo');

    expect(response.status).toBe(401);
    expect(pulledChunks).toBeLessThan(8);
  });
});
