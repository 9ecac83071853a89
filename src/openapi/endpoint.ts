/**
 * Serving the OpenAPI document at `GET {basePath}/openapi.json`, and the access check it shares
 * with the docs page.
 *
 * @module
 */
import { createHash } from 'node:crypto';

import { isTaskError, TaskError } from '../core/errors.js';
import { logRateLimited } from '../core/logger.js';
import { listRegisteredTasks, registryVersion } from '../core/registry.js';
import { authenticateRequest, selectAuthenticator } from '../http/authenticate.js';
import type { TaskHandlerOptions } from '../http/handler.js';
import { errorResponse } from '../http/responses.js';
import { getBasePath, getLogger } from '../settings/settings.js';
import { buildOpenApiDocument } from './document.js';
import { describeTaskSecurity } from './security.js';

/** The name after `{basePath}/` that the document is served under. It has a ".", so no task can have it. */
export const OPENAPI_DOCUMENT_NAME = 'openapi.json';

/** A serialized document and what it was built from. */
interface CachedDocument {
  /** Changes whenever the registry, the base path or any task's authenticator changes. */
  readonly key: string;
  readonly body: Promise<{ readonly text: string; readonly etag: string }>;
}

/**
 * Creates the `GET {basePath}/openapi.json` handler of one `createTaskHandlers` call. The
 * document is built on the first request and cached, and rebuilt when a task is registered or
 * removed, the base path changes, or a task's authenticator changes.
 */
export function createOpenApiEndpoint(options: TaskHandlerOptions): (request: Request) => Promise<Response> {
  let cached: CachedDocument | undefined;

  const documentBody = (): CachedDocument['body'] => {
    const key = cacheKey(options);
    if (cached?.key !== key) {
      const body = serializeDocument(options);
      cached = { key, body };
      // A failed build is not kept, so the next request tries again.
      body.catch(() => {
        if (cached?.body === body) cached = undefined;
      });
    }
    return cached.body;
  };

  return async (request) => {
    try {
      const denied = await authorizeOpenApiRequest(request, options, OPENAPI_DOCUMENT_NAME);
      if (denied !== undefined) return denied;

      const { text, etag } = await documentBody();
      const headers = documentHeaders(etag, isPublic(options));
      if (matchesEtag(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
      return new Response(text, {
        status: 200,
        headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      });
    } catch (error) {
      return failureResponse(error);
    }
  };
}

/**
 * Checks whether `request` may read the OpenAPI document or the docs page. Returns `undefined`
 * to go on, or the response to send: 404 when the handler's `openapi` option is `false`, else
 * the 401, 403 or 503 of the authenticator. The authenticator is `openapi.auth`, else the
 * handler's `auth`, else the global one. Errors become error responses, so it never rejects.
 *
 * @param name The name after `{basePath}/` that was requested, for log lines.
 */
export async function authorizeOpenApiRequest(
  request: Request,
  options: TaskHandlerOptions,
  name: string,
): Promise<Response | undefined> {
  try {
    if (options.openapi === false) return documentDisabled();

    const auth = options.openapi?.auth ?? options.auth;
    // noAuth() here is a deliberate choice to publish the document, so it gets none of the
    // warnings that authenticateRequest logs for task endpoints open to everyone.
    if (selectAuthenticator(undefined, auth)?.scheme === 'none') return undefined;

    const outcome = await authenticateRequest({ taskName: name, taskAuth: undefined }, request, auth);
    return outcome.ok ? undefined : outcome.response;
  } catch (error) {
    return failureResponse(error);
  }
}

/** Builds the key of the cached document from everything it depends on besides the handler's options. */
function cacheKey(options: TaskHandlerOptions): string {
  const handlerAuth = options.auth;
  const security = listRegisteredTasks().map((task) => describeTaskSecurity(task.auth, handlerAuth).fingerprint);
  return JSON.stringify([registryVersion(), getBasePath(), security]);
}

async function serializeDocument(options: TaskHandlerOptions): Promise<{ text: string; etag: string }> {
  const openapi = options.openapi === false ? {} : (options.openapi ?? {});
  const { auth: _documentAuth, ...documentOptions } = openapi;
  const document = await buildOpenApiDocument({ ...documentOptions, handlerAuth: options.auth });

  const text = JSON.stringify(document);
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  return { text, etag };
}

function isPublic(options: TaskHandlerOptions): boolean {
  if (options.openapi === false) return false;
  try {
    return selectAuthenticator(undefined, options.openapi?.auth ?? options.auth)?.scheme === 'none';
  } catch {
    return false;
  }
}

/**
 * Builds the headers of the document. `no-cache` lets clients keep a copy but revalidate it with
 * the ETag on every use, so a new task shows up at once. `private` keeps shared caches from
 * storing a document that needs credentials.
 */
function documentHeaders(etag: string, isPublicDocument: boolean): Record<string, string> {
  return { 'cache-control': isPublicDocument ? 'no-cache' : 'private, no-cache', etag };
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(',').some((candidate) => {
    const value = candidate.trim();
    return value === '*' || value === etag || value === `W/${etag}`;
  });
}

function documentDisabled(): Response {
  return errorResponse(
    new TaskError(
      'task_not_found',
      'No OpenAPI document is served here: the task route turns it off with `openapi: false` in createTaskHandlers().',
    ),
  );
}

/** Turns an error into the error response, logging it the way the task endpoint does. */
function failureResponse(error: unknown): Response {
  if (!isTaskError(error)) {
    getLogger().error('OpenAPI document failed', { error });
    return errorResponse(
      new TaskError('internal_error', 'The OpenAPI document could not be built; the error was logged on the server.'),
    );
  }

  if (error.code === 'configuration_error') {
    // A setup problem fails every request the same way, so it is logged once a minute, not per request.
    logRateLimited(getLogger(), 'error', `configuration:${error.message}`, 'OpenAPI document is misconfigured', {
      error: error.message,
    });
  } else if (error.code === 'internal_error') {
    getLogger().error('OpenAPI document failed', { error });
  }
  return errorResponse(error);
}
