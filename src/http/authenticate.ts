/**
 * Choosing and running the authenticator for one task call.
 *
 * @module
 */
import { toAuthenticator } from '../auth/resolve.js';
import type { Authenticator, AuthOption } from '../core/auth.js';
import { TaskError } from '../core/errors.js';
import { logRateLimited, warnOnce } from '../core/logger.js';
import { AUTHENTICATION_ENV, getGlobalAuthenticator, getLogger } from '../settings/settings.js';
import { errorResponse } from './responses.js';

/** `WWW-Authenticate` value of the 401 sent while no authentication is configured. */
const UNCONFIGURED_CHALLENGE = 'Custom realm="tasks"';

/**
 * Picks the authenticator for a call: the task's own `auth`, else the handler's, else the global
 * one. `undefined` means none is configured anywhere.
 */
export function selectAuthenticator(
  taskAuth: AuthOption | undefined,
  handlerAuth: AuthOption | undefined,
): Authenticator | undefined {
  const option = taskAuth ?? handlerAuth;
  return option === undefined ? getGlobalAuthenticator() : toAuthenticator(option);
}

/** The call being authenticated: the task's name (as requested) and its own `auth`, if any. */
export interface AuthenticationTarget {
  readonly taskName: string;
  readonly taskAuth: AuthOption | undefined;
}

/** The outcome of {@link authenticateRequest}: go on (trusting queue headers or not), or send `response`. */
export type AuthenticationOutcome =
  | { readonly ok: true; readonly trustedQueue: boolean }
  | { readonly ok: false; readonly response: Response };

/** Seconds a client should wait before retrying a call rejected with 503 because credentials could not be checked. */
const AUTH_UNAVAILABLE_RETRY_AFTER_SECONDS = '10';

/**
 * Authenticates a task call and returns whether it may go on, or the 401, 403 or 503 response.
 * Nothing from the request's credentials is logged or sent back.
 */
export async function authenticateRequest(
  target: AuthenticationTarget,
  request: Request,
  handlerAuth: AuthOption | undefined,
): Promise<AuthenticationOutcome> {
  const logger = getLogger();
  const authenticator = selectAuthenticator(target.taskAuth, handlerAuth);

  if (authenticator === undefined) {
    warnOnce(
      logger,
      'auth-not-configured',
      'task endpoint called but no authentication is configured; rejecting with 401',
      {
        task: target.taskName,
      },
    );
    const error = new TaskError(
      'unauthorized',
      `No authentication is configured for task endpoints, so every call is rejected. Set ${AUTHENTICATION_ENV} ` +
        '("basic", "oidc", or "none" to allow every caller) or pass `auth` to configureTasks().',
    );
    return { ok: false, response: errorResponse(error, { 'www-authenticate': UNCONFIGURED_CHALLENGE }) };
  }
  if (authenticator.scheme === 'none') {
    warnOnce(
      logger,
      'auth-none',
      'authentication of task endpoints is disabled (auth: none); every caller may run tasks',
    );
  }

  const result = await authenticator.authenticate(request, { logger });
  if (result.ok) return { ok: true, trustedQueue: result.trustedQueue === true };

  // The reason is the message sent to the client, which authenticators keep free of credentials.
  // Logging it shows operators why a queue's calls fail (a wrong audience, say). Each reason has
  // its own rate limit, so one noisy reason does not hide another.
  logRateLimited(
    logger,
    'warn',
    `auth-rejected:${target.taskName}:${result.message}`,
    'task call rejected by authentication',
    { task: target.taskName, scheme: authenticator.scheme, status: result.status, reason: result.message },
  );
  return {
    ok: false,
    response: rejectionResponse(result.status, result.message, result.challenge ?? authenticator.challenge),
  };
}

function rejectionResponse(status: 401 | 403 | 503, message: string, challenge: string): Response {
  switch (status) {
    case 403:
      return errorResponse(new TaskError('forbidden', message));
    case 503:
      return errorResponse(new TaskError('auth_unavailable', message), {
        'retry-after': AUTH_UNAVAILABLE_RETRY_AFTER_SECONDS,
      });
    default:
      return errorResponse(new TaskError('unauthorized', message), { 'www-authenticate': challenge });
  }
}
