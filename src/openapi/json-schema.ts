/**
 * Converting a task's params schema to JSON Schema (draft 2020-12) that describes what the endpoint
 * accepts: the schema's input, so a field with a default is optional and a transform shows the type
 * it reads.
 *
 * Validators that implement Standard JSON Schema (`~standard.jsonSchema`, zod 4.2 and later) convert
 * themselves. valibot schemas go through the optional peer `@valibot/to-json-schema`.
 *
 * @module
 */
import type { StandardJSONSchemaV1 } from '@standard-schema/spec';

import { warnOnce } from '../core/logger.js';
import type { AnySchema } from '../core/schema.js';
import { getLogger } from '../settings/settings.js';
import { isRecord } from './options.js';
import type { JsonObject } from './types.js';

/**
 * The outcome of converting a params schema: a JSON Schema, or why there is none. `logged` is
 * true when a warning that covers the failure was already logged, so the caller logs nothing more.
 */
export type ParamsJsonSchema =
  | { readonly ok: true; readonly schema: JsonObject }
  | { readonly ok: false; readonly reason: string; readonly logged?: boolean };

/** The JSON Schema dialect of OpenAPI 3.1 schemas. */
const TARGET = 'draft-2020-12';

/** The install command named when valibot schemas cannot be converted. */
export const VALIBOT_CONVERTER_INSTALL = 'npm install @valibot/to-json-schema';

/** Conversions by schema object, so a rebuild after a registry change converts only new schemas. */
const conversions = new WeakMap<AnySchema, Promise<ParamsJsonSchema>>();

/**
 * Converts a params schema to the JSON Schema of its input. Every error of the converter is
 * caught, so a schema that cannot be converted resolves to `{ ok: false, reason }`.
 */
export function convertParamsSchema(schema: AnySchema): Promise<ParamsJsonSchema> {
  let conversion = conversions.get(schema);
  if (conversion === undefined) {
    conversion = convert(schema);
    conversions.set(schema, conversion);
  }
  return conversion;
}

async function convert(schema: AnySchema): Promise<ParamsJsonSchema> {
  try {
    const standard = schema['~standard'];
    const jsonSchema = (standard as Partial<StandardJSONSchemaV1.Props>).jsonSchema;
    if (typeof jsonSchema?.input === 'function') return toResult(jsonSchema.input({ target: TARGET }));

    if (standard.vendor === 'valibot') return await convertValibot(schema);
    return {
      ok: false,
      reason: `its validator (vendor ${JSON.stringify(standard.vendor)}) does not implement Standard JSON Schema`,
    };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Checks a converter's output and returns a JSON copy without `$schema`, which OpenAPI 3.1 implies. */
function toResult(output: unknown): ParamsJsonSchema {
  if (output === true) return { ok: true, schema: {} };
  if (!isRecord(output)) return { ok: false, reason: 'its JSON Schema converter returned no schema object' };

  // The JSON round trip drops undefined fields and detaches the copy from the validator's own objects.
  const schema = JSON.parse(JSON.stringify(output)) as JsonObject;
  delete schema.$schema;
  return { ok: true, schema };
}

// --- valibot -------------------------------------------------------------------------------

/** The part of `@valibot/to-json-schema` used here. */
interface ValibotConverterModule {
  toJsonSchema(schema: unknown, config: Record<string, unknown>): unknown;
}

/** The context `@valibot/to-json-schema` passes to `overrideAction`. */
interface ValibotActionContext {
  readonly valibotAction: { readonly kind: string };
  readonly jsonSchema: JsonObject;
  readonly errors?: readonly string[];
}

let valibotConverter: Promise<ValibotConverterModule | undefined> | undefined;

function loadValibotConverter(): Promise<ValibotConverterModule | undefined> {
  // The ignore comments keep bundlers from resolving the package at build time, because Turbopack
  // fails the build when an optional peer is not installed. Node.js then resolves it when it runs.
  // NOTE: Next.js 16.5 file tracing skips this import, so standalone output lacks the package
  // (valibot schemas then fall back) unless `outputFileTracingIncludes` adds it. Untested there.
  valibotConverter ??= import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@valibot/to-json-schema').then(
    (module: ValibotConverterModule) => (typeof module.toJsonSchema === 'function' ? module : undefined),
    () => undefined,
  );
  return valibotConverter;
}

async function convertValibot(schema: AnySchema): Promise<ParamsJsonSchema> {
  const converter = await loadValibotConverter();
  if (converter === undefined) {
    warnOnce(
      getLogger(),
      'openapi-valibot-converter-missing',
      `valibot params schemas are shown as accepting any JSON in the OpenAPI document because @valibot/to-json-schema cannot be loaded; run \`${VALIBOT_CONVERTER_INSTALL}\``,
    );
    return {
      ok: false,
      reason: `@valibot/to-json-schema cannot be loaded: run \`${VALIBOT_CONVERTER_INSTALL}\``,
      logged: true,
    };
  }

  return toResult(
    converter.toJsonSchema(schema, { target: TARGET, typeMode: 'input', overrideAction: keepUnsupportedAction }),
  );
}

/**
 * Leaves out pipeline actions that JSON Schema cannot express (`check`, `trim`, `toLowerCase`),
 * as zod leaves out `.refine()`. The document's schema then accepts a little more than the
 * endpoint, which rejects such bodies with 422. Unsupported schemas (`date`, `custom`) still fail.
 */
function keepUnsupportedAction(context: ValibotActionContext): JsonObject | undefined {
  if (context.errors === undefined || context.errors.length === 0) return undefined;
  const { kind } = context.valibotAction;
  return kind === 'validation' || kind === 'transformation' ? context.jsonSchema : undefined;
}
