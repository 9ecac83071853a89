// Helpers shared by the unit tests: a capturing logger, promise control and error capture.
import { isTaskError, type Logger, type TaskError } from '../../src/index.js';

/** One line written to a {@link CapturingLogger}. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** A logger that stores every line, for assertions on what the library logged. */
export interface CapturingLogger extends Logger {
  readonly lines: LogLine[];
  /** Every line as text, errors with their message and stack, for searching for leaked secrets. */
  text(): string;
}

/** Creates a {@link CapturingLogger}. */
export function capturingLogger(): CapturingLogger {
  const lines: LogLine[] = [];
  const write = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };

  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    text() {
      return lines.map((line) => `${line.level} ${line.message} ${stringifyFields(line.fields)}`).join('\n');
    },
  };
}

function stringifyFields(fields: Record<string, unknown> | undefined): string {
  return JSON.stringify(fields ?? {}, (_key, value: unknown) => {
    if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
    return typeof value === 'bigint' ? value.toString() : value;
  });
}

/** A promise with its `resolve` exposed, to hold a task until the test lets it finish. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

/** Creates a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Waits for `promise` to reject and returns the TaskError. Fails when it resolves or rejects with another error. */
export async function rejectionOf(promise: Promise<unknown>): Promise<TaskError> {
  try {
    await promise;
  } catch (error) {
    if (isTaskError(error)) return error;
    throw error;
  }
  throw new Error('Expected a rejection with a TaskError, but the promise resolved.');
}

/** Calls `action` and returns the TaskError it throws. Fails when it returns or throws another error. */
export function thrownBy(action: () => unknown): TaskError {
  try {
    action();
  } catch (error) {
    if (isTaskError(error)) return error;
    throw error;
  }
  throw new Error('Expected a TaskError to be thrown, but the call returned.');
}

/** Builds an `Authorization: Basic ...` header value from UTF-8 credentials. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Waits `ms` milliseconds of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
