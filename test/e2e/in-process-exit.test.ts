// A process that exits with in-process tasks still waiting logs their ids instead of losing them
// silently. Runs the built package in a child Node.js process, since the check fires on exit.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { repositoryRoot } from '../support/next-app.js';

const script = `
import { defineTask } from ${JSON.stringify(path.join(repositoryRoot, 'dist/index.js'))};
const schemaOfEmptyObject = { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) } };
const task = defineTask({ name: 'never-runs', schema: schemaOfEmptyObject, run: () => {} });
const { id } = await task.enqueue({}, { delay: 60_000, id: 'lost-task-1' });
process.stdout.write(id + '\\n');
process.exit(0);
`;

describe('in-process backend at process exit', () => {
  it('logs the ids of tasks that never ran', () => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });

    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('lost-task-1');
    expect(child.stderr).toContain('process exited before in-process tasks ran or finished');
    expect(child.stderr).toContain('ids=lost-task-1');
  });
});
