/**
 * HTTP basic authentication of task endpoints.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { Authenticator, AuthResult } from '../core/auth.js';
import { TaskError } from '../core/errors.js';

/** Environment variable read by `basicAuth()` for the user name. */
export const BASIC_AUTH_USERNAME_ENV = 'TASKS_BASIC_AUTH_USERNAME';
/** Environment variable read by `basicAuth()` for the password. */
export const BASIC_AUTH_PASSWORD_ENV = 'TASKS_BASIC_AUTH_PASSWORD';

/** Options of {@link basicAuth}: fixed credentials, or a function that checks them. */
export type BasicAuthOptions =
  | {
      /** The expected user name: not empty, without `:`. */
      username: string;
      /** The expected password: not empty. */
      password: string;
      /**
       * The realm named in the `WWW-Authenticate` challenge: printable ASCII without `"` or `\`.
       *
       * @default "tasks"
       */
      realm?: string;
    }
  | {
      /** Returns whether the pair is valid. Compare in constant time, for example with `timingSafeEqual`. */
      verify: (username: string, password: string) => boolean | Promise<boolean>;
      /**
       * The realm named in the `WWW-Authenticate` challenge: printable ASCII without `"` or `\`.
       *
       * @default "tasks"
       */
      realm?: string;
    };

/**
 * Creates an authenticator for HTTP basic auth (`Authorization: Basic ...`).
 *
 * Without options, the credentials come from `TASKS_BASIC_AUTH_USERNAME` and
 * `TASKS_BASIC_AUTH_PASSWORD`, read on each request so that a deployment can set them at run
 * time. Fixed credentials are compared in constant time. Credentials never appear in a log or a
 * response.
 *
 * @example
 * ```ts
 * configureTasks({ auth: basicAuth({ username: 'tasks', password: process.env.TASKS_PASSWORD! }) });
 * ```
 * @throws {TaskError} `configuration_error` when a fixed username or password is empty, `verify` is
 *   not a function, or `realm` cannot go in a header.
 */
export function basicAuth(options?: BasicAuthOptions): Authenticator {
  const realm = options?.realm ?? 'tasks';
  assertRealm(realm);
  if (options !== undefined && 'verify' in options) assertVerify(options.verify);
  else if (options !== undefined) assertCredentials(options.username, options.password, 'options');

  const verify = createVerifier(options);
  return {
    scheme: 'basic',
    challenge: `Basic realm="${realm}", charset="UTF-8"`,

    async authenticate(request: Request): Promise<AuthResult> {
      // A missing environment credential is a setup error on every request, not only on those with a header.
      if (options === undefined) readEnvironmentCredentials();

      const credentials = parseBasicHeader(request.headers.get('authorization'));
      if (credentials === undefined) {
        return {
          ok: false,
          status: 401,
          message: 'Missing basic credentials: send an `Authorization: Basic ...` header.',
        };
      }
      if (!(await verify(credentials.username, credentials.password))) {
        return { ok: false, status: 401, message: 'Invalid basic credentials. Check the username and password.' };
      }
      return { ok: true };
    },
  };
}

function createVerifier(options: BasicAuthOptions | undefined) {
  if (options !== undefined && 'verify' in options) return options.verify;
  if (options !== undefined) return (username: string, password: string) => matches(username, password, options);

  return (username: string, password: string) => matches(username, password, readEnvironmentCredentials());
}

function readEnvironmentCredentials(): { username: string; password: string } {
  const credentials = {
    username: process.env[BASIC_AUTH_USERNAME_ENV] ?? '',
    password: process.env[BASIC_AUTH_PASSWORD_ENV] ?? '',
  };
  assertCredentials(credentials.username, credentials.password, 'environment');
  return credentials;
}

function assertRealm(realm: unknown): void {
  // Printable ASCII without `"` and `\` fits in the quoted string of the challenge without escaping.
  if (typeof realm === 'string' && /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(realm)) return;

  throw new TaskError(
    'configuration_error',
    `Invalid basic auth realm ${JSON.stringify(realm)}: it goes into the WWW-Authenticate header, so use ` +
      'printable ASCII without quotes or backslashes, for example "tasks".',
  );
}

function assertVerify(verify: unknown): void {
  if (typeof verify === 'function') return;

  throw new TaskError(
    'configuration_error',
    `Invalid basic auth \`verify\` of type ${typeof verify}: pass a function (username, password) => boolean.`,
  );
}

function assertCredentials(username: unknown, password: unknown, source: 'options' | 'environment'): void {
  const valid = typeof username === 'string' && typeof password === 'string';
  if (valid && username !== '' && password !== '' && !username.includes(':')) return;

  const where =
    source === 'environment'
      ? `Set ${BASIC_AUTH_USERNAME_ENV} and ${BASIC_AUTH_PASSWORD_ENV}`
      : 'Pass a non-empty `username` and `password` to basicAuth()';
  throw new TaskError(
    'configuration_error',
    `Basic auth is selected but its credentials are missing or invalid: ${where} (the user name may not contain ":").`,
  );
}

/** Compares both parts in constant time; both are always compared so timing reveals neither. */
function matches(username: string, password: string, expected: { username: string; password: string }): boolean {
  const usernameMatches = safeEqual(username, expected.username);
  const passwordMatches = safeEqual(password, expected.password);
  return usernameMatches && passwordMatches;
}

function safeEqual(actual: string, expected: string): boolean {
  // Hashing first gives equal lengths, which timingSafeEqual requires, without leaking the length.
  const actualDigest = createHash('sha256').update(actual, 'utf8').digest();
  const expectedDigest = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(actualDigest, expectedDigest);
}

/** Parses `Basic base64(user:password)`; `undefined` when the header is missing or malformed. */
export function parseBasicHeader(header: string | null): { username: string; password: string } | undefined {
  const match = header?.match(/^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i);
  if (match?.[1] === undefined) return undefined;

  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(match[1], 'base64'));
  } catch {
    return undefined;
  }
  const separator = decoded.indexOf(':');
  if (separator < 0) return undefined;
  return { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}
