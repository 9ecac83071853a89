// Methods on the names the route serves besides tasks: the OpenAPI document and the docs page files.
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { configureTasks, defineTask, noAuth } from '../../src/index.js';
import { createTaskHandlers } from '../../src/next/index.js';
import { resetTasks, silentLogger } from '../../src/testing/index.js';

beforeEach(() => {
  resetTasks();
  configureTasks({ logger: silentLogger, auth: noAuth() });
});

function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', name: string): Promise<Response> {
  const handlers = createTaskHandlers();
  const request = new Request(`http://localhost/api/tasks/${name}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : '{}',
  });
  return handlers[method](request, { params: Promise.resolve({ name }) });
}

async function codeOf(response: Response): Promise<string> {
  const body = (await response.json()) as { error: { code: string } };
  return body.error.code;
}

describe('route methods on docs names', () => {
  it.each(['openapi.json', 'docs.js', 'docs.css'])('DELETE %s allows GET and HEAD', async (name) => {
    const response = await call('DELETE', name);

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it.each(['openapi.json', 'docs-init.js'])('POST %s is 405', async (name) => {
    const response = await call('POST', name);

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('PUT docs allows POST too', async () => {
    const response = await call('PUT', 'docs');

    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('POST docs runs a task named docs', async () => {
    defineTask({ name: 'docs', schema: z.object({}), run: () => 'ran' });

    const response = await call('POST', 'docs');

    expect(response.status).toBe(200);
  });

  it('GET unknown dotted name is 404', async () => {
    const response = await call('GET', 'docs.txt');

    expect(response.status).toBe(404);
    expect(await codeOf(response)).toBe('task_not_found');
  });

  it.each(['POST', 'PUT', 'DELETE'] as const)('%s unknown dotted name is 404', async (method) => {
    const response = await call(method, 'docs.txt');

    expect(response.status).toBe(404);
  });

  it('GET task name is 405 with POST', async () => {
    defineTask({ name: 'send-email', schema: z.object({}), run: () => null });

    const response = await call('GET', 'send-email');

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('PUT task name is 405 with POST', async () => {
    const response = await call('PUT', 'send-email');

    expect(response.headers.get('allow')).toBe('POST');
  });
});
