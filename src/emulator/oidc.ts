/**
 * OIDC tokens for tasks with `oidcToken`: an RSA key pair made at start, RS256 ID tokens shaped
 * like the ones Google signs for Cloud Tasks, and an HTTP server that publishes the public key.
 *
 * @module
 */
import { createHash, generateKeyPair, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Lifetime of an ID token, in seconds: one hour, as Google's. */
const TOKEN_LIFETIME_SECONDS = 3600;

/**
 * How long clients may cache the keys, in seconds. Every start makes a new key pair, so a short
 * time keeps an app that outlives an emulator restart from holding an unknown key for long.
 */
const KEYS_MAX_AGE_SECONDS = 300;

/** Claims of an ID token that the emulator signs. */
export interface IdTokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly azp: string;
  readonly sub: string;
  readonly email: string;
  readonly email_verified: true;
  readonly iat: number;
  readonly exp: number;
}

/** Signs ID tokens with the emulator's key pair. */
export class IdTokenSigner {
  private constructor(
    /** The key id, sent as the token header's `kid`. */
    readonly kid: string,
    /** The `iss` claim. */
    readonly issuer: string,
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {}

  /** Makes a 2048-bit RSA key pair and a random key id. */
  static async create(issuer: string): Promise<IdTokenSigner> {
    const { privateKey, publicKey } = await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>(
      (resolve, reject) => {
        generateKeyPair('rsa', { modulusLength: 2048 }, (error, publicKey, privateKey) => {
          if (error === null) resolve({ privateKey, publicKey });
          else reject(error);
        });
      },
    );
    return new IdTokenSigner(randomBytes(20).toString('hex'), issuer, privateKey, publicKey);
  }

  /**
   * Signs an ID token for a service account. `sub` and `azp` are a number derived from the
   * email, standing in for the account's unique id as Google sets it.
   */
  sign(email: string, audience: string, now = Date.now()): string {
    const issuedAt = Math.floor(now / 1000);
    const accountId = serviceAccountId(email);
    const claims: IdTokenClaims = {
      iss: this.issuer,
      aud: audience,
      azp: accountId,
      sub: accountId,
      email,
      email_verified: true,
      iat: issuedAt,
      exp: issuedAt + TOKEN_LIFETIME_SECONDS,
    };

    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /**
   * Returns the public key as `{ kid: PEM }`, the shape of Google's `oauth2/v1/certs`.
   *
   * NOTE: Google publishes X.509 certificates there; this is a public key PEM (SPKI), because
   * node:crypto cannot make certificates. google-auth-library 10 verifies with it, but a verifier
   * that parses certificates (such as `jose`'s `importX509`) rejects it.
   */
  certs(): Record<string, string> {
    return { [this.kid]: this.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }

  /** Returns the public key as a JWK set, the shape of Google's `oauth2/v3/certs`. */
  jwks(): { keys: object[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }
}

function base64Url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** Derives a 21-digit id from the email, so the same account always gets the same id. */
function serviceAccountId(email: string): string {
  const digest = createHash('sha256').update(email).digest();
  return `1${(digest.readBigUInt64BE() % 100_000_000_000_000_000_000n).toString().padStart(20, '0')}`;
}

/** Paths served by the key server. */
export const KEY_SERVER_PATHS = {
  certs: '/certs',
  jwks: '/jwks',
  openIdConfiguration: '/.well-known/openid-configuration',
} as const;

/**
 * Creates the HTTP server that publishes the signing key: `/certs`, `/jwks` and the OpenID
 * discovery document. `baseUrl` returns the server's URL once it listens.
 */
export function createKeyServer(signer: IdTokenSigner, baseUrl: () => string): Server {
  return createServer((request, response) => {
    handleKeyRequest(signer, baseUrl(), request, response);
  });
}

function handleKeyRequest(signer: IdTokenSigner, baseUrl: string, request: IncomingMessage, response: ServerResponse) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendJson(response, 405, { error: `Method ${request.method} not allowed: use GET.` }, { allow: 'GET, HEAD' });
    return;
  }

  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const cacheHeaders = {
    'cache-control': `public, max-age=${KEYS_MAX_AGE_SECONDS}, must-revalidate, no-transform`,
  };
  switch (path) {
    case KEY_SERVER_PATHS.certs:
      sendJson(response, 200, signer.certs(), cacheHeaders);
      return;
    case KEY_SERVER_PATHS.jwks:
      sendJson(response, 200, signer.jwks(), cacheHeaders);
      return;
    case KEY_SERVER_PATHS.openIdConfiguration:
      sendJson(response, 200, openIdConfiguration(signer.issuer, baseUrl), cacheHeaders);
      return;
    default:
      sendJson(response, 404, {
        error: `Not found: ${path}. This server publishes ${Object.values(KEY_SERVER_PATHS).join(', ')}.`,
      });
  }
}

function openIdConfiguration(issuer: string, baseUrl: string): object {
  return {
    issuer,
    jwks_uri: `${baseUrl}${KEY_SERVER_PATHS.jwks}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['aud', 'azp', 'email', 'email_verified', 'exp', 'iat', 'iss', 'sub'],
  };
}

function sendJson(response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
