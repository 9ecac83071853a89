/**
 * `next-generic-tasks/openapi`: the OpenAPI 3.1 document of the registered tasks, which
 * `createTaskHandlers` serves at `GET {basePath}/openapi.json`.
 *
 * @module
 */

export { buildOpenApiDocument } from './document.js';
export type {
  BuildOpenApiDocumentOptions,
  OpenApiDocumentOptions,
  OpenApiFragment,
  OpenApiOptions,
  OpenApiServer,
  OpenApiTag,
} from './options.js';
export type { JsonObject, OpenApiDocument } from './types.js';
