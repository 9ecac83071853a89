// OIDC tokens of the Cloud Tasks emulator, verified with google-auth-library against the
// emulator's own key server, and the key server's documents.
import { createPublicKey, verify } from 'node:crypto';

import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OAUTH_PLACEHOLDER_TOKEN } from '../../../src/emulator/index.js';
import {
  createQueue,
  type EmulatorHarness,
  queuePath,
  startHarness,
  startTarget,
  type TargetServer,
} from './support.js';

const SERVICE_ACCOUNT = 'tasks-invoker@demo.iam.gserviceaccount.com';

let harness: EmulatorHarness;
let target: TargetServer;
let queue: string;

beforeAll(async () => {
  harness = await startHarness();
  target = await startTarget();
  queue = queuePath('oidc');
  await createQueue(harness.client, queue);
});

afterAll(async () => {
  await harness.close();
  await target.close();
});

/** Creates a task with the given httpRequest fields and returns the Authorization header it was dispatched with. */
async function dispatchedAuthorization(httpRequest: object): Promise<string> {
  const [task] = await harness.client.createTask({ parent: queue, task: { httpRequest } });
  const dispatches = await harness.emulator.waitForDispatches((all) => all.some((d) => d.taskName === task.name));
  return dispatches.find((d) => d.taskName === task.name)?.headers.authorization ?? '';
}

function bearerToken(authorization: string): string {
  expect(authorization).toMatch(/^Bearer /);
  return authorization.slice('Bearer '.length);
}

function verifier(): OAuth2Client {
  return new OAuth2Client({ endpoints: { oauth2FederatedSignonPemCertsUrl: harness.emulator.certsUrl } });
}

describe('emulator OIDC tokens', () => {
  it('verifies with google-auth-library against certs', async () => {
    const url = `${target.url}/api/tasks/send-email?x=1`;
    const idToken = bearerToken(
      await dispatchedAuthorization({ url, oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT } }),
    );

    const ticket = await verifier().verifyIdToken({ idToken, audience: url });
    const payload = ticket.getPayload();

    expect(payload?.iss).toBe('https://accounts.google.com');
    expect(payload?.aud).toBe(url);
    expect(payload?.email).toBe(SERVICE_ACCOUNT);
    expect(payload?.email_verified).toBe(true);
    expect(payload?.sub).toMatch(/^\d{21}$/);
    expect(payload?.azp).toBe(payload?.sub);
    expect((payload?.exp ?? 0) - (payload?.iat ?? 0)).toBe(3600);
  });

  it('uses the token audience when set', async () => {
    const audience = 'https://my-app.example.com';
    const idToken = bearerToken(
      await dispatchedAuthorization({
        url: `${target.url}/run`,
        oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT, audience },
      }),
    );

    const ticket = await verifier().verifyIdToken({ idToken, audience });

    expect(ticket.getPayload()?.aud).toBe(audience);
  });

  it('fails verification for another audience', async () => {
    const idToken = bearerToken(
      await dispatchedAuthorization({ url: `${target.url}/run`, oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT } }),
    );

    await expect(verifier().verifyIdToken({ idToken, audience: 'https://other.example.com' })).rejects.toThrow(
      /audience/,
    );
  });

  it('overrides the task Authorization header', async () => {
    const authorization = await dispatchedAuthorization({
      url: `${target.url}/run`,
      headers: { Authorization: 'Basic dXNlcjpwYXNz' },
      oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT },
    });

    expect(authorization).toMatch(/^Bearer ey/);
  });

  it('signs with a configured issuer', async () => {
    const issuer = 'https://issuer.test';
    const custom = await startHarness({ issuer });
    try {
      const name = queuePath();
      await createQueue(custom.client, name);
      const url = `${target.url}/run`;
      await custom.client.createTask({
        parent: name,
        task: { httpRequest: { url, oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT } } },
      });
      const [dispatch] = await custom.emulator.waitForDispatches((all) => all.length > 0);
      const certs = (await (await fetch(custom.emulator.certsUrl)).json()) as Record<string, string>;

      const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(
        bearerToken(dispatch?.headers.authorization ?? ''),
        certs,
        url,
        [issuer],
      );

      expect(custom.emulator.issuer).toBe(issuer);
      expect(ticket.getPayload()?.iss).toBe(issuer);
    } finally {
      await custom.close();
    }
  });

  it('sends a placeholder for oauthToken', async () => {
    const authorization = await dispatchedAuthorization({
      url: `${target.url}/run`,
      oauthToken: { serviceAccountEmail: SERVICE_ACCOUNT },
    });

    expect(authorization).toBe(`Bearer ${OAUTH_PLACEHOLDER_TOKEN}`);
  });

  it('never logs a token', async () => {
    const authorization = await dispatchedAuthorization({
      url: `${target.url}/run`,
      oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT },
    });

    expect(harness.logger.lines.length).toBeGreaterThan(0);
    expect(harness.logger.text()).not.toContain(bearerToken(authorization));
    expect(harness.logger.text()).not.toContain('Bearer');
  });
});

describe('emulator key server', () => {
  it('serves certs with Cache-Control', async () => {
    const response = await fetch(harness.emulator.certsUrl);
    const certs = (await response.json()) as Record<string, string>;
    const [kid, pem] = Object.entries(certs)[0] ?? [];

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(Object.keys(certs)).toHaveLength(1);
    expect(kid).toMatch(/^[0-9a-f]{40}$/);
    expect(pem).toContain('-----BEGIN PUBLIC KEY-----');
  });

  it('token kid matches the certs key', async () => {
    const idToken = bearerToken(
      await dispatchedAuthorization({ url: `${target.url}/run`, oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT } }),
    );
    const certs = (await (await fetch(harness.emulator.certsUrl)).json()) as Record<string, string>;

    const header = JSON.parse(Buffer.from(idToken.split('.')[0] ?? '', 'base64url').toString()) as Record<
      string,
      string
    >;

    expect(header.alg).toBe('RS256');
    expect(Object.keys(certs)).toContain(header.kid);
  });

  it('serves a JWK set that verifies tokens', async () => {
    const idToken = bearerToken(
      await dispatchedAuthorization({ url: `${target.url}/run`, oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT } }),
    );
    const jwks = (await (await fetch(harness.emulator.jwksUrl)).json()) as { keys: Array<Record<string, string>> };
    const jwk = jwks.keys[0] ?? {};
    const [header = '', payload = '', signature = ''] = idToken.split('.');

    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      createPublicKey({ key: jwk, format: 'jwk' }),
      Buffer.from(signature, 'base64url'),
    );

    expect(jwks.keys).toHaveLength(1);
    expect(jwk.kty).toBe('RSA');
    expect(jwk.alg).toBe('RS256');
    expect(jwk.use).toBe('sig');
    expect(valid).toBe(true);
  });

  it('serves the OpenID configuration', async () => {
    const response = await fetch(harness.emulator.openIdConfigurationUrl);
    const document = (await response.json()) as Record<string, unknown>;

    expect(harness.emulator.openIdConfigurationUrl).toBe(
      `${harness.emulator.httpUrl}/.well-known/openid-configuration`,
    );
    expect(document.issuer).toBe('https://accounts.google.com');
    expect(document.jwks_uri).toBe(harness.emulator.jwksUrl);
    expect(document.id_token_signing_alg_values_supported).toEqual(['RS256']);
  });

  it('answers 404 for unknown paths', async () => {
    const response = await fetch(`${harness.emulator.httpUrl}/nope`);
    const body = (await response.json()) as { error: string };

    expect(response.status).toBe(404);
    expect(body.error).toContain('/certs');
  });

  it('answers 405 for POST', async () => {
    const response = await fetch(harness.emulator.certsUrl, { method: 'POST' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});
