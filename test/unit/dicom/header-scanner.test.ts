import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetHeaderScanner, scanFileHeader, ScannedElement } from '../../../src/dicom/header-scanner';
import { buildFileMeta, parseFileMeta } from '../../../src/dicom/file-meta';
import { parsePart10 } from '../../../src/dicom/part10';
import { Dataset, encodeDataset } from '../../../src/dicom';
import { DicomParseError, TruncatedFileError } from '../../../src/dicom/errors';
import { Tags } from '../../../src/dicom/tag';
import { BROKEN, prng, randomSplit, readSample, sampleNames, samplesAvailable } from './samples';
import { cpuTimeOf } from '../../helpers/cpu-time';

const EVLE = '1.2.840.10008.1.2.1';
const IVLE = '1.2.840.10008.1.2';
const EVBE = '1.2.840.10008.1.2.2';
const DEFL = '1.2.840.10008.1.2.1.99';

function snapshot(m: Map<number, ScannedElement>): string {
  return JSON.stringify([...m].map(([t, e]) => [t, e.vr, e.length, e.value?.toString('hex')]));
}

function scanAll(ts: string, pieces: Buffer[], opts = {}): { result: string; error?: string; position: number } {
  const s = new DatasetHeaderScanner(ts, opts);
  try {
    for (const p of pieces) if (s.push(p)) break;
    s.end();
    return { result: snapshot(s.result()), position: s.position };
  } catch (e) {
    return { result: snapshot(s.result()), error: (e as Error).name, position: s.position };
  }
}

describe('scanner: random chunk splits equal a whole-buffer scan', { skip: !samplesAvailable() && 'pydicom samples not installed' }, () => {
  for (const name of sampleNames()) {
    if (BROKEN[name]?.header === 'error') continue;
    test(name, () => {
      const buf = readSample(name);
      const f = parseFileMeta(buf, name);
      const data = buf.subarray(f.datasetOffset);
      const whole = scanAll(f.transferSyntaxUid, [data]);
      if (!BROKEN[name]) {
        assert.equal(whole.error, undefined);
        // Every top-level element of the full parse is reported, values kept when small.
        const full = parsePart10(buf, name).dataset;
        const scanned = (JSON.parse(whole.result) as [number, string, number, string | null][]).map(([t, vr, len, hex]) => [t, vr, len, hex ?? undefined] as const);
        assert.deepEqual(scanned.map((e) => e[0]), full.tags());
        for (const [t, vr, , hex] of scanned) {
          const el = full.get(t)!;
          assert.equal(vr, el.vr);
          if (el.value && el.value.length <= 65536) assert.equal(hex, el.value.toString('hex'));
          if (el.items || el.fragments) assert.equal(hex, undefined);
        }
        if (f.transferSyntaxUid !== DEFL) assert.equal(whole.position, data.length, 'every byte is counted');
      } else {
        assert.equal(whole.error, 'TruncatedFileError');
      }
      const rnd = prng(name.length * 7919);
      for (const maxPiece of [1, 3, 13, 200]) {
        const split = scanAll(f.transferSyntaxUid, randomSplit(data, rnd, maxPiece));
        assert.equal(split.result, whole.result, `pieces of at most ${maxPiece}`);
        assert.equal(split.error, whole.error);
        assert.equal(split.position, whole.position);
      }
      // Asked for some values: the same elements, and only those values.
      const values = new Set<number>([Tags.SOPInstanceUID, Tags.PatientName, Tags.Rows, Tags.SpecificCharacterSet]);
      const expected = JSON.stringify((JSON.parse(whole.result) as [number, string, number, string | null][])
        .map(([t, vr, len, hex]) => [t, vr, len, values.has(t) ? hex : null]));
      for (const maxPiece of [7, 1 << 20]) {
        const picked = scanAll(f.transferSyntaxUid, randomSplit(data, rnd, maxPiece), { values });
        assert.equal(picked.result, expected, `values of ${[...values].length} tags, pieces of at most ${maxPiece}`);
        assert.equal(picked.error, whole.error);
      }
    });
  }
});

describe('scanner behaviour', () => {
  function sample(): Dataset {
    const item = new Dataset();
    item.set('ReferencedSOPClassUID', '1.2.3');
    item.set('PixelData', 'OB', Buffer.alloc(100, 7));
    const ds = new Dataset();
    ds.set('SpecificCharacterSet', 'ISO_IR 100');
    ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
    ds.set('SOPInstanceUID', '1.2.3.4.5');
    ds.set('PatientName', 'DOE^J');
    ds.set('ReferencedSOPSequence', [item, new Dataset()]);
    ds.set('StudyInstanceUID', '1.2.3');
    ds.set('SeriesInstanceUID', '1.2.3.4');
    ds.set('Rows', 16);
    ds.set(0x00291010, 'OB', Buffer.alloc(200000, 1));
    ds.set('PixelData', 'OW', Buffer.alloc(300000, 2));
    return ds;
  }

  test('stops once every wanted tag was seen, with their values', () => {
    for (const ts of [EVLE, IVLE, EVBE]) {
      // Pieces of at most 10 bytes, and the whole data set in one.
      for (const maxPiece of [10, 1 << 20]) {
        const bytes = encodeDataset(sample(), ts, { lengths: 'undefined' });
        const s = new DatasetHeaderScanner(ts, { wanted: [Tags.SOPInstanceUID, Tags.StudyInstanceUID] });
        let consumed = 0;
        let done = false;
        for (const p of randomSplit(bytes, prng(1), maxPiece)) {
          consumed += p.length;
          if ((done = s.push(p))) break;
        }
        assert.equal(done, true);
        if (maxPiece === 10) assert.ok(consumed < 400, `stopped early (${consumed} bytes)`);
        assert.ok(s.position < 400, `stopped early (at ${s.position})`);
        assert.equal(s.text(Tags.SOPInstanceUID), '1.2.3.4.5');
        assert.equal(s.text(Tags.StudyInstanceUID), '1.2.3');
        assert.equal(s.result().get(Tags.ReferencedSOPSequence)!.length, -1);
        assert.equal(s.result().has(Tags.SeriesInstanceUID), false);
      }
    }
  });

  test('stopAt ends the scan at the first tag at or past it', () => {
    const bytes = encodeDataset(sample(), EVLE);
    const s = new DatasetHeaderScanner(EVLE, { stopAt: Tags.PixelData });
    assert.equal(s.push(bytes), true);
    assert.equal(s.result().has(Tags.PixelData), false);
    assert.equal(s.result().get(0x00291010)!.length, 200000);
    assert.equal(s.result().get(0x00291010)!.value, undefined, 'large values are not kept');
    assert.deepEqual(s.result().get(Tags.Rows)!.value, Buffer.from([16, 0]));
  });

  test('big-endian numeric values come back little endian', () => {
    const s = new DatasetHeaderScanner(EVBE);
    s.push(encodeDataset(sample(), EVBE));
    s.end();
    assert.deepEqual(s.result().get(Tags.Rows)!.value, Buffer.from([16, 0]));
  });

  test('skipping a large value is O(1) per chunk: no copies of it are kept', () => {
    const ds = new Dataset();
    ds.set('SOPInstanceUID', '1.2.3');
    ds.set('PixelData', 'OW', Buffer.alloc(64 * 1024 * 1024));
    const bytes = encodeDataset(ds, EVLE);
    const s = new DatasetHeaderScanner(EVLE, { wanted: [Tags.SeriesInstanceUID] });
    const { cpuMs } = cpuTimeOf(() => {
      for (let p = 0; p < bytes.length; p += 16384) s.push(bytes.subarray(p, p + 16384));
      s.end();
    });
    assert.ok(cpuMs < 300, `scanning 64 MiB took ${cpuMs} ms of CPU`);
    assert.equal(s.result().get(Tags.PixelData)!.value, undefined);
  });

  test('deflated input is inflated incrementally', () => {
    const plain = encodeDataset(sample(), EVLE, { lengths: 'undefined' });
    const deflated = deflateRawSync(plain);
    const whole = scanAll(EVLE, [plain]);
    for (const max of [1, 7, 1000]) {
      const r = scanAll(DEFL, randomSplit(deflated, prng(max), max));
      assert.equal(r.error, undefined);
      assert.equal(r.result, whole.result);
    }
    const s = new DatasetHeaderScanner(DEFL, { wanted: [Tags.SOPInstanceUID] });
    assert.equal(s.push(deflated), true);
    assert.equal(s.text(Tags.SOPInstanceUID), '1.2.3.4.5');
  });

  test('truncated and corrupt streams throw typed errors', () => {
    const bytes = encodeDataset(sample(), EVLE, { lengths: 'undefined' });
    for (const cut of [3, 10, 100, 300, bytes.length - 4]) {
      const s = new DatasetHeaderScanner(EVLE);
      s.push(bytes.subarray(0, cut));
      assert.throws(() => s.end(), TruncatedFileError, `cut at ${cut}`);
    }
    const bad = Buffer.from(bytes);
    bad.write('\x01\x02', 4, 'latin1');
    assert.throws(() => new DatasetHeaderScanner(EVLE).push(bad), DicomParseError);
  });

  test('scanFileHeader reads a file in chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    try {
      const path = join(dir, 'a.dcm');
      writeFileSync(path, Buffer.concat([
        buildFileMeta({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: '1.2.3.4.5', transferSyntaxUid: IVLE }),
        encodeDataset(sample(), IVLE),
      ]));
      const r = await scanFileHeader(path, { stopAt: Tags.PixelData, chunkSize: 1000 });
      assert.equal(r.transferSyntaxUid, IVLE);
      assert.equal(r.hasMeta, true);
      assert.deepEqual(r.elements.get(Tags.SeriesInstanceUID)!.value, Buffer.from('1.2.3.4\0'));
      assert.equal(r.elements.get(0x00291010)!.vr, 'UN', 'unknown private tags read as UN in implicit VR');
      assert.equal(r.elements.has(Tags.PixelData), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
