/**
 * Google OIDC authentication of task endpoints: the bearer token that Cloud Tasks sends with
 * each dispatch of a task that has an `oidcToken`.
 *
 * @module
 */
import type { AuthenticationContext, Authenticator, AuthResult } from '../../core/auth.js';
import { createConsoleLogger, type Logger, logRateLimited } from '../../core/logger.js';
import { CertificateFetchError, type Certificates, getCertificates } from './certificates.js';
import { type GoogleOidcAuthOptions, type OidcOptionNames, type OidcSettings, resolveOidcOptions } from './options.js';
import { loadVerifier, verifyIdToken } from './verifier.js';

/** `WWW-Authenticate` value of a 401 for a request without a bearer token (RFC 6750, section 3). */
export const OIDC_CHALLENGE = 'Bearer realm="tasks"';

/** `WWW-Authenticate` value of a 401 for a bearer token that was sent and rejected (RFC 6750, section 3.1). */
export const INVALID_TOKEN_CHALLENGE = 'Bearer realm="tasks", error="invalid_token"';

/**
 * Creates an authenticator that accepts Google-signed OIDC ID tokens, such as those Cloud Tasks
 * sends, from the allowed service accounts.
 *
 * A call passes when its `Authorization: Bearer` token has a valid signature from Google's
 * current certificates, is within its lifetime, has one of the `issuers` and the `audience`,
 * and names an allowed service account in `email` with `email_verified: true`. The handler then
 * trusts the call's `X-CloudTasks-*` headers for the task's id, attempt and delivery facts.
 *
 * Calls without a valid token get 401 and calls from other accounts get 403. When the
 * certificates cannot be fetched within `certsTimeoutMs`, calls get 503 and their task does not
 * run. Nothing from a token appears in a response or a log line.
 *
 * google-auth-library (an optional peer dependency, version 10 or 11) is loaded on the first call.
 *
 * @example
 * ```ts
 * configureTasks({
 *   auth: googleOidcAuth({
 *     audience: 'https://my-app-abc123-uc.a.run.app',
 *     serviceAccountEmail: 'tasks-invoker@my-project.iam.gserviceaccount.com',
 *   }),
 * });
 * ```
 * @throws {TaskError} `configuration_error` naming the missing or invalid option. Calls get
 *   500 `configuration_error` when google-auth-library is not installed.
 */
export function googleOidcAuth(options: GoogleOidcAuthOptions): Authenticator {
  return createGoogleOidcAuth(options);
}

/**
 * Creates the authenticator of {@link googleOidcAuth}; `names` makes configuration errors name
 * the environment variables the options came from.
 */
export function createGoogleOidcAuth(options: GoogleOidcAuthOptions, names?: OidcOptionNames): Authenticator {
  const settings = resolveOidcOptions(options, names);

  return {
    scheme: 'oidc',
    challenge: OIDC_CHALLENGE,
    authenticate: (request, context) => authenticateWithOidc(request, settings, loggerOf(context)),
  };
}

/** Returns the logger of the call's context, or a console logger, the default, for a direct call without one. */
function loggerOf(context: AuthenticationContext | undefined): Logger {
  return context?.logger ?? createConsoleLogger();
}

async function authenticateWithOidc(request: Request, settings: OidcSettings, logger: Logger): Promise<AuthResult> {
  // Loading first makes a missing package a 500 on every call, not only on calls with a token.
  const verifier = await loadVerifier();

  const bearer = readBearerToken(request.headers.get('authorization'));
  if (!bearer.ok) return bearer.rejection;

  const certificates = await fetchCertificates(settings, logger);
  if (certificates === undefined) {
    return {
      ok: false,
      status: 503,
      message:
        'The OIDC signing certificates could not be fetched, so the token could not be checked and the task did ' +
        'not run. Retry later.',
    };
  }

  // Checked here so that an unknown key id gets its own message. The certificates are not fetched
  // again for it, so tokens with made-up key ids cannot make this server flood the endpoint.
  if (!Object.hasOwn(certificates, bearer.keyId)) {
    return invalidToken('Invalid OIDC token: its key id (kid) is not among the current certificates.');
  }

  const check = await verifyIdToken(verifier, bearer.token, certificates, settings.audience, settings.issuers);
  if (!check.ok) return invalidToken(check.message);

  return checkServiceAccount(check.claims, settings);
}

type BearerToken =
  | { readonly ok: true; readonly token: string; readonly keyId: string }
  | { readonly ok: false; readonly rejection: AuthResult };

/** Reads `Authorization: Bearer <JWT>` and the key id of the JWT header, without verifying anything. */
function readBearerToken(header: string | null): BearerToken {
  if (header === null || header.trim() === '') {
    return unauthenticated('Missing bearer token: send an OIDC ID token in an `Authorization: Bearer <token>` header.');
  }

  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  if (scheme.toLowerCase() !== 'bearer') {
    return unauthenticated(
      'Unsupported authorization scheme: send an OIDC ID token as `Authorization: Bearer <token>`.',
    );
  }

  // Anything but one token after the scheme (spaces inside, a second token) fails the JWT check below.
  const token = rest.join(' ').trim();
  const keyId = readKeyId(token);
  if (keyId === undefined) {
    return {
      ok: false,
      rejection: invalidToken(
        'Malformed bearer token: expected a JWT of three base64url parts with a JSON header that has a key id (kid).',
      ),
    };
  }
  return { ok: true, token, keyId };
}

/** Returns the `kid` of a JWT's header, or `undefined` when the token is not a JWT with JSON header and payload. */
function readKeyId(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) return undefined;

  const header = decodeJsonPart(parts[0] ?? '');
  const payload = decodeJsonPart(parts[1] ?? '');
  if (header === undefined || payload === undefined) return undefined;

  const keyId = header.kid;
  return typeof keyId === 'string' && keyId !== '' ? keyId : undefined;
}

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the certificates, or `undefined` after logging why they could not be fetched. */
async function fetchCertificates(settings: OidcSettings, logger: Logger): Promise<Certificates | undefined> {
  try {
    return await getCertificates(settings.certsUrl, settings.certsTimeoutMs);
  } catch (error) {
    if (!(error instanceof CertificateFetchError)) throw error;

    // Every call fails the same way while the endpoint is down, so one line a minute is enough.
    logRateLimited(
      logger,
      'error',
      `oidc-certificates:${settings.certsUrl}`,
      'OIDC certificate fetch failed; task calls get 503 until it succeeds',
      { certsUrl: settings.certsUrl, reason: error.message },
    );
    return undefined;
  }
}

/** Requires an allowed service account in `email`, and `email_verified: true`; google-auth-library checks neither. */
function checkServiceAccount(claims: Readonly<Record<string, unknown>>, settings: OidcSettings): AuthResult {
  const email = claims.email;
  if (typeof email !== 'string') {
    return forbidden(
      'The OIDC token has no email claim: create it for a service account, as Cloud Tasks does with ' +
        '`oidcToken.serviceAccountEmail`.',
    );
  }
  if (!settings.allowedServiceAccounts.has(email.toLowerCase())) {
    return forbidden(
      "The OIDC token's service account may not call task endpoints: add its email to `allowedServiceAccounts` " +
        '(TASKS_OIDC_SERVICE_ACCOUNTS) if it should.',
    );
  }
  if (claims.email_verified !== true) {
    return forbidden("The OIDC token's email is not verified: its email_verified claim is not true.");
  }

  return { ok: true, trustedQueue: true };
}

function unauthenticated(message: string): BearerToken {
  return { ok: false, rejection: { ok: false, status: 401, message, challenge: OIDC_CHALLENGE } };
}

function invalidToken(message: string): AuthResult {
  return { ok: false, status: 401, message, challenge: INVALID_TOKEN_CHALLENGE };
}

function forbidden(message: string): AuthResult {
  return { ok: false, status: 403, message };
}
