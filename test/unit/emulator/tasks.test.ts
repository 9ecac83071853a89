// Task RPCs of the Cloud Tasks emulator: names, views, reuse of names, and the Cloud Tasks limits.
import { protos } from '@google-cloud/tasks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  createQueue,
  type EmulatorHarness,
  grpcErrorOf,
  queuePath,
  Status,
  startHarness,
  startTarget,
  type TargetServer,
  timestampIn,
} from './support.js';

const DAY_MS = 86_400_000;

let harness: EmulatorHarness;
let target: TargetServer;
let queue: string;

beforeAll(async () => {
  harness = await startHarness();
  target = await startTarget();
});

afterAll(async () => {
  await harness.close();
  await target.close();
});

beforeEach(async () => {
  queue = queuePath();
  await createQueue(harness.client, queue);
});

/** Creates a task in the (paused, unless stated) test queue. */
async function createTask(task: object, responseView?: 'BASIC' | 'FULL') {
  const [created] = await harness.client.createTask({ parent: queue, task, ...(responseView ? { responseView } : {}) });
  return created;
}

describe('emulator task RPCs', () => {
  describe('with a paused queue', () => {
    beforeEach(async () => {
      await harness.client.pauseQueue({ name: queue });
    });

    it('createTask generates a name', async () => {
      const task = await createTask({ httpRequest: { url: `${target.url}/run` } });

      expect(task.name).toMatch(new RegExp(`^${queue}/tasks/\\d{19}$`));
    });

    it('createTask keeps a given name', async () => {
      const name = `${queue}/tasks/send-email_42`;

      const task = await createTask({ name, httpRequest: { url: `${target.url}/run` } });

      expect(task.name).toBe(name);
    });

    it('createTask returns the task as created', async () => {
      const task = await createTask({ httpRequest: { url: `${target.url}/run`, body: Buffer.from('x') } });

      expect(task.httpRequest?.httpMethod).toBe('POST');
      expect(Number(task.dispatchDeadline?.seconds)).toBe(600);
      expect(task.dispatchCount).toBe(0);
      expect(task.createTime).toBeTruthy();
    });

    it('createTask BASIC view omits body', async () => {
      const task = await createTask({ httpRequest: { url: `${target.url}/run`, body: Buffer.from('secret') } });

      expect(task.view).toBe('BASIC');
      expect(Buffer.from(task.httpRequest?.body ?? '').length).toBe(0);
    });

    it('getTask FULL view includes body', async () => {
      const created = await createTask({ httpRequest: { url: `${target.url}/run`, body: Buffer.from('payload') } });

      const [task] = await harness.client.getTask({ name: created.name ?? '', responseView: 'FULL' });

      expect(task.view).toBe('FULL');
      expect(Buffer.from(task.httpRequest?.body ?? '').toString()).toBe('payload');
    });

    it('getTask answers NOT_FOUND for unknown task', async () => {
      const name = `${queue}/tasks/missing`;

      const error = await grpcErrorOf(harness.client.getTask({ name }));

      expect(error.code).toBe(Status.NOT_FOUND);
      expect(error.details).toContain(name);
    });

    it('getTask rejects a malformed name', async () => {
      const error = await grpcErrorOf(harness.client.getTask({ name: `${queue}/tasks/bad.id` }));

      expect(error.code).toBe(Status.INVALID_ARGUMENT);
    });

    it('listTasks pages through tasks', async () => {
      const names = ['t1', 't2', 't3'].map((id) => `${queue}/tasks/${id}`);
      for (const name of names) await createTask({ name, httpRequest: { url: `${target.url}/run` } });

      const [firstPage, , response] = await harness.client.listTasks(
        { parent: queue, pageSize: 2 },
        { autoPaginate: false },
      );
      const [all] = await harness.client.listTasks({ parent: queue, responseView: 'FULL' });

      expect(firstPage.map((task) => task.name)).toEqual(names.slice(0, 2));
      expect(response?.nextPageToken).toBeTruthy();
      expect(all.map((task) => task.name)).toEqual(names);
      expect(all.every((task) => task.view === 'FULL')).toBe(true);
    });

    it('listTasks answers NOT_FOUND for unknown queue', async () => {
      const error = await grpcErrorOf(harness.client.listTasks({ parent: queuePath('missing') }));

      expect(error.code).toBe(Status.NOT_FOUND);
    });

    it('deleteTask removes the task', async () => {
      const created = await createTask({ httpRequest: { url: `${target.url}/run` } });

      await harness.client.deleteTask({ name: created.name ?? '' });
      const error = await grpcErrorOf(harness.client.getTask({ name: created.name ?? '' }));

      expect(error.code).toBe(Status.NOT_FOUND);
    });

    it('deleteTask answers NOT_FOUND for unknown task', async () => {
      const error = await grpcErrorOf(harness.client.deleteTask({ name: `${queue}/tasks/missing` }));

      expect(error.code).toBe(Status.NOT_FOUND);
    });

    it('createTask answers NOT_FOUND for unknown queue', async () => {
      const parent = queuePath('missing');

      const error = await grpcErrorOf(
        harness.client.createTask({ parent, task: { httpRequest: { url: `${target.url}/run` } } }),
      );

      expect(error.code).toBe(Status.NOT_FOUND);
      expect(error.details).toContain(parent);
    });

    it('createTask rejects an existing name', async () => {
      const name = `${queue}/tasks/duplicate`;
      await createTask({ name, httpRequest: { url: `${target.url}/run` } });

      const error = await grpcErrorOf(createTask({ name, httpRequest: { url: `${target.url}/run` } }));

      expect(error.code).toBe(Status.ALREADY_EXISTS);
      expect(error.details).toContain(name);
    });

    it('createTask rejects a deleted task name', async () => {
      const name = `${queue}/tasks/deleted`;
      await createTask({ name, httpRequest: { url: `${target.url}/run` } });
      await harness.client.deleteTask({ name });

      const error = await grpcErrorOf(createTask({ name, httpRequest: { url: `${target.url}/run` } }));

      expect(error.code).toBe(Status.ALREADY_EXISTS);
      expect(error.details).toContain('reserved');
    });

    it('createTask rejects a purged task name', async () => {
      const name = `${queue}/tasks/purged`;
      await createTask({ name, httpRequest: { url: `${target.url}/run` } });
      await harness.client.purgeQueue({ name: queue });

      const error = await grpcErrorOf(createTask({ name, httpRequest: { url: `${target.url}/run` } }));

      expect(error.code).toBe(Status.ALREADY_EXISTS);
    });

    it('createdTasks records accepted and rejected requests', async () => {
      const name = `${queue}/tasks/recorded`;
      const body = Buffer.from('{"city":"Zürich"}');
      await createTask({ name, httpRequest: { url: `${target.url}/run`, body } });
      await grpcErrorOf(createTask({ name, httpRequest: { url: `${target.url}/run` } }));

      const records = harness.emulator.createdTasks().filter((record) => record.task.name === name);
      const httpRequest = records[0]?.task.httpRequest as { body: Buffer; url: string };

      expect(records).toHaveLength(2);
      expect(records[0]?.name).toBe(name);
      expect(records[0]?.error).toBeUndefined();
      expect(httpRequest.body.equals(body)).toBe(true);
      expect(records[1]?.name).toBeUndefined();
      expect(records[1]?.error?.code).toBe(Status.ALREADY_EXISTS);
    });
  });

  it('createTask rejects a name that already ran', async () => {
    const name = `${queue}/tasks/ran-once`;
    await createTask({ name, httpRequest: { url: `${target.url}/run` } });
    await harness.emulator.waitForDispatches((dispatches) => dispatches.some((d) => d.taskName === name && d.ok));

    const error = await grpcErrorOf(createTask({ name, httpRequest: { url: `${target.url}/run` } }));

    expect(error.code).toBe(Status.ALREADY_EXISTS);
  });

  it('runTask dispatches a task of a paused queue', async () => {
    await harness.client.pauseQueue({ name: queue });
    const created = await createTask({ httpRequest: { url: `${target.url}/run` } });

    const [running] = await harness.client.runTask({ name: created.name ?? '' });
    const dispatches = await harness.emulator.waitForDispatches((all) => all.some((d) => d.taskName === created.name));

    expect(running.dispatchCount).toBe(1);
    expect(running.lastAttempt?.dispatchTime).toBeTruthy();
    expect(dispatches.filter((d) => d.taskName === created.name)).toHaveLength(1);
  });

  it('runTask answers NOT_FOUND for unknown task', async () => {
    const error = await grpcErrorOf(harness.client.runTask({ name: `${queue}/tasks/missing` }));

    expect(error.code).toBe(Status.NOT_FOUND);
  });
});

describe('emulator rejection logs', () => {
  /** Returns the warn lines the emulator logged for rejected CreateTask requests of `parent`. */
  function rejectionLines(parent: string) {
    return harness.logger.lines.filter(
      (line) => line.level === 'warn' && line.message === 'Rejected CreateTask' && line.fields?.queue === parent,
    );
  }

  it('logs a duplicate task name', async () => {
    const name = `${queue}/tasks/logged-twice`;
    await createTask({ name, httpRequest: { url: `${target.url}/run` } });

    await grpcErrorOf(createTask({ name, httpRequest: { url: `${target.url}/run` } }));

    const lines = rejectionLines(queue);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields?.taskId).toBe('logged-twice');
    expect(lines[0]?.fields?.status).toBe('ALREADY_EXISTS');
    expect(lines[0]?.fields?.error).toContain(name);
  });

  it('logs a missing queue', async () => {
    const parent = queuePath('missing');

    await grpcErrorOf(harness.client.createTask({ parent, task: { httpRequest: { url: `${target.url}/run` } } }));

    const lines = rejectionLines(parent);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields?.taskId).toBeUndefined();
    expect(lines[0]?.fields?.status).toBe('NOT_FOUND');
    expect(lines[0]?.fields?.error).toContain(parent);
  });

  it('logs an invalid argument without body or token', async () => {
    const task = {
      name: `${queue}/tasks/with-body`,
      httpRequest: {
        url: `${target.url}/run`,
        httpMethod: 'GET',
        body: Buffer.from('secret-body-text'),
        headers: { Authorization: 'Bearer secret-token-text' },
      },
    };

    await grpcErrorOf(createTask(task));

    const lines = rejectionLines(queue);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields?.taskId).toBe('with-body');
    expect(lines[0]?.fields?.status).toBe('INVALID_ARGUMENT');
    expect(harness.logger.text()).not.toContain('secret-body-text');
    expect(harness.logger.text()).not.toContain('secret-token-text');
  });

  it('logs nothing for an accepted task', async () => {
    await createTask({ httpRequest: { url: `${target.url}/run` } });

    expect(rejectionLines(queue)).toHaveLength(0);
  });
});

describe('emulator task limits', () => {
  beforeEach(async () => {
    await harness.client.pauseQueue({ name: queue });
  });

  it('accepts a 500-character task id', async () => {
    const name = `${queue}/tasks/${'a'.repeat(500)}`;

    const task = await createTask({ name, httpRequest: { url: `${target.url}/run` } });

    expect(task.name).toBe(name);
  });

  it('rejects a 501-character task id', async () => {
    const error = await grpcErrorOf(
      createTask({ name: `${queue}/tasks/${'a'.repeat(501)}`, httpRequest: { url: `${target.url}/run` } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('500');
  });

  it('rejects task id characters', async () => {
    for (const id of ['dot.ted', 'sp ace', 'ümlaut', 'col:on']) {
      const error = await grpcErrorOf(
        createTask({ name: `${queue}/tasks/${id}`, httpRequest: { url: `${target.url}/run` } }),
      );

      expect(error.code, id).toBe(Status.INVALID_ARGUMENT);
      expect(error.details, id).toContain('A-Z, a-z, 0-9');
    }
  });

  it('rejects a task name in another queue', async () => {
    const error = await grpcErrorOf(
      createTask({ name: `${queuePath('other')}/tasks/t1`, httpRequest: { url: `${target.url}/run` } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain(queue);
  });

  it('counts task size over the encoded request', async () => {
    const request = {
      parent: queuePath(),
      task: { httpRequest: { url: `${target.url}/run`, body: Buffer.alloc(3000, 'x'), headers: { 'X-A': 'b' } } },
    };
    const encodedBytes = protos.google.cloud.tasks.v2.CreateTaskRequest.encode(request).finish().length;

    const results: Record<string, number | string> = {};
    for (const maxTaskBytes of [encodedBytes, encodedBytes - 1]) {
      const limited = await startHarness({ limits: { maxTaskBytes } });
      try {
        await createQueue(limited.client, request.parent);
        const [task] = await limited.client.createTask(request);
        results[maxTaskBytes] = task.name ?? '';
      } catch (error) {
        results[maxTaskBytes] = (error as { code: number }).code;
      } finally {
        await limited.close();
      }
    }

    expect(results[encodedBytes]).toMatch(/\/tasks\/\d+$/);
    expect(results[encodedBytes - 1]).toBe(Status.INVALID_ARGUMENT);
  });

  it('rejects a task over the size limit', async () => {
    const body = Buffer.alloc(1024 * 1024, 'x');

    const error = await grpcErrorOf(createTask({ httpRequest: { url: `${target.url}/run`, body } }));

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('Task size too large');
    expect(error.details).toContain('1048576');
  });

  it('accepts a body just under 1 MiB', async () => {
    const body = Buffer.alloc(1024 * 1024 - 1024, 'x');

    const task = await createTask({ httpRequest: { url: `${target.url}/run`, body } });

    expect(task.name).toBeTruthy();
  });

  it('accepts scheduleTime 29 days ahead', async () => {
    const task = await createTask({
      httpRequest: { url: `${target.url}/run` },
      scheduleTime: timestampIn(29 * DAY_MS),
    });

    expect(Number(task.scheduleTime?.seconds) * 1000).toBeGreaterThan(Date.now() + 28 * DAY_MS);
  });

  it('rejects scheduleTime over 30 days ahead', async () => {
    const error = await grpcErrorOf(
      createTask({ httpRequest: { url: `${target.url}/run` }, scheduleTime: timestampIn(30 * DAY_MS + 60_000) }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('scheduleTime');
    expect(error.details).toContain('30 days');
  });

  it('sets a past scheduleTime to now', async () => {
    const before = Date.now();

    const task = await createTask({ httpRequest: { url: `${target.url}/run` }, scheduleTime: timestampIn(-DAY_MS) });

    expect(Number(task.scheduleTime?.seconds) * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  it('rejects dispatchDeadline under 15 s', async () => {
    const error = await grpcErrorOf(
      createTask({ httpRequest: { url: `${target.url}/run` }, dispatchDeadline: { seconds: 14 } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('dispatchDeadline');
    expect(error.details).toContain('15 s');
    expect(error.details).toContain('30 min');
  });

  it('rejects dispatchDeadline over 30 min', async () => {
    const error = await grpcErrorOf(
      createTask({ httpRequest: { url: `${target.url}/run` }, dispatchDeadline: { seconds: 1801 } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('dispatchDeadline');
  });

  it('accepts dispatchDeadline at both bounds', async () => {
    for (const seconds of [15, 1800]) {
      const task = await createTask({ httpRequest: { url: `${target.url}/run` }, dispatchDeadline: { seconds } });

      expect(Number(task.dispatchDeadline?.seconds)).toBe(seconds);
    }
  });

  it('rejects a body with GET', async () => {
    const error = await grpcErrorOf(
      createTask({ httpRequest: { url: `${target.url}/run`, httpMethod: 'GET', body: Buffer.from('x') } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('GET');
  });

  it('rejects a URL without http scheme', async () => {
    for (const url of ['ftp://127.0.0.1/x', '/relative', '']) {
      const error = await grpcErrorOf(createTask({ httpRequest: { url } }));

      expect(error.code, url).toBe(Status.INVALID_ARGUMENT);
      expect(error.details, url).toContain('url');
    }
  });

  it('rejects a URL over 2083 characters', async () => {
    const error = await grpcErrorOf(createTask({ httpRequest: { url: `${target.url}/${'a'.repeat(2100)}` } }));

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('2083');
  });

  it('rejects a header value with a newline', async () => {
    const error = await grpcErrorOf(
      createTask({ httpRequest: { url: `${target.url}/run`, headers: { 'X-Note': 'a\r\nInjected: yes' } } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('X-Note');
  });

  it('rejects headers of 80 KB', async () => {
    const error = await grpcErrorOf(
      createTask({ httpRequest: { url: `${target.url}/run`, headers: { 'X-Big': 'a'.repeat(80 * 1024) } } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('81920');
  });

  it('rejects oidcToken without service account', async () => {
    const error = await grpcErrorOf(
      createTask({ httpRequest: { url: `${target.url}/run`, oidcToken: { audience: 'x' } } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('serviceAccountEmail');
  });

  it('rejects App Engine tasks as unimplemented', async () => {
    const error = await grpcErrorOf(createTask({ appEngineHttpRequest: { relativeUri: '/run' } }));

    expect(error.code).toBe(Status.UNIMPLEMENTED);
    expect(error.details).toContain('httpRequest');
  });

  it('rejects a task without httpRequest', async () => {
    const error = await grpcErrorOf(createTask({}));

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('httpRequest');
  });
});

describe('emulator tombstones', () => {
  let short: EmulatorHarness;

  beforeEach(async () => {
    short = await startHarness({ tombstoneMs: 150 });
  });

  afterEach(async () => {
    await short.close();
  });

  it('task name is free after tombstone period', async () => {
    const name = queuePath();
    await createQueue(short.client, name);
    await short.client.pauseQueue({ name });
    const taskName = `${name}/tasks/reused`;
    await short.client.createTask({
      parent: name,
      task: { name: taskName, httpRequest: { url: `${target.url}/run` } },
    });
    await short.client.deleteTask({ name: taskName });

    const early = await grpcErrorOf(
      short.client.createTask({ parent: name, task: { name: taskName, httpRequest: { url: `${target.url}/run` } } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [later] = await short.client.createTask({
      parent: name,
      task: { name: taskName, httpRequest: { url: `${target.url}/run` } },
    });

    expect(early.code).toBe(Status.ALREADY_EXISTS);
    expect(later.name).toBe(taskName);
  });
});
