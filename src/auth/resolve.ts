/**
 * Turning an `auth` option into an {@link Authenticator}.
 *
 * @module
 */
import type { Authenticator, AuthOption } from '../core/auth.js';
import { TaskError } from '../core/errors.js';

/** `WWW-Authenticate` value sent when a plain function rejects a request. */
export const CUSTOM_AUTH_CHALLENGE = 'Custom realm="tasks"';

/**
 * Wraps a plain function `(request) => boolean` as an {@link Authenticator}; returns an
 * authenticator unchanged.
 *
 * @throws {TaskError} `configuration_error` when `option` is neither.
 */
export function toAuthenticator(option: AuthOption): Authenticator {
  if (typeof option === 'function') {
    return {
      scheme: 'custom',
      challenge: CUSTOM_AUTH_CHALLENGE,
      async authenticate(request) {
        const allowed = await option(request);
        return allowed === true
          ? { ok: true }
          : { ok: false, status: 401, message: 'The request was rejected by the custom authenticator.' };
      },
    };
  }
  if (isAuthenticator(option)) return option;

  throw new TaskError(
    'configuration_error',
    'Invalid `auth` option: pass basicAuth(), googleOidcAuth(), noAuth(), or a function (request) => boolean.',
  );
}

function isAuthenticator(value: unknown): value is Authenticator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Authenticator).authenticate === 'function' &&
    typeof (value as Authenticator).scheme === 'string'
  );
}
