/**
 * The gRPC server of the emulator: the `google.cloud.tasks.v2.CloudTasks` service, with the
 * implemented RPCs routed to {@link CloudTasksService} and the others returning UNIMPLEMENTED.
 *
 * @module
 */
import type * as Grpc from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';

import type { Logger } from '../core/logger.js';
import { EmulatorListenError } from './listen-error.js';
import { RpcCode, RpcError } from './rpc-error.js';
import type { CloudTasksService } from './service.js';

/**
 * Maximum request size the server accepts, in bytes. It is well above the task size limit, so an
 * oversized task gets the task size error instead of a transport error.
 */
const MAX_RECEIVE_BYTES = 32 * 1024 * 1024;

type Handler = (request: never, encodedBytes: number) => object;

/**
 * Builds the service implementation. Every method of `definition` gets a handler.
 *
 * @returns The definition to register (CreateTask's decoder also records the request size) and its implementation.
 */
export function buildServiceImplementation(
  definition: ProtoLoader.ServiceDefinition,
  service: CloudTasksService,
  logger: Logger,
): { definition: ProtoLoader.ServiceDefinition; implementation: Grpc.UntypedServiceImplementation } {
  // Keyed by the RPC names of the service definition.
  const handlers = new Map<string, Handler>([
    ['CreateQueue', (request) => service.createQueue(request)],
    ['GetQueue', (request) => service.getQueue(request)],
    ['ListQueues', (request) => service.listQueues(request)],
    ['UpdateQueue', (request) => service.updateQueue(request)],
    ['DeleteQueue', (request) => service.deleteQueue(request)],
    ['PurgeQueue', (request) => service.purgeQueue(request)],
    ['PauseQueue', (request) => service.pauseQueue(request)],
    ['ResumeQueue', (request) => service.resumeQueue(request)],
    ['ListTasks', (request) => service.listTasks(request)],
    ['GetTask', (request) => service.getTask(request)],
    ['CreateTask', (request, encodedBytes) => service.createTask(request, encodedBytes)],
    ['DeleteTask', (request) => service.deleteTask(request)],
    ['RunTask', (request) => service.runTask(request)],
  ]);

  // The encoded size of each request, read by its decoder and used for the task size limit.
  const encodedSizes = new WeakMap<object, number>();
  const measured: ProtoLoader.ServiceDefinition = {};
  const implementation: Grpc.UntypedServiceImplementation = {};
  for (const [method, methodDefinition] of Object.entries(definition)) {
    measured[method] = {
      ...methodDefinition,
      requestDeserialize: (bytes: Buffer) => {
        const request = methodDefinition.requestDeserialize(bytes);
        encodedSizes.set(request, bytes.length);
        return request;
      },
    };

    const handler = handlers.get(method);
    implementation[method] =
      handler === undefined
        ? unimplemented(method, [...handlers.keys()])
        : unary(method, handler, (request) => encodedSizes.get(request) ?? 0, logger);
  }
  return { definition: measured, implementation };
}

function unary(
  method: string,
  handler: Handler,
  sizeOf: (request: object) => number,
  logger: Logger,
): Grpc.handleUnaryCall<object, object> {
  return (call, callback) => {
    try {
      callback(null, handler(call.request as never, sizeOf(call.request)));
    } catch (error) {
      if (!(error instanceof RpcError)) logger.error('RPC failed with an unexpected error', { method, error });
      callback(toServiceError(error));
    }
  };
}

function unimplemented(method: string, implemented: readonly string[]): Grpc.handleUnaryCall<object, object> {
  const message =
    `The Cloud Tasks emulator does not implement ${method}. ` + `It implements ${implemented.join(', ')}.`;
  return (_call, callback) => {
    callback(toServiceError(new RpcError(RpcCode.UNIMPLEMENTED, message)));
  };
}

function toServiceError(error: unknown): Partial<Grpc.StatusObject> & Error {
  if (error instanceof RpcError)
    return Object.assign(new Error(error.message), { code: error.code, details: error.message });

  const message = `Internal emulator error: ${error instanceof Error ? error.message : String(error)}`;
  return Object.assign(new Error(message), { code: RpcCode.INTERNAL, details: message });
}

/**
 * Starts a gRPC server without TLS on `host:port` and returns it with the bound port.
 *
 * @throws {EmulatorListenError} naming the address and the `port` option when the port cannot be bound.
 */
export function startGrpcServer(
  grpc: typeof Grpc,
  definition: ProtoLoader.ServiceDefinition,
  implementation: Grpc.UntypedServiceImplementation,
  address: string,
): Promise<{ server: Grpc.Server; port: number }> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_BYTES });
  server.addService(definition, implementation);

  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error === null) {
        resolve({ server, port });
        return;
      }
      server.forceShutdown();
      reject(new EmulatorListenError('gRPC', address, 'port', error));
    });
  });
}

/** Stops the server, waiting up to `graceMs` for calls in progress. */
export function stopGrpcServer(server: Grpc.Server, graceMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
