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

/**
 * Authenticates a task call. Returns `undefined` when it may go on, else the 401 or 403 response.
 * Nothing from the request's credentials is logged or sent back.
 */
export async function authenticateRequest(
  target: AuthenticationTarget,
  request: Request,
  handlerAuth: AuthOption | undefined,
): Promise<Response | undefined> {
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
        '("basic", or "none" to allow every caller) or pass `auth` to configureTasks().',
    );
    return errorResponse(error, { 'www-authenticate': UNCONFIGURED_CHALLENGE });
  }
  if (authenticator.scheme === 'none') {
    warnOnce(
      logger,
      'auth-none',
      'authentication of task endpoints is disabled (auth: none); every caller may run tasks',
    );
  }

  const result = await authenticator.authenticate(request);
  if (result.ok) return undefined;

  logRateLimited(logger, 'warn', `auth-rejected:${target.taskName}`, 'task call rejected by authentication', {
    task: target.taskName,
    scheme: authenticator.scheme,
    status: result.status,
  });
  if (result.status === 403) return errorResponse(new TaskError('forbidden', result.message));
  return errorResponse(new TaskError('unauthorized', result.message), { 'www-authenticate': authenticator.challenge });
}
