// The core entry and the TASKS_BACKEND=cloud-tasks setting must not load @google-cloud/tasks;
// only the first enqueue does. Each test file runs in its own worker, so the CommonJS module
// cache below starts without google-gax, which @google-cloud/tasks loads through require.
import { createRequire } from 'node:module';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { ENVIRONMENT_BACKEND_KEY } from '../../../src/backends/cloud-tasks/environment.js';
import { forgetProcessWide } from '../../../src/core/process-wide.js';
import { getBackend } from '../../../src/settings/settings.js';

const require = createRequire(import.meta.url);

/** Files of the Cloud Tasks client packages in the CommonJS module cache. */
function loadedClientFiles(): string[] {
  return Object.keys(require.cache).filter((file) =>
    /[\\/]node_modules[\\/](google-gax|@google-cloud[\\/]tasks)[\\/]/.test(file),
  );
}

afterEach(() => {
  forgetProcessWide(ENVIRONMENT_BACKEND_KEY);
  vi.unstubAllEnvs();
});

describe('Cloud Tasks package loading', () => {
  it('environment backend loads no client package', async () => {
    await import('../../../src/index.js');
    vi.stubEnv('TASKS_BACKEND', 'cloud-tasks');
    vi.stubEnv('CLOUD_TASKS_PROJECT', 'my-project');
    vi.stubEnv('CLOUD_TASKS_LOCATION', 'us-central1');
    vi.stubEnv('CLOUD_TASKS_QUEUE', 'tasks');
    vi.stubEnv('CLOUD_TASKS_SERVICE_ACCOUNT', 'tasks@my-project.iam.gserviceaccount.com');
    vi.stubEnv('TASKS_BASE_URL', 'https://app.example.com');

    expect(getBackend().name).toBe('cloud-tasks');
    expect(loadedClientFiles()).toEqual([]);

    // The control: importing the package does show up in the cache this test reads.
    await import('@google-cloud/tasks');
    expect(loadedClientFiles().length).toBeGreaterThan(0);
  });
});
