/**
 * The contract between the HTTP handler and authenticators. Implementations live in `src/auth`.
 *
 * @module
 */
import type { Logger } from './logger.js';

/** The outcome of an authentication check. */
export type AuthResult =
  | {
      readonly ok: true;
      /**
       * Whether the caller is a queue this app trusts, such as Cloud Tasks with a verified OIDC
       * token. Only then do its `X-CloudTasks-*` headers set the run's id, attempt and delivery facts.
       *
       * @default false
       */
      readonly trustedQueue?: boolean;
    }
  | {
      readonly ok: false;
      /**
       * 401 for missing or wrong credentials, 403 for valid credentials that are not allowed,
       * 503 when the credentials cannot be checked right now (for example, the key server is down).
       */
      readonly status: 401 | 403 | 503;
      /** Why the request was rejected, without any credential in it: it is sent to the client. */
      readonly message: string;
      /**
       * The `WWW-Authenticate` value of this 401, when it differs from the authenticator's
       * `challenge`, for example with RFC 6750's `error="invalid_token"` for a rejected bearer token.
       *
       * @default the authenticator's `challenge`
       */
      readonly challenge?: string;
    };

/**
 * Checks the credentials of an HTTP request to a task endpoint.
 *
 * `authenticate` gets the request with its body still readable, so it may check a signature
 * over the raw bytes. The handler reads its own copy of the body.
 */
export interface Authenticator {
  /** Short name for logs and docs, for example `basic` or `none`. */
  readonly scheme: string;
  /** The `WWW-Authenticate` header value sent with a 401, for example `Basic realm="tasks"`. */
  readonly challenge: string;
  /**
   * Checks the request. A thrown error is logged and gets a 500 `internal_error` response without
   * its message. A thrown `TaskError` is the exception: it gets the status of its code, and is
   * logged only when that code is `configuration_error` or `internal_error`.
   */
  authenticate(request: Request, context?: AuthenticationContext): Promise<AuthResult>;
}

/** The second argument of {@link Authenticator.authenticate}: what the handler passes besides the request. */
export interface AuthenticationContext {
  /**
   * The app's logger (`configureTasks({ logger })`), for failures that the caller must not see in
   * the response, such as an unreachable key server. Never log a credential through it.
   */
  readonly logger: Logger;
}

/**
 * A custom authentication check: return `true` to let the request through, or `false` to reject it with 401.
 */
export type AuthenticatorFunction = (request: Request) => boolean | Promise<boolean>;

/** The `auth` option, globally and per task: an {@link Authenticator} or a plain function. */
export type AuthOption = Authenticator | AuthenticatorFunction;
