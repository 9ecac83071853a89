/**
 * The process-wide cache of OIDC signing certificates.
 *
 * google-auth-library's `OAuth2Client.verifyIdToken` fetches certificates itself, but (in
 * versions 10 and 11) it retries a failed fetch, sets no time limit, and lets concurrent callers
 * each start their own fetch. This cache fetches once per URL with a time limit, shares a fetch in
 * flight between all callers, and keeps the result for the `max-age` of its `Cache-Control` header.
 *
 * @module
 */
import { createPublicKey } from 'node:crypto';

import { forgetProcessWide, processWide } from '../../core/process-wide.js';

/** Signing certificates by key id (`kid`), each a PEM certificate or public key. */
export type Certificates = Readonly<Record<string, string>>;

/** A failed certificate fetch. Its message states the reason (status, timeout, invalid body) and contains no token. */
export class CertificateFetchError extends Error {
  /** Creates the error; `reason` describes the failure without any credential. */
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'CertificateFetchError';
  }
}

interface CacheEntry {
  certificates?: Certificates;
  /** Milliseconds since the Unix epoch after which `certificates` must be fetched again. */
  expiresAt: number;
  pending?: Promise<Certificates>;
}

const CACHE_NAME = 'googleOidcCertificates';

/**
 * Returns the certificates served at `url`, from the cache while their `max-age` lasts. Callers
 * that arrive while a fetch is in flight share it. A failed fetch is not cached, so the next
 * call tries again.
 *
 * @param timeoutMs The time limit of a fetch this call starts, in milliseconds. A caller that
 *   joins a fetch in flight waits for that fetch, which has the limit of the caller that started it.
 * @throws {CertificateFetchError} when the fetch fails, times out, or returns no valid certificates.
 */
export function getCertificates(url: string, timeoutMs: number): Promise<Certificates> {
  const cache = processWide(CACHE_NAME, () => new Map<string, CacheEntry>());
  const entry = cache.get(url);
  if (entry?.certificates !== undefined && Date.now() < entry.expiresAt) return Promise.resolve(entry.certificates);
  if (entry?.pending !== undefined) return entry.pending;

  const pending = fetchCertificates(url, timeoutMs).then(
    ({ certificates, maxAgeSeconds }) => {
      cache.set(url, { certificates, expiresAt: Date.now() + maxAgeSeconds * 1000 });
      return certificates;
    },
    (error: unknown) => {
      cache.delete(url);
      throw error;
    },
  );
  cache.set(url, { expiresAt: 0, pending });
  return pending;
}

/** Forgets every cached certificate, for test isolation. */
export function resetCertificateCache(): void {
  forgetProcessWide(CACHE_NAME);
}

async function fetchCertificates(
  url: string,
  timeoutMs: number,
): Promise<{ certificates: Certificates; maxAgeSeconds: number }> {
  // One signal bounds the whole exchange: connecting, the headers and the body.
  const signal = AbortSignal.timeout(timeoutMs);
  let body: unknown;
  let cacheControl: string | null;
  try {
    // `no-store` keeps Next.js's patched fetch from adding a cache of its own on top of this one.
    const response = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new CertificateFetchError(`the certificate endpoint responded with HTTP ${response.status}`);
    }
    cacheControl = response.headers.get('cache-control');
    body = await readJson(response);
  } catch (error) {
    throw describeFetchFailure(error, signal, timeoutMs);
  }

  return { certificates: parseCertificates(body), maxAgeSeconds: parseMaxAge(cacheControl) };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CertificateFetchError('the certificate endpoint returned invalid JSON', { cause: error });
  }
}

function describeFetchFailure(error: unknown, signal: AbortSignal, timeoutMs: number): CertificateFetchError {
  if (error instanceof CertificateFetchError) return error;
  if (signal.aborted) return new CertificateFetchError(`the certificate fetch timed out after ${timeoutMs} ms`);

  // fetch() fails with "fetch failed" and keeps the reason (ECONNREFUSED, a DNS error) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  let detail = String(cause);
  if (typeof code === 'string') detail = code;
  else if (cause instanceof Error) detail = cause.message;
  return new CertificateFetchError(`the certificate fetch failed (${detail})`, { cause: error });
}

/** Checks the `{ kid: PEM }` shape; every value must parse as a public key or certificate. */
function parseCertificates(body: unknown): Certificates {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length === 0) {
    throw new CertificateFetchError('the certificate endpoint returned no JSON object of key id to PEM certificate');
  }

  const certificates: Record<string, string> = {};
  for (const [keyId, pem] of Object.entries(body)) {
    if (typeof pem !== 'string' || !isPublicKey(pem)) {
      throw new CertificateFetchError(
        `the certificate endpoint returned an invalid PEM certificate for key id ${JSON.stringify(keyId)}`,
      );
    }
    certificates[keyId] = pem;
  }
  return certificates;
}

function isPublicKey(pem: string): boolean {
  try {
    createPublicKey(pem);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads the seconds the certificates may be cached. Without `max-age`, or with `no-store` or
 * `no-cache`, they are not cached, as google-auth-library does in that case.
 */
export function parseMaxAge(cacheControl: string | null): number {
  if (cacheControl === null) return 0;

  const directives = cacheControl.split(',').map((directive) => directive.trim().toLowerCase());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;

  const maxAge = directives.find((directive) => /^max-age=\d+$/.test(directive))?.slice('max-age='.length);
  return maxAge === undefined ? 0 : Number(maxAge);
}
