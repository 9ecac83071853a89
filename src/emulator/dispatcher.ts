/**
 * Dispatches tasks when they are due: one timer for the earliest due task, at most
 * `maxConcurrentDispatches` attempts in flight per queue, retries with the queue's backoff.
 *
 * @module
 */
import type { Logger } from '../core/logger.js';
import {
  type AttemptOutcome,
  buildOutgoingRequest,
  OAUTH_PLACEHOLDER_TOKEN,
  type OutgoingRequest,
  sendOutgoingRequest,
} from './http-dispatch.js';
import type { IdTokenSigner } from './oidc.js';
import { retryDelayMs, shouldRetry } from './retry.js';
import { RpcCode, type RpcCodeValue, RpcError } from './rpc-error.js';
import type { AttemptState, EmulatorStore, TaskState } from './store.js';
import type { DispatchRecord } from './types.js';

/** Maximum delay of `setTimeout`, in milliseconds. A task due later is checked again after this delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Dependencies of a {@link Dispatcher}. */
export interface DispatcherOptions {
  readonly store: EmulatorStore;
  readonly signer: IdTokenSigner;
  readonly logger: Logger;
  /** Called with every finished attempt. */
  readonly onDispatch: (record: DispatchRecord) => void;
}

/** Runs the dispatch loop of an emulator. */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly stopController = new AbortController();
  private readonly attempts = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {}

  /**
   * Starts every due task that its queue's state and concurrency limit allow, and sets the timer
   * for the next one. Call it after anything that may make a task due.
   */
  wake(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);

    const now = Date.now();
    let nextDueMs = Number.POSITIVE_INFINITY;
    for (const queue of this.options.store.queues.values()) {
      if (queue.state !== 'RUNNING') continue;

      const due: TaskState[] = [];
      for (const task of queue.tasks.values()) {
        if (task.running) continue;
        if (task.scheduleTimeMs <= now) due.push(task);
        else nextDueMs = Math.min(nextDueMs, task.scheduleTimeMs);
      }

      due.sort((a, b) => a.scheduleTimeMs - b.scheduleTimeMs);
      for (const task of due) {
        // Tasks left over start when an attempt of this queue finishes, which wakes the loop again.
        if (queue.inFlight >= queue.settings.rateLimits.maxConcurrentDispatches) break;
        this.startAttempt(task);
      }
    }

    if (nextDueMs !== Number.POSITIVE_INFINITY) {
      this.timer = setTimeout(() => this.wake(), Math.min(nextDueMs - now, MAX_TIMER_MS));
      this.timer.unref();
    }
  }

  /**
   * Starts an attempt now, whatever the queue's state and limits (RunTask).
   *
   * @throws {RpcError} FAILED_PRECONDITION while an attempt of the task is in flight.
   */
  runNow(task: TaskState): void {
    if (task.running) {
      throw new RpcError(
        RpcCode.FAILED_PRECONDITION,
        `Task ${task.name} is being dispatched right now: wait for the attempt to finish, then run it again.`,
      );
    }
    this.startAttempt(task);
  }

  /** Stops the timer, aborts requests in flight and waits for their attempts to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopController.abort();
    await Promise.allSettled([...this.attempts]);
  }

  private startAttempt(task: TaskState): void {
    const now = Date.now();
    task.running = true;
    task.queue.inFlight += 1;
    task.dispatchCount += 1;

    const attempt: AttemptState = {
      scheduleTimeMs: task.scheduleTimeMs,
      dispatchTimeMs: now,
      responseTimeMs: undefined,
      responseStatus: undefined,
    };
    task.lastAttempt = attempt;
    task.firstAttempt ??= { ...attempt };

    const outgoing = buildOutgoingRequest(task, this.authorizationFor(task, now));
    const promise = this.runAttempt(task, task.dispatchCount, attempt, outgoing).finally(() =>
      this.attempts.delete(promise),
    );
    this.attempts.add(promise);
  }

  private authorizationFor(task: TaskState, now: number): string | undefined {
    const { oidcToken, oauthToken, url } = task.request;
    // Cloud Tasks uses the task URL as the audience when the token sets none (OidcToken.audience in target.proto).
    if (oidcToken !== undefined) {
      return `Bearer ${this.options.signer.sign(oidcToken.serviceAccountEmail, oidcToken.audience ?? url, now)}`;
    }
    if (oauthToken !== undefined) return `Bearer ${OAUTH_PLACEHOLDER_TOKEN}`;
    return undefined;
  }

  private async runAttempt(
    task: TaskState,
    attemptNumber: number,
    attempt: AttemptState,
    outgoing: OutgoingRequest,
  ): Promise<void> {
    const outcome = await sendOutgoingRequest(outgoing, task.dispatchDeadlineMs, this.stopController.signal);
    const finishedAt = Date.now();

    task.running = false;
    task.queue.inFlight -= 1;
    attempt.responseTimeMs = finishedAt;
    attempt.responseStatus = responseStatus(outcome);
    if (!this.stopped) {
      this.logAttempt(task, attemptNumber, outgoing, outcome, finishedAt - attempt.dispatchTimeMs);
      if (!task.removed) this.settle(task, outcome, finishedAt);
    }

    // The record is added after settling, so a waiter resolved by it finds the task already deleted or rescheduled.
    this.options.onDispatch(dispatchRecord(task, attemptNumber, outgoing, outcome, attempt.dispatchTimeMs, finishedAt));
    this.wake();
  }

  /** Deletes a task that succeeded or used up its retries, or schedules its next attempt. */
  private settle(task: TaskState, outcome: AttemptOutcome, now: number): void {
    const { store, logger } = this.options;
    if (outcome.kind === 'response') task.responseCount += 1;
    if (outcome.kind === 'response' && isSuccess(outcome.status)) {
      store.removeTask(task, now);
      return;
    }

    // Cloud Tasks leaves 5xx responses out of X-CloudTasks-TaskExecutionCount (Firebase TaskContext reference).
    if (outcome.kind === 'response' && outcome.status < 500) task.executionCount += 1;
    task.previousResponse = outcome.kind === 'response' ? outcome.status : undefined;
    task.retryReason = outcome.kind === 'response' ? `HTTP_${outcome.status}` : outcome.reason;

    const policy = task.queue.settings.retry;
    const firstDispatchMs = task.firstAttempt?.dispatchTimeMs ?? now;
    if (!shouldRetry(policy, task.dispatchCount, now - firstDispatchMs)) {
      logger.error('Task failed on its last attempt; deleting it', {
        task: task.name,
        attempts: task.dispatchCount,
        lastError: describeOutcome(outcome),
      });
      store.removeTask(task, now);
      return;
    }

    const delayMs = retryDelayMs(policy, task.dispatchCount);
    task.scheduleTimeMs = now + delayMs;
    logger.warn('Retrying task', {
      task: task.name,
      failedAttempt: task.dispatchCount,
      error: describeOutcome(outcome),
      nextAttempt: task.dispatchCount + 1,
      delayMs,
    });
  }

  private logAttempt(
    task: TaskState,
    attemptNumber: number,
    outgoing: OutgoingRequest,
    outcome: AttemptOutcome,
    durationMs: number,
  ): void {
    this.options.logger.info('Dispatched task', {
      task: task.name,
      // The query string is left out because it may carry a secret.
      url: urlWithoutQuery(outgoing.url),
      method: outgoing.method,
      attempt: attemptNumber,
      ...(outcome.kind === 'response' ? { status: outcome.status } : { error: outcome.reason }),
      durationMs,
    });
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

function describeOutcome(outcome: AttemptOutcome): string {
  return outcome.kind === 'response' ? `HTTP ${outcome.status}` : `${outcome.reason}: ${outcome.message}`;
}

function urlWithoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function dispatchRecord(
  task: TaskState,
  attemptNumber: number,
  outgoing: OutgoingRequest,
  outcome: AttemptOutcome,
  startedAt: number,
  finishedAt: number,
): DispatchRecord {
  return {
    taskName: task.name,
    taskId: task.id,
    queueName: task.queue.path.name,
    url: outgoing.url,
    method: outgoing.method,
    headers: { ...outgoing.headers },
    body: outgoing.body,
    attempt: attemptNumber,
    status: outcome.kind === 'response' ? outcome.status : undefined,
    error: outcome.kind === 'response' ? undefined : `${outcome.reason}: ${outcome.message}`,
    ok: outcome.kind === 'response' && isSuccess(outcome.status),
    startedAt: new Date(startedAt),
    finishedAt: new Date(finishedAt),
    durationMs: finishedAt - startedAt,
  };
}

/** Converts an attempt's outcome to a `google.rpc.Status`, with the usual mapping of HTTP statuses to gRPC codes. */
function responseStatus(outcome: AttemptOutcome): { code: number; message: string } {
  if (outcome.kind === 'no-response') return { code: RpcCode[outcome.reason], message: outcome.message };
  return { code: rpcCodeForHttpStatus(outcome.status), message: `HTTP ${outcome.status}` };
}

const RPC_CODES_BY_HTTP_STATUS: Record<number, RpcCodeValue> = {
  400: RpcCode.INVALID_ARGUMENT,
  401: RpcCode.UNAUTHENTICATED,
  403: RpcCode.PERMISSION_DENIED,
  404: RpcCode.NOT_FOUND,
  409: RpcCode.ABORTED,
  429: RpcCode.RESOURCE_EXHAUSTED,
  499: RpcCode.CANCELLED,
  501: RpcCode.UNIMPLEMENTED,
  503: RpcCode.UNAVAILABLE,
  504: RpcCode.DEADLINE_EXCEEDED,
};

function rpcCodeForHttpStatus(status: number): RpcCodeValue {
  if (isSuccess(status)) return RpcCode.OK;
  const code = RPC_CODES_BY_HTTP_STATUS[status];
  if (code !== undefined) return code;
  if (status >= 500) return RpcCode.INTERNAL;
  if (status >= 400) return RpcCode.FAILED_PRECONDITION;
  return RpcCode.UNKNOWN;
}
