// The OpenAPI document built from the task registry: validity, request body schemas that agree
// with the real handler, input mode, $ref rewriting, fallbacks, security, merging and info.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Validator } from '@seriousme/openapi-schema-validator';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { STATUS_BY_CODE } from '../../../src/http/status.js';
import { type Authenticator, basicAuth, configureTasks, defineTask, noAuth } from '../../../src/index.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../../../src/openapi/index.js';
import { resetTasks } from '../../../src/testing/index.js';
import { type CapturingLogger, capturingLogger } from '../helpers.js';
import {
  compileRequestBody,
  compileWithComponents,
  defineSchemaTasks,
  fetchDocument,
  postRaw,
  postTask,
  type SchemaCase,
  unrepresentableCases,
  valibotCases,
  zodCases,
} from './fixtures.js';

let logger: CapturingLogger;

beforeEach(() => {
  resetTasks();
  logger = capturingLogger();
  configureTasks({ logger, auth: noAuth() });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Returns the Operation Object of `POST /api/tasks/{name}`. */
function operationOf(document: OpenApiDocument, name: string): Record<string, unknown> {
  const operation = document.paths[`/api/tasks/${name}`]?.post;
  if (operation === undefined) throw new Error(`no operation for ${name}`);
  return operation as Record<string, unknown>;
}

/** Returns the component schema that a task's request body references. */
function paramsSchemaOf(document: OpenApiDocument, name: string): Record<string, unknown> {
  const body = operationOf(document, name).requestBody as {
    content: { 'application/json': { schema: { $ref: string } } };
  };
  const componentName = body.content['application/json'].schema.$ref.replace('#/components/schemas/', '');
  return document.components.schemas?.[componentName] as Record<string, unknown>;
}

/** Collects every `$ref` string in a JSON value. */
function collectRefs(value: unknown, refs: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, refs);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') refs.push(item);
      else collectRefs(item, refs);
    }
  }
  return refs;
}

/** Resolves a local JSON pointer such as `#/components/schemas/X` in the document. */
function resolvePointer(document: OpenApiDocument, pointer: string): unknown {
  let target: unknown = document;
  for (const segment of pointer.slice(2).split('/')) {
    target = (target as Record<string, unknown> | undefined)?.[segment.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return target;
}

describe('document validity', () => {
  it('passes the OpenAPI 3.1 validator', async () => {
    defineSchemaTasks();
    const document = await fetchDocument();

    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('every $ref resolves inside document', async () => {
    defineSchemaTasks();
    const document = await fetchDocument();

    const refs = collectRefs(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\/components\//);
      expect(resolvePointer(document, ref), ref).toBeDefined();
    }
  });

  it('every request body compiles with Ajv 2020', async () => {
    defineSchemaTasks();
    const document = await fetchDocument();

    for (const { name } of [...zodCases, ...valibotCases, ...unrepresentableCases]) {
      expect(() => compileRequestBody(document, name), name).not.toThrow();
    }
  });

  it('every response schema compiles with Ajv 2020', async () => {
    defineSchemaTasks();
    const document = await fetchDocument();

    for (const name of Object.keys(document.components.schemas ?? {})) {
      expect(() => compileWithComponents(document, { $ref: `#/components/schemas/${name}` }), name).not.toThrow();
    }
  });

  it('one POST operation per task', async () => {
    defineSchemaTasks();
    const document = await fetchDocument();

    const names = [...zodCases, ...valibotCases, ...unrepresentableCases].map(({ name }) => `/api/tasks/${name}`);
    expect(Object.keys(document.paths)).toEqual(names);
    for (const pathItem of Object.values(document.paths)) expect(Object.keys(pathItem)).toEqual(['post']);
  });

  it('document of empty registry is valid', async () => {
    const document = await fetchDocument();

    expect(document.paths).toEqual({});
    expect(
      (await new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>)).valid,
    ).toBe(true);
  });
});

/** Checks that each accepted body passes the document's schema and runs, and each rejected one fails both. */
async function expectSchemaMatchesHandler(cases: SchemaCase[]): Promise<void> {
  const document = await fetchDocument();
  for (const { name, accepted, rejected } of cases) {
    const validate = compileRequestBody(document, name);

    for (const [label, body] of accepted) {
      expect(validate(body), `${name}: document accepts ${label}`).toBe(true);
      expect((await postTask(name, body)).status, `${name}: endpoint runs ${label}`).toBe(200);
    }
    for (const [label, body] of rejected) {
      expect(validate(body), `${name}: document rejects ${label}`).toBe(false);
      expect((await postTask(name, body)).status, `${name}: endpoint rejects ${label}`).toBe(422);
    }
  }
}

describe('request body schemas agree with handler', () => {
  it('zod tasks accept and reject alike', async () => {
    defineSchemaTasks();
    await expectSchemaMatchesHandler(zodCases);
  });

  it('valibot tasks accept and reject alike', async () => {
    defineSchemaTasks();
    await expectSchemaMatchesHandler(valibotCases);
  });

  it('request body is required JSON', async () => {
    defineSchemaTasks();
    const document = await fetchDocument();

    const body = operationOf(document, 'zod-features').requestBody as { required: boolean; content: object };
    expect(body.required).toBe(true);
    expect(Object.keys(body.content)).toEqual(['application/json']);
  });
});

describe('input mode', () => {
  it.each([
    ['zod', 'zod-features'],
    ['valibot', 'valibot-features'],
  ])('default field is optional with default (%s)', async (_library, name) => {
    defineSchemaTasks();
    const schema = paramsSchemaOf(await fetchDocument(), name) as {
      required: string[];
      properties: Record<string, { default?: unknown }>;
    };

    expect(schema.required).not.toContain('retries');
    expect(schema.properties.retries?.default).toBe(3);
  });

  it.each([
    ['zod', 'zod-features'],
    ['valibot', 'valibot-features'],
  ])('transform shows its input type (%s)', async (_library, name) => {
    defineSchemaTasks();
    const schema = paramsSchemaOf(await fetchDocument(), name) as { properties: Record<string, { type?: unknown }> };

    expect(schema.properties.text?.type).toBe('string');
  });

  it.each([
    ['zod', 'zod-features'],
    ['valibot', 'valibot-features'],
  ])('optional and nullable fields (%s)', async (_library, name) => {
    defineSchemaTasks();
    const schema = paramsSchemaOf(await fetchDocument(), name) as { required: string[] };

    expect(schema.required).not.toContain('nickname');
    expect(schema.required).not.toContain('website');
    expect(schema.required).toContain('note');
  });

  it('zod string formats come through', async () => {
    defineSchemaTasks();
    const schema = paramsSchemaOf(await fetchDocument(), 'zod-features') as {
      properties: Record<string, { format?: string }>;
    };

    expect(schema.properties.email?.format).toBe('email');
    expect(schema.properties.website?.format).toBe('uri');
    expect(schema.properties.id?.format).toBe('uuid');
    expect(schema.properties.when?.format).toBe('date-time');
  });

  it('valibot string formats come through', async () => {
    defineSchemaTasks();
    const schema = paramsSchemaOf(await fetchDocument(), 'valibot-features') as {
      properties: Record<string, { format?: string }>;
    };

    expect(schema.properties.email?.format).toBe('email');
    expect(schema.properties.website?.format).toBe('uri');
    expect(schema.properties.id?.format).toBe('uuid');
    expect(schema.properties.when?.format).toBe('date-time');
  });

  it('params schema has no $schema', async () => {
    defineSchemaTasks();
    const document = await fetchDocument();

    for (const { name } of [...zodCases, ...valibotCases])
      expect(paramsSchemaOf(document, name), name).not.toHaveProperty('$schema');
  });
});

describe('$ref rewriting', () => {
  it('zod definitions become task components', async () => {
    defineSchemaTasks();
    const document = await fetchDocument();
    const schemas = document.components.schemas ?? {};

    expect(schemas).toHaveProperty('ZodSharedParams');
    expect(schemas).toHaveProperty('ZodShared_OpenApiTestAddress');
    expect(collectRefs(schemas.ZodSharedParams)).toContain('#/components/schemas/ZodShared_OpenApiTestAddress');
    expect(JSON.stringify(document)).not.toContain('$defs');
  });

  it('recursive zod schema refers to itself', async () => {
    defineSchemaTasks();
    const schemas = (await fetchDocument()).components.schemas ?? {};

    const recursiveName = Object.keys(schemas).find(
      (name) => name.startsWith('ZodShared_') && name !== 'ZodShared_OpenApiTestAddress',
    );
    expect(recursiveName).toBeDefined();
    expect(collectRefs(schemas[recursiveName as string])).toContain(`#/components/schemas/${recursiveName}`);
  });

  it('recursive valibot schema refers to itself', async () => {
    defineSchemaTasks();
    const schemas = (await fetchDocument()).components.schemas ?? {};

    expect(schemas).toHaveProperty('ValibotShared_0');
    expect(collectRefs(schemas.ValibotShared_0)).toEqual(['#/components/schemas/ValibotShared_0']);
  });

  it('same definition name in two tasks', async () => {
    const address = z.object({ city: z.string() }).meta({ id: 'OpenApiTestSharedCity' });
    defineTask({ name: 'first', schema: z.object({ a: address, b: address }), run: () => null });
    defineTask({ name: 'second', schema: z.object({ a: address, b: address }), run: () => null });
    const document = await fetchDocument();

    expect(collectRefs(paramsSchemaOf(document, 'first'))).toEqual([
      '#/components/schemas/First_OpenApiTestSharedCity',
      '#/components/schemas/First_OpenApiTestSharedCity',
    ]);
    expect(collectRefs(paramsSchemaOf(document, 'second'))).toEqual([
      '#/components/schemas/Second_OpenApiTestSharedCity',
      '#/components/schemas/Second_OpenApiTestSharedCity',
    ]);
  });

  it('root self-reference points to params component', async () => {
    const schema = jsonSchemaValidator({
      type: 'object',
      properties: { next: { $ref: '#' }, list: { $ref: '#/properties/next' } },
    });
    defineTask({ name: 'linked', schema, run: () => null });
    const document = await fetchDocument();

    expect(paramsSchemaOf(document, 'linked')).toEqual({
      type: 'object',
      properties: {
        next: { $ref: '#/components/schemas/LinkedParams' },
        list: { $ref: '#/components/schemas/LinkedParams/properties/next' },
      },
    });
  });

  it('data keywords keep their $ref keys', async () => {
    const schema = jsonSchemaValidator({ type: 'object', const: { $ref: '#/x' }, default: { $ref: 'elsewhere' } });
    defineTask({ name: 'data-refs', schema, run: () => null });

    expect(paramsSchemaOf(await fetchDocument(), 'data-refs')).toEqual({
      type: 'object',
      const: { $ref: '#/x' },
      default: { $ref: 'elsewhere' },
    });
  });

  it('external $ref falls back', async () => {
    defineTask({
      name: 'external',
      schema: jsonSchemaValidator({ $ref: 'https://example.com/schema.json' }),
      run: () => null,
    });
    const document = await fetchDocument();

    expect(paramsSchemaOf(document, 'external').description).toContain('points outside the schema');
    expect(logger.lines.filter((line) => line.fields?.task === 'external')).toHaveLength(1);
  });

  it('task names that collide as identifiers', async () => {
    defineTask({ name: 'send-email', schema: z.object({}), run: () => null });
    defineTask({ name: 'sendEmail', schema: z.object({}), run: () => null });
    const document = await fetchDocument();

    expect(operationOf(document, 'send-email').operationId).toBe('sendEmail');
    expect(operationOf(document, 'sendEmail').operationId).toBe('sendEmail2');
    expect(document.components.schemas).toHaveProperty('SendEmailParams');
    expect(document.components.schemas).toHaveProperty('SendEmail2Params');
  });

  it('name starting with a digit', async () => {
    defineTask({ name: '1-click_buy', schema: z.object({}), run: () => null });

    expect(operationOf(await fetchDocument(), '1-click_buy').operationId).toBe('task1Click_buy');
  });
});

/** Creates a validator that accepts anything and returns `jsonSchema` as its Standard JSON Schema. */
function jsonSchemaValidator(jsonSchema: Record<string, unknown>) {
  return {
    '~standard': {
      version: 1 as const,
      vendor: 'test',
      validate: (value: unknown) => ({ value }),
      jsonSchema: { input: () => jsonSchema, output: () => jsonSchema },
    },
  };
}

describe('unrepresentable schemas', () => {
  it.each(unrepresentableCases.map((entry) => [entry.name, entry] as const))(
    'falls back to any JSON (%s)',
    async (_name, { name, reason }) => {
      defineSchemaTasks();
      const document = await fetchDocument();

      const schema = paramsSchemaOf(document, name);
      expect(Object.keys(schema)).toEqual(['description']);
      expect(schema.description).toContain(reason);
      expect(operationOf(document, name).description).toContain(reason);
    },
  );

  it.each(unrepresentableCases.map((entry) => [entry.name, entry] as const))(
    'warns once naming task (%s)',
    async (_name, { name, reason }) => {
      defineSchemaTasks();
      await fetchDocument();
      defineTask({ name: 'another', schema: z.object({}), run: () => null });
      await fetchDocument();

      const warnings = logger.lines.filter((line) => line.level === 'warn' && line.fields?.task === name);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toContain(`"${name}"`);
      expect(warnings[0]?.fields?.reason).toBe(reason);
    },
  );

  it('fallback still validates in handler', async () => {
    defineSchemaTasks();
    const validate = compileRequestBody(await fetchDocument(), 'custom-validator');

    expect(validate({ text: 1 })).toBe(true);
    expect((await postTask('custom-validator', { text: 1 })).status).toBe(422);
    expect((await postTask('custom-validator', { text: 'x' })).status).toBe(200);
  });

  it('throwing converter falls back', async () => {
    const schema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: (value: unknown) => ({ value }),
        jsonSchema: {
          input: () => {
            throw new Error('Unsupported target: draft-2020-12');
          },
          output: () => ({}),
        },
      },
    };
    defineTask({ name: 'throws', schema, run: () => null });

    expect(paramsSchemaOf(await fetchDocument(), 'throws').description).toContain('Unsupported target: draft-2020-12');
  });

  it('zod bigint falls back', async () => {
    defineTask({ name: 'big', schema: z.object({ amount: z.bigint() }), run: () => null });

    expect(paramsSchemaOf(await fetchDocument(), 'big').description).toContain('BigInt cannot be represented');
  });

  it('valibot check action is left out', async () => {
    const schema = v.object({
      even: v.pipe(
        v.number(),
        v.check((value) => value % 2 === 0, 'Must be even'),
      ),
    });
    defineTask({ name: 'even', schema, run: () => null });
    const document = await fetchDocument();

    expect(paramsSchemaOf(document, 'even')).toEqual({
      type: 'object',
      properties: { even: { type: 'number' } },
      required: ['even'],
    });
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });
});

describe('operation details', () => {
  it('summary and description from definition', async () => {
    defineTask({
      name: 'described',
      description: 'Sends a report. It takes a while.',
      schema: z.object({}),
      run: () => null,
    });
    defineTask({ name: 'bare', schema: z.object({}), run: () => null });
    const document = await fetchDocument();

    expect(operationOf(document, 'described').summary).toBe('Sends a report.');
    expect(operationOf(document, 'described').description).toBe('Sends a report. It takes a while.');
    expect(operationOf(document, 'bare').summary).toBe('Run the bare task');
    expect(operationOf(document, 'bare')).not.toHaveProperty('description');
  });

  it('operations carry the tasks tag', async () => {
    defineTask({ name: 'tagged', schema: z.object({}), run: () => null });
    const document = await fetchDocument();

    expect(operationOf(document, 'tagged').tags).toEqual(['tasks']);
    expect(document.tags.map((tag) => tag.name)).toEqual(['tasks']);
  });

  it('paths follow basePath', async () => {
    configureTasks({ basePath: '/internal/jobs' });
    defineTask({ name: 'moved', schema: z.object({}), run: () => null });

    expect(Object.keys((await buildOpenApiDocument()).paths)).toEqual(['/internal/jobs/moved']);
  });

  it('lists responses the handler gives', async () => {
    configureTasks({ auth: basicAuth({ username: 'user', password: 'secret' }) });
    defineTask({ name: 'listed', schema: z.object({}), run: () => null });

    const responses = operationOf(await buildOpenApiDocument(), 'listed').responses as Record<string, unknown>;

    expect(Object.keys(responses)).toEqual(['200', '400', '401', '404', '413', '415', '422', '500']);
  });

  it('error schema matches error body', async () => {
    defineTask({ name: 'fails', schema: z.object({ n: z.number() }), run: () => null });
    const document = await buildOpenApiDocument();
    const validateError = compileWithComponents(document, { $ref: '#/components/schemas/TaskErrorResponse' });

    const invalidParams = await (await postTask('fails', { n: 'x' })).json();
    const unknownTask = await (await postTask('missing', {})).json();

    expect(validateError(invalidParams)).toBe(true);
    expect(validateError(unknownTask)).toBe(true);
    expect(validateError({ error: { code: 'invalid_params', message: 'm', extra: 1 } })).toBe(false);
    expect(validateError({ error: { code: 'not_a_code', message: 'm' } })).toBe(false);
  });

  it('error code enum lists every code', async () => {
    const document = await buildOpenApiDocument();
    const schema = document.components.schemas?.TaskErrorResponse as {
      properties: { error: { properties: { code: { enum: string[] } } } };
    };

    expect(schema.properties.error.properties.code.enum.sort()).toEqual(Object.keys(STATUS_BY_CODE).sort());
  });

  it.each([
    ['400', 'InvalidJson', 'not json', 'invalid_json'],
    ['404', 'TaskNotFound', 'missing', 'task_not_found'],
    ['415', 'UnsupportedMediaType', 'text', 'unsupported_media_type'],
    ['422', 'InvalidParams', 'invalid', 'invalid_params'],
    ['500', 'TaskFailed', 'throws', 'task_failed'],
  ])('%s response schema matches handler', async (status, responseName, kind, code) => {
    defineTask({ name: 'checked', schema: z.object({ n: z.number() }), run: () => null });
    defineTask({
      name: 'broken',
      schema: z.object({}),
      run: () => {
        throw new Error('boom');
      },
    });
    const document = await buildOpenApiDocument();
    const response = (document.components.responses?.[responseName] ?? {}) as {
      content: { 'application/json': { schema: object } };
    };
    const validate = compileWithComponents(document, response.content['application/json'].schema);

    const request = {
      'not json': () => postRaw('checked', '{', 'application/json'),
      missing: () => postTask('missing', {}),
      text: () => postRaw('checked', '{}', 'text/plain'),
      invalid: () => postTask('checked', { n: 'x' }),
      throws: () => postTask('broken', {}),
    }[kind] as () => Promise<Response>;
    const actual = await request();
    const body = await actual.json();

    expect(String(actual.status)).toBe(status);
    expect(body.error.code).toBe(code);
    expect(validate(body)).toBe(true);
    expect(validate({ error: { code: code === 'invalid_json' ? 'forbidden' : 'invalid_json', message: 'm' } })).toBe(
      false,
    );
  });

  it('422 response requires issues', async () => {
    const document = await buildOpenApiDocument();
    const response = document.components.responses?.InvalidParams as {
      content: { 'application/json': { schema: object } };
    };
    const validate = compileWithComponents(document, response.content['application/json'].schema);

    expect(validate({ error: { code: 'invalid_params', message: 'm' } })).toBe(false);
    expect(
      validate({ error: { code: 'invalid_params', message: 'm', issues: [{ path: ['a', 0], message: 'x' }] } }),
    ).toBe(true);
  });

  it('200 schema matches run response', async () => {
    defineTask({ name: 'ok', schema: z.object({}), run: () => ({ done: true }) });
    const document = await buildOpenApiDocument();
    const validate = compileWithComponents(document, { $ref: '#/components/schemas/TaskRunResponse' });

    expect(validate(await (await postTask('ok', {})).json())).toBe(true);
    expect(validate({ id: 'x' })).toBe(false);
  });

  it('401 response has WWW-Authenticate header', async () => {
    const document = await buildOpenApiDocument();
    const response = document.components.responses?.Unauthorized as { headers: Record<string, { required: boolean }> };

    expect(response.headers['WWW-Authenticate']?.required).toBe(true);
  });
});

describe('security per operation', () => {
  /** Creates a custom authenticator object, such as an OIDC authenticator from another module. */
  function authenticator(scheme: string, challenge: string): Authenticator {
    return { scheme, challenge, authenticate: async () => ({ ok: true }) };
  }

  beforeEach(() => {
    configureTasks({ auth: basicAuth({ username: 'user', password: 'secret' }) });
    defineTask({ name: 'global', schema: z.object({}), run: () => null });
    defineTask({ name: 'public', schema: z.object({}), auth: noAuth(), run: () => null });
    defineTask({ name: 'signed', schema: z.object({}), auth: () => true, run: () => null });
    defineTask({
      name: 'queue',
      schema: z.object({}),
      auth: authenticator('oidc', 'Bearer realm="tasks"'),
      run: () => null,
    });
    defineTask({
      name: 'token',
      schema: z.object({}),
      auth: authenticator('api-key', 'ApiKey realm="x"'),
      run: () => null,
    });
  });

  it('basic auth maps to http basic', async () => {
    const document = await buildOpenApiDocument();

    expect(operationOf(document, 'global').security).toEqual([{ basicAuth: [] }]);
    expect(document.components.securitySchemes?.basicAuth).toEqual({ type: 'http', scheme: 'basic' });
  });

  it('noAuth task has empty security', async () => {
    const operation = operationOf(await buildOpenApiDocument(), 'public');

    expect(operation.security).toEqual([]);
    expect(Object.keys(operation.responses as object)).not.toContain('401');
  });

  it('oidc maps to bearer JWT', async () => {
    const document = await buildOpenApiDocument();
    const operation = operationOf(document, 'queue');

    expect(operation.security).toEqual([{ oidcAuth: [] }]);
    expect(document.components.securitySchemes?.oidcAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(Object.keys(operation.responses as object)).toEqual(expect.arrayContaining(['401', '403', '503']));
  });

  it('custom function maps to custom scheme', async () => {
    const document = await buildOpenApiDocument();
    const operation = operationOf(document, 'signed');

    expect(operation.security).toEqual([{ customAuth: [] }]);
    expect(document.components.securitySchemes?.customAuth).toMatchObject({ type: 'http', scheme: 'custom' });
    expect(Object.keys(operation.responses as object)).not.toContain('503');
  });

  it('custom authenticator uses its challenge scheme', async () => {
    const document = await buildOpenApiDocument();

    expect(operationOf(document, 'token').security).toEqual([{ 'api-keyAuth': [] }]);
    expect(document.components.securitySchemes?.['api-keyAuth']).toMatchObject({ type: 'http', scheme: 'apikey' });
  });

  it('handler auth overrides global', async () => {
    const document = await buildOpenApiDocument({ handlerAuth: noAuth() });

    expect(operationOf(document, 'global').security).toEqual([]);
    expect(operationOf(document, 'signed').security).toEqual([{ customAuth: [] }]);
  });

  it('no authenticator still lists 401', async () => {
    resetTasks();
    configureTasks({ logger });
    vi.stubEnv('TASKS_API_AUTHENTICATION', '');
    defineTask({ name: 'unprotected', schema: z.object({}), run: () => null });
    const operation = operationOf(await buildOpenApiDocument(), 'unprotected');

    expect(operation).not.toHaveProperty('security');
    expect(Object.keys(operation.responses as object)).toContain('401');
    expect(operation.description).toContain('No authentication is configured');
    vi.unstubAllEnvs();
  });

  it('invalid env authentication is noted', async () => {
    resetTasks();
    configureTasks({ logger });
    vi.stubEnv('TASKS_API_AUTHENTICATION', 'bogus');
    defineTask({ name: 'misconfigured', schema: z.object({}), run: () => null });
    const operation = operationOf(await buildOpenApiDocument(), 'misconfigured');

    expect(operation).not.toHaveProperty('security');
    expect(operation.description).toContain('authentication setting of the server is invalid');
    vi.unstubAllEnvs();
  });

  it('document with every scheme is valid', async () => {
    const document = await buildOpenApiDocument();

    expect(
      (await new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>)).valid,
    ).toBe(true);
  });
});

describe('merge', () => {
  const fragment = {
    openapi: '3.0.0',
    info: { title: 'ignored', version: '9' },
    paths: {
      '/api/hello': {
        get: {
          operationId: 'hello',
          tags: ['misc'],
          responses: {
            '200': {
              description: 'Hi',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Hello' } } },
            },
          },
        },
      },
      '/api/tasks/clash': { get: { responses: { '200': { description: 'Never' } } } },
    },
    components: {
      schemas: { Hello: { type: 'object', properties: { text: { type: 'string' } } }, ClashParams: { type: 'string' } },
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic' },
        cookie: { type: 'apiKey', in: 'cookie', name: 's' },
      },
    },
    tags: [
      { name: 'misc', description: 'Other routes' },
      { name: 'tasks', description: 'Ignored duplicate' },
    ],
  };

  beforeEach(() => {
    configureTasks({ auth: basicAuth({ username: 'user', password: 'secret' }) });
    defineTask({ name: 'clash', schema: z.object({ a: z.string() }), run: () => null });
    defineTask({ name: 'hello', schema: z.object({}), run: () => null });
  });

  it('adds fragment paths and components', async () => {
    const document = await buildOpenApiDocument({ merge: fragment });

    expect(document.paths['/api/hello']).toEqual(fragment.paths['/api/hello']);
    expect(document.components.schemas?.Hello).toEqual(fragment.components.schemas.Hello);
    expect(document.components.securitySchemes?.cookie).toEqual(fragment.components.securitySchemes.cookie);
    expect(document.tags.map((tag) => tag.name)).toEqual(['tasks', 'misc']);
  });

  it('colliding path is left out', async () => {
    const document = await buildOpenApiDocument({ merge: fragment });

    expect(Object.keys(document.paths['/api/tasks/clash'] ?? {})).toEqual(['post']);
  });

  it('colliding path is logged once', async () => {
    await buildOpenApiDocument({ merge: fragment });
    await buildOpenApiDocument({ merge: fragment });

    const errors = logger.lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('/api/tasks/clash');
  });

  it('generated names avoid fragment names', async () => {
    const document = await buildOpenApiDocument({ merge: fragment });

    expect(document.components.schemas?.ClashParams).toEqual({ type: 'string' });
    expect(paramsSchemaOf(document, 'clash')).toMatchObject({ properties: { a: { type: 'string' } } });
    expect(operationOf(document, 'hello').operationId).toBe('hello2');
  });

  it('equal security scheme is shared', async () => {
    const document = await buildOpenApiDocument({ merge: fragment });

    expect(operationOf(document, 'clash').security).toEqual([{ basicAuth: [] }]);
    expect(Object.keys(document.components.securitySchemes ?? {}).sort()).toEqual(['basicAuth', 'cookie']);
  });

  it('merged document is valid', async () => {
    const document = await buildOpenApiDocument({ merge: fragment });

    expect(
      (await new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>)).valid,
    ).toBe(true);
  });
});

describe('info', () => {
  let workDir: string;

  beforeEach(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'ngt-openapi-'));
  });

  afterEach(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('defaults from app package.json', async () => {
    await writeFile(
      path.join(workDir, 'package.json'),
      JSON.stringify({ name: 'shop', version: '2.3.4', description: 'Shop tasks' }),
    );
    vi.spyOn(process, 'cwd').mockReturnValue(workDir);

    expect((await buildOpenApiDocument()).info).toEqual({ title: 'shop', version: '2.3.4', description: 'Shop tasks' });
  });

  it('built-in defaults without package.json', async () => {
    vi.spyOn(process, 'cwd').mockReturnValue(workDir);

    expect((await buildOpenApiDocument()).info).toEqual({ title: 'Tasks API', version: '0.0.0' });
  });

  it('built-in defaults for invalid package.json', async () => {
    await writeFile(path.join(workDir, 'package.json'), '{ not json');
    vi.spyOn(process, 'cwd').mockReturnValue(workDir);

    expect((await buildOpenApiDocument()).info).toEqual({ title: 'Tasks API', version: '0.0.0' });
  });

  it('options override package.json', async () => {
    await writeFile(path.join(workDir, 'package.json'), JSON.stringify({ name: 'shop', version: '2.3.4' }));
    vi.spyOn(process, 'cwd').mockReturnValue(workDir);

    const document = await buildOpenApiDocument({
      title: 'Shop API',
      version: '1.0.0',
      description: 'Background jobs.',
    });

    expect(document.info).toEqual({ title: 'Shop API', version: '1.0.0', description: 'Background jobs.' });
  });

  it('servers are listed', async () => {
    const servers = [{ url: 'https://shop.example.com', description: 'Production' }];

    expect((await buildOpenApiDocument({ servers })).servers).toEqual(servers);
    expect(await buildOpenApiDocument()).not.toHaveProperty('servers');
  });
});
