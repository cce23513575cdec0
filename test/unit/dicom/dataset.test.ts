import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { Dataset, parseDataset, encodeDataset } from '../../../src/dicom';
import { parsePart10 } from '../../../src/dicom/part10';
import { DicomParseError, TruncatedFileError } from '../../../src/dicom/errors';
import { Tags, formatTagHex } from '../../../src/dicom/tag';
import { BROKEN, pydicomExpectations, readSample, sampleNames, samplesAvailable } from './samples';

const IVLE = '1.2.840.10008.1.2';
const EVLE = '1.2.840.10008.1.2.1';
const EVBE = '1.2.840.10008.1.2.2';
const DEFL = '1.2.840.10008.1.2.1.99';
/** Samples with odd-length values: written padded to even length (PS3.5 7.1), as DCMTK writes them. */
const ODD_VALUES: Record<string, number> = { 'nested_priv_SQ.dcm': 1 };

function buildQuery(): Dataset {
  const item = new Dataset();
  item.set('Modality', 'MR');
  item.set('ScheduledStationAETitle', 'STATION1');
  item.set('ScheduledProcedureStepStartDate', '20240201-20240205');
  const ds = new Dataset();
  ds.set('PatientName', 'DOE^JOHN');
  ds.set('PatientID', null);
  ds.set('QueryRetrieveLevel', 'STUDY');
  ds.set('StudyInstanceUID', '1.2.3.4');
  ds.set('Rows', 512);
  ds.set(0x00280030, 'DS', [0.5, 0.25]);
  ds.set('InstanceNumber', 7);
  ds.set('ScheduledProcedureStepSequence', [item]);
  ds.set(0x00091010, 'LO', 'private');
  ds.set('FrameIncrementPointer', 'AT', 0x00181063);
  ds.set(0x00720082, 'SV', [-5n]);
  return ds;
}

describe('dataset builder and accessors', () => {
  test('set() encodes by VR and the getters read back', () => {
    const ds = buildQuery();
    assert.deepEqual(ds.tags(), [...ds.tags()].sort((a, b) => a - b), 'kept in tag order');
    assert.equal(ds.string('PatientName'), 'DOE^JOHN');
    assert.equal(ds.get('PatientName')!.vr, 'PN');
    assert.equal(ds.get('PatientName')!.value!.length % 2, 0);
    assert.equal(ds.string('PatientID'), '', 'empty value = return key');
    assert.equal(ds.get('StudyInstanceUID')!.value!.toString('latin1'), '1.2.3.4\0', 'UIDs pad with NUL');
    assert.equal(ds.get('QueryRetrieveLevel')!.value!.toString('latin1'), 'STUDY ', 'text pads with space');
    assert.equal(ds.number('Rows'), 512);
    assert.deepEqual(ds.get('Rows')!.value, Buffer.from([0x00, 0x02]));
    assert.deepEqual(ds.numbers(0x00280030), [0.5, 0.25]);
    assert.deepEqual(ds.strings(0x00280030), ['0.5', '0.25']);
    assert.equal(ds.number('InstanceNumber'), 7);
    assert.deepEqual(ds.numbers('FrameIncrementPointer'), [0x00181063]);
    assert.deepEqual(ds.bigints(0x00720082), [-5n]);
    const items = ds.items('ScheduledProcedureStepSequence')!;
    assert.equal(items.length, 1);
    assert.equal(items[0].string('ScheduledStationAETitle'), 'STATION1');
    assert.throws(() => ds.set('NotAKeyword', 'x'), /neither a dictionary keyword nor a tag/);
  });

  test('an explicit VR overrides the dictionary, ambiguous VRs are resolved', () => {
    const ds = new Dataset();
    ds.set('PixelRepresentation', 1);
    ds.set('SmallestImagePixelValue', -3);
    assert.equal(ds.get('SmallestImagePixelValue')!.vr, 'SS');
    assert.equal(ds.number('SmallestImagePixelValue'), -3);
    ds.set('BitsAllocated', 8);
    ds.set('PixelData', Buffer.from([1, 2, 3, 4]));
    assert.equal(ds.get('PixelData')!.vr, 'OB');
    ds.set('PatientName', 'LO', 'X');
    assert.equal(ds.get('PatientName')!.vr, 'LO');
  });

  test('text getters take a character set decoder', () => {
    const ds = new Dataset();
    ds.set('PatientName', 'PN', Buffer.from('Buc^J\xe9r\xf4me', 'latin1'));
    assert.equal(ds.string('PatientName'), 'Buc^Jérôme');
    const upper = (b: Buffer) => b.toString('latin1').toUpperCase();
    assert.equal(ds.string('PatientName', upper), 'BUC^JÉRÔME');
  });

  for (const ts of [IVLE, EVLE, EVBE, DEFL]) {
    test(`built dataset survives encode → parse in ${ts}`, () => {
      const ds = buildQuery();
      const bytes = encodeDataset(ds, ts);
      const back = parseDataset(bytes, ts);
      assert.deepEqual(back.tags(), ds.tags());
      assert.equal(back.string('PatientName'), 'DOE^JOHN');
      assert.equal(back.number('Rows'), 512);
      assert.deepEqual(back.numbers('FrameIncrementPointer'), [0x00181063]);
      assert.deepEqual(back.bigints(0x00720082), [-5n]);
      assert.equal(back.items('ScheduledProcedureStepSequence')![0].string('Modality'), 'MR');
      assert.deepEqual(encodeDataset(back, ts).length, bytes.length);
      if (ts !== DEFL) assert.deepEqual(encodeDataset(back, ts), bytes);
    });
  }

  test('length modes: defined, undefined, keep', () => {
    const ds = buildQuery();
    const defined = encodeDataset(ds, EVLE, { lengths: 'defined' });
    const undef = encodeDataset(ds, EVLE, { lengths: 'undefined' });
    assert.ok(!defined.includes(Buffer.from([0xfe, 0xff, 0xdd, 0xe0])), 'no sequence delimiter');
    assert.ok(undef.includes(Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0])));
    assert.ok(undef.includes(Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0])));
    assert.equal(undef.length, defined.length + 16);
    const parsedUndef = parseDataset(undef, EVLE);
    assert.deepEqual(encodeDataset(parsedUndef, EVLE), undef, 'keep preserves undefined lengths');
    assert.deepEqual(encodeDataset(parsedUndef, EVLE, { lengths: 'defined' }), defined);
  });

  test('group lengths can be kept, recalculated or removed', () => {
    const ds = new Dataset();
    ds.set(0x00100000, 'UL', 999);
    ds.set('PatientName', 'AB');
    ds.set('PatientID', '1234');
    assert.equal(parseDataset(encodeDataset(ds, EVLE), EVLE).number(0x00100000), 999);
    assert.equal(parseDataset(encodeDataset(ds, EVLE, { groupLengths: 'recalculate' }), EVLE).number(0x00100000), 8 + 2 + 8 + 4);
    assert.equal(parseDataset(encodeDataset(ds, IVLE, { groupLengths: 'recalculate' }), IVLE).number(0x00100000), 8 + 2 + 8 + 4);
    assert.equal(parseDataset(encodeDataset(ds, EVLE, { groupLengths: 'remove' }), EVLE).has(0x00100000), false);
  });

  test('stopAtTag stops before pixel data', () => {
    const ds = buildQuery();
    ds.set('PixelData', 'OW', Buffer.alloc(64));
    const back = parseDataset(encodeDataset(ds, EVLE), EVLE, { stopAtTag: Tags.PixelData });
    assert.equal(back.has('PixelData'), false);
    assert.equal(back.has('PatientName'), true);
  });
});

describe('dataset codec on real files', { skip: !samplesAvailable() && 'pydicom samples not installed' }, () => {
  const expectations = pydicomExpectations();
  for (const name of sampleNames()) {
    const broken = BROKEN[name];
    test(`${name}: ${broken ? `fails with ${broken.error} (${broken.reason})` : 'parse → encode is byte-exact and matches pydicom'}`, () => {
      const buf = readSample(name);
      if (broken) {
        assert.throws(() => parsePart10(buf, name), (e: Error) => {
          assert.ok(e instanceof DicomParseError || e.name === broken.error, `${e.name}: ${e.message}`);
          assert.equal(e.name, broken.error, e.message);
          assert.ok(e.message.includes(name), `names the file: ${e.message}`);
          return true;
        });
        return;
      }
      const file = parsePart10(buf, name);
      const exp = expectations[name];
      // Same top-level tags as pydicom, in the same order.
      assert.deepEqual(file.dataset.tags().map(formatTagHex), exp.topLevelTags);
      const original = buf.subarray(file.datasetOffset);
      const encoded = encodeDataset(file.dataset, file.transferSyntaxUid);
      if (file.transferSyntaxUid === DEFL) {
        const again = parseDataset(encoded, DEFL);
        assert.deepEqual(encodeDataset(again, EVLE), encodeDataset(file.dataset, EVLE));
      } else if (ODD_VALUES[name]) {
        assert.equal(encoded.length, original.length + ODD_VALUES[name]!, 'each odd-length value gains one padding byte');
        assert.ok(encodeDataset(parseDataset(encoded, file.transferSyntaxUid), file.transferSyntaxUid).equals(encoded), 'the padded encoding is stable');
      } else {
        assert.ok(encoded.equals(original), `re-encoded ${encoded.length} bytes differ from the original ${original.length}`);
      }
      // Explicit VR files: the VRs read are those pydicom read (except where pydicom resolves UN).
      if (file.transferSyntaxUid !== IVLE && exp.vrs) {
        for (const el of file.dataset.elements()) {
          const want: string | undefined = exp.vrs[formatTagHex(el.tag)];
          if (want && want !== 'UN' && el.vr !== 'UN') assert.equal(el.vr, want.split(' ')[0], formatTagHex(el.tag));
        }
      }
    });
  }
});

describe('malformed input gives typed errors', () => {
  const good = encodeDataset(buildQuery(), EVLE);

  test('a length past the end names the element, the byte counts and the offset', () => {
    const b = Buffer.from(good);
    // (0008,0052) CS is the first element: make it claim 4000 bytes.
    b.writeUInt16LE(4000, 6);
    assert.throws(() => parseDataset(b, EVLE), (e: Error) => {
      assert.ok(e instanceof TruncatedFileError);
      assert.match(e.message, /^Element \(0008,0052\) claims 4000 bytes but only \d+ remain at offset 0\.$/);
      return true;
    });
  });

  test('a sequence item overrunning its sequence is a parse error', () => {
    const ds = new Dataset();
    const item = new Dataset();
    item.set('PatientID', '12');
    ds.set('ReferencedSOPSequence', [item]);
    ds.set('PatientName', 'XY');
    const b = encodeDataset(ds, EVLE, { lengths: 'defined' });
    const itemLenAt = b.indexOf(Buffer.from([0xfe, 0xff, 0x00, 0xe0])) + 4;
    b.writeUInt32LE(1000, itemLenAt);
    assert.throws(() => parseDataset(b, EVLE), DicomParseError);
  });

  test('a missing sequence delimiter is truncation', () => {
    const ds = new Dataset();
    ds.set('ReferencedSOPSequence', [new Dataset()]);
    const b = encodeDataset(ds, IVLE, { lengths: 'undefined' });
    assert.throws(() => parseDataset(b.subarray(0, b.length - 8), IVLE), TruncatedFileError);
  });

  test('deep nesting is refused, not a stack overflow', () => {
    let inner = new Dataset();
    for (let i = 0; i < 200; i++) {
      const outer = new Dataset();
      outer.set('ReferencedSOPSequence', [inner]);
      inner = outer;
    }
    const b = encodeDataset(inner, EVLE, { lengths: 'undefined' });
    assert.throws(() => parseDataset(b, EVLE), /nest deeper than 64/);
  });

  test('corrupt deflate data', () => {
    assert.throws(() => parseDataset(Buffer.from('not deflate at all'), DEFL), DicomParseError);
    const ok = deflateRawSync(good);
    assert.equal(parseDataset(ok, DEFL).string('PatientName'), 'DOE^JOHN');
  });
});
