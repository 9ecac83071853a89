// Guard: a CloudTasksClient connected to the emulator the documented way (with universeDomain)
// never sends a request to the GCE metadata server. The metadata address is pointed at a local trap
// through GCE_METADATA_HOST and GCE_METADATA_IP, the variables gcp-metadata reads.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  connectClient,
  type EmulatorHarness,
  queuePath,
  startHarness,
  startTarget,
  type TargetServer,
} from './support.js';

let harness: EmulatorHarness;
let trap: TargetServer;

beforeAll(async () => {
  harness = await startHarness();
  // The trap responds with 404, which gcp-metadata reads as "no metadata server here".
  trap = await startTarget(() => 404);
});

afterAll(async () => {
  await harness.close();
  await trap.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function pointMetadataAtTrap(): void {
  const host = new URL(trap.url).host;
  vi.stubEnv('METADATA_SERVER_DETECTION', undefined);
  vi.stubEnv('GCE_METADATA_HOST', host);
  vi.stubEnv('GCE_METADATA_IP', host);
  // No application default credentials: an empty HOME and no credentials file.
  vi.stubEnv('HOME', mkdtempSync(path.join(tmpdir(), 'emulator-guard-')));
  vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', undefined);
}

async function roundTrip(client: CloudTasksClient): Promise<void> {
  const name = queuePath('guard');
  await client.createQueue({ parent: name.replace(/\/queues\/.*$/, ''), queue: { name } });
  await client.getQueue({ name });
  await client.close();
}

// The order matters: the second test lets gcp-metadata probe and cache the outcome for this file.
describe('emulator client metadata guard', () => {
  it('documented client never contacts metadata', async () => {
    pointMetadataAtTrap();

    await roundTrip(connectClient(harness.emulator.apiEndpoint, harness.emulator.port));

    expect(trap.requests).toHaveLength(0);
  });

  it('trap sees a client without universeDomain', async () => {
    pointMetadataAtTrap();
    const client = new CloudTasksClient({
      apiEndpoint: harness.emulator.host,
      port: harness.emulator.port,
      sslCreds: credentials.createInsecure(),
    });

    await roundTrip(client);

    expect(trap.requests.length).toBeGreaterThan(0);
    expect(trap.requests[0]?.path).toContain('/computeMetadata/v1');
  });
});
