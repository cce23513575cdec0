// Bodies and readers shared by the multipart tests.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { MultipartError, parseMultipart, type ParseMultipartOptions } from '../../../src/dicomweb/multipart';

export interface Parsed {
  headers: Record<string, string>;
  body: Buffer;
}

export const B = 'dicomnet-test-boundary';

/** Yields `bytes` cut at the given positions (sorted, deduplicated, inside the buffer). */
export async function* cutAt(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  let from = 0;
  for (const p of points) {
    yield Buffer.from(bytes.subarray(from, p));
    from = p;
  }
  if (from < bytes.length) yield Buffer.from(bytes.subarray(from));
}

export async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield Buffer.from(bytes.subarray(i, i + size));
}

export async function parseAll(source: AsyncIterable<Uint8Array> | Readable, boundary = B, opts: ParseMultipartOptions = {}): Promise<Parsed[]> {
  const out: Parsed[] = [];
  for await (const part of parseMultipart(source, boundary, opts)) {
    const pieces: Buffer[] = [];
    for await (const piece of part.body) pieces.push(Buffer.from(piece));
    out.push({ headers: { ...part.headers }, body: Buffer.concat(pieces) });
  }
  return out;
}

export async function collect(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

export async function rejectsWith(p: Promise<unknown>, code: string, status: number): Promise<MultipartError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof MultipartError, `expected a MultipartError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.status, status);
    assert.match(err.message, /^[A-Z].*\.$/); // one sentence
    return err;
  }
  assert.fail(`expected a MultipartError ${code}`);
}

export const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1');

export const SAMPLE = crlf(
  'This is the preamble; it mentions --dicomnet-test-boundar and is ignored.\n'
  + `--${B}\n`
  + 'Content-Type: application/dicom\n'
  + 'Content-Location: /studies/1.2.3/series/4.5/instances/6.7\n'
  + '\n'
  + 'DICM body one\n'
  + `--${B}\n`
  + 'content-type: application/dicom+json\n'
  + 'Content-ID: <part2@dicomnet>\n'
  + '\n'
  + '{"00100010":{"vr":"PN"}}\n'
  + `--${B}--\n`
  + 'This is the epilogue.\n',
);
