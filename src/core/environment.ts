/**
 * Environment variables that more than one module reads: the Cloud Tasks backend sends to the
 * app's URL with an OIDC token, and the OIDC authenticator verifies that token against the same values.
 *
 * @module
 */

/** Environment variable with the public URL of the app, which Cloud Tasks calls back. */
export const TASKS_BASE_URL_ENV = 'TASKS_BASE_URL';
/** Environment variable with the audience of the OIDC tokens. Default: the value of `TASKS_BASE_URL`. */
export const OIDC_AUDIENCE_ENV = 'TASKS_OIDC_AUDIENCE';
/** Environment variable with the email of the service account that Cloud Tasks signs OIDC tokens as. */
export const CLOUD_TASKS_SERVICE_ACCOUNT_ENV = 'CLOUD_TASKS_SERVICE_ACCOUNT';

/** Environment variables by name, such as `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads an environment variable without surrounding whitespace. An empty or blank value counts as unset. */
export function readEnvironmentVariable(name: string, environment: Environment = process.env): string | undefined {
  const value = environment[name]?.trim();
  return value === '' ? undefined : value;
}

const SERVICE_ACCOUNT_EMAIL_PATTERN = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/**
 * Returns whether `value` has the shape of a service account email, such as
 * `tasks@my-project.iam.gserviceaccount.com`. The Cloud Tasks backend and the OIDC authenticator
 * both check `CLOUD_TASKS_SERVICE_ACCOUNT` with it, so they accept the same values.
 */
export function isServiceAccountEmail(value: unknown): value is string {
  return typeof value === 'string' && SERVICE_ACCOUNT_EMAIL_PATTERN.test(value);
}
