/**
 * Short `examples` for string formats that also carry a `pattern`.
 *
 * zod 4 emits a `pattern` next to the `format` of its string formats (`z.email()`, `z.uuid()`,
 * `z.iso.datetime()` and others). Swagger UI 5 (checked in swagger-ui-dist 5.35) builds the sample
 * value of a string from its `pattern` before its `format`, so the "Try it out" body of an email
 * field is a random string thousands of characters long. Swagger UI reads the first entry of
 * `examples` before anything else (then `default`, then `example`), so a short sample there gives
 * a readable body.
 *
 * @module
 */
import type { JsonObject } from './types.js';

/**
 * Samples by format, tried in order. A format has several when validators accept different
 * subsets: `z.uuidv7()` only version 7 UUIDs, `z.iso.datetime({ precision: 3 })` only milliseconds.
 */
const SAMPLES_BY_FORMAT = new Map<string, readonly string[]>([
  ['email', ['user@example.com']],
  ['idn-email', ['user@example.com']],
  ['uri', ['https://example.com']],
  ['url', ['https://example.com']],
  ['iri', ['https://example.com']],
  ['uuid', ['123e4567-e89b-42d3-a456-426614174000', '01890a5d-ac96-774b-bcce-b302099a8057']],
  ['date-time', ['2025-01-31T09:30:00Z', '2025-01-31T09:30:00.000Z']],
  ['date', ['2025-01-31']],
  ['time', ['09:30:00', '09:30:00Z']],
  ['duration', ['P3D']],
  ['ipv4', ['192.0.2.1']],
  ['ipv6', ['2001:db8::1']],
  ['cidrv4', ['192.0.2.0/24']],
  ['cidrv6', ['2001:db8::/32']],
  ['hostname', ['example.com']],
  ['idn-hostname', ['example.com']],
  ['base64', ['SGVsbG8=']],
  ['base64url', ['SGVsbG8']],
  ['e164', ['+15555550100']],
]);

/**
 * Returns `node` with `examples: [sample]` added when it has a `format` of the list above and a
 * `pattern`, and no `examples`, `example` or `default` of its own. Only a sample that meets the
 * node's `pattern`, `minLength` and `maxLength` is added, so the example is a valid value.
 * Any other node is returned unchanged.
 */
export function withFormatExample(node: JsonObject): JsonObject {
  const { format, pattern } = node;
  if (typeof format !== 'string' || typeof pattern !== 'string') return node;
  if ('examples' in node || 'example' in node || 'default' in node) return node;

  const sample = SAMPLES_BY_FORMAT.get(format)?.find((candidate) => satisfiesStringKeywords(candidate, node));
  return sample === undefined ? node : { ...node, examples: [sample] };
}

/** Tells whether `value` meets the `pattern`, `minLength` and `maxLength` of `node`. */
function satisfiesStringKeywords(value: string, node: JsonObject): boolean {
  // JSON Schema counts the length of a string in code points, not UTF-16 units.
  const length = [...value].length;
  if (typeof node.minLength === 'number' && length < node.minLength) return false;
  if (typeof node.maxLength === 'number' && length > node.maxLength) return false;

  try {
    // Ajv compiles JSON Schema patterns as ECMAScript regular expressions with the `u` flag, not anchored.
    return new RegExp(node.pattern as string, 'u').test(value);
  } catch {
    // A pattern that does not compile here leaves no way to check the sample, so none is added.
    return false;
  }
}
