/**
 * Validation through the Standard Schema v1 interface (`~standard`), which zod, valibot,
 * ArkType and others implement. No code here depends on a particular validator.
 *
 * @module
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

import { formatIssues, TaskError, type ValidationIssue } from './errors.js';

/** Any Standard Schema v1 validator. */
export type AnySchema = StandardSchemaV1;

/** The params type that `run` and `enqueue` accept: the schema's input type. */
export type SchemaInput<TSchema extends AnySchema> = StandardSchemaV1.InferInput<TSchema>;

/** The params type that the task's handler receives: the schema's output type. */
export type SchemaOutput<TSchema extends AnySchema> = StandardSchemaV1.InferOutput<TSchema>;

/** Tells whether `value` implements Standard Schema v1. */
export function isStandardSchema(value: unknown): value is AnySchema {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;

  const standard = (value as { '~standard'?: { version?: unknown; validate?: unknown } })['~standard'];
  return standard?.version === 1 && typeof standard.validate === 'function';
}

/**
 * Validates `value` against `schema` and returns the schema's output.
 *
 * @throws {TaskError} `invalid_params`, listing each issue with its path, when validation fails.
 */
export async function validateParams<TSchema extends AnySchema>(
  taskName: string,
  schema: TSchema,
  value: unknown,
): Promise<SchemaOutput<TSchema>> {
  const result = await schema['~standard'].validate(value);
  if (result.issues === undefined) return result.value as SchemaOutput<TSchema>;

  const issues = result.issues.map(toValidationIssue);
  throw new TaskError(
    'invalid_params',
    `Invalid params for task "${taskName}": ${formatIssues(issues)}. Fix these values and try again.`,
    { issues },
  );
}

function toValidationIssue(issue: StandardSchemaV1.Issue): ValidationIssue {
  const path = (issue.path ?? []).map((segment) => {
    const key = typeof segment === 'object' ? segment.key : segment;
    return typeof key === 'number' ? key : String(key);
  });
  return { path, message: issue.message };
}
