/**
 * The shape of the generated OpenAPI 3.1 document.
 *
 * @module
 */
import type { OpenApiServer, OpenApiTag } from './options.js';

/** A JSON object: a JSON Schema, an Operation Object, a Response Object and the like. */
export type JsonObject = Record<string, unknown>;

/** The OpenAPI 3.1 document of the registered tasks, as served at `GET {basePath}/openapi.json`. */
export interface OpenApiDocument {
  /** The OpenAPI version: `3.1.0`. */
  openapi: '3.1.0';
  /** Title, version and description of the API. */
  info: { title: string; version: string; description?: string };
  /** The servers from the options; absent means the origin the document was loaded from. */
  servers?: OpenApiServer[];
  /** The `tasks` tag, then the tags of the merged fragment. */
  tags: OpenApiTag[];
  /** One `POST {basePath}/{name}` Path Item per task, then the paths of the merged fragment. */
  paths: Record<string, JsonObject>;
  /** Schemas, responses and security schemes by name, with those of the merged fragment. */
  components: Record<string, Record<string, unknown>>;
}
