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

/**
 * Reads the body up to `maxBytes`. A larger body is rejected as soon as the limit is passed,
 * without reading the rest: first from `Content-Length`, then while streaming.
 *
 * @throws {TaskError} `payload_too_large` with the limit in bytes.
 */
export async function readLimitedBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (request.body === null) return new Uint8Array(0);

  const reader = request.body.getReader();
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

function tooLarge(maxBytes: number): TaskError {
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
