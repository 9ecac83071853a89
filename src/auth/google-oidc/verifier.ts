/**
 * Checking an ID token's signature and claims with google-auth-library, an optional peer
 * dependency that is loaded on first use.
 *
 * The certificates come from `certificates.ts` rather than from google-auth-library's own fetch,
 * so `OAuth2Client.verifySignedJwtWithCertsAsync` does the checking: the RS256 signature, `iat`
 * and `exp` (with google-auth-library's five minutes of clock skew, and `exp` at most one day
 * ahead), `iss` and `aud`. It checks `aud` only when an audience is passed, so one always is.
 *
 * @module
 */
import { TaskError } from '../../core/errors.js';
import { forgetProcessWide, processWide } from '../../core/process-wide.js';
import type { Certificates } from './certificates.js';

/** The part of google-auth-library's `OAuth2Client` used here (versions 10 and 11). */
interface SignedJwtVerifier {
  verifySignedJwtWithCertsAsync(
    jwt: string,
    certs: Record<string, string>,
    requiredAudience: string,
    issuers: string[],
  ): Promise<{ getPayload(): unknown }>;
}

/** The outcome of {@link verifyIdToken}: the token's claims, or a message that contains nothing from the token. */
export type IdTokenCheck =
  | { readonly ok: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly message: string };

const VERIFIER_NAME = 'googleOidcVerifier';

/**
 * Returns the process-wide verifier, loading google-auth-library on the first call. A failed
 * load is not kept, so installing the package and retrying works without a restart.
 *
 * @throws {TaskError} `configuration_error` when google-auth-library cannot be loaded.
 */
export function loadVerifier(): Promise<SignedJwtVerifier> {
  const holder = processWide(VERIFIER_NAME, () => ({ loading: undefined as Promise<SignedJwtVerifier> | undefined }));
  holder.loading ??= createVerifier().catch((error: unknown) => {
    holder.loading = undefined;
    throw error;
  });
  return holder.loading;
}

/** Forgets the loaded verifier, for test isolation. */
export function resetVerifier(): void {
  forgetProcessWide(VERIFIER_NAME);
}

async function createVerifier(): Promise<SignedJwtVerifier> {
  let library: unknown;
  try {
    // The ignore comments keep webpack and Turbopack from bundling this optional package, so that
    // an app without it still builds. Node.js then resolves it from the app's node_modules.
    library = await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ 'google-auth-library');
  } catch (error) {
    throw new TaskError(
      'configuration_error',
      'OIDC authentication needs the google-auth-library package, which could not be loaded: run ' +
        '`npm install google-auth-library` (version 10 or 11). With `output: "standalone"`, also add it to ' +
        '`serverExternalPackages` and import it in instrumentation.ts, so that file tracing copies it.',
      { cause: error },
    );
  }

  const OAuth2Client = findOAuth2Client(library);
  if (OAuth2Client === undefined) {
    throw new TaskError(
      'configuration_error',
      'The installed google-auth-library has no OAuth2Client with verifySignedJwtWithCertsAsync: ' +
        'install version 10 or 11 with `npm install google-auth-library@11`.',
    );
  }
  return new OAuth2Client();
}

type OAuth2ClientClass = new () => SignedJwtVerifier;

/** Finds `OAuth2Client` among the named exports, or on `default` when only the CommonJS `module.exports` is there. */
function findOAuth2Client(library: unknown): OAuth2ClientClass | undefined {
  const candidates = [library, readExport(library, 'default')];
  for (const candidate of candidates) {
    const OAuth2Client = readExport(candidate, 'OAuth2Client');
    const prototype = (OAuth2Client as { prototype?: Partial<SignedJwtVerifier> } | undefined)?.prototype;
    if (typeof OAuth2Client === 'function' && typeof prototype?.verifySignedJwtWithCertsAsync === 'function') {
      return OAuth2Client as OAuth2ClientClass;
    }
  }
  return undefined;
}

/** Reads an export only when it exists, because Vitest's module mocks throw on names they do not define. */
function readExport(module: unknown, name: string): unknown {
  const isObject = (typeof module === 'object' || typeof module === 'function') && module !== null;
  return isObject && name in module ? (module as Record<string, unknown>)[name] : undefined;
}

/**
 * Checks the token's signature against `certificates`, its times, issuer and audience. Never
 * throws for a bad token: the failure comes back as a message fit for a 401 response.
 */
export async function verifyIdToken(
  verifier: SignedJwtVerifier,
  token: string,
  certificates: Certificates,
  audience: string,
  issuers: readonly string[],
): Promise<IdTokenCheck> {
  let payload: unknown;
  try {
    const ticket = await verifier.verifySignedJwtWithCertsAsync(token, { ...certificates }, audience, [...issuers]);
    payload = ticket.getPayload();
  } catch (error) {
    // google-auth-library's messages quote the token and its claims, so only a fixed message
    // chosen from the kind of failure leaves this function.
    return { ok: false, message: describeRejection(error, audience, issuers) };
  }

  if (typeof payload !== 'object' || payload === null) {
    return { ok: false, message: 'Invalid OIDC token: its payload is not a JSON object.' };
  }
  return { ok: true, claims: payload as Record<string, unknown> };
}

/**
 * Matches the start of google-auth-library's error messages (the same in versions 10.9 and 11.3)
 * to a fixed message.
 */
const REJECTIONS: ReadonlyArray<{
  readonly prefix: string;
  readonly message: (audience: string, issuers: readonly string[]) => string;
}> = [
  { prefix: 'Invalid token signature', message: () => 'Invalid OIDC token: its signature does not verify.' },
  {
    prefix: 'No pem found',
    message: () => 'Invalid OIDC token: its key id (kid) is not among the current certificates.',
  },
  {
    prefix: 'Token used too late',
    message: () => 'Expired OIDC token: its exp is more than five minutes in the past. Send a new token.',
  },
  {
    prefix: 'Token used too early',
    message: () => 'Invalid OIDC token: its iat is more than five minutes in the future. Check the clocks.',
  },
  {
    prefix: 'Expiration time too far in future',
    message: () => 'Invalid OIDC token: its exp is more than one day in the future.',
  },
  { prefix: 'No issue time', message: () => 'Invalid OIDC token: it has no iat claim.' },
  { prefix: 'No expiration time', message: () => 'Invalid OIDC token: it has no exp claim.' },
  { prefix: 'iat field', message: () => 'Invalid OIDC token: its iat claim is not a number.' },
  { prefix: 'exp field', message: () => 'Invalid OIDC token: its exp claim is not a number.' },
  {
    prefix: 'Invalid issuer',
    message: (_audience, issuers) =>
      `Invalid OIDC token: its issuer (iss) is not one of ${issuers.join(', ')}. Send a token from one of ` +
      'these issuers, or add its issuer to `issuers` (TASKS_OIDC_ISSUERS).',
  },
  {
    prefix: 'Wrong recipient',
    message: (audience) =>
      `Invalid OIDC token: its audience (aud) is not ${JSON.stringify(audience)}. Create the token for this ` +
      'audience, or set `audience` (TASKS_OIDC_AUDIENCE) to the audience that Cloud Tasks sends.',
  },
];

function describeRejection(error: unknown, audience: string, issuers: readonly string[]): string {
  const text = error instanceof Error ? error.message : '';
  const rejection = REJECTIONS.find(({ prefix }) => text.startsWith(prefix));
  // NOTE: a google-auth-library release that rewords its messages lands here: still a 401, with a vaguer message.
  return rejection?.message(audience, issuers) ?? 'Invalid OIDC token: it failed verification.';
}
