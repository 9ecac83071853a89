// googleOidcAuth when google-auth-library cannot be loaded: every call gets 500 configuration_error
// with the install command, and installing the package later works without a restart.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { resetCertificateCache } from '../../../src/auth/google-oidc/certificates.js';
import { resetVerifier } from '../../../src/auth/google-oidc/verifier.js';
import { configureTasks, defineTask, googleOidcAuth } from '../../../src/index.js';
import { resetTasks } from '../../../src/testing/index.js';
import { type CapturingLogger, capturingLogger } from '../helpers.js';
import { AUDIENCE, bearer, callTask, readError, SERVICE_ACCOUNT } from './support.js';

let logger: CapturingLogger;
let ran: boolean;

beforeEach(() => {
  vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
  resetTasks();
  resetCertificateCache();
  resetVerifier();
  logger = capturingLogger();
  ran = false;
  configureTasks({
    logger,
    // Port 9 (discard) on loopback: no test here gets as far as fetching certificates.
    auth: googleOidcAuth({ audience: AUDIENCE, serviceAccountEmail: SERVICE_ACCOUNT, certsUrl: 'http://127.0.0.1:9/' }),
  });
  defineTask({
    name: 'guarded',
    schema: z.object({}),
    run: () => {
      ran = true;
    },
  });
});

afterEach(() => {
  vi.doUnmock('google-auth-library');
  vi.unstubAllEnvs();
});

describe('googleOidcAuth without google-auth-library', () => {
  it('500 naming npm install', async () => {
    vi.doMock('google-auth-library', () => {
      throw new Error("Cannot find package 'google-auth-library'");
    });

    const response = await callTask('guarded', bearer('a.b.c'));
    const error = await readError(response);

    expect(response.status).toBe(500);
    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('npm install google-auth-library');
    expect(ran).toBe(false);
  });

  it('message names standalone settings', async () => {
    vi.doMock('google-auth-library', () => {
      throw new Error("Cannot find package 'google-auth-library'");
    });

    const error = await readError(await callTask('guarded', bearer('a.b.c')));

    expect(error.message).toContain('serverExternalPackages');
  });

  it('cause is logged, not sent', async () => {
    vi.doMock('google-auth-library', () => {
      throw new Error("Cannot find package 'google-auth-library' imported from /srv/app/server.js");
    });

    const error = await readError(await callTask('guarded', bearer('a.b.c')));
    const logged = logger.lines.find((line) => line.message === 'task endpoint is misconfigured');

    // vitest wraps a throwing mock factory in its own error, which is then the logged cause.
    expect(typeof logged?.fields?.cause).toBe('string');
    expect(error.message).not.toContain(String(logged?.fields?.cause));
    expect(error.message).not.toContain('/srv/app');
  });

  it('500 for call without token', async () => {
    vi.doMock('google-auth-library', () => {
      throw new Error("Cannot find package 'google-auth-library'");
    });

    const response = await callTask('guarded');

    expect(response.status).toBe(500);
  });

  it('500 for library without OAuth2Client', async () => {
    vi.doMock('google-auth-library', () => ({ GoogleAuth: class {} }));

    const response = await callTask('guarded', bearer('a.b.c'));
    const error = await readError(response);

    expect(response.status).toBe(500);
    expect(error.message).toContain('version 10 or 11');
  });

  it('logs misconfiguration once a minute', async () => {
    vi.doMock('google-auth-library', () => {
      throw new Error("Cannot find package 'google-auth-library'");
    });

    await callTask('guarded', bearer('a.b.c'));
    await callTask('guarded', bearer('a.b.c'));

    expect(logger.lines.filter((line) => line.message === 'task endpoint is misconfigured')).toHaveLength(1);
  });

  it('loads library installed later', async () => {
    vi.doMock('google-auth-library', () => {
      throw new Error("Cannot find package 'google-auth-library'");
    });
    const before = await callTask('guarded');

    vi.doUnmock('google-auth-library');
    const after = await callTask('guarded');

    expect(before.status).toBe(500);
    expect(after.status).toBe(401);
  });
});
