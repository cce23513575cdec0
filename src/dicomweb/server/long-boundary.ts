// Some clients send multipart boundaries longer than the 70 characters RFC 2046 allows (Orthanc's
// DICOMweb plugin uses two UUIDs joined by "-", 73 characters). The multipart parser holds to the
// RFC, so the server swaps such a boundary, wherever "--boundary" occurs in the body, for a short
// random one as the bytes stream past. A boundary never occurs inside a part body (that is what
// makes it a boundary), so the swap changes nothing else.

import { makeBoundary } from '../multipart';

/** Longest boundary the server takes from a client. */
export const MAX_LENIENT_BOUNDARY = 200;

/** `source` with every "--from" replaced by "--to"; only a few bytes are ever copied. */
export async function* swapBoundary(source: AsyncIterable<Buffer>, from: string, to: string): AsyncGenerator<Buffer> {
  const needle = Buffer.from(`--${from}`, 'latin1');
  const replacement = Buffer.from(`--${to}`, 'latin1');
  const keep = needle.length - 1;

  /** Yields buf with its matches replaced, except a tail that may begin a match: returned (copied). */
  function* swapIn(buf: Buffer): Generator<Buffer, Buffer> {
    let pos = 0;
    for (let i = buf.indexOf(needle); i !== -1; i = buf.indexOf(needle, pos)) {
      if (i > pos) yield buf.subarray(pos, i);
      yield replacement;
      pos = i + needle.length;
    }
    const tail = Math.max(pos, buf.length - keep);
    if (tail > pos) yield buf.subarray(pos, tail);
    return Buffer.from(buf.subarray(tail));
  }

  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    if (carry.length === 0) {
      carry = yield* swapIn(chunk);
    } else if (chunk.length <= keep) {
      carry = yield* swapIn(Buffer.concat([carry, chunk]));
    } else {
      // Only a match that starts in the held-back bytes needs them joined to this chunk.
      const head = Buffer.concat([carry, chunk.subarray(0, keep)]);
      const i = head.indexOf(needle);
      if (i !== -1 && i < carry.length) {
        if (i > 0) yield head.subarray(0, i);
        yield replacement;
        carry = yield* swapIn(chunk.subarray(i + needle.length - carry.length));
      } else {
        yield carry;
        carry = yield* swapIn(chunk);
      }
    }
  }
  if (carry.length > 0) yield carry;
}

/** The boundary to parse with, and the body to parse: swapped when the client's is too long. */
export function lenientBoundary(body: AsyncIterable<Buffer>, boundary: string): { body: AsyncIterable<Buffer>; boundary: string } {
  if (boundary.length <= 70 || boundary.length > MAX_LENIENT_BOUNDARY || !/^[\x21-\x7e][\x20-\x7e]*[\x21-\x7e]$/.test(boundary)) return { body, boundary };
  const short = makeBoundary();
  return { body: swapBoundary(body, boundary, short), boundary: short };
}
