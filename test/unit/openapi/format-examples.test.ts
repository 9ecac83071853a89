// Short `examples` on string formats that also have a `pattern`, so Swagger UI's "Try it out"
// body shows a readable value instead of a long random string made from the pattern.
import { Validator } from '@seriousme/openapi-schema-validator';
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { configureTasks, defineTask, noAuth } from '../../../src/index.js';
import type { OpenApiDocument } from '../../../src/openapi/index.js';
import { resetTasks, silentLogger } from '../../../src/testing/index.js';
import { compileRequestBody, fetchDocument, postTask } from './fixtures.js';

type SchemaNode = { examples?: unknown[]; pattern?: string; default?: unknown };

beforeEach(() => {
  resetTasks();
  configureTasks({ logger: silentLogger, auth: noAuth() });
});

/** Returns the properties of the params schema of task `name`. */
function propertiesOf(document: OpenApiDocument, name: string): Record<string, SchemaNode> {
  const operationId = name.replace(/-+([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
  const componentName = `${operationId.charAt(0).toUpperCase()}${operationId.slice(1)}Params`;
  const schema = document.components.schemas?.[componentName] as { properties: Record<string, SchemaNode> };
  return schema.properties;
}

/** One field per zod string format that carries a pattern, with the example it should get. */
const zodFormats = {
  email: [z.email(), 'user@example.com'],
  uuid: [z.uuid(), '123e4567-e89b-42d3-a456-426614174000'],
  uuidV7: [z.uuidv7(), '01890a5d-ac96-774b-bcce-b302099a8057'],
  dateTime: [z.iso.datetime(), '2025-01-31T09:30:00Z'],
  dateTimeMilliseconds: [z.iso.datetime({ precision: 3 }), '2025-01-31T09:30:00.000Z'],
  date: [z.iso.date(), '2025-01-31'],
  duration: [z.iso.duration(), 'P3D'],
  ipv4: [z.ipv4(), '192.0.2.1'],
  ipv6: [z.ipv6(), '2001:db8::1'],
  cidrv4: [z.cidrv4(), '192.0.2.0/24'],
  cidrv6: [z.cidrv6(), '2001:db8::/32'],
  hostname: [z.hostname(), 'example.com'],
  base64: [z.base64(), 'SGVsbG8='],
  e164: [z.e164(), '+15555550100'],
} as const;

function defineFormatsTask(): void {
  const shape = Object.fromEntries(Object.entries(zodFormats).map(([key, [schema]]) => [key, schema]));
  defineTask({ name: 'zod-formats', schema: z.object(shape), run: (params) => params });
}

describe('format examples', () => {
  it('email in array gets short example', async () => {
    defineTask({
      name: 'send-email',
      schema: z.object({ recipients: z.array(z.email()).min(1) }),
      run: () => undefined,
    });
    const document = await fetchDocument();

    const recipients = propertiesOf(document, 'send-email').recipients as { items: SchemaNode };
    expect(recipients.items.pattern).toBeDefined();
    expect(recipients.items.examples).toEqual(['user@example.com']);
  });

  it('each zod format gets its example', async () => {
    defineFormatsTask();
    const properties = propertiesOf(await fetchDocument(), 'zod-formats');

    for (const [key, [, example]] of Object.entries(zodFormats)) {
      expect(properties[key]?.examples, key).toEqual([example]);
    }
  });

  it('examples pass document schema', async () => {
    defineFormatsTask();
    const document = await fetchDocument();
    const validate = compileRequestBody(document, 'zod-formats');
    const body = Object.fromEntries(Object.entries(zodFormats).map(([key, [, example]]) => [key, example]));

    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  });

  it('examples pass zod validation', async () => {
    defineFormatsTask();
    const body = Object.fromEntries(Object.entries(zodFormats).map(([key, [, example]]) => [key, example]));

    const response = await postTask('zod-formats', body);

    expect(response.status, await response.clone().text()).toBe(200);
  });

  it('document with examples stays valid', async () => {
    defineFormatsTask();
    const document = await fetchDocument();

    const result = await new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>);

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('own examples and defaults are kept', async () => {
    defineTask({
      name: 'own-values',
      schema: z.object({
        described: z.email().meta({ examples: ['ops@example.org'] }),
        defaulted: z.email().default('team@example.org'),
      }),
      run: () => undefined,
    });
    const properties = propertiesOf(await fetchDocument(), 'own-values');

    expect(properties.described?.examples).toEqual(['ops@example.org']);
    expect(properties.defaulted?.default).toBe('team@example.org');
    expect(properties.defaulted?.examples).toBeUndefined();
  });

  it('example breaking a constraint is left out', async () => {
    defineTask({
      name: 'short-email',
      schema: z.object({ email: z.email().max(10), corporate: z.email({ pattern: /@corp\.example$/ }) }),
      run: () => undefined,
    });
    const properties = propertiesOf(await fetchDocument(), 'short-email');

    expect(properties.email?.examples).toBeUndefined();
    expect(properties.corporate?.pattern).toBe('@corp\\.example$');
    expect(properties.corporate?.examples).toBeUndefined();
  });

  it('format without pattern gets no example', async () => {
    defineTask({
      name: 'plain-formats',
      schema: v.object({ email: v.pipe(v.string(), v.email()), website: v.pipe(v.string(), v.url()) }),
      run: () => undefined,
    });
    const properties = propertiesOf(await fetchDocument(), 'plain-formats');

    expect(properties.email?.pattern).toBeUndefined();
    expect(properties.email?.examples).toBeUndefined();
    expect(properties.website?.examples).toBeUndefined();
  });
});
