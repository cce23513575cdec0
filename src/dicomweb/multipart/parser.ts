// Streaming parser of multipart/related bodies (RFC 2046 5.1, RFC 2387), as PS3.18 uses them for
// STOW-RS requests and WADO-RS responses.
//
// The body is scanned for the delimiter "CRLF--boundary" with Buffer.indexOf. Part bodies are
// handed out as views of the source's chunks; only the few bytes at the end of a chunk that could
// be the start of a delimiter are copied and held back. So at most one chunk plus a delimiter's
// length of a part body is held at any time, whatever the size of the part.
//
// A source must not reuse the memory of a chunk it has yielded (Node streams never do) while the
// consumer may still hold the views handed out of it.

import { Readable } from 'node:stream';
import { MultipartError } from './errors';
import { PartBody, type MultipartPart, type PartState, type Scan } from './part-body';
import { checkBoundary, parseHeaderBlock } from './part-headers';

export interface MultipartLimits {
  /** Bytes of one part's header block (default 16 KiB); beyond it: 413. */
  maxHeaderBytes?: number;
  /** Number of parts (default 10,000); beyond it: 413. */
  maxParts?: number;
  /** Bytes of the whole body, preamble and epilogue included (default: no limit); beyond it: 413. */
  maxTotalBytes?: number;
  /** Bytes of one part's body (default: no limit); beyond it: 413. */
  maxPartBytes?: number;
}

export interface ParseMultipartOptions extends MultipartLimits {
  /**
   * Accept a body that ends right after a delimiter line instead of with "--boundary--"
   * (some producers leave the close delimiter out). Default false: such a body is a 400.
   */
  allowMissingCloseDelimiter?: boolean;
}

export type MultipartSource = AsyncIterable<Uint8Array | string> | Readable;

const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
const DEFAULT_MAX_PARTS = 10_000;
/** Spaces and tabs allowed between a boundary and its line end ("transport padding"). */
const MAX_TRANSPORT_PADDING = 256;
const CRLF = Buffer.from('\r\n', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);

/**
 * The earliest position p, within the last delimiter.length - 1 bytes of buf, from which the
 * rest of buf is a beginning of the delimiter; buf.length when there is none. The delimiter starts
 * with CR and holds no other CR (a boundary is printable ASCII), so only CRs are candidates.
 */
function partialMatchStart(buf: Buffer, delimiter: Buffer): number {
  const len = buf.length;
  let p = buf.indexOf(0x0d, Math.max(0, len - delimiter.length + 1));
  while (p !== -1) {
    if (buf.compare(delimiter, 0, len - p, p, len) === 0) return p;
    p = buf.indexOf(0x0d, p + 1);
  }
  return len;
}

export class MultipartReader {
  private readonly source: AsyncIterator<Uint8Array | string>;
  private buf: Buffer = EMPTY;
  private total = 0;
  private ended = false;
  private readonly bodyDelimiter: Buffer;
  private readonly maxHeaderBytes: number;
  private readonly maxParts: number;
  private readonly maxTotalBytes: number;
  private readonly maxPartBytes: number;

  constructor(body: MultipartSource, private readonly boundary: string, private readonly opts: ParseMultipartOptions) {
    this.source = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
    this.bodyDelimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.maxHeaderBytes = limit(opts.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, 'maxHeaderBytes');
    this.maxParts = limit(opts.maxParts, DEFAULT_MAX_PARTS, 'maxParts');
    this.maxTotalBytes = limit(opts.maxTotalBytes, Infinity, 'maxTotalBytes');
    this.maxPartBytes = limit(opts.maxPartBytes, Infinity, 'maxPartBytes');
  }

  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.source.return?.();
    }
  }

  /** The next chunk of the source, or null at its end. */
  private async pull(): Promise<Buffer | null> {
    if (this.ended) return null;
    for (;;) {
      const r = await this.source.next();
      if (r.done) {
        this.ended = true;
        return null;
      }
      const v = r.value;
      if (typeof v === 'string' || !(v instanceof Uint8Array)) {
        throw new MultipartError('The multipart source gave a chunk that is not bytes (was an encoding set on the stream?).', 'bad-chunk');
      }
      if (v.length === 0) continue;
      this.total += v.length;
      if (this.total > this.maxTotalBytes) {
        throw new MultipartError(`The multipart body is larger than the limit of ${this.maxTotalBytes} bytes.`, 'body-too-large', 413);
      }
      return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    }
  }

  /** Makes buf hold at least n bytes (n is small); false when the source ends first. */
  private async ensure(n: number): Promise<boolean> {
    while (this.buf.length < n) {
      // Copy the few bytes held: the source may reuse a chunk's memory once the next is asked for.
      const held = this.buf.length === 0 ? EMPTY : Buffer.from(this.buf);
      const chunk = await this.pull();
      if (chunk === null) {
        this.buf = held;
        return false;
      }
      this.buf = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
    }
    return true;
  }

  /**
   * The next bytes before the scan's delimiter, or null once the delimiter has been consumed.
   * Returns views of the source's chunks except for held-back bytes, which are copies.
   */
  private async scanNext(scan: Scan, onEnd: () => MultipartError): Promise<Buffer | null> {
    const d = scan.delimiter;
    const dl = d.length;
    for (;;) {
      if (scan.found) return null;
      if (this.buf.length === 0) {
        const chunk = await this.pull();
        if (chunk === null) throw onEnd();
        this.buf = chunk;
      }
      if (scan.carry.length > 0) {
        // Does a delimiter start within the held-back bytes?
        const carried = scan.carry.length;
        const probe = Buffer.concat([scan.carry, this.buf.subarray(0, dl - 1)]);
        const at = probe.indexOf(d);
        if (at >= 0) {
          this.buf = this.buf.subarray(at + dl - carried);
          scan.carry = EMPTY;
          scan.found = true;
          return at > 0 ? probe.subarray(0, at) : null;
        }
        const p = partialMatchStart(probe, d);
        if (p < carried) {
          // Still undecided: the chunk was shorter than the delimiter and all of it is in the probe.
          this.buf = EMPTY;
          scan.carry = probe.subarray(p);
          if (p > 0) return probe.subarray(0, p);
          continue;
        }
        const out = scan.carry;
        scan.carry = EMPTY;
        return out;
      }
      const at = this.buf.indexOf(d);
      if (at >= 0) {
        const out = this.buf.subarray(0, at);
        this.buf = this.buf.subarray(at + dl);
        scan.found = true;
        return at > 0 ? out : null;
      }
      const p = partialMatchStart(this.buf, d);
      const out = this.buf.subarray(0, p);
      scan.carry = p < this.buf.length ? Buffer.from(this.buf.subarray(p)) : EMPTY;
      this.buf = EMPTY;
      if (p > 0) return out;
    }
  }

  /** Skips the preamble up to and including the first "--boundary". */
  async skipPreamble(): Promise<void> {
    // A virtual CRLF in front lets the first boundary sit at offset 0 without its own CRLF.
    const scan: Scan = { delimiter: this.bodyDelimiter, carry: Buffer.from(CRLF), found: false };
    const onEnd = () => new MultipartError(`The body holds no multipart boundary "--${this.boundary}".`, 'no-boundary');
    while ((await this.scanNext(scan, onEnd)) !== null) { /* discard the preamble */ }
  }

  /**
   * After "--boundary": "--" closes the body (true); otherwise transport padding and CRLF must
   * follow, which are consumed (false). At the end of the source: 'eof'.
   */
  async readBoundaryLineEnd(partIndex: number): Promise<boolean | 'eof'> {
    if (!(await this.ensure(2))) {
      if (this.buf.length === 0 || this.buf[0] === 0x0d) return 'eof';
      throw this.truncated(partIndex);
    }
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
      this.buf = this.buf.subarray(2);
      return true;
    }
    let padding = 0;
    for (;;) {
      if (!(await this.ensure(1))) return 'eof';
      const c = this.buf[0];
      if (c !== 0x20 && c !== 0x09) break;
      this.buf = this.buf.subarray(1);
      if (++padding > MAX_TRANSPORT_PADDING) {
        throw new MultipartError(`A multipart boundary line has more than ${MAX_TRANSPORT_PADDING} characters of padding.`, 'bad-delimiter', 400, partIndex);
      }
    }
    if (!(await this.ensure(2))) {
      // The source ended after "--boundary", its padding and perhaps a CR: no close delimiter.
      if (this.buf.length === 0 || this.buf[0] === 0x0d) return 'eof';
      throw this.truncated(partIndex);
    }
    if (this.buf[0] !== 0x0d || this.buf[1] !== 0x0a) {
      const seen = this.buf.subarray(0, 16).toString('latin1');
      throw new MultipartError(
        `The multipart boundary is followed by ${JSON.stringify(seen)} where the end of its line was expected.`,
        'bad-delimiter', 400, partIndex,
      );
    }
    this.buf = this.buf.subarray(2);
    return false;
  }

  /** The header block of a part (the boundary line's CRLF already consumed), or 'eof' if none. */
  async readHeaders(partIndex: number): Promise<Record<string, string> | 'eof'> {
    // The boundary line's CRLF is put back in front, so an empty header block is "CRLFCRLF".
    const scan: Scan = { delimiter: CRLFCRLF, carry: Buffer.from(CRLF), found: false };
    const pieces: Buffer[] = [];
    let size = 0;
    let sawEnd = false;
    const onEnd = () => {
      sawEnd = true;
      return this.truncated(partIndex);
    };
    try {
      for (let piece = await this.scanNext(scan, onEnd); piece !== null; piece = await this.scanNext(scan, onEnd)) {
        size += piece.length;
        if (size > this.maxHeaderBytes + 2) {
          throw new MultipartError(
            `The headers of part ${partIndex + 1} are larger than the limit of ${this.maxHeaderBytes} bytes.`,
            'headers-too-large', 413, partIndex,
          );
        }
        pieces.push(piece);
      }
    } catch (err) {
      // A source that ends right after a delimiter line: nothing but the put-back CRLF was seen.
      if (sawEnd && size + scan.carry.length <= 2) return 'eof';
      throw err;
    }
    const text = Buffer.concat(pieces).toString('latin1').slice(2);
    return parseHeaderBlock(text, partIndex);
  }

  private truncated(partIndex: number): MultipartError {
    return new MultipartError(`The multipart body ends inside part ${partIndex + 1}, before its closing boundary.`, 'truncated', 400, partIndex);
  }

  /** Discards the epilogue (so that an HTTP request is read to its end). */
  async drain(): Promise<void> {
    this.buf = EMPTY;
    while ((await this.pull()) !== null) { /* discard */ }
  }

  async *parts(): AsyncGenerator<MultipartPart> {
    try {
      await this.skipPreamble();
      for (let index = 0; ; index++) {
        const lineEnd = await this.readBoundaryLineEnd(index);
        if (lineEnd === true) break;
        const headers = lineEnd === 'eof' ? 'eof' : await this.readHeaders(index);
        if (headers === 'eof') {
          if (this.opts.allowMissingCloseDelimiter) return;
          throw new MultipartError(
            `The multipart body ends without its closing boundary "--${this.boundary}--".`,
            'missing-close-delimiter', 400, index,
          );
        }
        if (index >= this.maxParts) {
          throw new MultipartError(`The multipart body has more than the limit of ${this.maxParts} parts.`, 'too-many-parts', 413, index);
        }
        const part = new PartBody(this, index, headers);
        yield part.describe();
        await part.drain();
      }
      await this.drain();
    } finally {
      await this.close();
    }
  }

  /** Reads one part body: used by PartBody only. */
  async partChunk(state: PartState): Promise<Buffer | null> {
    const piece = await this.scanNext(state.scan, () => this.truncated(state.index));
    if (piece === null) {
      if (state.contentLength !== undefined && state.received !== state.contentLength) {
        throw new MultipartError(
          `Part ${state.index + 1} declares a Content-Length of ${state.contentLength} bytes but holds ${state.received}.`,
          'bad-content-length', 400, state.index,
        );
      }
      return null;
    }
    state.received += piece.length;
    if (state.received > this.maxPartBytes) {
      throw new MultipartError(`Part ${state.index + 1} is larger than the limit of ${this.maxPartBytes} bytes.`, 'part-too-large', 413, state.index);
    }
    if (state.contentLength !== undefined && state.received > state.contentLength) {
      throw new MultipartError(
        `Part ${state.index + 1} holds more bytes than its Content-Length of ${state.contentLength}.`,
        'bad-content-length', 400, state.index,
      );
    }
    return piece;
  }

  newScan(): Scan {
    return { delimiter: this.bodyDelimiter, carry: EMPTY, found: false };
  }

  get partLimit(): number {
    return this.maxPartBytes;
  }
}

function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new RangeError(`The multipart option ${name} must be a non-negative number.`);
  }
  return value;
}

/**
 * Parses a multipart body as it streams in. Parts come one at a time; each part's body must be
 * read (or is drained) before the next part is produced. Stopping the iteration early closes
 * the source.
 * @throws MultipartError with `status` 400 (broken body) or 413 (a limit exceeded).
 */
export function parseMultipart(body: MultipartSource, boundary: string, opts: ParseMultipartOptions = {}): AsyncGenerator<MultipartPart> {
  checkBoundary(boundary);
  return new MultipartReader(body, boundary, opts).parts();
}
