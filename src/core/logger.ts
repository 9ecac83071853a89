/**
 * The logger that next-generic-tasks writes through. Library code never calls `console`
 * itself, so an app can route these lines into its own logging.
 *
 * @module
 */
import { forgetProcessWide, processWide } from './process-wide.js';

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
  if (typeof value === 'object' && value !== null) return formatObject(value);
  return String(value);
}

function formatObject(value: object): string {
  // String() prints "[object Object]", which would hide what a task threw when it is not an Error.
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A logger that drops every line; handy in tests. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * Logs a warning once per process for each `key`, however many module copies ask.
 */
export function warnOnce(logger: Logger, key: string, message: string, fields?: LogFields): void {
  const warned = processWide('warnedOnce', () => new Set<string>());
  if (warned.has(key)) return;

  warned.add(key);
  logger.warn(message, fields);
}

/** Default of the `intervalMs` argument of {@link logRateLimited}: one minute. */
export const RATE_LIMIT_INTERVAL_MS = 60_000;

interface RateLimitState {
  lastLoggedAt: number;
  suppressed: number;
}

/**
 * Logs at most one line per `intervalMs` for each `key`, process-wide, so that a flood of bad
 * requests cannot flood the log. The next line written carries `suppressed`, the number of lines
 * skipped since the previous one.
 */
export function logRateLimited(
  logger: Logger,
  level: 'warn' | 'error',
  key: string,
  message: string,
  fields: LogFields = {},
  intervalMs = RATE_LIMIT_INTERVAL_MS,
): void {
  const states = processWide('rateLimitedLog', () => new Map<string, RateLimitState>());

  const now = Date.now();
  const state = states.get(key);
  if (state !== undefined && now - state.lastLoggedAt < intervalMs) {
    state.suppressed += 1;
    return;
  }

  const suppressed = state?.suppressed ?? 0;
  states.set(key, { lastLoggedAt: now, suppressed: 0 });
  logger[level](message, suppressed > 0 ? { ...fields, suppressed } : fields);
}

/** Forgets which warnings were printed and which lines were rate-limited, for test isolation. */
export function resetLogMemory(): void {
  forgetProcessWide('warnedOnce');
  forgetProcessWide('rateLimitedLog');
}
