// Options of startCloudTasksEmulator: defaults, checks, and the addresses it reports.
import { createServer } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { type CloudTasksEmulator, startCloudTasksEmulator } from '../../../src/emulator/index.js';
import { rejectionOf } from '../helpers.js';
import { connectClient, queuePath } from './support.js';

let running: CloudTasksEmulator | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('emulator options', () => {
  it('reports addresses of both servers', async () => {
    running = await startCloudTasksEmulator({ port: 0, httpPort: 0 });

    expect(running.host).toBe('127.0.0.1');
    expect(running.apiEndpoint).toBe('127.0.0.1');
    expect(running.port).toBeGreaterThan(0);
    expect(running.grpcAddress).toBe(`127.0.0.1:${running.port}`);
    expect(running.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.certsUrl).toBe(`${running.httpUrl}/certs`);
    expect(running.jwksUrl).toBe(`${running.httpUrl}/jwks`);
    expect(running.issuer).toBe('https://accounts.google.com');
  });

  it('listens on an IPv6 loopback host', async () => {
    running = await startCloudTasksEmulator({ host: '::1', port: 0, httpPort: 0 });
    const name = queuePath();
    const client = connectClient(running.apiEndpoint, running.port);

    await client.createQueue({ parent: name.replace(/\/queues\/.*$/, ''), queue: { name } });
    await client.close();
    const certs = await fetch(running.certsUrl);

    expect(running.apiEndpoint).toBe('[::1]');
    expect(running.grpcAddress).toBe(`[::1]:${running.port}`);
    expect(running.httpUrl).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect(certs.status).toBe(200);
  });

  it('rejects invalid options', async () => {
    const cases: Array<[object, string]> = [
      [{ port: -1 }, 'port'],
      [{ httpPort: 65_536 }, 'httpPort'],
      [{ port: 1.5 }, 'port'],
      [{ host: '' }, 'host'],
      [{ issuer: ' spaced ' }, 'issuer'],
      [{ queues: ['projects/p/queues/q'] }, 'queues'],
      [{ tombstoneMs: -5 }, 'tombstoneMs'],
      [{ limits: { minDispatchDeadlineMs: 0 } }, 'minDispatchDeadlineMs'],
      [{ maxRecords: 0 }, 'maxRecords'],
      [{ maxRecords: 2.5 }, 'maxRecords'],
    ];

    for (const [options, name] of cases) {
      const error = await rejectionOf(startCloudTasksEmulator({ port: 0, httpPort: 0, ...options }));

      expect(error.code, name).toBe('configuration_error');
      expect(error.message, name).toContain(name);
    }
  });

  it('maxRecords keeps the newest records', async () => {
    running = await startCloudTasksEmulator({ port: 0, httpPort: 0, maxRecords: 2 });
    const client = connectClient(running.apiEndpoint, running.port);
    const parent = queuePath('missing');

    for (const id of ['first', 'second', 'third']) {
      // The queue does not exist, so each request is rejected, and the emulator records it all the same.
      await client.createTask({ parent, task: { name: `${parent}/tasks/${id}` } }).catch(() => undefined);
    }
    await client.close();
    const kept = running.createdTasks().map((record) => record.task.name);

    expect(kept).toEqual([`${parent}/tasks/second`, `${parent}/tasks/third`]);
  });

  it.each([
    ['gRPC', 'port', (port: number) => ({ port, httpPort: 0 })],
    ['HTTP', 'httpPort', (port: number) => ({ port: 0, httpPort: port })],
  ])('reports a taken %s port', async (_protocol, option, options) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };

    try {
      const error = await startCloudTasksEmulator(options(port)).catch((caught: Error) => caught);

      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect((error as Error).message).toContain('EADDRINUSE');
      expect((error as Error).message).toContain(`Set the \`${option}\` option to another port`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
