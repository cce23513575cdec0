// Random and mutated bytes never make the decoder or the streaming reader throw or over-allocate.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { decodePdu } from '../../../src/net/pdu-decode';
import { PduReader, HARD_PDU_CAP } from '../../../src/net/pdu-reader';
import { PduDecodeError } from '../../../src/net/errors';
import { encodePdu } from '../../../src/net/pdu-encode';
import { REPO_ROOT } from '../../helpers/processes';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'pdus', 'dcmtk');
const samples: Buffer[] = readdirSync(FIXTURES).flatMap((s) =>
  readdirSync(path.join(FIXTURES, s)).map((f) => readFileSync(path.join(FIXTURES, s, f)))).filter((b) => b.length < 20000);

function decodeNeverThrows(bytes: Buffer): void {
  const result = decodePdu(bytes);
  if (!result.ok) assert.ok(result.error instanceof PduDecodeError);
}

/** A mutation of a real PDU: flipped bytes, changed length fields, truncation or extension. */
const mutated = fc.tuple(
  fc.integer({ min: 0, max: samples.length - 1 }),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
  fc.integer({ min: -64, max: 64 }),
  fc.boolean(),
).map(([i, flips, cut, fixLength]) => {
  let b = Buffer.from(samples[i]);
  for (const [pos, value] of flips) b[pos % b.length] = value;
  if (cut < 0) b = b.subarray(0, Math.max(0, b.length + cut));
  else if (cut > 0) b = Buffer.concat([b, Buffer.alloc(cut, cut)]);
  // Often keep the outer length consistent so the mutation reaches the inner items.
  if (fixLength && b.length >= 6) b.writeUInt32BE(b.length - 6, 2);
  return b;
});

describe('the PDU decoder under random input', () => {
  test('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => decodeNeverThrows(Buffer.from(bytes))), { numRuns: 3000 });
  });

  test('random bytes behind a valid header of every PDU type', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.uint8Array({ maxLength: 600 }), (type, body) => {
      const header = Buffer.alloc(6);
      header[0] = type;
      header.writeUInt32BE(body.length, 2);
      decodeNeverThrows(Buffer.concat([header, Buffer.from(body)]));
    }), { numRuns: 3000 });
  });

  test('mutated real PDUs recorded from DCMTK', () => {
    fc.assert(fc.property(mutated, decodeNeverThrows), { numRuns: 5000 });
  });
});

describe('the streaming PDU reader', () => {
  test('splits a stream cut at any points into the same PDUs', () => {
    const stream = Buffer.concat(samples);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const got: Buffer[] = [];
      const reader = new PduReader({ maxPDataLength: 0 }, (raw) => got.push(Buffer.from(raw)), (e) => assert.fail(e.message));
      let last = 0;
      for (const p of [...points, stream.length]) { reader.push(stream.subarray(last, p)); last = p; }
      assert.deepEqual(got, samples);
    }), { numRuns: 300 });
  });

  test('streams P-DATA PDVs as views of the chunks, whatever the cuts, and they add up to the same PDUs', () => {
    const stream = Buffer.concat(samples);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 60 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const rebuilt: Buffer[] = [];
      let pdvs: { contextId: number; header: number; pieces: Buffer[] }[] = [];
      let open = false;
      const reader = new PduReader({ maxPDataLength: 0 }, (raw) => rebuilt.push(Buffer.from(raw)), (e) => assert.fail(e.message), {
        start: () => { pdvs = []; open = false; },
        piece: (contextId, header, data, done) => {
          if (!open) { pdvs.push({ contextId, header, pieces: [] }); open = true; }
          pdvs[pdvs.length - 1].pieces.push(Buffer.from(data));
          if (done) open = false;
        },
        end: () => rebuilt.push(encodePdu({ type: 4, pdvs: pdvs.map((p) => ({ contextId: p.contextId, isCommand: (p.header & 1) !== 0, isLast: (p.header & 2) !== 0, data: Buffer.concat(p.pieces) })) })),
      });
      let last = 0;
      for (const p of [...points, stream.length]) { reader.push(stream.subarray(last, p)); last = p; }
      assert.deepEqual(rebuilt, samples);
    }), { numRuns: 200 });
  });

  test('refuses a P-DATA-TF longer than our maximum before receiving its body', () => {
    let error: PduDecodeError | undefined;
    const reader = new PduReader({ maxPDataLength: 4096 }, () => assert.fail('no PDU expected'), (e) => { error = e; });
    const header = Buffer.from([4, 0, 0, 0, 0x10, 0x01]); // 4097 bytes
    reader.push(header);
    assert.ok(error);
    assert.match(error!.message, /4097 bytes, more than the 4096 allowed/);
  });

  test('refuses a PDU claiming 4 GiB even when the maximum is unlimited, and an unknown type at once', () => {
    let error: PduDecodeError | undefined;
    new PduReader({ maxPDataLength: 0 }, () => undefined, (e) => { error = e; }).push(Buffer.from([4, 0, 0xff, 0xff, 0xff, 0xff]));
    assert.match(error!.message, new RegExp(`more than the ${HARD_PDU_CAP} allowed`));
    error = undefined;
    new PduReader({ maxPDataLength: 0 }, () => undefined, (e) => { error = e; }).push(Buffer.from([0x4b, 0]));
    assert.equal(error, undefined, 'one byte is not enough to judge');
    new PduReader({ maxPDataLength: 0 }, () => undefined, (e) => { error = e; }).push(Buffer.from([0x47, 0x45, 0x54, 0x20, 0x2f, 0x20]));
    assert.match(error!.message, /unknown PDU type 0x47/);
  });
});
