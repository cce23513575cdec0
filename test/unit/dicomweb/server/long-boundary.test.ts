// Boundaries longer than RFC 2046 allows (Orthanc sends 73 characters) are swapped for short ones
// as the body streams: wherever the chunks split, the body parses to the same parts.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMultipart } from '../../../../src/dicomweb/multipart';
import { lenientBoundary, swapBoundary } from '../../../../src/dicomweb/server/long-boundary';

const LONG = '0f4bd1a0-5b5e-4b3c-9c5e-2b8f7a0c1d2e-0f4bd1a0-5b5e-4b3c-9c5e-2b8f7a0c1d2e';

function body(parts: Buffer[]): Buffer {
  const pieces: Buffer[] = [];
  for (const p of parts) pieces.push(Buffer.from(`--${LONG}\r\nContent-Type: application/dicom\r\nContent-Length: ${p.length}\r\n\r\n`), p, Buffer.from('\r\n'));
  pieces.push(Buffer.from(`--${LONG}--`));
  return Buffer.concat(pieces);
}

async function* chunks(buf: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const c of cuts) {
    yield buf.subarray(at, c);
    at = c;
  }
  yield buf.subarray(at);
}

async function partsOf(source: AsyncIterable<Buffer>, boundary: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const part of parseMultipart(source, boundary)) {
    const pieces: Buffer[] = [];
    for await (const c of part.body) pieces.push(Buffer.from(c));
    out.push(Buffer.concat(pieces));
  }
  return out;
}

describe('long multipart boundaries', () => {
  const contents = [Buffer.from('first part, with -- dashes and a near miss --0f4bd1a0-5b5e'), Buffer.alloc(80, 0x2d), Buffer.from('x')];
  const whole = body(contents);

  test('the body parses to the same parts wherever it is cut (every single cut, and runs of tiny chunks)', async () => {
    assert.equal(LONG.length, 73);
    for (let cut = 0; cut <= whole.length; cut++) {
      const { body: b, boundary } = lenientBoundary(chunks(whole, [cut]), LONG);
      assert.notEqual(boundary, LONG);
      assert.deepEqual(await partsOf(b, boundary), contents, `cut at ${cut}`);
    }
    for (const size of [1, 2, 3, 7, 74, 75, 76]) {
      const cuts: number[] = [];
      for (let c = size; c < whole.length; c += size) cuts.push(c);
      const { body: b, boundary } = lenientBoundary(chunks(whole, cuts), LONG);
      assert.deepEqual(await partsOf(b, boundary), contents, `chunks of ${size}`);
    }
  });

  test('bytes other than the boundary pass unchanged; short boundaries are left alone', async () => {
    const out: Buffer[] = [];
    for await (const c of swapBoundary(chunks(Buffer.from(`a--${LONG}b--${LONG.slice(0, 40)}c`), [5, 50]), LONG, 'short')) out.push(c);
    assert.equal(Buffer.concat(out).toString(), `a--shortb--${LONG.slice(0, 40)}c`);
    const src = chunks(whole, []);
    assert.equal(lenientBoundary(src, 'plain-boundary').body, src);
  });
});
