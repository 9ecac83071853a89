/**
 * The one error type of next-generic-tasks, with a stable `code` for each failure.
 *
 * Next.js compiles `instrumentation.ts` and each route into separate module graphs, so one
 * process can contain several copies of this class. `instanceof` therefore checks a brand
 * stored under a `Symbol.for` key, which every copy shares.
 *
 * @module
 */

/** Stable machine-readable codes of {@link TaskError}. */
export type TaskErrorCode =
  | 'invalid_task_definition'
  | 'invalid_params'
  | 'params_not_json'
  | 'invalid_enqueue_options'
  | 'task_not_found'
  | 'duplicate_task'
  | 'configuration_error'
  | 'unauthorized'
  | 'forbidden'
  | 'auth_unavailable'
  | 'unsupported_media_type'
  | 'invalid_json'
  | 'payload_too_large'
  | 'method_not_allowed'
  | 'task_failed'
  | 'backend_error'
  | 'internal_error';

/** One problem found by a schema, with the path of the value it concerns (empty for the root). */
export interface ValidationIssue {
  /** Keys and array indexes from the root of the params to the invalid value. */
  readonly path: ReadonlyArray<string | number>;
  /** The validator's message, for example `Invalid email address`. */
  readonly message: string;
}

/** Extra data of a {@link TaskError}. */
export interface TaskErrorOptions {
  /** The error that caused this one, kept for logs and debuggers. */
  readonly cause?: unknown;
  /** Schema issues; set on `invalid_params` errors. */
  readonly issues?: readonly ValidationIssue[];
  /** The id of the task run this error belongs to, when there is one. */
  readonly taskId?: string;
}

const TASK_ERROR_BRAND = Symbol.for('next-generic-tasks.TaskError');

/**
 * An error raised by next-generic-tasks. Switch on `code`, which never changes between
 * releases; `message` is for people and names the wrong value and the fix.
 *
 * @example
 * ```ts
 * try {
 *   await sendEmail.enqueue(params);
 * } catch (error) {
 *   if (error instanceof TaskError && error.code === 'invalid_params') return error.issues;
 *   throw error;
 * }
 * ```
 */
export class TaskError extends Error {
  /** Stable machine-readable reason. */
  readonly code: TaskErrorCode;
  /** Schema issues of an `invalid_params` error; empty otherwise. */
  readonly issues: readonly ValidationIssue[];
  /** The id of the task run this error belongs to, when there is one. */
  readonly taskId: string | undefined;

  /** Creates an error; `message` should name the invalid value and what to do about it. */
  constructor(code: TaskErrorCode, message: string, options: TaskErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TaskError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.taskId = options.taskId;
    Object.defineProperty(this, TASK_ERROR_BRAND, { value: true });
  }

  // `instanceof` reads the shared brand, so it also matches errors from other copies of this class.
  static [Symbol.hasInstance](value: unknown): boolean {
    return isTaskError(value);
  }
}

/**
 * Tells whether `value` is a {@link TaskError} from any copy of this library in the process.
 */
export function isTaskError(value: unknown): value is TaskError {
  return typeof value === 'object' && value !== null && TASK_ERROR_BRAND in value;
}

/**
 * Formats an issue path the way a TypeScript reader writes it: `recipients[0].email`, or
 * `(root)` for the params themselves.
 */
export function formatPath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(root)';

  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Formats issues as one line each, `path: message`, for error messages and logs. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
}
