// Without the optional peer @valibot/to-json-schema, valibot tasks fall back to any JSON and one
// warning names the install command. The package is mocked as missing, and the library's modules
// are imported fresh so that none of them has loaded the real package yet.
import * as v from 'valibot';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { type CapturingLogger, capturingLogger } from '../helpers.js';

let logger: CapturingLogger;

beforeEach(() => {
  vi.resetModules();
  vi.doMock('@valibot/to-json-schema', () => {
    throw Object.assign(new Error("Cannot find package '@valibot/to-json-schema'"), { code: 'ERR_MODULE_NOT_FOUND' });
  });
  logger = capturingLogger();
});

afterEach(() => {
  vi.doUnmock('@valibot/to-json-schema');
});

async function loadLibrary() {
  const core = await import('../../../src/index.js');
  const testing = await import('../../../src/testing/index.js');
  const openapi = await import('../../../src/openapi/index.js');
  testing.resetTasks();
  core.configureTasks({ logger, auth: core.noAuth() });
  return { ...core, ...openapi };
}

it('valibot tasks fall back to any JSON', async () => {
  const { buildOpenApiDocument, defineTask } = await loadLibrary();
  defineTask({ name: 'contacts', schema: v.object({ csv: v.string() }), run: () => null });

  const document = await buildOpenApiDocument();

  expect(document.components.schemas?.ContactsParams).toEqual({
    description: expect.stringContaining('npm install @valibot/to-json-schema'),
  });
});

it('one warning names install command', async () => {
  const { buildOpenApiDocument, defineTask } = await loadLibrary();
  defineTask({ name: 'first', schema: v.object({ a: v.string() }), run: () => null });
  defineTask({ name: 'second', schema: v.object({ b: v.string() }), run: () => null });

  await buildOpenApiDocument();
  await buildOpenApiDocument();

  const warnings = logger.lines.filter((line) => line.level === 'warn');
  expect(warnings).toHaveLength(1);
  expect(warnings[0]?.message).toContain('npm install @valibot/to-json-schema');
});

it('zod tasks are unaffected', async () => {
  const { buildOpenApiDocument, defineTask } = await loadLibrary();
  defineTask({ name: 'mail', schema: z.object({ to: z.string() }), run: () => null });

  const document = await buildOpenApiDocument();

  expect(document.components.schemas?.MailParams).toMatchObject({ properties: { to: { type: 'string' } } });
  expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
});
