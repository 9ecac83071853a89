/**
 * Explicitly disabled authentication.
 *
 * @module
 */
import type { Authenticator } from '../core/auth.js';

/**
 * Creates an authenticator that lets every request through. Use it only for endpoints that a
 * network boundary already protects, or for local development; it is never a default.
 */
export function noAuth(): Authenticator {
  return {
    scheme: 'none',
    challenge: '',
    async authenticate() {
      return { ok: true };
    },
  };
}
