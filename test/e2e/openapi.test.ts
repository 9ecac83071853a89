// The example app's OpenAPI document over real HTTP: `next build` (in the global setup), then
// `next start` on a free loopback port. The document must be valid OpenAPI 3.1, and each example
// task's request body schema must accept and reject the same bodies as its endpoint.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signWebhookBody } from '../../example-app/lib/webhook-signature.js';
import type { OpenApiDocument } from '../../src/openapi/index.js';
import { exampleAppDir, type RunningNextApp, startNextApp } from '../support/next-app.js';
import { callTask, createDataDir, exampleAuthorization, exampleWebhookSecret } from '../support/task-requests.js';

let app: RunningNextApp;
let dataDir: { dir: string; remove: () => Promise<void> };
let document: OpenApiDocument;

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
  const response = await fetchDocument(exampleAuthorization);
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenApiDocument;
});

afterAll(async () => {
  await app?.stop();
  await dataDir?.remove();
});

function fetchDocument(authorization?: string): Promise<Response> {
  return fetch(`${app.url}/api/tasks/openapi.json`, {
    headers: authorization === undefined ? {} : { authorization },
    signal: AbortSignal.timeout(60_000),
  });
}

/**
 * Compiles a task's request body schema with Ajv in draft 2020-12 mode, with `$ref`s resolved
 * against the document's components. Formats are not checked: Ajv needs ajv-formats for them.
 */
function compileRequestBody(name: string): ValidateFunction {
  const operation = document.paths[`/api/tasks/${name}`]?.post as {
    requestBody: { content: { 'application/json': { schema: object } } };
  };
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
  // `components` is not a JSON Schema keyword; declaring it lets `#/components/...` pointers resolve into it.
  ajv.addKeyword('components');
  return ajv.compile({ ...operation.requestBody.content['application/json'].schema, components: document.components });
}

/** Calls an example task, signing the body for receive-webhook, whose endpoint checks an HMAC instead of basic auth. */
function callExampleTask(name: string, body: object): Promise<Response> {
  if (name !== 'receive-webhook') return callTask(app.url, name, { body });

  const text = JSON.stringify(body);
  return callTask(app.url, name, {
    body: text,
    authorization: null,
    headers: { 'x-webhook-signature': signWebhookBody(text, exampleWebhookSecret) },
  });
}

describe('example app document', () => {
  it('passes the OpenAPI 3.1 validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every example task', () => {
    const taskPaths = Object.keys(document.paths).filter((path) => path.startsWith('/api/tasks/'));

    expect(taskPaths.sort()).toEqual([
      '/api/tasks/flaky-report',
      '/api/tasks/import-contacts',
      '/api/tasks/receive-webhook',
      '/api/tasks/send-email',
    ]);
  });

  it('title comes from app package.json', () => {
    expect(document.info.title).toBe('next-generic-tasks-example');
  });

  it('valibot schema is converted', () => {
    // A fallback schema would have only a description; this shows @valibot/to-json-schema loaded under next start.
    const schema = document.components.schemas?.ImportContactsParams as { properties?: Record<string, unknown> };

    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(['csv', 'delimiter']);
  });

  it('security follows each task', () => {
    expect(document.paths['/api/tasks/send-email']?.post).toMatchObject({ security: [{ basicAuth: [] }] });
    expect(document.paths['/api/tasks/import-contacts']?.post).toMatchObject({ security: [{ basicAuth: [] }] });
    expect(document.paths['/api/tasks/receive-webhook']?.post).toMatchObject({ security: [{ customAuth: [] }] });
  });
});

describe('document access', () => {
  it('401 without credentials', async () => {
    const response = await fetchDocument();

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="tasks", charset="UTF-8"');
  });

  it('JSON with private revalidation', async () => {
    const response = await fetchDocument(exampleAuthorization);

    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
  });
});

describe('schemas agree with endpoints', () => {
  const pairs: Array<[name: string, accepted: object, rejected: object]> = [
    [
      'send-email',
      { subject: 'Quarterly report', content: 'Attached.', recipients: ['ada@example.com'] },
      { subject: 'Quarterly report', content: 'Attached.', recipients: [] },
    ],
    [
      'import-contacts',
      { csv: 'Ada Lovelace,ada@example.com' },
      { csv: 'Ada Lovelace|ada@example.com', delimiter: '|' },
    ],
    ['receive-webhook', { type: 'ping' }, { data: { id: 1 } }],
    ['flaky-report', { failures: 0 }, { failures: 9 }],
  ];

  it.each(pairs)('%s accepted body runs', async (name, accepted) => {
    const validate = compileRequestBody(name);

    expect(validate(accepted)).toBe(true);
    expect((await callExampleTask(name, accepted)).status).toBe(200);
  });

  it.each(pairs)('%s rejected body gets 422', async (name, _accepted, rejected) => {
    const validate = compileRequestBody(name);

    expect(validate(rejected)).toBe(false);
    expect((await callExampleTask(name, rejected)).status).toBe(422);
  });
});
