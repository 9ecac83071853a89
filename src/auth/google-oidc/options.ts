/**
 * The options of `googleOidcAuth()` and their checks. Every check runs when the authenticator is
 * created, so a setup mistake fails at startup instead of letting requests through unchecked.
 *
 * @module
 */
import { isServiceAccountEmail } from '../../core/environment.js';
import { TaskError } from '../../core/errors.js';
import { normalizeAudience } from '../../core/url.js';

/** Issuers (`iss`) that Google writes into the ID tokens it signs, Cloud Tasks tokens included. */
export const DEFAULT_OIDC_ISSUERS: readonly string[] = ['accounts.google.com', 'https://accounts.google.com'];

/** Google's signing certificates, as a JSON object of key id (`kid`) to PEM certificate. */
export const DEFAULT_OIDC_CERTS_URL = 'https://www.googleapis.com/oauth2/v1/certs';

/**
 * Default of `certsTimeoutMs`: 5 seconds. Long enough for a slow certificate fetch, short enough
 * that Cloud Tasks gets its 503 well before its dispatch deadline, which is 15 seconds at the least.
 */
export const DEFAULT_OIDC_CERTS_TIMEOUT_MS = 5_000;

/** Largest `certsTimeoutMs`: one minute. */
export const MAX_OIDC_CERTS_TIMEOUT_MS = 60_000;

/** Options of `googleOidcAuth()` that do not name the allowed service accounts. */
export interface GoogleOidcAuthBaseOptions {
  /**
   * The audience (`aud`) the token must be issued for: the audience of the Cloud Tasks task,
   * usually the app's public URL. A URL is normalized the way the Cloud Tasks backend normalizes
   * the audience it sends (lowercase host, no trailing slash), so both agree byte for byte.
   *
   * @example "https://my-app-abc123-uc.a.run.app"
   */
  audience: string;
  /**
   * The accepted issuers (`iss`).
   *
   * @default ["accounts.google.com", "https://accounts.google.com"]
   */
  issuers?: readonly string[];
  /**
   * The URL of the signing certificates: a JSON object of key id to PEM certificate, cached for
   * the `max-age` of its `Cache-Control` header.
   *
   * @default "https://www.googleapis.com/oauth2/v1/certs"
   */
  certsUrl?: string;
  /**
   * The maximum time a certificate fetch may take, in milliseconds: a whole number from 1 to
   * 60000. A call that waits longer gets 503 `auth_unavailable`, and its task does not run.
   *
   * @default 5000
   */
  certsTimeoutMs?: number;
}

/**
 * Options of `googleOidcAuth()`. Name the allowed service accounts with either
 * `serviceAccountEmail` or `allowedServiceAccounts`.
 */
export type GoogleOidcAuthOptions = GoogleOidcAuthBaseOptions &
  (
    | {
        /** The email of the one service account that may call the task endpoints. */
        serviceAccountEmail: string;
        allowedServiceAccounts?: undefined;
      }
    | {
        /** The emails of the service accounts that may call the task endpoints; at least one. */
        allowedServiceAccounts: readonly string[];
        serviceAccountEmail?: undefined;
      }
  );

/** The checked options: the audience normalized, emails in lowercase, defaults filled in. */
export interface OidcSettings {
  readonly audience: string;
  /** Lowercase emails; the token's `email` is compared in lowercase too. */
  readonly allowedServiceAccounts: ReadonlySet<string>;
  readonly issuers: readonly string[];
  readonly certsUrl: string;
  readonly certsTimeoutMs: number;
}

/** Names of the options in error messages: the option itself, or the environment variable it came from. */
export interface OidcOptionNames {
  readonly audience: string;
  readonly serviceAccounts: string;
  readonly certsUrl: string;
}

const OPTION_NAMES: OidcOptionNames = {
  audience: 'googleOidcAuth `audience`',
  serviceAccounts: 'googleOidcAuth service account',
  certsUrl: 'googleOidcAuth `certsUrl`',
};

/**
 * Checks the options and fills in the defaults.
 *
 * @throws {TaskError} `configuration_error` naming the missing or invalid option.
 */
export function resolveOidcOptions(
  options: GoogleOidcAuthOptions,
  names: OidcOptionNames = OPTION_NAMES,
): OidcSettings {
  if (typeof options !== 'object' || options === null) {
    throw new TaskError(
      'configuration_error',
      'googleOidcAuth() needs an options object: pass { audience, serviceAccountEmail } or { audience, allowedServiceAccounts }.',
    );
  }

  return {
    audience: resolveAudience(options.audience, names),
    allowedServiceAccounts: resolveServiceAccounts(options, names),
    issuers: resolveIssuers(options.issuers),
    certsUrl: resolveCertsUrl(options.certsUrl, names),
    certsTimeoutMs: resolveCertsTimeout(options.certsTimeoutMs),
  };
}

function resolveAudience(audience: unknown, names: OidcOptionNames): string {
  if (audience === undefined || audience === '') {
    throw new TaskError(
      'configuration_error',
      'googleOidcAuth() needs `audience`: pass the audience of the Cloud Tasks OIDC token, usually the public URL ' +
        'of the app, such as "https://my-app-abc123-uc.a.run.app".',
    );
  }
  return normalizeAudience(audience, names.audience);
}

function resolveServiceAccounts(options: GoogleOidcAuthOptions, names: OidcOptionNames): ReadonlySet<string> {
  const { serviceAccountEmail, allowedServiceAccounts } = options;
  if (serviceAccountEmail !== undefined && allowedServiceAccounts !== undefined) {
    throw new TaskError(
      'configuration_error',
      'googleOidcAuth() got both `serviceAccountEmail` and `allowedServiceAccounts`: pass one of them.',
    );
  }

  const emails = serviceAccountEmail !== undefined ? [serviceAccountEmail] : allowedServiceAccounts;
  if (emails === undefined || !Array.isArray(emails) || emails.length === 0) {
    throw new TaskError(
      'configuration_error',
      'googleOidcAuth() needs `serviceAccountEmail` or a non-empty `allowedServiceAccounts`: pass the email of the ' +
        'service account that Cloud Tasks signs the OIDC token with.',
    );
  }

  return new Set(emails.map((email: unknown) => checkEmail(email, names)));
}

function checkEmail(email: unknown, names: OidcOptionNames): string {
  if (isServiceAccountEmail(email)) return email.toLowerCase();

  throw new TaskError(
    'configuration_error',
    `Invalid ${names.serviceAccounts} ${JSON.stringify(email)}: pass a service account email, ` +
      'such as "tasks-invoker@my-project.iam.gserviceaccount.com".',
  );
}

function resolveIssuers(issuers: unknown): readonly string[] {
  if (issuers === undefined) return DEFAULT_OIDC_ISSUERS;

  const valid =
    Array.isArray(issuers) &&
    issuers.length > 0 &&
    issuers.every((issuer: unknown) => typeof issuer === 'string' && issuer.trim() === issuer && issuer !== '');
  if (valid) return [...issuers];

  throw new TaskError(
    'configuration_error',
    `Invalid googleOidcAuth \`issuers\` ${JSON.stringify(issuers)}: pass a non-empty array of issuer strings, ` +
      'or leave it out to accept "accounts.google.com" and "https://accounts.google.com".',
  );
}

function resolveCertsUrl(certsUrl: unknown, names: OidcOptionNames): string {
  if (certsUrl === undefined) return DEFAULT_OIDC_CERTS_URL;

  let url: URL | undefined;
  try {
    url = typeof certsUrl === 'string' ? new URL(certsUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (url !== undefined && (url.protocol === 'https:' || url.protocol === 'http:')) return url.href;

  throw new TaskError(
    'configuration_error',
    `Invalid ${names.certsUrl} ${JSON.stringify(certsUrl)}: pass an http or https URL that serves ` +
      `a JSON object of key id to PEM certificate, or leave it out to use ${DEFAULT_OIDC_CERTS_URL}.`,
  );
}

function resolveCertsTimeout(certsTimeoutMs: unknown): number {
  if (certsTimeoutMs === undefined) return DEFAULT_OIDC_CERTS_TIMEOUT_MS;

  const valid =
    typeof certsTimeoutMs === 'number' &&
    Number.isSafeInteger(certsTimeoutMs) &&
    certsTimeoutMs >= 1 &&
    certsTimeoutMs <= MAX_OIDC_CERTS_TIMEOUT_MS;
  if (valid) return certsTimeoutMs;

  throw new TaskError(
    'configuration_error',
    `Invalid googleOidcAuth \`certsTimeoutMs\` ${String(certsTimeoutMs)}: pass a whole number of milliseconds ` +
      `from 1 to ${MAX_OIDC_CERTS_TIMEOUT_MS}, or leave it out for ${DEFAULT_OIDC_CERTS_TIMEOUT_MS}.`,
  );
}
