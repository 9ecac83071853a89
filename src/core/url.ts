/**
 * The base URL of a deployed app, shared by backends that call tasks back over HTTP and by the
 * OIDC authenticator, which must agree byte for byte on the audience.
 *
 * @module
 */
import { TaskError } from './errors.js';

/**
 * Normalizes the public base URL of the app: `http:` or `https:`, no user info, query or
 * fragment, and no trailing slash. `https://Example.com/app/` becomes `https://example.com/app`.
 *
 * @param name The option or environment variable the value came from, for the error message.
 * @throws {TaskError} `configuration_error` naming the value and the expected form.
 */
export function normalizeBaseUrl(value: unknown, name: string): string {
  const url = parseUrl(value);
  const valid =
    url !== undefined &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '';
  if (!valid) {
    throw new TaskError(
      'configuration_error',
      `Invalid ${name} ${JSON.stringify(value)}: pass the public URL of the app, such as "https://my-app-abc123-uc.a.run.app", ` +
        'with http or https and without credentials, query or fragment.',
    );
  }

  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || value.trim() !== value || value === '') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * Normalizes an OIDC audience. A URL audience goes through {@link normalizeBaseUrl}, so the
 * backend that sends it and the authenticator that expects it agree byte for byte. Any other
 * non-empty string is kept as it is, because Cloud Tasks accepts any audience string.
 *
 * @param name The option or environment variable the value came from, for the error message.
 * @throws {TaskError} `configuration_error` for an empty value or an invalid URL.
 */
export function normalizeAudience(value: unknown, name: string): string {
  if (typeof value === 'string' && /^https?:\/\//i.test(value)) return normalizeBaseUrl(value, name);
  if (typeof value === 'string' && value.trim() === value && value !== '') return value;

  throw new TaskError(
    'configuration_error',
    `Invalid ${name} ${JSON.stringify(value)}: pass the audience the OIDC token is issued for, usually the app's public URL.`,
  );
}
