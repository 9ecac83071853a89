/**
 * The Cloud Tasks v2 messages as `@grpc/proto-loader` decodes them with the emulator's options:
 * camelCase fields, enums as names, int64 as numbers, bytes as Buffers, unset fields absent.
 * Only the fields the emulator reads or writes are typed.
 *
 * @module
 */

/** `google.protobuf.Timestamp` and `google.protobuf.Duration`. */
export interface SecondsAndNanos {
  seconds?: number | string;
  nanos?: number;
}

/** `google.rpc.Status`. */
export interface StatusMessage {
  code?: number;
  message?: string;
}

/** `google.cloud.tasks.v2.OidcToken`. */
export interface OidcTokenMessage {
  serviceAccountEmail?: string;
  audience?: string;
}

/** `google.cloud.tasks.v2.OAuthToken`. */
export interface OAuthTokenMessage {
  serviceAccountEmail?: string;
  scope?: string;
}

/** `google.cloud.tasks.v2.HttpRequest`. */
export interface HttpRequestMessage {
  url?: string;
  httpMethod?: string | number;
  headers?: Record<string, string>;
  body?: Buffer;
  oauthToken?: OAuthTokenMessage;
  oidcToken?: OidcTokenMessage;
}

/** `google.cloud.tasks.v2.Attempt`. */
export interface AttemptMessage {
  scheduleTime?: SecondsAndNanos;
  dispatchTime?: SecondsAndNanos;
  responseTime?: SecondsAndNanos;
  responseStatus?: StatusMessage;
}

/** `google.cloud.tasks.v2.Task`. */
export interface TaskMessage {
  name?: string;
  appEngineHttpRequest?: object;
  httpRequest?: HttpRequestMessage;
  scheduleTime?: SecondsAndNanos;
  createTime?: SecondsAndNanos;
  dispatchDeadline?: SecondsAndNanos;
  dispatchCount?: number;
  responseCount?: number;
  firstAttempt?: AttemptMessage;
  lastAttempt?: AttemptMessage;
  view?: string | number;
}

/** `google.cloud.tasks.v2.RateLimits`. */
export interface RateLimitsMessage {
  maxDispatchesPerSecond?: number;
  maxBurstSize?: number;
  maxConcurrentDispatches?: number;
}

/** `google.cloud.tasks.v2.RetryConfig`. */
export interface RetryConfigMessage {
  maxAttempts?: number;
  maxRetryDuration?: SecondsAndNanos;
  minBackoff?: SecondsAndNanos;
  maxBackoff?: SecondsAndNanos;
  maxDoublings?: number;
}

/** `google.cloud.tasks.v2.StackdriverLoggingConfig`. */
export interface StackdriverLoggingConfigMessage {
  samplingRatio?: number;
}

/** `google.cloud.tasks.v2.Queue`. */
export interface QueueMessage {
  name?: string;
  appEngineRoutingOverride?: object;
  rateLimits?: RateLimitsMessage;
  retryConfig?: RetryConfigMessage;
  state?: string | number;
  purgeTime?: SecondsAndNanos;
  stackdriverLoggingConfig?: StackdriverLoggingConfigMessage;
}

/** Request of an RPC that names one resource: GetQueue, DeleteQueue, PurgeQueue, PauseQueue, ResumeQueue, DeleteTask. */
export interface NameRequest {
  name?: string;
}

/** `CreateQueueRequest`. */
export interface CreateQueueRequest {
  parent?: string;
  queue?: QueueMessage;
}

/** `UpdateQueueRequest`. */
export interface UpdateQueueRequest {
  queue?: QueueMessage;
  updateMask?: { paths?: string[] };
}

/** `ListQueuesRequest`. */
export interface ListQueuesRequest {
  parent?: string;
  filter?: string;
  pageSize?: number;
  pageToken?: string;
}

/** `GetTaskRequest` and `RunTaskRequest`. */
export interface TaskNameRequest {
  name?: string;
  responseView?: string | number;
}

/** `ListTasksRequest`. */
export interface ListTasksRequest {
  parent?: string;
  responseView?: string | number;
  pageSize?: number;
  pageToken?: string;
}

/** `CreateTaskRequest`. */
export interface CreateTaskRequest {
  parent?: string;
  task?: TaskMessage;
  responseView?: string | number;
}

/** Converts a Timestamp or Duration to milliseconds, dropping sub-millisecond parts. */
export function toMilliseconds(value: SecondsAndNanos): number {
  return Number(value.seconds ?? 0) * 1000 + Math.trunc((value.nanos ?? 0) / 1_000_000);
}

/** Converts milliseconds (rounded to a whole number) to a Timestamp or Duration. */
export function fromMilliseconds(milliseconds: number): SecondsAndNanos {
  const whole = Math.round(milliseconds);
  const seconds = Math.floor(whole / 1000);
  return { seconds, nanos: (whole - seconds * 1000) * 1_000_000 };
}
