/**
 * Options of the OpenAPI document, and their checks.
 *
 * @module
 */
import { toAuthenticator } from '../auth/resolve.js';
import type { AuthOption } from '../core/auth.js';
import { TaskError } from '../core/errors.js';

/** A server the document lists, as in the OpenAPI Server Object. */
export interface OpenApiServer {
  /** The server's base URL, absolute or relative to the document, for example `https://tasks.example.com`. */
  readonly url: string;
  /** A description of the server, for example `Production`. */
  readonly description?: string;
}

/** One tag of an OpenAPI document. */
export interface OpenApiTag {
  /** The tag's name, as operations list it. */
  readonly name: string;
  /** A description of the tagged operations. */
  readonly description?: string;
  /** Further Tag Object fields, such as `externalDocs`. */
  readonly [field: string]: unknown;
}

/**
 * The part of another OpenAPI document that is merged in: its `paths`, `components` and `tags`.
 * The JSON that `next-generic-tasks openapi` writes from next-swagger-doc fits here. Other fields
 * of the fragment (`openapi`, `info`, `servers`) are ignored.
 */
export interface OpenApiFragment {
  /** Path Items by path, for example `{ "/api/hello": { "get": { ... } } }`. */
  readonly paths?: Readonly<Record<string, unknown>>;
  /** Components by type and name, for example `{ "schemas": { "Hello": { ... } } }`. */
  readonly components?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Tags used by the fragment's operations. */
  readonly tags?: readonly OpenApiTag[];
  /** Fields that are not merged. */
  readonly [field: string]: unknown;
}

/** The content of the document, independent of who may read it. */
export interface OpenApiDocumentOptions {
  /**
   * The API's title (`info.title`).
   *
   * @default the `name` in the app's package.json (read from the working directory), else "Tasks API"
   */
  title?: string;
  /**
   * The API's version (`info.version`).
   *
   * @default the `version` in the app's package.json, else "0.0.0"
   */
  version?: string;
  /**
   * A description of the API (`info.description`), CommonMark allowed.
   *
   * @default the `description` in the app's package.json, else none
   */
  description?: string;
  /**
   * The servers the API runs on. Task paths always start with the `basePath`, so a server URL
   * is the app's origin (plus any Next.js `basePath`), not the task route's folder.
   *
   * @default none, which OpenAPI reads as the origin the document was loaded from
   */
  servers?: readonly OpenApiServer[];
  /**
   * A document fragment whose `paths`, `components` and `tags` are merged in, such as the output
   * of `next-generic-tasks openapi`. A fragment path equal to a task's path is left out and
   * logged as an error once, because the task route handles that URL.
   */
  merge?: OpenApiFragment;
}

/**
 * The `openapi` option of `createTaskHandlers`: the document served at
 * `GET {basePath}/openapi.json` and the docs page at `GET {basePath}/docs`.
 */
export interface OpenApiOptions extends OpenApiDocumentOptions {
  /**
   * The authentication of the document and the docs page. Pass `noAuth()` to make them public.
   *
   * @default the handler's `auth`, else the global one: the same check as tasks without their own `auth`
   */
  auth?: AuthOption;
}

/** Options of `buildOpenApiDocument`. */
export interface BuildOpenApiDocumentOptions extends OpenApiDocumentOptions {
  /**
   * The `auth` passed to `createTaskHandlers`, which applies to tasks without their own `auth`.
   * It decides the security requirement of those tasks' operations.
   *
   * @default the global authenticator (`configureTasks` or `TASKS_API_AUTHENTICATION`)
   */
  handlerAuth?: AuthOption;
}

/**
 * Checks the `openapi` option of `createTaskHandlers`: `false`, or an object of
 * {@link OpenApiOptions}.
 *
 * @throws {TaskError} `configuration_error` naming the invalid field.
 */
export function assertOpenApiOptions(value: unknown): asserts value is OpenApiOptions | false | undefined {
  if (value === undefined || value === false) return;
  if (!isRecord(value)) {
    throw invalidOption('openapi', value, 'pass false to turn the document off, or an object of options');
  }

  assertDocumentOptions(value);
  if (value.auth !== undefined) toAuthenticator(value.auth as AuthOption);
}

/**
 * Checks the fields that describe the document: `title`, `version`, `description`, `servers` and `merge`.
 *
 * @throws {TaskError} `configuration_error` naming the invalid field.
 */
export function assertDocumentOptions(options: Record<string, unknown>): void {
  for (const field of ['title', 'version', 'description'] as const) {
    const text = options[field];
    if (text !== undefined && (typeof text !== 'string' || text.trim() === '')) {
      throw invalidOption(`openapi.${field}`, text, 'pass a non-empty string');
    }
  }
  if (options.servers !== undefined) assertServers(options.servers);
  if (options.merge !== undefined) assertFragment(options.merge);
}

function assertServers(servers: unknown): void {
  if (!Array.isArray(servers))
    throw invalidOption('openapi.servers', servers, 'pass an array of { url, description? }');

  for (const [index, server] of servers.entries()) {
    const valid =
      isRecord(server) &&
      typeof server.url === 'string' &&
      server.url !== '' &&
      (server.description === undefined || typeof server.description === 'string');
    if (!valid) {
      throw invalidOption(
        `openapi.servers[${index}]`,
        server,
        'pass { url, description? } with a non-empty url string',
      );
    }
  }
}

function assertFragment(fragment: unknown): void {
  if (!isRecord(fragment)) {
    throw invalidOption(
      'openapi.merge',
      fragment,
      'pass an OpenAPI document object, such as the JSON that `next-generic-tasks openapi` writes',
    );
  }
  if (fragment.paths !== undefined && !isRecord(fragment.paths)) {
    throw invalidOption('openapi.merge.paths', fragment.paths, 'pass an object of Path Items by path');
  }
  if (fragment.components !== undefined) assertFragmentComponents(fragment.components);
  if (fragment.tags !== undefined) assertFragmentTags(fragment.tags);
}

function assertFragmentComponents(components: unknown): void {
  if (!isRecord(components)) {
    throw invalidOption('openapi.merge.components', components, 'pass an object of components by type');
  }
  for (const [type, entries] of Object.entries(components)) {
    if (!isRecord(entries)) {
      throw invalidOption(`openapi.merge.components.${type}`, entries, 'pass an object of components by name');
    }
  }
}

function assertFragmentTags(tags: unknown): void {
  if (!Array.isArray(tags)) throw invalidOption('openapi.merge.tags', tags, 'pass an array of { name, description? }');

  for (const [index, tag] of tags.entries()) {
    if (!isRecord(tag) || typeof tag.name !== 'string') {
      throw invalidOption(`openapi.merge.tags[${index}]`, tag, 'pass { name, description? } with a string name');
    }
  }
}

function invalidOption(field: string, value: unknown, fix: string): TaskError {
  return new TaskError('configuration_error', `Invalid ${field} ${describeValue(value)}: ${fix}.`);
}

function describeValue(value: unknown): string {
  if (value === null) return '(null)';
  if (Array.isArray(value)) return '(an array)';
  if (typeof value === 'object') return '(an object)';
  if (typeof value === 'function') return '(a function)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

/** Tells whether `value` is a non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
