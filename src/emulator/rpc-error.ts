/**
 * gRPC errors that the emulator's RPC handlers throw, with the status codes Cloud Tasks uses.
 *
 * @module
 */

/** The `google.rpc.Code` values the emulator sends; the numbers are fixed by the gRPC protocol. */
export const RpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** One of the {@link RpcCode} values. */
export type RpcCodeValue = (typeof RpcCode)[keyof typeof RpcCode];

/** Returns the name of a gRPC status code, such as `NOT_FOUND` for 5, or the number when it has none here. */
export function rpcCodeName(code: number): string {
  const entry = Object.entries(RpcCode).find(([, value]) => value === code);
  return entry === undefined ? String(code) : entry[0];
}

/** An error that an RPC handler returns to the client with its gRPC status code and message. */
export class RpcError extends Error {
  /** The gRPC status code. */
  readonly code: RpcCodeValue;

  constructor(code: RpcCodeValue, message: string) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
  }
}

/** Creates an INVALID_ARGUMENT error. */
export function invalidArgument(message: string): RpcError {
  return new RpcError(RpcCode.INVALID_ARGUMENT, message);
}

/** Creates a NOT_FOUND error. */
export function notFound(message: string): RpcError {
  return new RpcError(RpcCode.NOT_FOUND, message);
}
