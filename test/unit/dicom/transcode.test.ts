import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inflateRawSync } from 'node:zlib';
import { createTranscoder, transcodeBuffer } from '../../../src/dicom/transcode';
import { TranscodeOptions } from '../../../src/dicom/transcode-engine';
import { parsePart10 } from '../../../src/dicom/part10';
import { Dataset, encodeDataset, parseDataset } from '../../../src/dicom';
import { TruncatedFileError, UnsupportedTransferSyntaxError } from '../../../src/dicom/errors';
import { UNCOMPRESSED_SYNTAXES } from '../../../src/dicom/transfer-syntaxes';
import { BROKEN, ODD_LENGTH_VALUES, hasTool, prng, randomSplit, readSample, sampleNames, samplePath, samplesAvailable } from './samples';

const IVLE = '1.2.840.10008.1.2';
const EVLE = '1.2.840.10008.1.2.1';
const EVBE = '1.2.840.10008.1.2.2';
const DEFL = '1.2.840.10008.1.2.1.99';
const FLAGS: Record<string, string> = { ti: IVLE, te: EVLE, tb: EVBE, td: DEFL };

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'dicom', 'dcmconv-expectations.json'), 'utf8')) as {
  files: Record<string, Record<string, string>>;
};

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function plain(b: Buffer, ts: string): Buffer {
  return ts === DEFL ? inflateRawSync(b) : b;
}

interface Sample { name: string; ts: string; data: Buffer }

function uncompressedSamples(): Sample[] {
  const out: Sample[] = [];
  for (const name of sampleNames()) {
    if (BROKEN[name]) continue;
    const buf = readSample(name);
    const f = parsePart10(buf, name, { stopAtTag: 0 });
    if (!UNCOMPRESSED_SYNTAXES.includes(f.transferSyntaxUid)) continue;
    out.push({ name, ts: f.transferSyntaxUid, data: buf.subarray(f.datasetOffset) });
  }
  return out;
}

describe('transcoding equals dcmconv output', { skip: !samplesAvailable() && 'pydicom samples not installed' }, () => {
  const samples = uncompressedSamples();
  test('every uncompressed sample with meta is in the dcmconv fixture', () => {
    for (const s of samples) {
      if (readSample(s.name).toString('latin1', 128, 132) === 'DICM') assert.ok(fixture.files[s.name], s.name);
    }
  });
  for (const s of samples) {
    const expected = fixture.files[s.name];
    if (!expected) continue;
    const skip = ODD_LENGTH_VALUES.has(s.name) && 'odd-length values, which dcmconv pads';
    test(`${s.name} (${s.ts})`, { skip }, () => {
      for (const [key, hash] of Object.entries(expected)) {
        const ts = FLAGS[key.slice(0, 2)];
        const lengths: TranscodeOptions['lengths'] = key.endsWith('+e') ? 'defined' : 'undefined';
        const out = plain(transcodeBuffer(s.data, s.ts, ts, { lengths }), ts);
        assert.equal(sha256(out), hash, `${key}: differs from dcmconv`);
      }
    });
  }

  test('live check against dcmconv on two files', { skip: !hasTool('dcmconv') && 'dcmconv not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'tc-'));
    try {
      for (const [name, flag, ts] of [['MR_small_implicit.dcm', '+tb', EVBE], ['rtplan.dcm', '+te', EVLE]] as const) {
        const dest = join(dir, 'out.dcm');
        execFileSync('dcmconv', [flag, samplePath(name), dest], { stdio: 'pipe' });
        const ref = parsePart10(readFileSync(dest), dest, { stopAtTag: 0 });
        const refBody = readFileSync(dest).subarray(ref.datasetOffset);
        const src = parsePart10(readSample(name), name, { stopAtTag: 0 });
        const mine = transcodeBuffer(readSample(name).subarray(src.datasetOffset), src.transferSyntaxUid, ts, { lengths: 'defined' });
        assert.ok(mine.equals(refBody), `${name} ${flag}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('round trips', { skip: !samplesAvailable() && 'pydicom samples not installed' }, () => {
  for (const s of uncompressedSamples()) {
    if (s.ts === DEFL) continue;
    // Through Implicit VR the VRs of private and unknown tags are lost, so an explicit source
    // only goes through the other explicit syntaxes.
    const vias = s.ts === IVLE ? [EVLE, EVBE, DEFL] : [EVLE, EVBE, DEFL].filter((t) => t !== s.ts);
    test(`${s.name}: ${s.ts} → ${vias.length} other syntaxes → back is identical`, () => {
      for (const via of vias) {
        // From implicit, unknown undefined-length elements become SQ, so compare with 'keep'.
        const there = transcodeBuffer(s.data, s.ts, via);
        const back = transcodeBuffer(there, via, s.ts);
        assert.ok(back.equals(s.data), `via ${via}: ${back.length} vs ${s.data.length} bytes`);
      }
    });
  }
});

describe('streaming', () => {
  function bigDataset(pixelBytes: number, groupLength = true): Dataset {
    const ds = new Dataset();
    ds.set('SOPInstanceUID', '1.2.3');
    ds.set('BitsAllocated', 16);
    const item = new Dataset();
    item.set('ReferencedSOPInstanceUID', '1.2.3.4');
    item.set('Rows', 3);
    ds.set('ReferencedSOPSequence', [item]);
    if (groupLength) ds.set(0x7fe00000, 'UL', 12 + pixelBytes);
    const px = Buffer.alloc(pixelBytes);
    for (let i = 0; i < pixelBytes; i += 2) px.writeUInt16LE(i & 0xffff, i);
    ds.set('PixelData', 'OW', px);
    return ds;
  }

  test('random chunking gives the same bytes as transcodeBuffer', async () => {
    const src = encodeDataset(bigDataset(2000), IVLE, { lengths: 'undefined' });
    for (const to of [EVLE, EVBE, DEFL]) {
      const ref = transcodeBuffer(src, IVLE, to);
      for (const max of [1, 5, 4097]) {
        const pieces: Buffer[] = [];
        await pipeline(Readable.from(randomSplit(src, prng(max), max)), createTranscoder(IVLE, to), async function* (source) {
          for await (const c of source) pieces.push(c as Buffer);
        });
        assert.ok(plain(Buffer.concat(pieces), to).equals(plain(ref, to)), `${to} in pieces of ${max}`);
      }
    }
  });

  test('a large pixel data value streams through and is byte-swapped as OW', async () => {
    const size = 4 * 1024 * 1024;
    const src = encodeDataset(bigDataset(size), EVLE);
    let total = 0;
    let maxChunk = 0;
    const outPieces: Buffer[] = [];
    await pipeline(Readable.from(randomSplit(src, prng(3), 65537)), createTranscoder(EVLE, EVBE), async function* (source) {
      for await (const c of source) {
        const b = c as Buffer;
        total += b.length;
        maxChunk = Math.max(maxChunk, b.length);
        outPieces.push(b);
      }
    });
    assert.ok(maxChunk <= 140000, `output is chunked (largest chunk ${maxChunk})`);
    const out = Buffer.concat(outPieces, total);
    const back = parseDataset(out, EVBE);
    assert.equal(back.get('PixelData')!.value!.length, size);
    assert.equal(back.get('PixelData')!.value!.readUInt16LE(2000), 2000, 'values survive the swap');
    assert.equal(out.readUInt16BE(out.length - 2), (size - 2) & 0xffff, 'stored big endian');
    // The group length before the streamed pixel data counts it.
    assert.equal(back.number(0x7fe00000), 12 + size);
    assert.ok(transcodeBuffer(out, EVBE, EVLE).equals(src));
  });

  test('lengths: defined and undefined outputs parse to the same dataset', () => {
    const src = encodeDataset(bigDataset(100, false), EVLE, { lengths: 'undefined' });
    const defined = transcodeBuffer(src, EVLE, IVLE, { lengths: 'defined' });
    const undef = transcodeBuffer(src, EVLE, IVLE, { lengths: 'undefined' });
    assert.ok(!defined.includes(Buffer.from([0xfe, 0xff, 0xdd, 0xe0])));
    assert.ok(undef.includes(Buffer.from([0xfe, 0xff, 0xdd, 0xe0])));
    assert.ok(encodeDataset(parseDataset(defined, IVLE), EVLE, { lengths: 'undefined' }).equals(src));
    assert.ok(encodeDataset(parseDataset(undef, IVLE), EVLE, { lengths: 'undefined' }).equals(src));
  });

  test('implicit → explicit: VRs from the dictionary, unknown private tags as UN', () => {
    const ds = new Dataset();
    ds.set('PixelRepresentation', 1);
    ds.set('SmallestImagePixelValue', 'SS', -2);
    ds.set(0x00290010, 'LO', 'ACME');
    ds.set(0x00291001, 'UN', Buffer.from([1, 2, 3, 4]));
    ds.set('BitsAllocated', 8);
    ds.set('PixelData', 'OB', Buffer.from([1, 2, 3, 4]));
    const ex = parseDataset(transcodeBuffer(encodeDataset(ds, IVLE), IVLE, EVBE), EVBE);
    assert.equal(ex.get('SmallestImagePixelValue')!.vr, 'SS');
    assert.equal(ex.number('SmallestImagePixelValue'), -2);
    assert.equal(ex.get(0x00290010)!.vr, 'LO');
    assert.equal(ex.get(0x00291001)!.vr, 'UN');
    assert.deepEqual(ex.get(0x00291001)!.value, Buffer.from([1, 2, 3, 4]), 'UN bytes are never swapped');
    assert.equal(ex.get('PixelData')!.vr, 'OW', 'implicit VR pixel data is OW (PS3.5 A.1), as DCMTK writes');
  });

  test('unknown syntaxes are refused, and compressed ones are not converted synchronously', () => {
    assert.throws(() => transcodeBuffer(Buffer.alloc(0), EVLE, '1.2.840.10008.1.2.5'), (e: Error) =>
      e instanceof UnsupportedTransferSyntaxError
      && e.message === 'Converting from Explicit VR Little Endian to RLE Lossless goes through the codec workers; use transcodeDataset.');
    assert.throws(() => createTranscoder('1.2.3', EVLE), UnsupportedTransferSyntaxError);
  });

  test('truncated input fails the stream with TruncatedFileError', async () => {
    const src = encodeDataset(bigDataset(1000), EVLE);
    await assert.rejects(
      pipeline(Readable.from([src.subarray(0, src.length - 10)]), createTranscoder(EVLE, IVLE), async function* (s) { for await (const _ of s) { /* drain */ } }),
      TruncatedFileError,
    );
  });
});

describe('UN of undefined length (PS3.5 6.2.2)', () => {
  // (0009,1001) UN, undefined length, holding one item with (0010,0010) in Implicit VR LE.
  function explicitWithUnSequence(): Buffer {
    const itemBody = Buffer.concat([
      Buffer.from([0x10, 0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00]), Buffer.from('AB^C'),
    ]);
    return Buffer.concat([
      Buffer.from([0x09, 0x00, 0x10, 0x00]), Buffer.from('LO'), Buffer.from([0x04, 0x00]), Buffer.from('ACME'),
      Buffer.from([0x09, 0x00, 0x01, 0x10]), Buffer.from('UN'), Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0xfe, 0xff, 0x00, 0xe0]), Buffer.from([itemBody.length, 0, 0, 0]), itemBody,
      Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
      Buffer.from([0x10, 0x00, 0x20, 0x00]), Buffer.from('LO'), Buffer.from([0x02, 0x00]), Buffer.from('42'),
    ]);
  }

  test('parses as an Implicit VR LE sequence and re-encodes byte-exact', () => {
    const bytes = explicitWithUnSequence();
    const ds = parseDataset(bytes, EVLE);
    const el = ds.get(0x00091001)!;
    assert.equal(el.vr, 'UN');
    assert.equal(el.items!.length, 1);
    assert.equal(el.items![0].string('PatientName'), 'AB^C');
    assert.equal(el.items![0].get('PatientName')!.vr, 'PN');
    assert.equal(ds.string('PatientID'), '42');
    assert.ok(encodeDataset(ds, EVLE).equals(bytes));
    assert.ok(encodeDataset(ds, EVBE).includes(Buffer.from([0x10, 0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00])), 'items stay Implicit VR LE in BE');
  });

  test('the transcoder writes it as SQ in the target syntax, as DCMTK does', () => {
    const be = transcodeBuffer(explicitWithUnSequence(), EVLE, EVBE);
    const ds = parseDataset(be, EVBE);
    const el = ds.get(0x00091001)!;
    assert.equal(el.vr, 'SQ');
    assert.equal(el.items![0].string('PatientName'), 'AB^C');
    assert.equal(ds.string('PatientID'), '42');
  });
});
