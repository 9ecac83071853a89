// TASKS_API_AUTHENTICATION=oidc: configuration from the environment, checked when the route
// handlers are created, except during `next build`.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { resetCertificateCache } from '../../../src/auth/google-oidc/certificates.js';
import { resetVerifier } from '../../../src/auth/google-oidc/verifier.js';
import { configureTasks, defineTask } from '../../../src/index.js';
import { createTaskHandlers } from '../../../src/next/index.js';
import { getGlobalAuthenticator } from '../../../src/settings/settings.js';
import { resetTasks } from '../../../src/testing/index.js';
import { type CapturingLogger, capturingLogger } from '../helpers.js';
import {
  AUDIENCE,
  bearer,
  type CertsServer,
  createTestKey,
  KEY_ID,
  readError,
  SERVICE_ACCOUNT,
  signToken,
  startCertsServer,
  type TestKey,
  validClaims,
} from './support.js';

const VARIABLES = [
  'TASKS_API_AUTHENTICATION',
  'TASKS_OIDC_AUDIENCE',
  'TASKS_BASE_URL',
  'TASKS_OIDC_SERVICE_ACCOUNTS',
  'CLOUD_TASKS_SERVICE_ACCOUNT',
  'TASKS_OIDC_ISSUERS',
  'TASKS_OIDC_CERTS_URL',
  'NEXT_PHASE',
];

let key: TestKey;
let certs: CertsServer;
let logger: CapturingLogger;

beforeAll(async () => {
  key = createTestKey();
  certs = await startCertsServer({ [KEY_ID]: key.publicPem });
});

afterAll(async () => {
  await certs.close();
});

beforeEach(() => {
  for (const name of VARIABLES) vi.stubEnv(name, undefined);
  vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
  resetTasks();
  resetCertificateCache();
  resetVerifier();
  logger = capturingLogger();
  configureTasks({ logger });
  defineTask({ name: 'echo', schema: z.object({}), run: () => 'ok' });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Sets a complete OIDC environment; `overrides` may unset variables with `undefined`. */
function stubOidcEnvironment(overrides: Record<string, string | undefined> = {}): void {
  const values: Record<string, string | undefined> = {
    TASKS_API_AUTHENTICATION: 'oidc',
    TASKS_OIDC_AUDIENCE: AUDIENCE,
    TASKS_OIDC_SERVICE_ACCOUNTS: SERVICE_ACCOUNT,
    TASKS_OIDC_CERTS_URL: certs.url,
    ...overrides,
  };
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
}

function post(handlers: ReturnType<typeof createTaskHandlers>, token?: string): Promise<Response> {
  const request = new Request('http://localhost/api/tasks/echo', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : bearer(token)) },
    body: new TextEncoder().encode('{}'),
  });
  return handlers.POST(request, { params: Promise.resolve({ name: 'echo' }) });
}

function validToken(overrides: Record<string, unknown> = {}): string {
  return signToken(key.privateKey, validClaims(overrides));
}

describe('TASKS_API_AUTHENTICATION=oidc', () => {
  it('accepts valid token', async () => {
    stubOidcEnvironment();

    const response = await post(createTaskHandlers(), validToken());

    expect(response.status).toBe(200);
  });

  it('selects oidc authenticator', () => {
    stubOidcEnvironment();

    expect(getGlobalAuthenticator()?.scheme).toBe('oidc');
  });

  it('rejects missing token with Bearer challenge', async () => {
    stubOidcEnvironment();

    const response = await post(createTaskHandlers());

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tasks"');
  });

  it('audience defaults to TASKS_BASE_URL', async () => {
    stubOidcEnvironment({ TASKS_OIDC_AUDIENCE: undefined, TASKS_BASE_URL: 'https://base.example.com/' });

    const handlers = createTaskHandlers();
    const accepted = await post(handlers, validToken({ aud: 'https://base.example.com' }));
    const rejected = await post(handlers, validToken({ aud: AUDIENCE }));

    expect(accepted.status).toBe(200);
    expect(rejected.status).toBe(401);
  });

  it('TASKS_OIDC_AUDIENCE wins over TASKS_BASE_URL', async () => {
    stubOidcEnvironment({ TASKS_BASE_URL: 'https://base.example.com' });

    const response = await post(createTaskHandlers(), validToken({ aud: AUDIENCE }));

    expect(response.status).toBe(200);
  });

  it('service accounts default to CLOUD_TASKS_SERVICE_ACCOUNT', async () => {
    const single = 'single-invoker@my-project.iam.gserviceaccount.com';
    stubOidcEnvironment({ TASKS_OIDC_SERVICE_ACCOUNTS: undefined, CLOUD_TASKS_SERVICE_ACCOUNT: single });

    const handlers = createTaskHandlers();
    const accepted = await post(handlers, validToken({ email: single }));
    const rejected = await post(handlers, validToken());

    expect(accepted.status).toBe(200);
    expect(rejected.status).toBe(403);
  });

  it('reads comma-separated service accounts', async () => {
    const second = 'second-invoker@my-project.iam.gserviceaccount.com';
    stubOidcEnvironment({ TASKS_OIDC_SERVICE_ACCOUNTS: ` ${SERVICE_ACCOUNT} ,, ${second} ` });

    const handlers = createTaskHandlers();
    const first = await post(handlers, validToken());
    const other = await post(handlers, validToken({ email: second }));

    expect(first.status).toBe(200);
    expect(other.status).toBe(200);
  });

  it('reads comma-separated issuers', async () => {
    stubOidcEnvironment({ TASKS_OIDC_ISSUERS: 'https://issuer.example, https://second.example' });

    const handlers = createTaskHandlers();
    const custom = await post(handlers, validToken({ iss: 'https://second.example' }));
    const google = await post(handlers, validToken({ iss: 'https://accounts.google.com' }));

    expect(custom.status).toBe(200);
    expect(google.status).toBe(401);
  });

  it('picks up changed variables', async () => {
    stubOidcEnvironment();
    const handlers = createTaskHandlers();
    const before = await post(handlers, validToken({ aud: 'https://moved.example.com' }));

    vi.stubEnv('TASKS_OIDC_AUDIENCE', 'https://moved.example.com');
    const after = await post(handlers, validToken({ aud: 'https://moved.example.com' }));

    expect(before.status).toBe(401);
    expect(after.status).toBe(200);
  });
});

describe('TASKS_API_AUTHENTICATION=oidc configuration errors', () => {
  it.each([
    ['no audience', { TASKS_OIDC_AUDIENCE: undefined }, 'TASKS_OIDC_AUDIENCE'],
    ['blank audience', { TASKS_OIDC_AUDIENCE: '  ' }, 'TASKS_BASE_URL'],
    ['invalid audience', { TASKS_OIDC_AUDIENCE: 'https://user:pw@tasks.example.com' }, 'TASKS_OIDC_AUDIENCE'],
    [
      'invalid TASKS_BASE_URL',
      { TASKS_OIDC_AUDIENCE: undefined, TASKS_BASE_URL: 'https://tasks.example.com?x=1' },
      'TASKS_BASE_URL',
    ],
    ['no service accounts', { TASKS_OIDC_SERVICE_ACCOUNTS: undefined }, 'TASKS_OIDC_SERVICE_ACCOUNTS'],
    ['only commas', { TASKS_OIDC_SERVICE_ACCOUNTS: ' , ' }, 'CLOUD_TASKS_SERVICE_ACCOUNT'],
    ['invalid email', { TASKS_OIDC_SERVICE_ACCOUNTS: 'invoker' }, 'TASKS_OIDC_SERVICE_ACCOUNTS'],
    [
      'invalid single account',
      { TASKS_OIDC_SERVICE_ACCOUNTS: undefined, CLOUD_TASKS_SERVICE_ACCOUNT: 'invoker' },
      'CLOUD_TASKS_SERVICE_ACCOUNT',
    ],
    ['invalid certs URL', { TASKS_OIDC_CERTS_URL: 'certs.json' }, 'TASKS_OIDC_CERTS_URL'],
  ])('createTaskHandlers logs %s', async (_case, overrides, named) => {
    stubOidcEnvironment(overrides);

    const handlers = createTaskHandlers();
    const logged = logger.lines.find((line) => line.message.startsWith('task authentication is misconfigured'));
    const response = await post(handlers, validToken());
    const error = await readError(response);

    expect(logged?.level).toBe('error');
    expect(String(logged?.fields?.error)).toContain(named);
    expect(response.status).toBe(500);
    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain(named);
  });

  it('unknown value names oidc', async () => {
    vi.stubEnv('TASKS_API_AUTHENTICATION', 'google');

    const response = await post(createTaskHandlers(), validToken());
    const error = await readError(response);

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('"oidc"');
  });

  it('value is case-insensitive', async () => {
    stubOidcEnvironment({ TASKS_API_AUTHENTICATION: ' OIDC ' });

    const response = await post(createTaskHandlers(), validToken());

    expect(response.status).toBe(200);
  });

  it('handler auth option skips global check', () => {
    stubOidcEnvironment({ TASKS_OIDC_AUDIENCE: undefined });

    expect(() => createTaskHandlers({ auth: () => true })).not.toThrow();
  });

  it('checks at creation outside build', () => {
    stubOidcEnvironment({ TASKS_OIDC_AUDIENCE: undefined, NEXT_PHASE: 'phase-production-server' });

    createTaskHandlers();
    const logged = logger.lines.filter((line) => line.message.startsWith('task authentication is misconfigured'));

    expect(logged).toHaveLength(1);
  });
});

describe('TASKS_API_AUTHENTICATION=oidc during next build', () => {
  it('createTaskHandlers defers check', () => {
    stubOidcEnvironment({ TASKS_OIDC_AUDIENCE: undefined, NEXT_PHASE: 'phase-production-build' });

    createTaskHandlers();
    const logged = logger.lines.filter((line) => line.message.startsWith('task authentication is misconfigured'));

    expect(logged).toHaveLength(0);
  });

  it('first request gets 500 until fixed', async () => {
    stubOidcEnvironment({ TASKS_OIDC_AUDIENCE: undefined, NEXT_PHASE: 'phase-production-build' });
    const handlers = createTaskHandlers();

    const first = await post(handlers, validToken());
    const firstError = await readError(first);
    const second = await post(handlers, validToken());
    vi.stubEnv('TASKS_OIDC_AUDIENCE', AUDIENCE);
    const fixed = await post(handlers, validToken());
    const misconfigured = logger.lines.filter((line) => line.message === 'task endpoint is misconfigured');

    expect(first.status).toBe(500);
    expect(firstError.code).toBe('configuration_error');
    expect(firstError.message).toContain('TASKS_OIDC_AUDIENCE');
    expect(second.status).toBe(500);
    expect(misconfigured).toHaveLength(1);
    expect(fixed.status).toBe(200);
  });
});
