/**
 * The process-wide task registry.
 *
 * Next.js compiles `instrumentation.ts` and every route into separate module graphs, so a
 * module-level `Map` filled at startup would be empty when a route reads it. The registry
 * therefore lives on `globalThis` under a `Symbol.for` key that all module copies share.
 *
 * @module
 */
import type { AuthOption } from './auth.js';
import { processWide } from './process-wide.js';
import type { AnySchema } from './schema.js';
import type { TaskContext } from './types.js';

/** A registry entry: the task's definition, with the handler untyped. */
export interface RegisteredTask {
  /** The task's name, as given to `defineTask`. */
  readonly name: string;
  /** The params schema. */
  readonly schema: AnySchema;
  /** The description given to `defineTask`. */
  readonly description: string | undefined;
  /** The per-task authentication given to `defineTask`. */
  readonly auth: AuthOption | undefined;
  /** The attempt timeout given to `defineTask`, in milliseconds. */
  readonly timeout: number | undefined;
  /** The task's `run` function from its definition; receives validated params. */
  readonly handler: (params: unknown, context: TaskContext) => unknown;
}

interface RegistryState {
  readonly tasks: Map<string, RegisteredTask>;
  /** Incremented on every change, so caches built from the registry know when to rebuild. */
  version: number;
}

function registryState(): RegistryState {
  return processWide<RegistryState>('registry', () => ({ tasks: new Map(), version: 0 }));
}

/**
 * Adds a task, replacing any earlier task of the same name: a dev-server reload or a second
 * import of `tasks.ts` defines the same tasks again, and the newest definition should win.
 */
export function registerTask(task: RegisteredTask): void {
  const state = registryState();
  state.tasks.set(task.name, task);
  state.version += 1;
}

/** Returns the task registered under `name`, or `undefined`. Never reads inherited properties. */
export function findRegisteredTask(name: string): RegisteredTask | undefined {
  return registryState().tasks.get(name);
}

/** Lists the registered tasks in the order they were first defined. */
export function listRegisteredTasks(): RegisteredTask[] {
  return [...registryState().tasks.values()];
}

/** Returns a number that changes whenever a task is registered or removed. */
export function registryVersion(): number {
  return registryState().version;
}

/** Removes one task; returns whether it was registered. */
export function unregisterTask(name: string): boolean {
  const state = registryState();
  const removed = state.tasks.delete(name);
  if (removed) state.version += 1;
  return removed;
}

/** Removes every task, for test isolation. */
export function clearRegistry(): void {
  const state = registryState();
  state.tasks.clear();
  state.version += 1;
}
