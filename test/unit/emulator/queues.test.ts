// Queue RPCs of the Cloud Tasks emulator, through the real @google-cloud/tasks client over gRPC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type EmulatorHarness, grpcErrorOf, queuePath, Status, startHarness } from './support.js';

const LOCATION = 'projects/demo/locations/us-central1';

let harness: EmulatorHarness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness.close();
});

describe('emulator queue RPCs', () => {
  it('createQueue applies retry settings and defaults', async () => {
    const name = queuePath();
    const [queue] = await harness.client.createQueue({
      parent: LOCATION,
      queue: { name, retryConfig: { maxAttempts: 7, minBackoff: { seconds: 2 } } },
    });

    expect(queue.name).toBe(name);
    expect(queue.state).toBe('RUNNING');
    expect(queue.retryConfig?.maxAttempts).toBe(7);
    expect(Number(queue.retryConfig?.minBackoff?.seconds)).toBe(2);
    expect(Number(queue.retryConfig?.maxBackoff?.seconds)).toBe(3600);
    expect(queue.retryConfig?.maxDoublings).toBe(16);
    expect(queue.rateLimits?.maxConcurrentDispatches).toBe(1000);
    expect(queue.rateLimits?.maxDispatchesPerSecond).toBe(500);
  });

  it('createQueue rejects an existing name', async () => {
    const name = queuePath();
    await harness.client.createQueue({ parent: LOCATION, queue: { name } });

    const error = await grpcErrorOf(harness.client.createQueue({ parent: LOCATION, queue: { name } }));

    expect(error.code).toBe(Status.ALREADY_EXISTS);
    expect(error.details).toContain(name);
  });

  it('createQueue rejects invalid queue ids', async () => {
    const cases = [`${LOCATION}/queues/under_score`, `${LOCATION}/queues/${'q'.repeat(101)}`, 'queues/short'];
    for (const name of cases) {
      const error = await grpcErrorOf(harness.client.createQueue({ parent: LOCATION, queue: { name } }));

      expect(error.code, name).toBe(Status.INVALID_ARGUMENT);
      expect(error.details, name).toContain('queue');
    }
  });

  it('createQueue rejects a queue outside parent', async () => {
    const error = await grpcErrorOf(
      harness.client.createQueue({ parent: 'projects/demo/locations/europe-west1', queue: { name: queuePath() } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('europe-west1');
  });

  it('createQueue rejects inconsistent backoffs', async () => {
    const error = await grpcErrorOf(
      harness.client.createQueue({
        parent: LOCATION,
        queue: { name: queuePath(), retryConfig: { minBackoff: { seconds: 10 }, maxBackoff: { seconds: 5 } } },
      }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('minBackoff');
  });

  it('createQueue rejects too many concurrent dispatches', async () => {
    const error = await grpcErrorOf(
      harness.client.createQueue({
        parent: LOCATION,
        queue: { name: queuePath(), rateLimits: { maxConcurrentDispatches: 5001 } },
      }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('maxConcurrentDispatches');
    expect(error.details).toContain('5000');
  });

  it('getQueue returns a queue', async () => {
    const name = queuePath();
    await harness.client.createQueue({ parent: LOCATION, queue: { name } });

    const [queue] = await harness.client.getQueue({ name });

    expect(queue.name).toBe(name);
  });

  it('getQueue answers NOT_FOUND for unknown queue', async () => {
    const name = queuePath('missing');

    const error = await grpcErrorOf(harness.client.getQueue({ name }));

    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.details).toContain(name);
  });

  it('listQueues pages through a location', async () => {
    const location = `projects/paging/locations/l${Date.now()}`;
    const names = ['a', 'b', 'c'].map((id) => `${location}/queues/${id}`);
    for (const name of names) await harness.client.createQueue({ parent: location, queue: { name } });

    const [firstPage, , firstResponse] = await harness.client.listQueues(
      { parent: location, pageSize: 2 },
      { autoPaginate: false },
    );
    const [secondPage] = await harness.client.listQueues(
      { parent: location, pageSize: 2, pageToken: firstResponse?.nextPageToken ?? '' },
      { autoPaginate: false },
    );
    const [all] = await harness.client.listQueues({ parent: location });

    expect(firstPage.map((queue) => queue.name)).toEqual(names.slice(0, 2));
    expect(secondPage.map((queue) => queue.name)).toEqual(names.slice(2));
    expect(all.map((queue) => queue.name)).toEqual(names);
  });

  it('listQueues filters by state', async () => {
    const location = `projects/filter/locations/l${Date.now()}`;
    const running = `${location}/queues/running`;
    const paused = `${location}/queues/paused`;
    await harness.client.createQueue({ parent: location, queue: { name: running } });
    await harness.client.createQueue({ parent: location, queue: { name: paused } });
    await harness.client.pauseQueue({ name: paused });

    const [queues] = await harness.client.listQueues({ parent: location, filter: 'state: PAUSED' });

    expect(queues.map((queue) => queue.name)).toEqual([paused]);
  });

  it('listQueues rejects an unsupported filter', async () => {
    const error = await grpcErrorOf(harness.client.listQueues({ parent: LOCATION, filter: 'name: x' }));

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('state: PAUSED');
  });

  it('pauseQueue and resumeQueue change state', async () => {
    const name = queuePath();
    await harness.client.createQueue({ parent: LOCATION, queue: { name } });

    const [paused] = await harness.client.pauseQueue({ name });
    const [resumed] = await harness.client.resumeQueue({ name });

    expect(paused.state).toBe('PAUSED');
    expect(resumed.state).toBe('RUNNING');
  });

  it('purgeQueue deletes tasks and sets purgeTime', async () => {
    const name = queuePath();
    await harness.client.createQueue({ parent: LOCATION, queue: { name } });
    await harness.client.pauseQueue({ name });
    await harness.client.createTask({ parent: name, task: { httpRequest: { url: 'http://127.0.0.1:9/x' } } });

    const [queue] = await harness.client.purgeQueue({ name });
    const [tasks] = await harness.client.listTasks({ parent: name });

    expect(queue.purgeTime).toBeTruthy();
    expect(tasks).toEqual([]);
  });

  it('deleteQueue removes queue and tasks', async () => {
    const name = queuePath();
    await harness.client.createQueue({ parent: LOCATION, queue: { name } });
    await harness.client.pauseQueue({ name });
    await harness.client.createTask({ parent: name, task: { httpRequest: { url: 'http://127.0.0.1:9/x' } } });

    await harness.client.deleteQueue({ name });
    const error = await grpcErrorOf(harness.client.getQueue({ name }));

    expect(error.code).toBe(Status.NOT_FOUND);
  });

  it('deleteQueue answers NOT_FOUND for unknown queue', async () => {
    const error = await grpcErrorOf(harness.client.deleteQueue({ name: queuePath('missing') }));

    expect(error.code).toBe(Status.NOT_FOUND);
  });

  it('updateQueue changes masked fields only', async () => {
    const name = queuePath();
    await harness.client.createQueue({ parent: LOCATION, queue: { name, retryConfig: { maxAttempts: 3 } } });

    const [queue] = await harness.client.updateQueue({
      queue: { name, retryConfig: { maxAttempts: 9, maxDoublings: 0 }, rateLimits: { maxConcurrentDispatches: 2 } },
      updateMask: { paths: ['retry_config.max_doublings', 'rate_limits.max_concurrent_dispatches'] },
    });

    expect(queue.retryConfig?.maxAttempts).toBe(3);
    expect(queue.retryConfig?.maxDoublings).toBe(0);
    expect(queue.rateLimits?.maxConcurrentDispatches).toBe(2);
  });

  it('updateQueue without mask replaces settings', async () => {
    const name = queuePath();
    await harness.client.createQueue({
      parent: LOCATION,
      queue: { name, retryConfig: { maxAttempts: 3 }, rateLimits: { maxConcurrentDispatches: 2 } },
    });

    const [queue] = await harness.client.updateQueue({ queue: { name, retryConfig: { maxAttempts: 8 } } });

    expect(queue.retryConfig?.maxAttempts).toBe(8);
    expect(queue.rateLimits?.maxConcurrentDispatches).toBe(1000);
  });

  it('updateQueue creates a missing queue', async () => {
    const name = queuePath();

    await harness.client.updateQueue({ queue: { name, retryConfig: { maxAttempts: 4 } } });
    const [queue] = await harness.client.getQueue({ name });

    expect(queue.retryConfig?.maxAttempts).toBe(4);
  });

  it('updateQueue rejects a state path', async () => {
    const name = queuePath();
    await harness.client.createQueue({ parent: LOCATION, queue: { name } });

    const error = await grpcErrorOf(
      harness.client.updateQueue({ queue: { name, state: 'PAUSED' }, updateMask: { paths: ['state'] } }),
    );

    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('PauseQueue');
  });

  it('unimplemented RPC names the method', async () => {
    const error = await grpcErrorOf(harness.client.getIamPolicy({ resource: queuePath() }));

    expect(error.code).toBe(Status.UNIMPLEMENTED);
    expect(error.details).toContain('GetIamPolicy');
    expect(error.details).toContain('CreateTask');
  });

  it('queues option creates queues at start', async () => {
    const name = queuePath('preset');
    const preset = await startHarness({ queues: [name] });

    try {
      const [queue] = await preset.client.getQueue({ name });

      expect(queue.state).toBe('RUNNING');
    } finally {
      await preset.close();
    }
  });
});
