/**
 * `next-generic-tasks/testing`: a recording backend and helpers for tests.
 *
 * @module
 */

import { type TestBackend, testBackend } from '../backends/test-backend.js';
import { resetLogMemory } from '../core/logger.js';
import { clearRegistry } from '../core/registry.js';
import { configureTasks, resetTasksConfig } from '../settings/settings.js';

export { immediateBackend } from '../backends/immediate.js';
export { type RecordedTask, type TestBackend, testBackend } from '../backends/test-backend.js';
export { silentLogger } from '../core/logger.js';

/**
 * Creates a {@link testBackend} and makes it the process-wide backend.
 *
 * @example
 * ```ts
 * const backend = useTestBackend();
 * await sendEmail.enqueue({ to: 'ada@example.com', subject: 'Hi' });
 * expect(backend.enqueuedFor(sendEmail)[0]?.params.subject).toBe('Hi');
 * ```
 */
export function useTestBackend(): TestBackend {
  const backend = testBackend();
  configureTasks({ backend });
  return backend;
}

/**
 * Forgets every registered task, all configuration, and which warnings were already logged, for
 * isolation between tests. Tasks must be defined again afterwards: a test that looks tasks up by
 * name should define or import them after calling this.
 */
export function resetTasks(): void {
  clearRegistry();
  resetTasksConfig();
  resetLogMemory();
}
