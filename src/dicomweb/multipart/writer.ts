// Streaming writer of multipart/related bodies. Parts and their bodies are pulled only as the
// reader of the returned stream asks for more, so a 1 GiB WADO-RS response or a STOW-RS request
// of a thousand files is never held in memory.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { MultipartError } from './errors';

export type MultipartHeaders = Readonly<Record<string, string | number | undefined>> | ReadonlyArray<readonly [string, string | number]>;

export type MultipartBody =
  | Buffer
  | Uint8Array
  | string
  | Readable
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array>;

export interface MultipartWritePart {
  /** e.g. { 'Content-Type': 'application/dicom', 'Content-Location': '…' }; undefined values are left out. */
  headers: MultipartHeaders;
  /** Strings are written as UTF-8. */
  body: MultipartBody;
}

// RFC 2046 5.1.1 bchars.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A random boundary of safe characters that cannot plausibly occur in any body. */
export function makeBoundary(): string {
  return `dicomnet-${randomBytes(18).toString('hex')}`;
}

function checkWriterBoundary(boundary: string): void {
  if (typeof boundary !== 'string' || !BOUNDARY.test(boundary)) {
    throw new MultipartError(
      `The boundary ${JSON.stringify(String(boundary).slice(0, 80))} is not 1 to 70 characters from RFC 2046's set (letters, digits, '()+_,-./:=? and inner spaces).`,
      'bad-boundary',
    );
  }
}

function formatHeaders(headers: MultipartHeaders): string {
  const entries: ReadonlyArray<readonly [string, string | number | undefined]> = Array.isArray(headers)
    ? (headers as ReadonlyArray<readonly [string, string | number]>)
    : Object.entries(headers as Record<string, string | number | undefined>);
  let out = '';
  for (const [name, raw] of entries) {
    if (raw === undefined) continue;
    const value = String(raw);
    if (!HEADER_NAME.test(name)) throw new MultipartError(`"${name}" is not a valid header name for a multipart part.`, 'bad-header');
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) {
      throw new MultipartError(`The value of the part header "${name}" holds a line break, a control character or a character beyond Latin-1.`, 'bad-header');
    }
    out += `${name}: ${value}\r\n`;
  }
  return out;
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new TypeError(`A multipart part body gave a chunk of type ${typeof chunk}; bytes or strings are expected.`);
}

async function* bodyChunks(body: MultipartBody): AsyncGenerator<Buffer> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const b = toBuffer(body);
    if (b.length > 0) yield b;
    return;
  }
  if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    for await (const chunk of body as AsyncIterable<unknown>) {
      const b = toBuffer(chunk);
      if (b.length > 0) yield b;
    }
    return;
  }
  if (body && typeof (body as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const chunk of body as Iterable<unknown>) {
      const b = toBuffer(chunk);
      if (b.length > 0) yield b;
    }
    return;
  }
  throw new TypeError('A multipart part body must be bytes, a string, a Readable or an (async) iterable of bytes.');
}

async function* generate(
  parts: AsyncIterable<MultipartWritePart> | Iterable<MultipartWritePart>,
  boundary: string,
): AsyncGenerator<Buffer> {
  let first = true;
  for await (const part of parts) {
    const head = `${first ? '' : '\r\n'}--${boundary}\r\n${formatHeaders(part.headers)}\r\n`;
    first = false;
    yield Buffer.from(head, 'latin1');
    yield* bodyChunks(part.body);
  }
  yield Buffer.from(`${first ? '' : '\r\n'}--${boundary}--\r\n`, 'latin1');
}

/**
 * A multipart body as a byte stream: "--boundary", each part's headers and body, and the close
 * delimiter. The stream pulls the next part and the next body chunk only when its reader wants
 * more (backpressure); an error from a part body destroys the stream with that error.
 * @throws MultipartError when the boundary is not valid (at once); header errors surface as stream errors.
 */
export function multipartStream(
  parts: AsyncIterable<MultipartWritePart> | Iterable<MultipartWritePart>,
  boundary: string,
): Readable {
  checkWriterBoundary(boundary);
  return Readable.from(generate(parts, boundary), { objectMode: false });
}
