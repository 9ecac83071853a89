// HTTP dispatch of the Cloud Tasks emulator: the request a target receives, schedule times,
// deadlines, retries with backoff, paused queues and concurrency, against real loopback servers.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  createQueue,
  type EmulatorHarness,
  grpcErrorOf,
  queuePath,
  type ReceivedRequest,
  Status,
  startHarness,
  startTarget,
  type TargetServer,
  timestampIn,
} from './support.js';

let harness: EmulatorHarness;
let targets: TargetServer[] = [];

beforeAll(async () => {
  harness = await startHarness({ limits: { minDispatchDeadlineMs: 50 } });
});

afterAll(async () => {
  await harness.close();
});

afterEach(async () => {
  await Promise.all(targets.map((target) => target.close()));
  targets = [];
});

async function target(respond?: Parameters<typeof startTarget>[0]): Promise<TargetServer> {
  const server = await startTarget(respond);
  targets.push(server);
  return server;
}

/** Creates a queue with the given retry settings and a task in it; returns the task's full name. */
async function enqueue(task: object, retryConfig?: object, rateLimits?: object): Promise<string> {
  const queue = queuePath();
  await createQueue(harness.client, queue, {
    ...(retryConfig === undefined ? {} : { retryConfig }),
    ...(rateLimits === undefined ? {} : { rateLimits }),
  });
  const [created] = await harness.client.createTask({ parent: queue, task });
  return created.name ?? '';
}

function dispatchesOf(taskName: string) {
  return harness.emulator.dispatches().filter((record) => record.taskName === taskName);
}

async function waitForAttempts(taskName: string, count: number, okOnly = false) {
  await harness.emulator.waitForDispatches(
    (all) => all.filter((d) => d.taskName === taskName && (!okOnly || d.ok)).length >= count,
  );
  return dispatchesOf(taskName);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const FAST_RETRIES = { maxAttempts: 5, minBackoff: { nanos: 50_000_000 }, maxBackoff: { seconds: 1 }, maxDoublings: 4 };

describe('emulator dispatch request', () => {
  it('sends url, method, headers and body bytes', async () => {
    const server = await target();
    const body = Buffer.from(JSON.stringify({ city: 'Zürich', greeting: 'こんにちは', emoji: '🚀' }));
    const name = await enqueue({
      httpRequest: {
        url: `${server.url}/api/tasks/send?ref=a%20b`,
        httpMethod: 'PUT',
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Trace': 'abc' },
        body,
      },
    });

    await waitForAttempts(name, 1);
    const received = server.requests[0] as ReceivedRequest;

    expect(received.method).toBe('PUT');
    expect(received.path).toBe('/api/tasks/send?ref=a%20b');
    expect(received.body.equals(body)).toBe(true);
    expect(received.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(received.headers['x-trace']).toBe('abc');
    expect(received.headers['content-length']).toBe(String(body.length));
  });

  it('sends GET without body', async () => {
    const server = await target();
    const name = await enqueue({ httpRequest: { url: `${server.url}/ping`, httpMethod: 'GET' } });

    await waitForAttempts(name, 1);
    const received = server.requests[0] as ReceivedRequest;

    expect(received.method).toBe('GET');
    expect(received.body.length).toBe(0);
    expect(received.headers['content-length']).toBeUndefined();
  });

  it('sends X-CloudTasks headers on first attempt', async () => {
    const server = await target();
    const queue = queuePath('headers');
    await createQueue(harness.client, queue);
    const scheduleTime = timestampIn(150);
    const taskName = `${queue}/tasks/first-attempt`;
    await harness.client.createTask({
      parent: queue,
      task: { name: taskName, scheduleTime, httpRequest: { url: server.url } },
    });

    await waitForAttempts(taskName, 1);
    const headers = (server.requests[0] as ReceivedRequest).headers;
    const eta = Number(headers['x-cloudtasks-tasketa']);

    expect(headers['x-cloudtasks-queuename']).toBe(queue.split('/').pop());
    expect(headers['x-cloudtasks-taskname']).toBe('first-attempt');
    expect(headers['x-cloudtasks-taskretrycount']).toBe('0');
    expect(headers['x-cloudtasks-taskexecutioncount']).toBe('0');
    expect(headers['x-cloudtasks-tasketa']).toMatch(/^\d{10}\.\d{6}$/);
    expect(eta).toBeCloseTo(scheduleTime.seconds + scheduleTime.nanos / 1e9, 2);
    expect(headers['user-agent']).toBe('Google-Cloud-Tasks');
    expect(headers['x-cloudtasks-taskpreviousresponse']).toBeUndefined();
    expect(headers['x-cloudtasks-taskretryreason']).toBeUndefined();
  });

  it('replaces headers Cloud Tasks controls', async () => {
    const server = await target();
    const name = await enqueue({
      httpRequest: {
        url: server.url,
        headers: {
          'User-Agent': 'mine',
          'X-CloudTasks-TaskRetryCount': '99',
          'X-Google-Internal': 'x',
          'X-AppEngine-Country': 'x',
          Host: 'elsewhere.example',
          'X-Custom': 'kept',
        },
      },
    });

    await waitForAttempts(name, 1);
    const headers = (server.requests[0] as ReceivedRequest).headers;

    expect(headers['user-agent']).toBe('Google-Cloud-Tasks');
    expect(headers['x-cloudtasks-taskretrycount']).toBe('0');
    expect(headers['x-google-internal']).toBeUndefined();
    expect(headers['x-appengine-country']).toBeUndefined();
    expect(headers.host).toBe(new URL(server.url).host);
    expect(headers['x-custom']).toBe('kept');
  });

  it('dispatches at schedule time', async () => {
    const server = await target();
    const scheduledAt = Date.now() + 400;
    const name = await enqueue({ httpRequest: { url: server.url }, scheduleTime: timestampIn(400) });

    await sleep(200);
    const early = server.requests.length;
    await waitForAttempts(name, 1);

    expect(early).toBe(0);
    expect((server.requests[0] as ReceivedRequest).receivedAt).toBeGreaterThanOrEqual(scheduledAt);
  });

  it('records each dispatch attempt', async () => {
    const server = await target();
    const name = await enqueue({ httpRequest: { url: `${server.url}/run`, body: Buffer.from('hi') } });

    const [record] = await waitForAttempts(name, 1);

    expect(record?.url).toBe(`${server.url}/run`);
    expect(record?.method).toBe('POST');
    expect(record?.status).toBe(200);
    expect(record?.ok).toBe(true);
    expect(record?.attempt).toBe(1);
    expect(record?.body.toString()).toBe('hi');
    expect(record?.headers['x-cloudtasks-taskname']).toBe(name.split('/').pop());
    expect(record?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('deletes a task after success', async () => {
    const server = await target();
    const name = await enqueue({ httpRequest: { url: server.url } });

    await waitForAttempts(name, 1, true);
    const error = await grpcErrorOf(harness.client.getTask({ name }));

    expect(error.code).toBe(Status.NOT_FOUND);
  });
});

describe('emulator dispatch retries', () => {
  it('retries until third attempt succeeds', async () => {
    const server = await target((_request, index) => (index < 2 ? 500 : 204));
    const name = await enqueue({ httpRequest: { url: server.url } }, FAST_RETRIES);

    const records = await waitForAttempts(name, 1, true);
    const third = (server.requests[2] as ReceivedRequest).headers;

    expect(records.map((record) => record.status)).toEqual([500, 500, 204]);
    expect(records.map((record) => record.attempt)).toEqual([1, 2, 3]);
    expect(third['x-cloudtasks-taskretrycount']).toBe('2');
    expect(third['x-cloudtasks-taskexecutioncount']).toBe('0');
    expect(third['x-cloudtasks-taskpreviousresponse']).toBe('500');
    expect(third['x-cloudtasks-taskretryreason']).toBe('HTTP_500');
  });

  it('counts 4xx answers as executions', async () => {
    const server = await target((_request, index) => (index < 2 ? 404 : 200));
    const name = await enqueue({ httpRequest: { url: server.url } }, FAST_RETRIES);

    await waitForAttempts(name, 1, true);
    const third = (server.requests[2] as ReceivedRequest).headers;

    expect(third['x-cloudtasks-taskretrycount']).toBe('2');
    expect(third['x-cloudtasks-taskexecutioncount']).toBe('2');
    expect(third['x-cloudtasks-taskpreviousresponse']).toBe('404');
  });

  it('waits the doubling backoff between attempts', async () => {
    const server = await target((_request, index) => (index < 3 ? 503 : 200));
    const name = await enqueue(
      { httpRequest: { url: server.url } },
      { maxAttempts: 5, minBackoff: { nanos: 100_000_000 }, maxBackoff: { seconds: 10 }, maxDoublings: 5 },
    );

    await waitForAttempts(name, 1, true);
    const times = server.requests.map((request) => request.receivedAt);
    const gaps = times.slice(1).map((time, index) => time - (times[index] as number));

    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    expect(gaps[2]).toBeLessThan(1500);
  });

  it('logs each retry with its delay', async () => {
    const server = await target((_request, index) => (index < 1 ? 500 : 200));
    const name = await enqueue({ httpRequest: { url: `${server.url}/run?token=query-secret` } }, FAST_RETRIES);

    await waitForAttempts(name, 1, true);
    const retry = harness.logger.lines.find((line) => line.message === 'Retrying task' && line.fields?.task === name);
    const dispatched = harness.logger.lines.filter(
      (line) => line.message === 'Dispatched task' && line.fields?.task === name,
    );

    expect(retry?.fields?.delayMs).toBe(50);
    expect(retry?.fields?.nextAttempt).toBe(2);
    expect(dispatched.map((line) => line.fields?.status)).toEqual([500, 200]);
    expect(dispatched[0]?.fields?.attempt).toBe(1);
    expect(dispatched[0]?.fields?.url).toBe(`${server.url}/run`);
    expect(harness.logger.text()).not.toContain('query-secret');
    expect(typeof dispatched[0]?.fields?.durationMs).toBe('number');
  });

  it('deletes a task after its last attempt', async () => {
    const server = await target(() => 500);
    const name = await enqueue({ httpRequest: { url: server.url } }, { ...FAST_RETRIES, maxAttempts: 2 });

    await waitForAttempts(name, 2);
    const error = await grpcErrorOf(harness.client.getTask({ name }));
    const logged = harness.logger.lines.find(
      (line) => line.message === 'Task failed on its last attempt; deleting it' && line.fields?.task === name,
    );

    expect(server.requests).toHaveLength(2);
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(logged?.level).toBe('error');
    expect(logged?.fields?.attempts).toBe(2);
  });

  it('keeps retrying until maxRetryDuration passes', async () => {
    const server = await target(() => 500);
    const name = await enqueue(
      { httpRequest: { url: server.url } },
      { maxAttempts: -1, maxRetryDuration: { nanos: 300_000_000 }, minBackoff: { nanos: 50_000_000 }, maxDoublings: 0 },
    );

    await harness.emulator.waitForDispatches(() =>
      harness.logger.lines.some(
        (line) => line.message.startsWith('Task failed on its last') && line.fields?.task === name,
      ),
    );
    const records = dispatchesOf(name);
    const span = (records.at(-1)?.startedAt.getTime() ?? 0) - (records[0]?.startedAt.getTime() ?? 0);

    expect(records.length).toBeGreaterThanOrEqual(4);
    expect(span).toBeGreaterThanOrEqual(250);
  });

  it('aborts an attempt at dispatchDeadline', async () => {
    const server = await target(async (_request, index) => {
      if (index === 0) await sleep(1000);
      return 200;
    });
    const name = await enqueue(
      { httpRequest: { url: server.url }, dispatchDeadline: { nanos: 200_000_000 } },
      FAST_RETRIES,
    );

    const records = await waitForAttempts(name, 1, true);
    const second = (server.requests[1] as ReceivedRequest).headers;

    expect(records[0]?.status).toBeUndefined();
    expect(records[0]?.error).toContain('DEADLINE_EXCEEDED');
    expect(records[0]?.durationMs).toBeGreaterThanOrEqual(190);
    expect(records[0]?.durationMs).toBeLessThan(900);
    expect(records[1]?.ok).toBe(true);
    expect(second['x-cloudtasks-taskretryreason']).toBe('DEADLINE_EXCEEDED');
    expect(second['x-cloudtasks-taskpreviousresponse']).toBeUndefined();
  });

  it('reports a failed attempt through getTask', async () => {
    const server = await target(() => 404);
    const before = Date.now();
    const name = await enqueue(
      { httpRequest: { url: server.url } },
      { maxAttempts: 3, minBackoff: { seconds: 20 }, maxBackoff: { seconds: 60 } },
    );

    await waitForAttempts(name, 1);
    const [task] = await harness.client.getTask({ name });
    const nextAttemptMs = Number(task.scheduleTime?.seconds) * 1000;

    expect(task.dispatchCount).toBe(1);
    expect(task.responseCount).toBe(1);
    expect(task.firstAttempt?.dispatchTime).toBeTruthy();
    expect(task.lastAttempt?.responseStatus?.code).toBe(Status.NOT_FOUND);
    expect(task.lastAttempt?.responseStatus?.message).toBe('HTTP 404');
    expect(nextAttemptMs).toBeGreaterThanOrEqual(before + 19_000);
    expect(nextAttemptMs).toBeLessThanOrEqual(Date.now() + 21_000);
  });

  it('runTask rejects a task in flight', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await target(async () => {
      await held;
      return 200;
    });
    const name = await enqueue({ httpRequest: { url: server.url } }, FAST_RETRIES);
    while (server.requests.length === 0) await sleep(10);

    const error = await grpcErrorOf(harness.client.runTask({ name }));
    release();
    await waitForAttempts(name, 1, true);

    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.details).toContain('being dispatched');
  });

  it('retries after a connection error', async () => {
    const closedUrl = await unusedLoopbackUrl();
    const name = await enqueue({ httpRequest: { url: closedUrl } }, { ...FAST_RETRIES, maxAttempts: 2 });

    const records = await waitForAttempts(name, 2);

    expect(records[0]?.error).toContain('UNAVAILABLE');
    expect(records[1]?.headers['x-cloudtasks-taskretryreason']).toBe('UNAVAILABLE');
  });
});

describe('emulator queue control', () => {
  it('paused queue holds tasks until resumed', async () => {
    const server = await target();
    const queue = queuePath('paused');
    await createQueue(harness.client, queue);
    await harness.client.pauseQueue({ name: queue });
    const [task] = await harness.client.createTask({ parent: queue, task: { httpRequest: { url: server.url } } });

    await sleep(300);
    const whilePaused = server.requests.length;
    await harness.client.resumeQueue({ name: queue });
    await waitForAttempts(task.name ?? '', 1);

    expect(whilePaused).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it('limits concurrent dispatches per queue', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const server = await target(async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(80);
      inFlight -= 1;
      return 200;
    });
    const queue = queuePath('serial');
    await createQueue(harness.client, queue, { rateLimits: { maxConcurrentDispatches: 1 } });
    for (let index = 0; index < 3; index += 1) {
      await harness.client.createTask({ parent: queue, task: { httpRequest: { url: server.url } } });
    }

    await harness.emulator.waitForDispatches((all) => all.filter((d) => d.queueName === queue && d.ok).length === 3);

    expect(maxInFlight).toBe(1);
  });

  it('waitForDispatches lists attempts on timeout', async () => {
    const server = await target(() => 418);
    const name = await enqueue({ httpRequest: { url: server.url } }, { ...FAST_RETRIES, maxAttempts: 1 });
    await waitForAttempts(name, 1);

    const error = await harness.emulator.waitForDispatches(() => false, 100).catch((caught: Error) => caught);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('Timed out after 100 ms');
    expect((error as Error).message).toContain('HTTP 418');
  });
});

describe('emulator stop', () => {
  let own: EmulatorHarness;

  beforeEach(async () => {
    own = await startHarness();
  });

  it('drops pending tasks with a log line', async () => {
    const queue = queuePath();
    await createQueue(own.client, queue);
    await own.client.createTask({
      parent: queue,
      task: { httpRequest: { url: 'http://127.0.0.1:9/' }, scheduleTime: timestampIn(60_000) },
    });

    const waiting = own.emulator.waitForDispatches(() => false, 5000).catch((caught: Error) => caught);
    await own.close();
    const stopped = own.logger.lines.find((line) => line.message === 'Cloud Tasks emulator stopped');

    expect(stopped?.fields?.droppedTasks).toBe(1);
    expect(((await waiting) as Error).message).toContain('emulator stopped');
  });
});

/** Returns a loopback URL where nothing listens: the port of a server that was then closed. */
async function unusedLoopbackUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/gone`;
}
