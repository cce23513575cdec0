// Mutated real files must give typed errors (or parse), never another exception or a hang.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFileMeta } from '../../../src/dicom/file-meta';
import { parsePart10 } from '../../../src/dicom/part10';
import { DatasetHeaderScanner } from '../../../src/dicom/header-scanner';
import { transcodeBuffer } from '../../../src/dicom/transcode';
import { DicomParseError, UnsupportedTransferSyntaxError, MissingTransferSyntaxError } from '../../../src/dicom/errors';
import { UNCOMPRESSED_SYNTAXES } from '../../../src/dicom/transfer-syntaxes';
import { readSample, samplesAvailable } from './samples';
import { cpuTimeOf } from '../../helpers/cpu-time';

const FILES = ['MR_small.dcm', 'MR_small_implicit.dcm', 'MR_small_bigendian.dcm', 'test-SR.dcm', 'rtplan.dcm', 'image_dfl.dcm', 'JPEG2000.dcm', 'nested_priv_SQ.dcm'];

function isTyped(e: unknown): boolean {
  return e instanceof DicomParseError || e instanceof UnsupportedTransferSyntaxError || e instanceof MissingTransferSyntaxError;
}

/** Runs every reader over the bytes; returns the first untyped error, if any. */
function exercise(buf: Buffer): unknown {
  const attempts: (() => void)[] = [
    () => { parsePart10(buf, 'fuzz.dcm'); },
    () => {
      const meta = parseFileMeta(buf, 'fuzz.dcm');
      const data = buf.subarray(meta.datasetOffset);
      const s = new DatasetHeaderScanner(meta.transferSyntaxUid);
      for (let p = 0; p < data.length; p += 777) if (s.push(data.subarray(p, p + 777))) break;
      s.end();
    },
    () => {
      const meta = parseFileMeta(buf, 'fuzz.dcm');
      if (!UNCOMPRESSED_SYNTAXES.includes(meta.transferSyntaxUid)) return;
      transcodeBuffer(buf.subarray(meta.datasetOffset), meta.transferSyntaxUid, '1.2.840.10008.1.2.2');
    },
  ];
  for (const run of attempts) {
    try {
      run();
    } catch (e) {
      if (!isTyped(e)) return e;
      const msg = (e as Error).message;
      if (!msg || msg.length > 400) return new Error(`bad message: ${msg}`);
    }
  }
  return undefined;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0xffff, 0xfffffffe, 0xffffffff, 0x7fffffff, 3, 4000) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delimiter' as const), at: fc.nat(), value: fc.constantFrom(0xe000, 0xe00d, 0xe0dd) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(src: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of muts) {
    const at = m.at % Math.max(1, b.length);
    switch (m.kind) {
      case 'flip': b[at] = m.value; break;
      case 'truncate': b = b.subarray(0, at); break;
      case 'length': if (at + 4 <= b.length) b.writeUInt32LE(m.value >>> 0, at); break;
      case 'insert': b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]); break;
      case 'delimiter':
        if (at + 8 <= b.length) { b.writeUInt16LE(0xfffe, at); b.writeUInt16LE(m.value, at + 2); b.writeUInt32LE(0, at + 4); }
        break;
    }
  }
  return b;
}

describe('malformed input never escapes as an untyped error', { skip: !samplesAvailable() && 'pydicom samples not installed' }, () => {
  for (const name of FILES) {
    test(`mutations of ${name}`, () => {
      const src = readSample(name);
      assert.equal(exercise(src), undefined, 'the original reads cleanly');
      // Mutations aimed at the first 1500 bytes, where the headers are.
      const headerAt = fc.nat({ max: Math.min(src.length, 1500) });
      const aimed = mutation.chain((m) => headerAt.map((at) => ({ ...m, at })));
      fc.assert(
        fc.property(fc.array(fc.oneof(aimed, mutation), { minLength: 1, maxLength: 4 }), (muts) => {
          const { result: err, cpuMs } = cpuTimeOf(() => exercise(mutate(src, muts as Mutation[])));
          assert.ok(cpuMs < 2000, `bounded time: ${cpuMs} ms of CPU`);
          if (err) throw err;
        }),
        { numRuns: 150, seed: name.length * 31 + 7, endOnFailure: true },
      );
    });
  }

  test('random bytes after a valid preamble', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (bytes) => {
        const b = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from(bytes)]);
        const err = exercise(b);
        if (err) throw err;
        const err2 = exercise(Buffer.from(bytes));
        if (err2) throw err2;
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
