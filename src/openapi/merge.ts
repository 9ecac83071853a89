/**
 * Merging another document's `paths`, `components` and `tags` (for example next-swagger-doc's
 * output for the app's other routes) into the task document.
 *
 * @module
 */
import { silentLogger, warnOnce } from '../core/logger.js';
import { getLogger } from '../settings/settings.js';
import { isRecord, type OpenApiFragment, type OpenApiTag } from './options.js';
import type { OpenApiDocument } from './types.js';

/** The HTTP methods of a Path Item, whose Operation Objects may carry an `operationId`. */
const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Lists the names the fragment uses in `components[type]`, so generated components avoid them. */
export function fragmentComponentNames(fragment: OpenApiFragment | undefined, type: string): string[] {
  const entries = fragment?.components?.[type];
  return isRecord(entries) ? Object.keys(entries) : [];
}

/** Lists the `operationId`s of the fragment's operations, so task operations avoid them. */
export function fragmentOperationIds(fragment: OpenApiFragment | undefined): string[] {
  const ids: string[] = [];
  for (const pathItem of Object.values(fragment?.paths ?? {})) {
    if (!isRecord(pathItem)) continue;
    for (const method of OPERATION_METHODS) {
      const operation = pathItem[method];
      if (isRecord(operation) && typeof operation.operationId === 'string') ids.push(operation.operationId);
    }
  }
  return ids;
}

/**
 * Adds the fragment's paths, components and tags to `document`. A path that a task already has
 * is left out and logged as an error once, because the task route handles that URL.
 */
export function mergeFragment(document: OpenApiDocument, fragment: OpenApiFragment): void {
  mergePaths(document, fragment.paths ?? {});
  mergeComponents(document, fragment.components ?? {});
  mergeTags(document, fragment.tags ?? []);
}

function mergePaths(document: OpenApiDocument, paths: Readonly<Record<string, unknown>>): void {
  const taskPaths = new Set(Object.keys(document.paths).map(withoutTrailingSlash));
  for (const [path, pathItem] of Object.entries(paths)) {
    if (taskPaths.has(withoutTrailingSlash(path))) {
      errorOnce(
        `openapi-merge-collision:${path}`,
        `the merged OpenAPI fragment documents ${path}, which is a task endpoint; the fragment's path is left out. ` +
          'Remove its @swagger comment, or rename the task.',
        { path },
      );
      continue;
    }
    if (isRecord(pathItem)) document.paths[path] = pathItem;
  }
}

function mergeComponents(
  document: OpenApiDocument,
  components: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): void {
  for (const [type, entries] of Object.entries(components)) {
    const target = document.components[type] ?? {};
    document.components[type] = target;
    // Generated names avoid the fragment's names, so a name already present is the same entry, such as a shared security scheme.
    for (const [name, value] of Object.entries(entries)) target[name] ??= value;
  }
}

function mergeTags(document: OpenApiDocument, tags: readonly OpenApiTag[]): void {
  const known = new Set(document.tags.map((tag) => tag.name));
  for (const tag of tags) {
    if (known.has(tag.name)) continue;
    known.add(tag.name);
    document.tags.push(tag);
  }
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Logs an error once per process for each `key`, in the memory of `warnOnce`, which `resetTasks()` also clears. */
function errorOnce(key: string, message: string, fields: Record<string, unknown>): void {
  const logger = getLogger();
  warnOnce({ ...silentLogger, warn: (line, lineFields) => logger.error(line, lineFields) }, key, message, fields);
}
