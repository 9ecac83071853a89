// Generated task ids under load: Cloud Tasks slows down when task names share a sequential
// prefix such as a timestamp, and rejects a repeated name, so ids must be unique and random.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { cloudTasksBackend } from '../../../src/backends/cloud-tasks/index.js';
import type { CloudTasksEmulator } from '../../../src/emulator/index.js';
import { configureTasks, defineTask } from '../../../src/index.js';
import { resetTasks, silentLogger } from '../../../src/testing/index.js';
import { emulatorOptions, startEmulator } from './emulator-support.js';
import { QUEUE_PATH, type Receiver, startReceiver } from './support.js';

const TASK_COUNT = 10_000;
const CONCURRENCY = 200;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let emulator: CloudTasksEmulator;
let receiver: Receiver;

beforeEach(async () => {
  resetTasks();
  vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
  emulator = await startEmulator();
  receiver = await startReceiver();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await emulator.stop();
  await receiver.close();
});

describe('Cloud Tasks generated ids', () => {
  it('10,000 ids are unique and random', async () => {
    const backend = cloudTasksBackend(emulatorOptions(emulator, receiver.url));
    configureTasks({ backend, logger: silentLogger });
    const task = defineTask({ name: 'load', schema: z.object({ n: z.number() }), run: () => undefined });

    const ids: string[] = [];
    for (let start = 0; start < TASK_COUNT; start += CONCURRENCY) {
      const batch = Array.from({ length: CONCURRENCY }, (_, offset) =>
        // A day's delay keeps the emulator from dispatching while the test runs.
        task.enqueue({ n: start + offset }, { delay: 86_400_000 }),
      );
      ids.push(...(await Promise.all(batch)).map((result) => result.id));
    }
    await backend.close();

    const records = emulator.createdTasks();
    const names = new Set(records.map((record) => record.name));
    const prefixes = new Set(ids.map((id) => id.slice(0, 6)));
    expect(new Set(ids).size).toBe(TASK_COUNT);
    expect(ids.every((id) => UUID_V4.test(id))).toBe(true);
    expect(records.filter((record) => record.error !== undefined)).toEqual([]);
    expect(names.size).toBe(TASK_COUNT);
    expect(names.has(`${QUEUE_PATH}/tasks/${ids[0]}`)).toBe(true);
    // Random ids spread over 16^6 prefixes; a timestamp prefix would give a handful.
    expect(prefixes.size).toBeGreaterThan(9_900);
  }, 120_000);
});
