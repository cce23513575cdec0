import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildFileMeta, parseFileMeta, DEFAULT_IMPLEMENTATION_CLASS_UID, DEFAULT_IMPLEMENTATION_VERSION_NAME } from '../../../src/dicom/file-meta';
import { readPart10Header, readPart10, parsePart10, writePart10 } from '../../../src/dicom/part10';
import { Dataset, Tags, encodeDataset, formatTag, keywordOf } from '../../../src/dicom';
import {
  MissingTransferSyntaxError, NotDicomError, TruncatedFileError, DicomParseError,
} from '../../../src/dicom/errors';
import { BROKEN, hasTool, pydicomExpectations, readSample, sampleNames, samplePath, samplesAvailable } from './samples';
import { cpuTimeOfAsync } from '../../helpers/cpu-time';

const EVLE = '1.2.840.10008.1.2.1';
const IVLE = '1.2.840.10008.1.2';

describe('readPart10Header on every pydicom sample', { skip: !samplesAvailable() && 'pydicom samples not installed' }, () => {
  const expectations = pydicomExpectations();
  for (const name of sampleNames()) {
    const broken = BROKEN[name];
    const exp = expectations[name];
    if (broken && broken.header === 'error') {
      test(`${name}: ${broken.error} (${broken.reason})`, async () => {
        await assert.rejects(readPart10Header(samplePath(name)), (e: Error) => {
          assert.equal(e.name, broken.error, e.message);
          assert.ok(e.message.includes(name), `the message names the file: ${e.message}`);
          assert.equal(e.message.split('. ').length, 1, `one sentence: ${e.message}`);
          return true;
        });
      });
      continue;
    }
    test(`${name}: header matches pydicom`, async () => {
      const h = await readPart10Header(samplePath(name));
      assert.equal(h.sopClassUid, exp.sopClassUid ?? exp.mediaStorageSopClassUid ?? '');
      assert.equal(h.sopInstanceUid, exp.sopInstanceUid ?? exp.mediaStorageSopInstanceUid ?? '');
      assert.equal(h.studyInstanceUid, exp.studyInstanceUid ?? undefined);
      assert.equal(h.seriesInstanceUid, exp.seriesInstanceUid ?? undefined);
      assert.equal(h.hasMeta, exp.hasMeta);
      if (exp.transferSyntaxUid) assert.equal(h.transferSyntaxUid, exp.transferSyntaxUid);
      const size = readSample(name).length;
      assert.equal(h.fileSize, size);
      if (h.hasMeta) {
        assert.equal(h.meta.TransferSyntaxUID, h.transferSyntaxUid);
        assert.ok(h.datasetOffset > 132);
      } else {
        assert.equal(h.datasetOffset, 0);
      }
    });
  }

  test('files without meta: syntax detected from the first element', async () => {
    assert.equal((await readPart10Header(samplePath('ExplVR_BigEndNoMeta.dcm'))).transferSyntaxUid, '1.2.840.10008.1.2.2');
    assert.equal((await readPart10Header(samplePath('ExplVR_LitEndNoMeta.dcm'))).transferSyntaxUid, EVLE);
    assert.equal((await readPart10Header(samplePath('rtstruct.dcm'))).transferSyntaxUid, IVLE);
  });

  test('reads only the start of a large file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcm-'));
    try {
      const ds = new Dataset();
      ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
      ds.set('SOPInstanceUID', '1.2.3.4.5');
      ds.set('StudyInstanceUID', '1.2.3');
      ds.set('SeriesInstanceUID', '1.2.3.4');
      ds.set('PixelData', 'OW', Buffer.alloc(32 * 1024 * 1024));
      const path = join(dir, 'big.dcm');
      writeFileSync(path, Buffer.concat([
        buildFileMeta({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: '1.2.3.4.5', transferSyntaxUid: EVLE }),
        encodeDataset(ds, EVLE),
      ]));
      const { result: h, cpuMs } = await cpuTimeOfAsync(() => readPart10Header(path));
      assert.equal(h.seriesInstanceUid, '1.2.3.4');
      assert.equal(h.fileSize, statSync(path).size);
      assert.ok(h.fileSize > 32 * 1024 * 1024);
      assert.ok(cpuMs < 200, `took ${cpuMs} ms of CPU`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('not DICOM, truncated, missing syntax', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcm-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a text file is NotDicomError naming the file', async () => {
    const p = join(dir, 'notes.txt');
    writeFileSync(p, 'hello, this is not a DICOM file at all\n'.repeat(10));
    await assert.rejects(readPart10Header(p), (e: Error) => e instanceof NotDicomError && e.message.includes(p));
    const empty = join(dir, 'empty.dcm');
    writeFileSync(empty, '');
    await assert.rejects(readPart10Header(empty), NotDicomError);
    await assert.rejects(readPart10(empty), NotDicomError);
  });

  test('a file cut inside its meta is TruncatedFileError', async () => {
    const meta = buildFileMeta({ sopClassUid: '1.2.3', sopInstanceUid: '1.2.3.4', transferSyntaxUid: EVLE });
    for (const cut of [140, 150, meta.length - 3]) {
      const p = join(dir, `cut${cut}.dcm`);
      writeFileSync(p, meta.subarray(0, cut));
      await assert.rejects(readPart10Header(p), (e: Error) => e instanceof TruncatedFileError && e.message.includes(p), `cut at ${cut}`);
    }
  });

  test('a prefix cut between two file meta elements, short of the group length, is truncated, not a meta without a transfer syntax', () => {
    const meta = buildFileMeta({ sopClassUid: '1.2.3', sopInstanceUid: '1.2.3.4', transferSyntaxUid: EVLE, sourceAeTitle: 'SRC' });
    // Each element boundary from the end of "DICM" to the end of the group (the WADO-RS client and
    // the STOW-RS server parse a part's first bytes as they arrive: a read can end exactly there;
    // a full bench run once cut a STOW-RS part right after "DICM").
    let cuts = 0;
    for (let pos = 132; pos < meta.length; ) {
      assert.throws(() => parseFileMeta(meta.subarray(0, pos), 'cut'), (e: Error) => e instanceof TruncatedFileError, `cut at ${pos}`);
      cuts++;
      const vr = meta.toString('latin1', pos + 4, pos + 6);
      pos += ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV'].includes(vr) ? 12 + meta.readUInt32LE(pos + 8) : 8 + meta.readUInt16LE(pos + 6);
    }
    assert.ok(cuts >= 5, `only ${cuts} element boundaries`);
    assert.equal(parseFileMeta(meta).transferSyntaxUid, EVLE);
  });

  test('missing (0002,0010) is MissingTransferSyntaxError', () => {
    const meta = buildFileMeta({ sopClassUid: '1.2.3', sopInstanceUid: '1.2.3.4', transferSyntaxUid: EVLE });
    const f = parseFileMeta(meta);
    assert.equal(f.transferSyntaxUid, EVLE);
    // Rename (0002,0010) to (0002,0011): no transfer syntax left.
    const at = meta.indexOf(Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49]));
    const bad = Buffer.from(meta);
    bad[at + 2] = 0x11;
    assert.throws(() => parseFileMeta(bad, 'bad.dcm'), (e: Error) => e instanceof MissingTransferSyntaxError && /bad\.dcm has no Transfer Syntax UID \(0002,0010\)/.test(e.message));
  });
});

describe('buildFileMeta and writePart10', () => {
  test('preamble, DICM, group length and even-padded UIDs', () => {
    const meta = buildFileMeta({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: '1.2.3.45', transferSyntaxUid: EVLE,
      sourceAeTitle: 'MYAE', implementationClassUid: '1.2.3.4.5.6', implementationVersionName: 'TEST_1',
    });
    assert.ok(meta.subarray(0, 128).equals(Buffer.alloc(128)));
    assert.equal(meta.toString('latin1', 128, 132), 'DICM');
    assert.equal(meta.readUInt32LE(140), meta.length - 144, 'group length counts the rest of group 0002');
    const f = parseFileMeta(meta);
    assert.equal(f.datasetOffset, meta.length);
    assert.deepEqual(f.meta.FileMetaInformationVersion, Buffer.from([0, 1]));
    assert.equal(f.meta.MediaStorageSOPClassUID, '1.2.840.10008.5.1.4.1.1.2');
    assert.equal(f.meta.MediaStorageSOPInstanceUID, '1.2.3.45');
    assert.equal(f.meta.ImplementationClassUID, '1.2.3.4.5.6');
    assert.equal(f.meta.ImplementationVersionName, 'TEST_1');
    assert.equal(f.meta.SourceApplicationEntityTitle, 'MYAE');
    for (const el of f.metaDataset.elements()) assert.equal(el.value!.length % 2, 0);
    const uid = f.metaDataset.get(0x00020003)!.value!;
    assert.equal(uid.toString('latin1'), '1.2.3.45');
    const odd = parseFileMeta(buildFileMeta({ sopClassUid: '1.2', sopInstanceUid: '1.2.3', transferSyntaxUid: EVLE }));
    assert.deepEqual(odd.metaDataset.get(0x00020003)!.value, Buffer.from('1.2.3\0', 'latin1'));
    assert.equal(odd.meta.ImplementationClassUID, DEFAULT_IMPLEMENTATION_CLASS_UID);
    assert.throws(() => buildFileMeta({ sopClassUid: '1.2', sopInstanceUid: 'abc', transferSyntaxUid: EVLE }), /not a UID/);
  });

  test('the file meta is byte for byte what the data set encoder makes of the same elements', () => {
    // buildFileMeta writes the common case (plain ASCII texts) directly; this is the reference it must match.
    const viaDataset = (o: { sopClassUid: string; sopInstanceUid: string; implementationClassUid?: string; implementationVersionName?: string; sourceAeTitle?: string }) => {
      const ds = new Dataset();
      ds.set(0x00020001, 'OB', Buffer.from([0, 1]));
      ds.set(0x00020002, 'UI', o.sopClassUid);
      ds.set(0x00020003, 'UI', o.sopInstanceUid);
      ds.set(0x00020010, 'UI', EVLE);
      ds.set(0x00020012, 'UI', o.implementationClassUid ?? DEFAULT_IMPLEMENTATION_CLASS_UID);
      const version = o.implementationVersionName ?? DEFAULT_IMPLEMENTATION_VERSION_NAME;
      if (version) ds.set(0x00020013, 'SH', version.slice(0, 16));
      if (o.sourceAeTitle) ds.set(0x00020016, 'AE', o.sourceAeTitle.trim().slice(0, 16));
      const body = encodeDataset(ds, EVLE);
      const head = Buffer.alloc(144);
      head.write('DICM', 128, 'latin1');
      head.writeUInt16LE(2, 132);
      head.write('UL', 136, 'latin1');
      head.writeUInt16LE(4, 138);
      head.writeUInt32LE(body.length, 140);
      return Buffer.concat([head, body]);
    };
    const cases = [
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: '1.2.3.45' },
      { sopClassUid: '1.2', sopInstanceUid: '1.2.3', sourceAeTitle: 'STORESCU' },
      { sopClassUid: '1.2.3', sopInstanceUid: '1.2.34', sourceAeTitle: ' ODD_AE7  ', implementationVersionName: 'V7X' },
      { sopClassUid: '1.2.3', sopInstanceUid: '1.2.34', sourceAeTitle: '    ', implementationVersionName: '' },
      { sopClassUid: '1.2.3', sopInstanceUid: '9'.repeat(64), sourceAeTitle: 'A_TITLE_LONGER_THAN_16', implementationClassUid: '1.2.3.4.5' },
      { sopClassUid: '1.2.3', sopInstanceUid: '1.2.3', sourceAeTitle: 'ÄRZTE', implementationVersionName: 'VERSION_NAME_TOO_LONG' },
      { sopClassUid: '1.2.3', sopInstanceUid: '1.2.3', sourceAeTitle: 'A\\B' },
    ];
    for (const c of cases) {
      assert.deepEqual(buildFileMeta({ ...c, transferSyntaxUid: EVLE }), viaDataset(c), JSON.stringify(c));
    }
  });

  test('the file meta keywords parseFileMeta uses without the dictionary are the dictionary\'s', () => {
    const group2 = Object.entries(Tags).filter(([, tag]) => tag >>> 16 === 0x0002);
    assert.ok(group2.length >= 10, 'Tags names the file meta elements');
    for (const [keyword, tag] of group2) assert.equal(keywordOf(tag), keyword, formatTag(tag));
    // An element outside that table (here one the dictionary does not know either) keeps its tag as key.
    const meta = buildFileMeta({ sopClassUid: '1.2', sopInstanceUid: '1.2.3', transferSyntaxUid: EVLE });
    const ds = parseFileMeta(meta).metaDataset;
    ds.set(0x00020026, 'UR', 'dicom://h:104');
    const extended = encodeDataset(ds, EVLE);
    extended.writeUInt32LE(extended.length - 12, 8);
    const parsed = parseFileMeta(Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), extended]));
    assert.equal(parsed.meta['0002,0026'], 'dicom://h:104');
    assert.equal(parsed.meta.TransferSyntaxUID, EVLE);
  });

  test('writePart10 writes atomically a file DCMTK and we read back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcm-'));
    try {
      const ds = new Dataset();
      ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
      ds.set('SOPInstanceUID', '1.2.3.4.5.6');
      ds.set('PatientName', 'DOE^JANE');
      const path = join(dir, 'out.dcm');
      for (const ts of [IVLE, EVLE, '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']) {
        await writePart10(path, ds, { transferSyntaxUid: ts, sourceAeTitle: 'ME' });
        assert.deepEqual(readdirSync(dir), ['out.dcm'], 'no temporary file left');
        const back = await readPart10(path);
        assert.equal(back.transferSyntaxUid, ts);
        assert.equal(back.dataset.string('PatientName'), 'DOE^JANE');
        const h = await readPart10Header(path);
        assert.equal(h.sopInstanceUid, '1.2.3.4.5.6');
        assert.equal(h.meta.SourceApplicationEntityTitle, 'ME');
        if (hasTool('dcmdump')) {
          const r = spawnSync('dcmdump', ['-q', path], { encoding: 'utf8' });
          assert.equal(r.status, 0, r.stderr);
          assert.match(r.stdout, /\(0010,0010\) PN \[DOE\^JANE\]/);
        }
      }
      // Pre-encoded bytes are written as they are.
      const raw = encodeDataset(ds, EVLE);
      await assert.rejects(writePart10(path, raw, { transferSyntaxUid: EVLE }), /SOP Class UID and SOP Instance UID/);
      await writePart10(path, raw, { transferSyntaxUid: EVLE, sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: '1.2.3.4.5.6' });
      const file = readFileSync(path);
      assert.ok(file.subarray(file.length - raw.length).equals(raw));
      await assert.rejects(writePart10(join(dir, 'x.dcm'), new Dataset(), { transferSyntaxUid: EVLE }), /SOP Class UID and SOP Instance UID/);
      await assert.rejects(writePart10(join(dir, 'nodir', 'x.dcm'), ds, { transferSyntaxUid: EVLE }));
      assert.deepEqual(readdirSync(dir).sort(), ['out.dcm']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('readPart10 accepts a buffer; parse errors are typed', () => {
    const buf = readSample('CT_small.dcm');
    const f = parsePart10(buf);
    assert.equal(f.dataset.string('PatientName'), 'CompressedSamples^CT1');
    assert.throws(() => parsePart10(buf.subarray(0, 3000), 'cut.dcm'), (e: Error) => e instanceof TruncatedFileError && e.message.startsWith('cut.dcm is truncated'));
    assert.throws(() => parsePart10(Buffer.from('garbage!garbage!')), DicomParseError);
  });
});
