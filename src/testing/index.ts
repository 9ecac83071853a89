/**
 * `next-generic-tasks/testing`: a recording backend and helpers for tests.
 *
 * @module
 */

import { type TestBackend, testBackend } from '../backends/test-backend.js';
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

/** Forgets every registered task and all configuration, for isolation between tests. */
export function resetTasks(): void {
  clearRegistry();
  resetTasksConfig();
}
