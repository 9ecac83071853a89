// The task endpoints of the example app over real HTTP: `next build` (in the global setup), then
// `next start` on a free loopback port, with the basic credentials from example-app/.env.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signWebhookBody } from '../../example-app/lib/webhook-signature.js';
import { exampleAppDir, type RunningNextApp, startNextApp, waitFor } from '../support/next-app.js';
import {
  basicAuthorization,
  callTask,
  checkErrorShape,
  createDataDir,
  defaultMaxBodyBytes,
  exampleAuthorization,
  exampleCredentials,
  exampleWebhookSecret,
  readContacts,
  readErrorBody,
  readOutboxEmail,
  sendSlowly,
} from '../support/task-requests.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const validEmail = {
  subject: 'Quarterly report',
  content: 'The report is attached.',
  recipients: ['ada@example.com', 'grace@example.com'],
};

let app: RunningNextApp;
let dataDir: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  dataDir = await createDataDir();
  app = await startNextApp(exampleAppDir, {
    env: {
      EXAMPLE_DATA_DIR: dataDir.dir,
      // Variables from the test runner's environment would override example-app/.env.
      TASKS_API_AUTHENTICATION: undefined,
      TASKS_BASIC_AUTH_USERNAME: undefined,
      TASKS_BASIC_AUTH_PASSWORD: undefined,
      EXAMPLE_WEBHOOK_SECRET: undefined,
      TASKS_BACKEND: undefined,
      SMTP_URL: undefined,
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await dataDir?.remove();
});

/** Checks the headers that every JSON response of the task endpoint carries. */
function expectJsonHeaders(response: Response): void {
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
}

describe('successful calls', () => {
  it('send-email returns 200 with id and result', async () => {
    const response = await callTask(app.url, 'send-email', { body: validEmail });

    expect(response.status).toBe(200);
    expectJsonHeaders(response);
    const body = (await response.json()) as { id: string; result: unknown };
    expect(body.id).toMatch(UUID);
    expect(body.result).toEqual({ delivered: 2 });
    const stored = await readOutboxEmail(dataDir.dir, body.id);
    expect(stored).toMatchObject({ ...validEmail, id: body.id, delivery: 'outbox' });
  });

  it('import-contacts returns 200 with id and result', async () => {
    const response = await callTask(app.url, 'import-contacts', {
      body: { csv: 'Ada Lovelace;ada@example.com\nGrace Hopper;grace@example.com\n', delimiter: ';' },
    });

    expect(response.status).toBe(200);
    expectJsonHeaders(response);
    const body = (await response.json()) as { id: string; result: { imported: number; total: number } };
    expect(body.id).toMatch(UUID);
    expect(body.result.imported).toBe(2);
    const contacts = await readContacts(dataDir.dir);
    expect(contacts).toContainEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(contacts).toContainEqual({ name: 'Grace Hopper', email: 'grace@example.com' });
  });

  it('import-contacts applies the valibot default delimiter', async () => {
    const response = await callTask(app.url, 'import-contacts', { body: { csv: 'Alan Turing,alan@example.com' } });

    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { imported: number } };
    expect(body.result.imported).toBe(1);
    expect(await readContacts(dataDir.dir)).toContainEqual({ name: 'Alan Turing', email: 'alan@example.com' });
  });

  it('receive-webhook returns 200 with a valid signature', async () => {
    const raw = JSON.stringify({ type: 'invoice.paid', data: { invoice: 'in_1', amount: 4200 } });

    const response = await callTask(app.url, 'receive-webhook', {
      body: raw,
      authorization: null,
      headers: { 'x-webhook-signature': signWebhookBody(raw, exampleWebhookSecret) },
    });

    expect(response.status).toBe(200);
    expectJsonHeaders(response);
    const body = (await response.json()) as { id: string; result: unknown };
    expect(body.id).toMatch(UUID);
    // The handler parsed the same body that the signature check had read before it.
    expect(body.result).toEqual({ received: 'invoice.paid', fields: 2 });
  });

  it('finds a task defined only through instrumentation.ts', async () => {
    const description = 'Sends an email to one or more recipients';
    const distDir = path.join(exampleAppDir, process.env.NEXT_DIST_DIR || '.next');
    const routeFiles = await collectBundleFiles(distDir, 'server/app/api/tasks/[name]/route.js');
    const allChunks = (await readdir(path.join(distDir, 'server/chunks'), { recursive: true }))
      .filter((name) => name.endsWith('.js'))
      .map((name) => path.join('server/chunks', name));

    // Guards against a vacuous check: the route loads chunks, and one chunk of the build has the task.
    expect(routeFiles.length).toBeGreaterThan(1);
    expect(await filesContaining(distDir, allChunks, description)).not.toEqual([]);
    expect(await filesContaining(distDir, routeFiles, description)).toEqual([]);

    const response = await callTask(app.url, 'send-email', { body: validEmail });
    expect(response.status).toBe(200);
  });

  it('accepts JSON without Content-Type', async () => {
    const response = await callTask(app.url, 'send-email', { body: validEmail, contentType: null });

    expect(response.status).toBe(200);
  });

  it('accepts application/json with charset=utf-8', async () => {
    const response = await callTask(app.url, 'send-email', {
      body: validEmail,
      contentType: 'application/json; charset=utf-8',
    });

    expect(response.status).toBe(200);
  });

  it('accepts a +json media type', async () => {
    const response = await callTask(app.url, 'send-email', {
      body: validEmail,
      contentType: 'application/vnd.api+json',
    });

    expect(response.status).toBe(200);
  });

  it('passes Unicode text byte-exact to the task', async () => {
    const subject = 'Grüße ☕ 🚀 日本語';
    const content = 'Zeile 1\nligne 2 — «citation» \u00a0 e\u0301 𝄞 \u200d';

    const response = await callTask(app.url, 'send-email', {
      body: { subject, content, recipients: ['ada@example.com'] },
    });

    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    const stored = await readOutboxEmail(dataDir.dir, id);
    expect(stored?.subject).toBe(subject);
    expect(stored?.content).toBe(content);
  });
});

describe('unknown tasks', () => {
  for (const name of ['no-such-task', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    it(`returns 404 for ${name}`, async () => {
      const response = await callTask(app.url, name, { body: {} });

      expect(response.status).toBe(404);
      expectJsonHeaders(response);
      const error = await readErrorBody(response);
      expect(error.code).toBe('task_not_found');
      expect(error.message).toContain(JSON.stringify(name));
      expect(error.message).toContain('instrumentation.ts');
    });
  }
});

describe('request format errors', () => {
  it('returns 415 for text/plain', async () => {
    const response = await callTask(app.url, 'send-email', { body: validEmail, contentType: 'text/plain' });

    expect(response.status).toBe(415);
    expectJsonHeaders(response);
    const error = await readErrorBody(response);
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toContain('"text/plain"');
    expect(error.message).toContain('application/json');
  });

  it('returns 415 for a charset other than UTF-8', async () => {
    const response = await callTask(app.url, 'send-email', {
      body: validEmail,
      contentType: 'application/json; charset=iso-8859-1',
    });

    expect(response.status).toBe(415);
    const error = await readErrorBody(response);
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toContain('iso-8859-1');
  });

  it('returns 400 for an empty body', async () => {
    const response = await callTask(app.url, 'send-email', { body: '' });

    expect(response.status).toBe(400);
    expectJsonHeaders(response);
    const error = await readErrorBody(response);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toContain('empty');
  });

  it('returns 400 for malformed JSON', async () => {
    const response = await callTask(app.url, 'send-email', { body: '{"subject": "Hello",' });

    expect(response.status).toBe(400);
    expectJsonHeaders(response);
    const error = await readErrorBody(response);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toContain('not valid JSON');
  });

  it('returns 400 for invalid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"subject": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);

    const response = await callTask(app.url, 'send-email', { body: bytes });

    expect(response.status).toBe(400);
    const error = await readErrorBody(response);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toContain('UTF-8');
  });
});

describe('schema errors', () => {
  it('returns 422 with issues from zod', async () => {
    const response = await callTask(app.url, 'send-email', {
      body: { subject: ' ', content: 'Hello', recipients: ['ada@example.com', 'not-an-email'] },
    });

    expect(response.status).toBe(422);
    expectJsonHeaders(response);
    const error = await readErrorBody(response, ['issues']);
    expect(error.code).toBe('invalid_params');
    expect(error.message).toContain('send-email');
    expect(error.issues).toContainEqual({ path: ['subject'], message: 'Enter a subject' });
    expect(error.issues).toContainEqual({ path: ['recipients', 1], message: 'Enter valid email addresses' });
    expect(error.issues).toHaveLength(2);
  });

  it('returns 422 with issues from valibot', async () => {
    const response = await callTask(app.url, 'import-contacts', { body: { csv: '', delimiter: '|' } });

    expect(response.status).toBe(422);
    expectJsonHeaders(response);
    const error = await readErrorBody(response, ['issues']);
    expect(error.code).toBe('invalid_params');
    expect(error.message).toContain('import-contacts');
    expect(error.issues).toContainEqual({ path: ['csv'], message: 'Enter at least one line' });
    expect(error.issues?.map((issue) => issue.path)).toContainEqual(['delimiter']);
  });

  it('returns 422 for a bad CSV line', async () => {
    // The blank line counts, so the message names the line as an editor numbers it.
    const csv = 'Edsger Dijkstra,edsger@example.com\n\nBarbara Liskov <barbara@example.com>';

    const response = await callTask(app.url, 'import-contacts', { body: { csv } });

    expect(response.status).toBe(422);
    const error = await readErrorBody(response, ['issues']);
    expect(error.code).toBe('invalid_params');
    expect(error.issues).toHaveLength(1);
    expect(error.issues?.[0]?.path).toEqual(['csv']);
    expect(error.issues?.[0]?.message).toMatch(/^Line 3 is not a "name,email" pair\./);
    expect(await readContacts(dataDir.dir)).not.toContainEqual({
      name: 'Edsger Dijkstra',
      email: 'edsger@example.com',
    });
  });

  it("returns 422 for Swagger UI's sample body", async () => {
    const response = await callTask(app.url, 'import-contacts', { body: { csv: 'string', delimiter: ',' } });

    expect(response.status).toBe(422);
    const error = await readErrorBody(response, ['issues']);
    expect(error.issues?.[0]?.message).toMatch(/^Line 1 /);
  });

  // valibot's object() accepts an array as an object, so it reports the missing key instead of the type.
  const wrongTypeCases = [
    { task: 'send-email', library: 'zod', kind: 'an array', raw: '[]', path: [], message: /expected object/i },
    { task: 'send-email', library: 'zod', kind: 'a string', raw: '"hello"', path: [], message: /expected object/i },
    { task: 'send-email', library: 'zod', kind: 'null', raw: 'null', path: [], message: /expected object/i },
    { task: 'import-contacts', library: 'valibot', kind: 'an array', raw: '[]', path: ['csv'], message: /"csv"/ },
    { task: 'import-contacts', library: 'valibot', kind: 'a string', raw: '"hello"', path: [], message: /Object/ },
    { task: 'import-contacts', library: 'valibot', kind: 'null', raw: 'null', path: [], message: /Object/ },
  ];
  for (const { task, library, kind, raw, path: issuePath, message } of wrongTypeCases) {
    it(`returns 422 for ${kind} with ${library}`, async () => {
      const response = await callTask(app.url, task, { body: raw });

      expect(response.status).toBe(422);
      expectJsonHeaders(response);
      const error = await readErrorBody(response, ['issues']);
      expect(error.code).toBe('invalid_params');
      expect(error.issues).toHaveLength(1);
      expect(error.issues?.[0]?.path).toEqual(issuePath);
      expect(error.issues?.[0]?.message).toMatch(message);
    });
  }
});

describe('body size limit', () => {
  const headers = { 'content-type': 'application/json', authorization: exampleAuthorization };

  it('accepts a body of exactly 1 MiB', async () => {
    // Valid JSON padded with spaces to the limit. The subject is too long, so the schema rejects it.
    const json = JSON.stringify({ ...validEmail, subject: 'x'.repeat(300) });
    const body = json + ' '.repeat(defaultMaxBodyBytes - Buffer.byteLength(json));

    const response = await callTask(app.url, 'send-email', { body });

    expect(Buffer.byteLength(body)).toBe(defaultMaxBodyBytes);
    expect(response.status).toBe(422);
  });

  it('returns 413 from Content-Length before the body arrives', async () => {
    const totalBytes = defaultMaxBodyBytes + 1;

    const result = await sendSlowly(`${app.url}/api/tasks/send-email`, {
      headers: { ...headers, 'content-length': String(totalBytes) },
      totalBytes,
      chunkBytes: 64 * 1024,
      intervalMs: 50,
    });

    expect(result.status).toBe(413);
    // The declared length alone was enough: the server responded before most of the body was sent.
    expect(result.finishedSending).toBe(false);
    expect(result.bytesSentBeforeResponse).toBeLessThan(defaultMaxBodyBytes);
    expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
    const error = checkErrorShape(JSON.parse(result.body));
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain(String(defaultMaxBodyBytes));
  });

  it('returns 413 while a chunked body streams', async () => {
    const totalBytes = 8 * defaultMaxBodyBytes;

    const result = await sendSlowly(`${app.url}/api/tasks/send-email`, {
      headers: { ...headers, 'transfer-encoding': 'chunked' },
      totalBytes,
      chunkBytes: 64 * 1024,
      intervalMs: 30,
    });

    expect(result.status).toBe(413);
    // The server responded soon after the limit, without waiting for the rest of the body.
    expect(result.finishedSending).toBe(false);
    expect(result.bytesSentBeforeResponse).toBeGreaterThan(defaultMaxBodyBytes);
    expect(result.bytesSentBeforeResponse).toBeLessThan(totalBytes);
    expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
    const error = checkErrorShape(JSON.parse(result.body));
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain(String(defaultMaxBodyBytes));
  });

  it('keeps serving after oversized bodies', async () => {
    const response = await callTask(app.url, 'send-email', { body: validEmail });

    expect(response.status).toBe(200);
  });
});

describe('authentication', () => {
  const body = { csv: 'Ada,ada@example.com' };

  it('returns 401 without credentials', async () => {
    const response = await callTask(app.url, 'import-contacts', { body, authorization: null });

    expect(response.status).toBe(401);
    expectJsonHeaders(response);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="tasks", charset="UTF-8"');
    const error = await readErrorBody(response);
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('Authorization: Basic');
  });

  it('returns 401 for a wrong password', async () => {
    const response = await callTask(app.url, 'import-contacts', {
      body,
      authorization: basicAuthorization(exampleCredentials.username, 'wrong-password'),
    });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="tasks", charset="UTF-8"');
    const error = await readErrorBody(response);
    expect(error.code).toBe('unauthorized');
    expect(error.message).not.toContain('wrong-password');
  });

  it('returns 401 for a wrong user name', async () => {
    const response = await callTask(app.url, 'import-contacts', {
      body,
      authorization: basicAuthorization('someone-else', exampleCredentials.password),
    });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="tasks", charset="UTF-8"');
    expect((await readErrorBody(response)).code).toBe('unauthorized');
  });

  it('returns 401 for a bearer token', async () => {
    const response = await callTask(app.url, 'import-contacts', { body, authorization: 'Bearer abc.def.ghi' });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="tasks", charset="UTF-8"');
    expect((await readErrorBody(response)).code).toBe('unauthorized');
  });

  it('leaves the contacts unchanged after rejected calls', async () => {
    const contacts = await readContacts(dataDir.dir);

    expect(contacts.filter((contact) => contact.email === 'ada@example.com')).toHaveLength(1);
    expect(contacts).not.toContainEqual({ name: 'Ada', email: 'ada@example.com' });
  });
});

describe('receive-webhook authentication', () => {
  const raw = JSON.stringify({ type: 'invoice.paid', data: {} });

  it('returns 401 for a wrong signature despite basic credentials', async () => {
    const response = await callTask(app.url, 'receive-webhook', {
      body: raw,
      headers: { 'x-webhook-signature': signWebhookBody(raw, 'another-secret') },
    });

    expect(response.status).toBe(401);
    expectJsonHeaders(response);
    expect(response.headers.get('www-authenticate')).toBe('Custom realm="tasks"');
    expect((await readErrorBody(response)).code).toBe('unauthorized');
  });

  it('returns 401 for a missing signature despite basic credentials', async () => {
    const response = await callTask(app.url, 'receive-webhook', { body: raw });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Custom realm="tasks"');
    expect((await readErrorBody(response)).code).toBe('unauthorized');
  });

  it('returns 401 for a signature of another body', async () => {
    const response = await callTask(app.url, 'receive-webhook', {
      body: JSON.stringify({ type: 'invoice.refunded', data: {} }),
      authorization: null,
      headers: { 'x-webhook-signature': signWebhookBody(raw, exampleWebhookSecret) },
    });

    expect(response.status).toBe(401);
    expect((await readErrorBody(response)).code).toBe('unauthorized');
  });
});

describe('failing task', () => {
  it('returns 500 with the task id and no details', async () => {
    // flaky-report fails its first `failures` runs on purpose, and the in-process backend does not retry it.
    const response = await callTask(app.url, 'flaky-report', { body: { failures: 1 } });

    expect(response.status).toBe(500);
    expectJsonHeaders(response);
    const text = await response.text();
    const error = checkErrorShape(JSON.parse(text), ['taskId']);
    expect(error.code).toBe('task_failed');
    expect(error.taskId).toMatch(UUID);
    expect(error.message).toContain(error.taskId);
    expect(text).not.toContain('on purpose');
    expect(text).not.toMatch(/\bat .+:\d+:\d+/);
    expect(text).not.toContain('tasks.ts');

    const taskId = error.taskId ?? '';
    const failureLine = await waitFor(() =>
      app
        .logs()
        .split('\n')
        .find((logLine) => logLine.includes('task failed') && logLine.includes(taskId)),
    );
    expect(failureLine).toContain('task=flaky-report');
    expect(failureLine).toContain(`id=${taskId}`);
  });
});

describe('methods other than POST', () => {
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
    it(`returns 405 for ${method}`, async () => {
      const response = await callTask(app.url, 'send-email', {
        method,
        body: method === 'GET' ? undefined : validEmail,
      });

      expect(response.status).toBe(405);
      expectJsonHeaders(response);
      expect(response.headers.get('allow')).toBe('POST');
      const error = await readErrorBody(response);
      expect(error.code).toBe('method_not_allowed');
      expect(error.message).toContain(method);
      expect(error.message).toContain('POST');
    });
  }
});

describe('HEAD', () => {
  // Next.js handles HEAD with the GET handler and drops the body.
  it('returns 405 with Allow: POST', async () => {
    const response = await callTask(app.url, 'send-email', { method: 'HEAD' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.text()).toBe('');
  });
});

// Runs last in this file, so the log contains every call above, including the rejected ones.
describe('server log', () => {
  it('contains no credential', () => {
    const logs = app.logs();
    const encoded = Buffer.from(`${exampleCredentials.username}:${exampleCredentials.password}`).toString('base64');

    expect(logs).toContain('task call rejected by authentication');
    expect(logs).not.toContain(exampleCredentials.password);
    expect(logs).not.toContain(encoded);
    expect(logs).not.toContain(exampleWebhookSecret);
  });
});

/**
 * Lists a Turbopack server bundle's entry file and every chunk it loads, directly or through
 * another chunk, as paths relative to `distDir`.
 */
async function collectBundleFiles(distDir: string, entry: string): Promise<string[]> {
  const found = new Set<string>([entry]);
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const text = await readFile(path.join(distDir, file), 'utf8');
    for (const match of text.matchAll(/"(server\/chunks\/[^"]+\.js)"/g)) {
      const chunk = match[1] ?? '';
      if (!found.has(chunk)) {
        found.add(chunk);
        pending.push(chunk);
      }
    }
  }
  return [...found];
}

async function filesContaining(distDir: string, files: string[], text: string): Promise<string[]> {
  const matches: string[] = [];
  for (const file of files) {
    if ((await readFile(path.join(distDir, file), 'utf8')).includes(text)) matches.push(file);
  }
  return matches;
}
