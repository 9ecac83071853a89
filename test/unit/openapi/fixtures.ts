// Tasks whose schemas use every JSON Schema feature the OpenAPI document must carry, for zod and
// valibot, with bodies that the document's schema accepts or rejects, and helpers to read the document.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as v from 'valibot';
import { z } from 'zod';

import { type AnySchema, defineTask } from '../../../src/index.js';
import { createTaskHandlers, type TaskHandlerOptions } from '../../../src/next/index.js';
import type { OpenApiDocument } from '../../../src/openapi/index.js';

/** A test task: its name, and bodies its document schema accepts and rejects. */
export interface SchemaCase {
  readonly name: string;
  readonly schema: AnySchema;
  /** Bodies the document's schema accepts and the endpoint runs (200). */
  readonly accepted: ReadonlyArray<readonly [label: string, body: unknown]>;
  /** Bodies the document's schema rejects and the endpoint rejects with 422. */
  readonly rejected: ReadonlyArray<readonly [label: string, body: unknown]>;
}

const zodCategory = z.object({
  name: z.string(),
  get children() {
    return z.array(zodCategory);
  },
});

// The id is unique to this file, because zod keeps `.meta({ id })` in one registry per process.
const zodAddress = z
  .object({ street: z.string(), zip: z.string().regex(/^\d{5}$/) })
  .meta({ id: 'OpenApiTestAddress' });

type ValibotCategory = { name: string; children: ValibotCategory[] };
const valibotCategory: v.GenericSchema<ValibotCategory> = v.object({
  name: v.string(),
  children: v.array(v.lazy(() => valibotCategory)),
});

const validFeatures = {
  email: 'ada@example.com',
  id: '123e4567-e89b-42d3-a456-426614174000',
  when: '2026-01-02T03:04:05Z',
  count: 3,
  ratio: 0.5,
  tags: ['a'],
  scores: { math: 1 },
  priority: 'low',
  note: null,
  nested: { street: 'Main St', zip: '12345' },
  contact: 'ada',
  shape: { kind: 'circle', radius: 2 },
  text: 'abc',
};

/** Bodies every features task accepts, each showing one feature. */
const acceptedFeatures = [
  ['all required fields', validFeatures],
  ['optional fields given', { ...validFeatures, website: 'https://example.com', nickname: 'A', retries: 5 }],
  ['nullable field with a string', { ...validFeatures, note: 'hello' }],
  ['union with a number', { ...validFeatures, contact: 42 }],
  ['discriminated union, other branch', { ...validFeatures, shape: { kind: 'square', side: 3 } }],
  ['record with no keys', { ...validFeatures, scores: {} }],
  ['unknown key, stripped', { ...validFeatures, extra: true }],
] as const;

function without(key: keyof typeof validFeatures): Record<string, unknown> {
  const { [key]: _removed, ...rest } = validFeatures;
  return rest;
}

/** Bodies every features task rejects, each breaking one feature that JSON Schema expresses. */
const rejectedFeatures = [
  ['not an object', ['a']],
  ['missing required field', without('email')],
  ['integer with a fraction', { ...validFeatures, count: 1.5 }],
  ['number below minimum', { ...validFeatures, count: 0 }],
  ['number above maximum', { ...validFeatures, count: 11 }],
  ['number at exclusive bound', { ...validFeatures, ratio: 1 }],
  ['default field of wrong type', { ...validFeatures, retries: 'three' }],
  ['array too short', { ...validFeatures, tags: [] }],
  ['array too long', { ...validFeatures, tags: ['a', 'b', 'c', 'd', 'e', 'f'] }],
  ['record value of wrong type', { ...validFeatures, scores: { math: 'A' } }],
  ['enum value not listed', { ...validFeatures, priority: 'urgent' }],
  ['null in a non-nullable field', { ...validFeatures, email: null }],
  ['optional field of wrong type', { ...validFeatures, nickname: 7 }],
  ['nested field breaks pattern', { ...validFeatures, nested: { street: 'Main St', zip: 'abc' } }],
  ['nested field missing', { ...validFeatures, nested: { zip: '12345' } }],
  ['union matches no branch', { ...validFeatures, contact: true }],
  ['discriminator not listed', { ...validFeatures, shape: { kind: 'triangle', side: 3 } }],
  ['branch field missing', { ...validFeatures, shape: { kind: 'circle' } }],
  ['transform input of wrong type', { ...validFeatures, text: 3 }],
] as const;

/** zod tasks. */
export const zodCases: SchemaCase[] = [
  {
    name: 'zod-features',
    schema: z.object({
      email: z.email(),
      website: z.url().optional(),
      id: z.uuid(),
      when: z.iso.datetime(),
      count: z.number().int().min(1).max(10),
      ratio: z.number().gt(0).lt(1),
      retries: z.number().int().default(3),
      tags: z.array(z.string().min(1)).min(1).max(5),
      scores: z.record(z.string(), z.number()),
      priority: z.enum(['low', 'high']),
      note: z.string().nullable(),
      nickname: z.string().optional(),
      nested: z.object({ street: z.string(), zip: z.string().regex(/^\d{5}$/) }),
      contact: z.union([z.string(), z.number()]),
      shape: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('circle'), radius: z.number().positive() }),
        z.object({ kind: z.literal('square'), side: z.number().positive() }),
      ]),
      text: z.string().transform((text) => text.length),
    }),
    accepted: acceptedFeatures,
    rejected: [...rejectedFeatures, ['email breaks its pattern', { ...validFeatures, email: 'not-an-email' }]],
  },
  {
    name: 'zod-shared',
    schema: z.object({ root: zodCategory, home: zodAddress, work: zodAddress.optional() }),
    accepted: [
      [
        'recursive tree and shared schema',
        {
          root: { name: 'a', children: [{ name: 'b', children: [] }] },
          home: { street: 'x', zip: '11111' },
          work: { street: 'y', zip: '22222' },
        },
      ],
    ],
    rejected: [
      [
        'recursive child missing name',
        { root: { name: 'a', children: [{ children: [] }] }, home: { street: 'x', zip: '11111' } },
      ],
      ['shared schema breaks pattern', { root: { name: 'a', children: [] }, home: { street: 'x', zip: '1' } }],
    ],
  },
];

/** valibot tasks. */
export const valibotCases: SchemaCase[] = [
  {
    name: 'valibot-features',
    schema: v.object({
      email: v.pipe(v.string(), v.email()),
      website: v.optional(v.pipe(v.string(), v.url())),
      id: v.pipe(v.string(), v.uuid()),
      when: v.pipe(v.string(), v.isoTimestamp()),
      count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10)),
      ratio: v.pipe(v.number(), v.gtValue(0), v.ltValue(1)),
      retries: v.optional(v.pipe(v.number(), v.integer()), 3),
      tags: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1), v.maxLength(5)),
      scores: v.record(v.string(), v.number()),
      priority: v.picklist(['low', 'high']),
      note: v.nullable(v.string()),
      nickname: v.optional(v.string()),
      nested: v.object({ street: v.string(), zip: v.pipe(v.string(), v.regex(/^\d{5}$/)) }),
      contact: v.union([v.string(), v.number()]),
      shape: v.variant('kind', [
        v.object({ kind: v.literal('circle'), radius: v.pipe(v.number(), v.gtValue(0)) }),
        v.object({ kind: v.literal('square'), side: v.pipe(v.number(), v.gtValue(0)) }),
      ]),
      text: v.pipe(
        v.string(),
        v.transform((text) => text.length),
      ),
    }),
    accepted: acceptedFeatures,
    rejected: rejectedFeatures,
  },
  {
    name: 'valibot-shared',
    schema: v.object({ root: valibotCategory, label: v.pipe(v.string(), v.trim(), v.minLength(1)) }),
    accepted: [['recursive tree', { root: { name: 'a', children: [{ name: 'b', children: [] }] }, label: 'x' }]],
    rejected: [
      ['recursive child missing name', { root: { name: 'a', children: [{ children: [] }] }, label: 'x' }],
      ['string after trim too short', { root: { name: 'a', children: [] }, label: '' }],
    ],
  },
];

/** A Standard Schema validator without JSON Schema support: an object with a string `text`. */
export const customSchema: AnySchema = {
  '~standard': {
    version: 1,
    vendor: 'handwritten',
    validate(value) {
      const text = (value as { text?: unknown } | null)?.text;
      return typeof text === 'string' ? { value } : { issues: [{ message: 'Expected text', path: ['text'] }] };
    },
  },
};

/** Tasks whose schema cannot be converted, with the reason the document's note names. */
export const unrepresentableCases = [
  { name: 'zod-date', schema: z.object({ at: z.date() }), reason: 'Date cannot be represented in JSON Schema' },
  {
    name: 'valibot-date',
    schema: v.object({ at: v.date() }),
    reason: 'The "date" schema cannot be converted to JSON Schema.',
  },
  {
    name: 'custom-validator',
    schema: customSchema,
    reason: 'its validator (vendor "handwritten") does not implement Standard JSON Schema',
  },
] as const;

/** Defines every task of {@link zodCases}, {@link valibotCases} and {@link unrepresentableCases}, each echoing its params. */
export function defineSchemaTasks(): void {
  for (const { name, schema } of [...zodCases, ...valibotCases, ...unrepresentableCases]) {
    defineTask({ name, schema, run: (params) => params });
  }
}

/** Builds the route context Next.js passes for `{basePath}/{name}`. */
export function routeContext(name: string) {
  return { params: Promise.resolve({ name }) };
}

/** Calls `GET /api/tasks/{name}` on handlers made with `options`. */
export function getFromRoute(
  name: string,
  options: TaskHandlerOptions = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  const request = new Request(`http://localhost/api/tasks/${name}`, { headers });
  return createTaskHandlers(options).GET(request, routeContext(name));
}

/** Fetches the document from handlers made with `options`, failing unless the response is 200. */
export async function fetchDocument(options: TaskHandlerOptions = {}): Promise<OpenApiDocument> {
  const response = await getFromRoute('openapi.json', options);
  if (response.status !== 200)
    throw new Error(`GET openapi.json answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as OpenApiDocument;
}

/**
 * Compiles `schema` with Ajv in draft 2020-12 mode, with `$ref`s resolved against the document's
 * components. Formats are not checked, because Ajv needs the separate ajv-formats package for them.
 */
export function compileWithComponents(document: OpenApiDocument, schema: object): ValidateFunction {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
  // `components` is not a JSON Schema keyword; declaring it lets `#/components/...` pointers resolve into it.
  ajv.addKeyword('components');
  return ajv.compile({ ...schema, components: document.components });
}

/** Compiles the request body schema of a task's operation (see {@link compileWithComponents}). */
export function compileRequestBody(document: OpenApiDocument, taskName: string): ValidateFunction {
  const operation = document.paths[`/api/tasks/${taskName}`]?.post as
    | { requestBody: { content: { 'application/json': { schema: object } } } }
    | undefined;
  if (operation === undefined) throw new Error(`the document has no operation for ${taskName}`);

  return compileWithComponents(document, operation.requestBody.content['application/json'].schema);
}

/** Sends a task call with `body` as JSON through the route's POST handler. */
export function postTask(name: string, body: unknown): Promise<Response> {
  return postRaw(name, JSON.stringify(body), 'application/json');
}

/** Sends a task call with a raw body and Content-Type through the route's POST handler. */
export function postRaw(name: string, body: string, contentType: string, headers: Record<string, string> = {}) {
  const request = new Request(`http://localhost/api/tasks/${name}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    // Bytes, not a string, so that fetch adds no Content-Type of its own.
    body: new TextEncoder().encode(body),
  });
  return createTaskHandlers().POST(request, routeContext(name));
}
