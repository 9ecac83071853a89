/**
 * The security of each task operation, from the authenticator that checks its calls: the task's
 * `auth`, else the handler's, else the global one.
 *
 * @module
 */
import { CUSTOM_AUTH_CHALLENGE } from '../auth/resolve.js';
import type { Authenticator, AuthOption } from '../core/auth.js';
import { isTaskError } from '../core/errors.js';
import { selectAuthenticator } from '../http/authenticate.js';
import type { AuthResponses } from './responses.js';
import type { JsonObject } from './types.js';

/** The authentication of one task's calls, as the document shows it. */
export interface TaskSecurity {
  /**
   * `scheme`: calls need the credentials of {@link TaskSecurity.scheme}; `none`: every caller may
   * call; `unconfigured`: no authentication is set, so every call gets 401; `misconfigured`: the
   * setting is invalid, so every call gets 500.
   */
  readonly kind: 'scheme' | 'none' | 'unconfigured' | 'misconfigured';
  /** The Security Scheme Object and the name it should get in `components.securitySchemes`. */
  readonly scheme: { readonly preferredName: string; readonly definition: JsonObject } | undefined;
  /** The authentication responses the operation lists. */
  readonly responses: AuthResponses;
  /** A sentence for the operation's description, when the scheme alone does not explain the security. */
  readonly note: string | undefined;
  /** Changes whenever anything above changes, so a cached document is rebuilt. */
  readonly fingerprint: string;
}

const NO_AUTH_RESPONSES: AuthResponses = { unauthorized: false, forbidden: false, unavailable: false };
const ONLY_401: AuthResponses = { unauthorized: true, forbidden: false, unavailable: false };
const ALL_AUTH_RESPONSES: AuthResponses = { unauthorized: true, forbidden: true, unavailable: true };

/** Describes the security of a task with `taskAuth` (its own `auth`) behind a handler with `handlerAuth`. */
export function describeTaskSecurity(
  taskAuth: AuthOption | undefined,
  handlerAuth: AuthOption | undefined,
): TaskSecurity {
  let authenticator: Authenticator | undefined;
  try {
    authenticator = selectAuthenticator(taskAuth, handlerAuth);
  } catch (error) {
    if (!isTaskError(error)) throw error;
    return {
      kind: 'misconfigured',
      scheme: undefined,
      responses: NO_AUTH_RESPONSES,
      note: 'The authentication setting of the server is invalid, so every call fails with 500 until it is fixed.',
      fingerprint: `misconfigured:${error.message}`,
    };
  }

  if (authenticator === undefined) {
    return {
      kind: 'unconfigured',
      scheme: undefined,
      responses: ONLY_401,
      note:
        'No authentication is configured on the server, so every call is rejected with 401 until ' +
        '`TASKS_API_AUTHENTICATION` or an `auth` option is set.',
      fingerprint: 'unconfigured',
    };
  }
  return describeAuthenticator(authenticator);
}

function describeAuthenticator(authenticator: Authenticator): TaskSecurity {
  const { scheme, challenge } = authenticator;
  const fingerprint = `${scheme}:${challenge}`;
  switch (scheme) {
    case 'none':
      return { kind: 'none', scheme: undefined, responses: NO_AUTH_RESPONSES, note: undefined, fingerprint };
    case 'basic':
      return withScheme('basicAuth', { type: 'http', scheme: 'basic' }, ONLY_401, fingerprint);
    case 'oidc':
      return withScheme(
        'oidcAuth',
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An OpenID Connect ID token in `Authorization: Bearer ...`, such as Cloud Tasks sends.',
        },
        ALL_AUTH_RESPONSES,
        fingerprint,
      );
    default:
      return describeCustom(scheme, challenge, fingerprint);
  }
}

/**
 * Describes a custom authenticator as an HTTP scheme named after its `WWW-Authenticate`
 * challenge, so the document shows that calls need credentials without guessing which ones.
 */
function describeCustom(scheme: string, challenge: string, fingerprint: string): TaskSecurity {
  // A plain function `(request) => boolean` becomes an authenticator with this challenge, and only ever rejects with 401.
  if (scheme === 'custom' && challenge === CUSTOM_AUTH_CHALLENGE) {
    const definition = {
      type: 'http',
      scheme: 'custom',
      description:
        'A custom function checks each call (for example a signature header) and rejects it with 401 and ' +
        '`WWW-Authenticate: Custom realm="tasks"`. Ask the API owner which credentials it expects.',
    };
    return withScheme('customAuth', definition, ONLY_401, fingerprint);
  }

  const httpScheme = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(challenge)?.[0]?.toLowerCase() ?? 'custom';
  const definition = {
    type: 'http',
    scheme: httpScheme,
    description: `The custom authenticator ${JSON.stringify(scheme)} checks each call.`,
  };
  return withScheme(`${scheme}Auth`, definition, ALL_AUTH_RESPONSES, fingerprint);
}

function withScheme(
  preferredName: string,
  definition: JsonObject,
  responses: AuthResponses,
  fingerprint: string,
): TaskSecurity {
  return { kind: 'scheme', scheme: { preferredName, definition }, responses, note: undefined, fingerprint };
}
