/**
 * The logger that next-generic-tasks writes through. Library code never calls `console`
 * itself, so an app can route these lines into its own logging.
 *
 * @module
 */

/** Structured context of a log line: task name, id, attempt, error and the like. */
export type LogFields = Record<string, unknown>;

/**
 * A logger with the four usual levels. pino, winston and `console` fit with a thin wrapper.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const PREFIX = '[next-generic-tasks]';

/**
 * Creates the default logger, which writes to the console with a `[next-generic-tasks]` prefix.
 * `debug` lines are printed only when `TASKS_DEBUG=1`.
 */
export function createConsoleLogger(): Logger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: LogFields): void => {
      if (level === 'debug' && process.env.TASKS_DEBUG !== '1') return;

      const line = `${PREFIX} ${message}`;
      // biome-ignore lint/suspicious/noConsole: this is the console logger that the rest of the library goes through.
      if (fields === undefined) console[level](line);
      // biome-ignore lint/suspicious/noConsole: see above.
      else console[level](line, formatFields(fields));
    };

  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return String(value);
}

/** A logger that drops every line; handy in tests. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

const WARNED_KEY = Symbol.for('next-generic-tasks.warnedOnce');

/**
 * Logs a warning once per process for each `key`, however many module copies ask.
 */
export function warnOnce(logger: Logger, key: string, message: string, fields?: LogFields): void {
  const store = globalThis as { [WARNED_KEY]?: Set<string> };
  const warned = store[WARNED_KEY] ?? new Set<string>();
  store[WARNED_KEY] = warned;
  if (warned.has(key)) return;

  warned.add(key);
  logger.warn(message, fields);
}
