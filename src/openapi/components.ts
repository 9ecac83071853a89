/**
 * Moving a task's params schema into `components.schemas`: the schema itself, and each of its
 * `$defs` as a schema of its own, with every `$ref` rewritten so it resolves inside the document.
 *
 * @module
 */
import { withFormatExample } from './format-examples.js';
import { isRecord } from './options.js';
import type { JsonObject } from './types.js';

/** Hands out component names that are unique in one document and valid in OpenAPI (`[A-Za-z0-9._-]+`). */
export class ComponentNames {
  private readonly taken = new Set<string>();
  private readonly reserved = new Set<string>();

  /** Marks names as used, such as those of a merged fragment, so they are never handed out. */
  reserve(names: Iterable<string>): void {
    for (const name of names) {
      this.taken.add(name);
      this.reserved.add(name);
    }
  }

  /** Tells whether `name` was passed to {@link ComponentNames.reserve}. */
  isReserved(name: string): boolean {
    return this.reserved.has(name);
  }

  /** Returns `preferred` made valid, with a number appended when it is already taken. */
  allocate(preferred: string): string {
    const base = preferred.replace(/[^A-Za-z0-9._-]/g, '_') || 'Schema';
    let name = base;
    for (let suffix = 2; this.taken.has(name); suffix += 1) name = `${base}${suffix}`;
    this.taken.add(name);
    return name;
  }
}

/** A `$ref` that cannot be made to point inside the document. */
export class UnresolvableReferenceError extends Error {}

/**
 * Keywords whose value is a schema, a list of schemas, or a map of schemas by name. Only these
 * are searched for `$ref`, because `const`, `enum`, `default` and `examples` hold data, in
 * which a `$ref` key is no reference.
 */
const SCHEMA_KEYWORDS = new Set([
  'additionalItems',
  'additionalProperties',
  'contains',
  'contentSchema',
  'else',
  'if',
  'items',
  'not',
  'propertyNames',
  'then',
  'unevaluatedItems',
  'unevaluatedProperties',
]);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_MAP_KEYWORDS = new Set(['$defs', 'definitions', 'dependentSchemas', 'patternProperties', 'properties']);

/** The prefix of a reference to a component schema. */
const COMPONENT_SCHEMA_PREFIX = '#/components/schemas/';

/**
 * Adds a params schema and its definitions to `schemas` and returns the name of the params
 * schema. Definitions get the name `{baseName}_{definition}`.
 *
 * @param baseName The task's name in PascalCase, unique in the document.
 * @throws {UnresolvableReferenceError} for a `$ref` outside the schema, such as a URL.
 */
export function addParamsSchema(
  schemas: Record<string, unknown>,
  names: ComponentNames,
  baseName: string,
  schema: JsonObject,
): string {
  const { root, definitions } = splitDefinitions(schema);
  // A first pass with placeholder names finds unresolvable references before any name is taken.
  const placeholders = new Map(Object.keys(definitions).map((key) => [key, key]));
  rewriteAll(root, definitions, (reference) => rewriteReference(reference, '', placeholders));

  const rootName = names.allocate(`${baseName}Params`);
  const definitionNames = new Map<string, string>();
  for (const key of Object.keys(definitions)) definitionNames.set(key, names.allocate(`${baseName}_${key}`));

  const rewritten = rewriteAll(root, definitions, (reference) =>
    rewriteReference(reference, rootName, definitionNames),
  );
  schemas[rootName] = rewritten.root;
  for (const [key, definition] of Object.entries(rewritten.definitions)) {
    schemas[definitionNames.get(key) as string] = definition;
  }
  return rootName;
}

function rewriteAll(
  root: JsonObject,
  definitions: Record<string, unknown>,
  rewrite: (reference: string) => string,
): { root: unknown; definitions: Record<string, unknown> } {
  return { root: rewriteSchema(root, rewrite), definitions: rewriteSchemaMap(definitions, rewrite) };
}

/** Separates the root's `$defs` (or draft-07 `definitions`) from the rest of the schema. */
function splitDefinitions(schema: JsonObject): { root: JsonObject; definitions: Record<string, unknown> } {
  const { $defs, definitions, ...root } = schema;
  return {
    root,
    definitions: { ...(isRecord(definitions) ? definitions : {}), ...(isRecord($defs) ? $defs : {}) },
  };
}

function rewriteReference(reference: string, rootName: string, definitionNames: Map<string, string>): string {
  if (reference === '#') return `${COMPONENT_SCHEMA_PREFIX}${rootName}`;

  const match = /^#\/(?:\$defs|definitions)\/([^/]+)(\/.*)?$/.exec(reference);
  if (match !== null) {
    const name = definitionNames.get(decodePointerSegment(match[1] as string));
    if (name === undefined) throw new UnresolvableReferenceError(`its $ref ${reference} names no definition`);
    return `${COMPONENT_SCHEMA_PREFIX}${name}${match[2] ?? ''}`;
  }

  // Any other pointer points into the root schema, which is now a component.
  if (reference.startsWith('#/')) return `${COMPONENT_SCHEMA_PREFIX}${rootName}${reference.slice(1)}`;
  throw new UnresolvableReferenceError(`its $ref ${reference} points outside the schema`);
}

/** Decodes one JSON Pointer segment of a URI fragment: percent-escapes first, then `~1` and `~0`. */
function decodePointerSegment(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // A segment with a stray "%" is used as it is.
  }
  return decoded.replaceAll('~1', '/').replaceAll('~0', '~');
}

/**
 * Returns a copy of a schema with each `$ref` rewritten and short examples added to string
 * formats (see {@link withFormatExample}). `$id` and `$schema` are left out, because a `$id` would
 * change the base that the rewritten references resolve against.
 */
function rewriteSchema(schema: unknown, rewrite: (reference: string) => string): unknown {
  if (!isRecord(schema)) return schema;

  const copy: JsonObject = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === '$id' || keyword === '$schema') continue;

    if (keyword === '$ref' && typeof value === 'string') copy[keyword] = rewrite(value);
    else if (SCHEMA_KEYWORDS.has(keyword)) copy[keyword] = rewriteSchemaOrList(value, rewrite);
    else if (SCHEMA_LIST_KEYWORDS.has(keyword)) copy[keyword] = rewriteSchemaOrList(value, rewrite);
    else if (SCHEMA_MAP_KEYWORDS.has(keyword) && isRecord(value)) copy[keyword] = rewriteSchemaMap(value, rewrite);
    else copy[keyword] = value;
  }
  return withFormatExample(copy);
}

/** Rewrites a schema, or each schema of a list (`items` is a list in draft-07). */
function rewriteSchemaOrList(value: unknown, rewrite: (reference: string) => string): unknown {
  return Array.isArray(value) ? value.map((item) => rewriteSchema(item, rewrite)) : rewriteSchema(value, rewrite);
}

function rewriteSchemaMap(map: JsonObject, rewrite: (reference: string) => string): JsonObject {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, rewriteSchema(value, rewrite)]));
}
