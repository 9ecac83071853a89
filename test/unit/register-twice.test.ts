// Next.js may call register() more than once, and a route may import tasks.ts again: each new
// module copy defines the same tasks, and nothing may be registered or run twice.
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { listRegisteredTasks } from '../../src/index.js';
import { resetTasks } from '../../src/testing/index.js';

async function importTasksCopy() {
  vi.resetModules();
  return import('./fixtures/tasks.js');
}

describe('tasks module imported twice', () => {
  beforeEach(() => {
    resetTasks();
    (globalThis as { __fixtureRuns?: string[] }).__fixtureRuns?.splice(0);
  });

  it('registers each name once', async () => {
    await importTasksCopy();
    await importTasksCopy();

    expect(listRegisteredTasks().map((task) => task.name)).toEqual(['count-run', 'other-task']);
  });

  it('runs an enqueued task once', async () => {
    const first = await importTasksCopy();
    const second = await importTasksCopy();

    await first.countRun.enqueue({ label: 'from-first-copy' });
    await second.countRun.enqueue({ label: 'from-second-copy' });
    await vi.waitFor(() => expect(second.runs).toHaveLength(2));

    expect([...second.runs].sort()).toEqual(['from-first-copy', 'from-second-copy']);
  });

  it('adds one exit listener per process', async () => {
    const first = await importTasksCopy();
    await first.countRun.enqueue({ label: 'one' });
    const listenersAfterFirst = process.listenerCount('exit');

    const second = await importTasksCopy();
    await second.countRun.enqueue({ label: 'two' });

    expect(process.listenerCount('exit')).toBe(listenersAfterFirst);
  });
});
