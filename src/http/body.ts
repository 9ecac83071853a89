/**
 * Reading and decoding the request body of a task call.
 *
 * @module
 */
import { TaskError } from '../core/errors.js';

/**
 * Checks the `Content-Type`: JSON (`application/json` or any `+json` type) in UTF-8, or absent.
 *
 * @throws {TaskError} `unsupported_media_type` naming `application/json`.
 */
export function assertJsonContentType(header: string | null): void {
  if (header === null || header.trim() === '') return;

  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  const isJson = mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
  if (!isJson) {
    throw new TaskError(
      'unsupported_media_type',
      `Unsupported Content-Type ${JSON.stringify(header)}: send the params as JSON with "Content-Type: application/json".`,
    );
  }

  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length);
  if (charset !== undefined && charset.replaceAll('"', '') !== 'utf-8' && charset.replaceAll('"', '') !== 'utf8') {
    throw new TaskError(
      'unsupported_media_type',
      `Unsupported charset ${JSON.stringify(charset)}: send UTF-8 JSON with "Content-Type: application/json".`,
    );
  }
}

/** A request body split in two limited copies: one for the authenticator, one for the handler. */
export interface SplitBody {
  /** The size limit of both copies, in bytes. */
  readonly maxBytes: number;
  /** The request passed to the authenticator, with a readable body of at most `maxBytes`. */
  readonly authenticatorRequest: Request;
  /** Reads the handler's copy of the body. Rejects with `payload_too_large` past `maxBytes`. */
  readHandlerCopy(): Promise<Uint8Array<ArrayBuffer>>;
  /** Tells whether the authenticator's copy went past the limit, so its error means 413. */
  authenticatorCopyOverflowed(): boolean;
  /** Stops the authenticator's copy, so it buffers nothing more once authentication is over. */
  releaseAuthenticatorCopy(): Promise<void>;
}

/**
 * Splits the body so that an authenticator can read the raw bytes (for example to check an HMAC)
 * before the handler reads them, while nothing is buffered beyond `maxBytes`.
 *
 * A declared `Content-Length` over the limit makes either copy fail with `payload_too_large` on
 * its first read, before any of the body is read. The authenticator still runs first, so a
 * caller without valid credentials gets 401, not 413.
 */
export function splitBody(request: Request, maxBytes: number): SplitBody {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) return declaredTooLarge(request, maxBytes);

  if (request.body === null) {
    return {
      maxBytes,
      authenticatorRequest: withBody(request, null),
      readHandlerCopy: async () => new Uint8Array(0),
      authenticatorCopyOverflowed: () => false,
      releaseAuthenticatorCopy: async () => undefined,
    };
  }

  const [authenticatorBranch, handlerBranch] = request.body.tee();
  let overflowed = false;
  let authenticatorBytes = 0;
  const limitedBranch = authenticatorBranch.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        authenticatorBytes += chunk.byteLength;
        if (authenticatorBytes > maxBytes) {
          overflowed = true;
          controller.error(tooLarge(maxBytes));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  const authenticatorRequest = withBody(request, limitedBranch);

  return {
    maxBytes,
    authenticatorRequest,
    readHandlerCopy: () => readLimitedStream(handlerBranch, maxBytes),
    authenticatorCopyOverflowed: () => overflowed,
    releaseAuthenticatorCopy: async () => {
      // Fails harmlessly when the authenticator has read the body or still has a reader on it.
      await authenticatorRequest.body?.cancel().catch(() => undefined);
    },
  };
}

/** Builds the split body for a `Content-Length` over the limit: reading either copy fails before any byte is read. */
function declaredTooLarge(request: Request, maxBytes: number): SplitBody {
  let authenticatorRead = false;
  const refusingStream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        authenticatorRead = true;
        controller.error(tooLarge(maxBytes));
      },
    },
    // A high-water mark of 0 calls pull() only when the authenticator reads, not when the stream is created.
    { highWaterMark: 0 },
  );
  return {
    maxBytes,
    authenticatorRequest: withBody(request, refusingStream),
    readHandlerCopy: async () => {
      throw tooLarge(maxBytes);
    },
    authenticatorCopyOverflowed: () => authenticatorRead,
    releaseAuthenticatorCopy: async () => undefined,
  };
}

/** Copies the request's URL, method and headers into a new request with `body`. */
function withBody(request: Request, body: ReadableStream<Uint8Array> | null): Request {
  // Node.js needs `duplex: 'half'` for a streamed request body; the DOM typings do not know it yet.
  const init = { method: request.method, headers: request.headers, body, duplex: 'half' };
  return new Request(request.url, init as RequestInit);
}

/**
 * Reads a body stream up to `maxBytes`. A larger body is rejected as soon as the limit is
 * passed, without reading the rest.
 *
 * @throws {TaskError} `payload_too_large` with the limit in bytes.
 */
export async function readLimitedStream(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;

    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

/**
 * Decodes UTF-8 JSON. Text is decoded strictly, so invalid UTF-8 is an error, not a silent
 * replacement character.
 *
 * @throws {TaskError} `invalid_json` for an empty body, invalid UTF-8 or malformed JSON.
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new TaskError('invalid_json', 'The request body is not valid UTF-8: send the params as UTF-8 JSON.', {
      cause: error,
    });
  }
  if (text.trim() === '') {
    throw new TaskError(
      'invalid_json',
      'The request body is empty: send the params as a JSON object, or {} for a task without params.',
    );
  }

  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TaskError(
      'invalid_json',
      `The request body is not valid JSON (${reason}): send the params as a JSON object.`,
      {
        cause: error,
      },
    );
  }
}

/** Builds the `payload_too_large` error for a limit of `maxBytes`. */
export function tooLarge(maxBytes: number): TaskError {
  return new TaskError(
    'payload_too_large',
    `The request body is larger than the limit of ${maxBytes} bytes: send smaller params, or raise maxBodyBytes.`,
  );
}

function concat(chunks: Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
