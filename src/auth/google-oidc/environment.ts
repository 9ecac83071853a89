/**
 * `TASKS_API_AUTHENTICATION=oidc`: a `googleOidcAuth()` authenticator configured from the environment.
 *
 * @module
 */
export { OIDC_AUDIENCE_ENV } from '../../core/environment.js';

import type { Authenticator } from '../../core/auth.js';
import {
  CLOUD_TASKS_SERVICE_ACCOUNT_ENV,
  OIDC_AUDIENCE_ENV,
  readEnvironmentVariable,
  TASKS_BASE_URL_ENV,
} from '../../core/environment.js';
import { TaskError } from '../../core/errors.js';
import { createGoogleOidcAuth } from './authenticator.js';

/**
 * Environment variable with the emails of the allowed service accounts, comma-separated.
 * Default: the value of `CLOUD_TASKS_SERVICE_ACCOUNT`.
 */
export const OIDC_SERVICE_ACCOUNTS_ENV = 'TASKS_OIDC_SERVICE_ACCOUNTS';
/** Environment variable with the accepted issuers, comma-separated. Default: `accounts.google.com,https://accounts.google.com`. */
export const OIDC_ISSUERS_ENV = 'TASKS_OIDC_ISSUERS';
/** Environment variable with the URL of the signing certificates. Default: `https://www.googleapis.com/oauth2/v1/certs`. */
export const OIDC_CERTS_URL_ENV = 'TASKS_OIDC_CERTS_URL';

const VARIABLES = [
  OIDC_AUDIENCE_ENV,
  TASKS_BASE_URL_ENV,
  OIDC_SERVICE_ACCOUNTS_ENV,
  CLOUD_TASKS_SERVICE_ACCOUNT_ENV,
  OIDC_ISSUERS_ENV,
  OIDC_CERTS_URL_ENV,
];

let cached: { readonly key: string; readonly authenticator: Authenticator } | undefined;

/**
 * Returns the OIDC authenticator that the environment configures. The environment is read on
 * each call, and the authenticator is created again only when a variable changed.
 *
 * @throws {TaskError} `configuration_error` naming the missing or invalid variable.
 */
export function googleOidcAuthFromEnvironment(): Authenticator {
  const key = JSON.stringify(VARIABLES.map((name) => readEnvironmentVariable(name)));
  if (cached?.key === key) return cached.authenticator;

  const authenticator = createFromEnvironment();
  cached = { key, authenticator };
  return authenticator;
}

function createFromEnvironment(): Authenticator {
  const audienceVariable =
    readEnvironmentVariable(OIDC_AUDIENCE_ENV) !== undefined ? OIDC_AUDIENCE_ENV : TASKS_BASE_URL_ENV;
  const serviceAccountsVariable =
    readList(OIDC_SERVICE_ACCOUNTS_ENV).length > 0 ? OIDC_SERVICE_ACCOUNTS_ENV : CLOUD_TASKS_SERVICE_ACCOUNT_ENV;
  const issuers = readList(OIDC_ISSUERS_ENV);

  return createGoogleOidcAuth(
    {
      audience: readAudience(),
      allowedServiceAccounts: readServiceAccounts(),
      issuers: issuers.length > 0 ? issuers : undefined,
      certsUrl: readEnvironmentVariable(OIDC_CERTS_URL_ENV),
    },
    {
      audience: audienceVariable,
      serviceAccounts: `${serviceAccountsVariable} entry`,
      certsUrl: OIDC_CERTS_URL_ENV,
    },
  );
}

function readAudience(): string {
  const audience = readEnvironmentVariable(OIDC_AUDIENCE_ENV) ?? readEnvironmentVariable(TASKS_BASE_URL_ENV);
  if (audience !== undefined) return audience;

  throw new TaskError(
    'configuration_error',
    `TASKS_API_AUTHENTICATION=oidc needs the audience of the OIDC token: set ${OIDC_AUDIENCE_ENV} ` +
      `(or ${TASKS_BASE_URL_ENV}) to the public URL of the app, such as "https://my-app-abc123-uc.a.run.app".`,
  );
}

function readServiceAccounts(): string[] {
  const fromList = readList(OIDC_SERVICE_ACCOUNTS_ENV);
  if (fromList.length > 0) return fromList;

  const single = readEnvironmentVariable(CLOUD_TASKS_SERVICE_ACCOUNT_ENV);
  if (single !== undefined) return [single];

  throw new TaskError(
    'configuration_error',
    'TASKS_API_AUTHENTICATION=oidc needs the service accounts allowed to call task endpoints: set ' +
      `${OIDC_SERVICE_ACCOUNTS_ENV} to their emails, comma-separated (or ${CLOUD_TASKS_SERVICE_ACCOUNT_ENV} to one email).`,
  );
}

function readList(name: string): string[] {
  return (readEnvironmentVariable(name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
