// googleOidcAuth through the real task handler: which tokens pass, which get 401 or 403, and what
// a verified call trusts.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { resetCertificateCache } from '../../../src/auth/google-oidc/certificates.js';
import { resetVerifier } from '../../../src/auth/google-oidc/verifier.js';
import {
  basicAuth,
  configureTasks,
  defineTask,
  type GoogleOidcAuthOptions,
  googleOidcAuth,
  type TaskContext,
} from '../../../src/index.js';
import { resetTasks } from '../../../src/testing/index.js';
import { basicAuthorization, type CapturingLogger, capturingLogger, thrownBy } from '../helpers.js';
import {
  AUDIENCE,
  bearer,
  type CertsServer,
  callTask,
  createTestKey,
  KEY_ID,
  readError,
  SERVICE_ACCOUNT,
  signToken,
  startCertsServer,
  type TestKey,
  validClaims,
} from './support.js';

const BEARER_CHALLENGE = 'Bearer realm="tasks"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="tasks", error="invalid_token"';

let key: TestKey;
let otherKey: TestKey;
let certs: CertsServer;
let logger: CapturingLogger;
let runs: TaskContext[];

beforeAll(async () => {
  key = createTestKey();
  otherKey = createTestKey();
  certs = await startCertsServer({ [KEY_ID]: key.publicPem });
});

afterAll(async () => {
  await certs.close();
});

beforeEach(() => {
  vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
  resetTasks();
  resetCertificateCache();
  resetVerifier();
  logger = capturingLogger();
  runs = [];
  configureTasks({ logger, auth: googleOidcAuth(oidcOptions()) });
  defineRecorder('record');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function oidcOptions(overrides: Partial<GoogleOidcAuthOptions> = {}): GoogleOidcAuthOptions {
  return {
    audience: AUDIENCE,
    serviceAccountEmail: SERVICE_ACCOUNT,
    certsUrl: certs.url,
    ...overrides,
  } as GoogleOidcAuthOptions;
}

/** Defines a task that records the context of each run. */
function defineRecorder(name: string, auth?: GoogleOidcAuthOptions) {
  return defineTask({
    name,
    schema: z.object({}),
    auth: auth === undefined ? undefined : googleOidcAuth(auth),
    run: (_params, context) => {
      runs.push(context);
      return 'done';
    },
  });
}

function tokenWith(overrides: Record<string, unknown>): string {
  return signToken(key.privateKey, validClaims(overrides));
}

describe('googleOidcAuth valid tokens', () => {
  it('accepts valid Cloud Tasks token', async () => {
    const response = await callTask('record', bearer(tokenWith({})));

    expect(response.status).toBe(200);
    expect(runs).toHaveLength(1);
  });

  it.each(['accounts.google.com', 'https://accounts.google.com'])('accepts default issuer %s', async (issuer) => {
    const response = await callTask('record', bearer(tokenWith({ iss: issuer })));

    expect(response.status).toBe(200);
  });

  it('compares email case-insensitively', async () => {
    const email = 'Tasks-Invoker@My-Project.IAM.gserviceaccount.com';

    const response = await callTask('record', bearer(tokenWith({ email })));

    expect(response.status).toBe(200);
  });

  it('accepts any listed service account', async () => {
    const other = 'second-invoker@my-project.iam.gserviceaccount.com';
    configureTasks({
      auth: googleOidcAuth(
        oidcOptions({ serviceAccountEmail: undefined, allowedServiceAccounts: [SERVICE_ACCOUNT, other] }),
      ),
    });

    const first = await callTask('record', bearer(tokenWith({})));
    const second = await callTask('record', bearer(tokenWith({ email: other })));

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
  });

  it('normalizes URL audience', async () => {
    configureTasks({ auth: googleOidcAuth(oidcOptions({ audience: 'https://Tasks.Example.com/' })) });

    const response = await callTask('record', bearer(tokenWith({ aud: AUDIENCE })));

    expect(response.status).toBe(200);
  });

  it('custom issuers replace defaults', async () => {
    configureTasks({ auth: googleOidcAuth(oidcOptions({ issuers: ['https://issuer.example'] })) });

    const custom = await callTask('record', bearer(tokenWith({ iss: 'https://issuer.example' })));
    const google = await callTask('record', bearer(tokenWith({ iss: 'https://accounts.google.com' })));

    expect(custom.status).toBe(200);
    expect(google.status).toBe(401);
  });

  it('authenticator reports scheme and challenge', () => {
    const auth = googleOidcAuth(oidcOptions());

    expect(auth.scheme).toBe('oidc');
    expect(auth.challenge).toBe(BEARER_CHALLENGE);
  });
});

describe('googleOidcAuth 401 responses', () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Record<string, string>, string, string]> = [
    ['missing header', () => ({}), BEARER_CHALLENGE, 'Missing bearer token'],
    ['basic scheme', () => ({ authorization: basicAuthorization('tasks', 'secret') }), BEARER_CHALLENGE, 'scheme'],
    ['bearer without token', () => ({ authorization: 'Bearer' }), INVALID_TOKEN_CHALLENGE, 'Malformed'],
    ['token not a JWT', () => bearer('not-a-jwt'), INVALID_TOKEN_CHALLENGE, 'Malformed'],
    ['two bearer tokens', () => bearer(`${tokenWith({})} ${tokenWith({})}`), INVALID_TOKEN_CHALLENGE, 'Malformed'],
    [
      'header not JSON',
      () => bearer(`bm90IGpzb24.${tokenWith({}).split('.').slice(1).join('.')}`),
      INVALID_TOKEN_CHALLENGE,
      'Malformed',
    ],
    [
      'header without kid',
      () => bearer(signToken(key.privateKey, validClaims(), { kid: undefined })),
      INVALID_TOKEN_CHALLENGE,
      'Malformed',
    ],
    [
      'bad signature',
      () => bearer(signToken(otherKey.privateKey, validClaims())),
      INVALID_TOKEN_CHALLENGE,
      'signature',
    ],
    [
      'tampered payload',
      () => {
        const [header, , signature] = tokenWith({}).split('.');
        const payload = Buffer.from(JSON.stringify(validClaims({ email: 'x@y.z' }))).toString('base64url');
        return bearer(`${header}.${payload}.${signature}`);
      },
      INVALID_TOKEN_CHALLENGE,
      'signature',
    ],
    [
      'unknown key id',
      () => bearer(signToken(key.privateKey, validClaims(), { kid: 'rotated-away' })),
      INVALID_TOKEN_CHALLENGE,
      'key id',
    ],
    [
      'expired token',
      () => bearer(tokenWith({ iat: now - 4_200, exp: now - 600 })),
      INVALID_TOKEN_CHALLENGE,
      'Expired',
    ],
    [
      'token from the future',
      () => bearer(tokenWith({ iat: now + 3_600, exp: now + 7_200 })),
      INVALID_TOKEN_CHALLENGE,
      'iat',
    ],
    ['lifetime over one day', () => bearer(tokenWith({ exp: now + 2 * 86_400 })), INVALID_TOKEN_CHALLENGE, 'one day'],
    ['missing exp', () => bearer(tokenWith({ exp: undefined })), INVALID_TOKEN_CHALLENGE, 'exp'],
    [
      'wrong audience',
      () => bearer(tokenWith({ aud: 'https://other.example.com' })),
      INVALID_TOKEN_CHALLENGE,
      'audience',
    ],
    ['wrong issuer', () => bearer(tokenWith({ iss: 'https://issuer.example' })), INVALID_TOKEN_CHALLENGE, 'issuer'],
  ];

  it.each(cases)('401 for %s', async (_case, headers, challenge, messagePart) => {
    const response = await callTask('record', headers());
    const error = await readError(response);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain(messagePart);
    expect(runs).toHaveLength(0);
  });

  it('wrong issuer names the setting', async () => {
    const response = await callTask('record', bearer(tokenWith({ iss: 'https://issuer.example' })));
    const error = await readError(response);

    expect(error.message).toContain('https://accounts.google.com');
    expect(error.message).toContain('`issuers`');
    expect(error.message).toContain('TASKS_OIDC_ISSUERS');
  });

  it('401 for unknown task without token', async () => {
    const response = await callTask('no-such-task');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(BEARER_CHALLENGE);
  });
});

describe('googleOidcAuth 403 responses', () => {
  it.each([
    ['service account not allowed', { email: 'intruder@other-project.iam.gserviceaccount.com' }, 'service account'],
    ['email_verified false', { email_verified: false }, 'email_verified'],
    ['email_verified missing', { email_verified: undefined }, 'email_verified'],
    ['email_verified as string', { email_verified: 'true' }, 'email_verified'],
    ['no email claim', { email: undefined }, 'no email'],
  ])('403 for %s', async (_case, overrides, messagePart) => {
    const response = await callTask('record', bearer(tokenWith(overrides)));
    const error = await readError(response);

    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain(messagePart);
    expect(runs).toHaveLength(0);
  });
});

describe('googleOidcAuth token secrecy', () => {
  it('token text absent from responses and logs', async () => {
    const intruder = 'intruder-q7x@other-project.iam.gserviceaccount.com';
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      tokenWith({ sub: 'subject-q7x-1' }),
      tokenWith({ email: intruder }),
      tokenWith({ email_verified: false, sub: 'subject-q7x-2' }),
      tokenWith({ aud: 'https://audience-q7x.example.com' }),
      tokenWith({ iss: 'https://issuer-q7x.example.com' }),
      tokenWith({ iat: now - 4_200, exp: now - 600, sub: 'subject-q7x-3' }),
      signToken(otherKey.privateKey, validClaims({ sub: 'subject-q7x-4' })),
      signToken(key.privateKey, validClaims({ sub: 'subject-q7x-5' }), { kid: 'kid-q7x' }),
    ];

    const bodies: string[] = [];
    for (const token of tokens) {
      const response = await callTask('record', bearer(token));
      bodies.push(`${JSON.stringify([...response.headers])} ${await response.text()}`);
    }
    const secrets = [
      ...tokens,
      ...tokens.flatMap((token) => token.split('.')),
      intruder,
      'q7x',
      '104857600000000000001',
    ];

    expect(bodies).toHaveLength(tokens.length);
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      for (const body of bodies) expect(body).not.toContain(secret);
      expect(logger.text()).not.toContain(secret);
    }
  });
});

describe('googleOidcAuth Cloud Tasks headers', () => {
  const queueHeaders = {
    'x-cloudtasks-taskname': 'task-0042',
    'x-cloudtasks-taskretrycount': '2',
    'x-cloudtasks-taskexecutioncount': '1',
    'x-cloudtasks-tasketa': '1767225600.5',
    'x-cloudtasks-queuename': 'emails',
  };

  it('verified call fills task context', async () => {
    const response = await callTask('record', { ...bearer(tokenWith({})), ...queueHeaders });
    const context = runs[0];

    expect(response.status).toBe(200);
    expect(context?.id).toBe('task-0042');
    expect(context?.attempt).toBe(3);
    expect(context?.delivery?.queueName).toBe('emails');
    expect(context?.delivery?.executionCount).toBe(1);
    expect(context?.delivery?.eta?.getTime()).toBe(1_767_225_600_500);
    expect((await response.json()).id).toBe('task-0042');
  });

  it('basic auth ignores queue headers', async () => {
    configureTasks({ auth: basicAuth({ username: 'tasks', password: 'secret' }) });

    const response = await callTask('record', {
      authorization: basicAuthorization('tasks', 'secret'),
      ...queueHeaders,
    });
    const context = runs[0];

    expect(response.status).toBe(200);
    expect(context?.id).not.toBe('task-0042');
    expect(context?.attempt).toBe(1);
    expect(context?.delivery).toBeUndefined();
  });

  it('custom function ignores queue headers', async () => {
    configureTasks({ auth: () => true });

    await callTask('record', queueHeaders);

    expect(runs[0]?.id).not.toBe('task-0042');
    expect(runs[0]?.delivery).toBeUndefined();
  });
});

describe('googleOidcAuth per-task override', () => {
  beforeEach(() => {
    configureTasks({ auth: basicAuth({ username: 'tasks', password: 'secret' }) });
    defineRecorder('oidc-only', oidcOptions());
  });

  it('task auth accepts OIDC token', async () => {
    const response = await callTask('oidc-only', bearer(tokenWith({})));

    expect(response.status).toBe(200);
  });

  it('task auth rejects basic credentials', async () => {
    const response = await callTask('oidc-only', { authorization: basicAuthorization('tasks', 'secret') });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(BEARER_CHALLENGE);
  });

  it('other tasks keep global basic', async () => {
    const withToken = await callTask('record', bearer(tokenWith({})));
    const withBasic = await callTask('record', { authorization: basicAuthorization('tasks', 'secret') });

    expect(withToken.status).toBe(401);
    expect(withToken.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(withBasic.status).toBe(200);
  });
});

describe('googleOidcAuth options', () => {
  it.each([
    ['missing audience', { audience: undefined }, '`audience`'],
    ['empty audience', { audience: '' }, '`audience`'],
    ['audience with credentials', { audience: 'https://user:pw@tasks.example.com' }, '`audience`'],
    ['no service account', { serviceAccountEmail: undefined }, 'serviceAccountEmail'],
    ['empty allowed list', { serviceAccountEmail: undefined, allowedServiceAccounts: [] }, 'allowedServiceAccounts'],
    ['both account options', { allowedServiceAccounts: [SERVICE_ACCOUNT] }, 'both'],
    ['invalid email', { serviceAccountEmail: 'tasks-invoker' }, 'service account'],
    ['empty issuers', { issuers: [] }, '`issuers`'],
    ['blank issuer', { issuers: [' '] }, '`issuers`'],
    ['certsUrl not a URL', { certsUrl: 'certs.json' }, '`certsUrl`'],
    ['certsUrl not http', { certsUrl: 'file:///etc/certs.json' }, '`certsUrl`'],
    ['zero timeout', { certsTimeoutMs: 0 }, '`certsTimeoutMs`'],
    ['fractional timeout', { certsTimeoutMs: 2.5 }, '`certsTimeoutMs`'],
    ['timeout over a minute', { certsTimeoutMs: 60_001 }, '`certsTimeoutMs`'],
  ])('rejects %s', (_case, overrides, named) => {
    const error = thrownBy(() => googleOidcAuth(oidcOptions(overrides as Partial<GoogleOidcAuthOptions>)));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain(named);
  });

  it('rejects missing options object', () => {
    const error = thrownBy(() => googleOidcAuth(undefined as unknown as GoogleOidcAuthOptions));

    expect(error.code).toBe('configuration_error');
  });
});
