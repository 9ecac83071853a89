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
