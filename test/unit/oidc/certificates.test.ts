// The certificate cache behind googleOidcAuth: one fetch per max-age, shared by concurrent calls,
// and 503 without running the task when the endpoint fails or hangs.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { parseMaxAge, resetCertificateCache } from '../../../src/auth/google-oidc/certificates.js';
import { resetVerifier } from '../../../src/auth/google-oidc/verifier.js';
import { configureTasks, defineTask, googleOidcAuth } from '../../../src/index.js';
import { resetTasks } from '../../../src/testing/index.js';
import { type CapturingLogger, capturingLogger, sleep } from '../helpers.js';
import {
  AUDIENCE,
  bearer,
  type CertsMode,
  type CertsServer,
  callTask,
  closedPortUrl,
  createTestKey,
  KEY_ID,
  readError,
  SERVICE_ACCOUNT,
  signToken,
  startCertsServer,
  type TestKey,
  validClaims,
} from './support.js';

const FETCH_FAILED_LOG = 'OIDC certificate fetch failed; task calls get 503 until it succeeds';

let key: TestKey;
let certs: CertsServer;
let logger: CapturingLogger;
let token: string;
let runCount: number;

beforeAll(async () => {
  key = createTestKey();
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
  certs.mode = 'ok';
  certs.requests = 0;
  certs.cacheControl = 'public, max-age=3600';
  logger = capturingLogger();
  token = signToken(key.privateKey, validClaims());
  runCount = 0;
  useCertsUrl(certs.url);
  defineTask({
    name: 'count',
    schema: z.object({}),
    run: () => {
      runCount += 1;
    },
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function useCertsUrl(certsUrl: string, certsTimeoutMs?: number): void {
  configureTasks({
    logger,
    auth: googleOidcAuth({ audience: AUDIENCE, serviceAccountEmail: SERVICE_ACCOUNT, certsUrl, certsTimeoutMs }),
  });
}

function fetchFailureLines() {
  return logger.lines.filter((line) => line.message === FETCH_FAILED_LOG);
}

describe('OIDC certificate caching', () => {
  it('one fetch for 50 concurrent calls', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => callTask('count', bearer(token))));

    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    expect(certs.requests).toBe(1);
    expect(runCount).toBe(50);
  });

  it('later calls use cached certificates', async () => {
    await callTask('count', bearer(token));
    await callTask('count', bearer(token));
    await callTask('count', bearer(token));

    expect(certs.requests).toBe(1);
  });

  it('refetches after max-age expires', async () => {
    certs.cacheControl = 'public, max-age=1';

    const first = await callTask('count', bearer(token));
    const cached = await callTask('count', bearer(token));
    const requestsWithinMaxAge = certs.requests;
    await sleep(1_100);
    const refetched = await callTask('count', bearer(token));

    expect(first.status).toBe(200);
    expect(cached.status).toBe(200);
    expect(refetched.status).toBe(200);
    expect(requestsWithinMaxAge).toBe(1);
    expect(certs.requests).toBe(2);
  });

  it('no-cache answer is fetched per call', async () => {
    certs.cacheControl = 'no-cache';

    await callTask('count', bearer(token));
    await callTask('count', bearer(token));

    expect(certs.requests).toBe(2);
  });

  it('unknown key id causes no refetch', async () => {
    const unknownKey = signToken(key.privateKey, validClaims(), { kid: 'unknown-key' });

    await callTask('count', bearer(token));
    const responses = await Promise.all(Array.from({ length: 5 }, () => callTask('count', bearer(unknownKey))));

    expect(responses.map((response) => response.status)).toEqual(Array(5).fill(401));
    expect(certs.requests).toBe(1);
  });

  // Next.js gives instrumentation.ts and each route their own copy of the library.
  it('module copies share one fetch', async () => {
    const options = { audience: AUDIENCE, serviceAccountEmail: SERVICE_ACCOUNT, certsUrl: certs.url };
    vi.resetModules();
    const copy = await import('../../../src/index.js');
    const request = () => new Request('http://localhost/api/tasks/count', { method: 'POST', headers: bearer(token) });

    const fromCopyA = await googleOidcAuth(options).authenticate(request());
    const fromCopyB = await copy.googleOidcAuth(options).authenticate(request());

    expect(copy.googleOidcAuth).not.toBe(googleOidcAuth);
    expect(fromCopyA.ok).toBe(true);
    expect(fromCopyB.ok).toBe(true);
    expect(certs.requests).toBe(1);
  });

  it('calls without token fetch nothing', async () => {
    const response = await callTask('count');

    expect(response.status).toBe(401);
    expect(certs.requests).toBe(0);
  });
});

describe('OIDC certificate endpoint failures', () => {
  it.each<[CertsMode, string]>([
    ['status-500', 'HTTP 500'],
    ['invalid-json', 'invalid JSON'],
    ['not-pem', 'invalid PEM'],
  ])('503 when endpoint answers %s', async (mode, reason) => {
    certs.mode = mode;

    const response = await callTask('count', bearer(token));
    const error = await readError(response);

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).not.toBeNull();
    expect(error.code).toBe('auth_unavailable');
    expect(runCount).toBe(0);
    expect(fetchFailureLines()).toHaveLength(1);
    expect(String(fetchFailureLines()[0]?.fields?.reason)).toContain(reason);
  });

  it('503 when endpoint refuses connections', async () => {
    useCertsUrl(await closedPortUrl());

    const response = await callTask('count', bearer(token));

    expect(response.status).toBe(503);
    expect(runCount).toBe(0);
    expect(String(fetchFailureLines()[0]?.fields?.reason)).toContain('ECONNREFUSED');
  });

  it.each<CertsMode>(['hang', 'hang-body'])('503 within bound when endpoint does %s', async (mode) => {
    certs.mode = mode;
    useCertsUrl(certs.url, 300);

    const startedAt = performance.now();
    const response = await callTask('count', bearer(token));
    const elapsedMs = performance.now() - startedAt;

    expect(response.status).toBe(503);
    expect(elapsedMs).toBeGreaterThanOrEqual(250);
    expect(elapsedMs).toBeLessThan(2_000);
    expect(runCount).toBe(0);
    expect(String(fetchFailureLines()[0]?.fields?.reason)).toContain('timed out after 300 ms');
  });

  it('later call retries after failure', async () => {
    certs.mode = 'status-500';
    const failed = await callTask('count', bearer(token));
    certs.mode = 'ok';
    const recovered = await callTask('count', bearer(token));

    expect(failed.status).toBe(503);
    expect(recovered.status).toBe(200);
    expect(certs.requests).toBe(2);
    expect(runCount).toBe(1);
  });

  it('concurrent calls share failed fetch', async () => {
    certs.mode = 'status-500';

    const responses = await Promise.all(Array.from({ length: 10 }, () => callTask('count', bearer(token))));

    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(503));
    expect(certs.requests).toBe(1);
  });

  it('repeated failures are logged once', async () => {
    certs.mode = 'status-500';

    await callTask('count', bearer(token));
    await callTask('count', bearer(token));
    await callTask('count', bearer(token));

    expect(certs.requests).toBe(3);
    expect(fetchFailureLines()).toHaveLength(1);
    expect(fetchFailureLines()[0]?.level).toBe('error');
  });

  it('failure log and 503 omit the token', async () => {
    certs.mode = 'status-500';

    const response = await callTask('count', bearer(token));
    const body = await response.text();

    expect(body).not.toContain(token);
    for (const part of token.split('.')) expect(logger.text()).not.toContain(part);
    expect(fetchFailureLines()).toHaveLength(1);
  });
});

describe('parseMaxAge', () => {
  it.each<[string | null, number]>([
    [null, 0],
    ['public, max-age=21600, must-revalidate, no-transform', 21_600],
    ['MAX-AGE=60', 60],
    ['max-age=60, no-store', 0],
    ['no-cache, max-age=60', 0],
    ['max-age=abc', 0],
    ['s-maxage=60', 0],
  ])('reads %s as %i seconds', (header, seconds) => {
    expect(parseMaxAge(header)).toBe(seconds);
  });
});
