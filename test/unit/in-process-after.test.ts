// The in-process backend's use of Next.js after(): inside a request scope the run is registered
// with after(), outside one after() throws and the run is detached.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

const after = vi.fn<(task: Promise<unknown>) => void>();
vi.mock('next/server.js', () => ({ after }));

const { configureTasks, defineTask, inProcessBackend } = await import('../../src/index.js');
const { resetTasks, silentLogger } = await import('../../src/testing/index.js');

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('in-process backend and Next.js after()', () => {
  beforeEach(() => {
    resetTasks();
    after.mockReset();
  });

  it('registers the run with after() in a request', async () => {
    const gate = deferred();
    const backend = inProcessBackend();
    configureTasks({ backend, logger: silentLogger });
    const task = defineTask({ name: 'gated', schema: z.object({}), run: () => gate.promise });

    await task.enqueue({});

    expect(after).toHaveBeenCalledTimes(1);
    const registered = after.mock.calls[0]?.[0];
    expect(registered).toBeInstanceOf(Promise);

    let settled = false;
    void registered?.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);

    gate.resolve();
    await backend.drain();
    await registered;
    expect(settled).toBe(true);
  });

  it('runs detached when after() throws outside a request', async () => {
    after.mockImplementation(() => {
      throw new Error('`after` was called outside a request scope.');
    });
    const backend = inProcessBackend();
    configureTasks({ backend, logger: silentLogger });
    const seen: string[] = [];
    const task = defineTask({
      name: 'detached',
      schema: z.object({ word: z.string() }),
      run: ({ word }) => {
        seen.push(word);
      },
    });

    await task.enqueue({ word: 'ran' });
    await backend.drain();

    expect(after).toHaveBeenCalledTimes(1);
    expect(seen).toEqual(['ran']);
  });
});
