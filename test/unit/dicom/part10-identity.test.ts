// The direct reading of a file's identity (what a sender needs before it associates) against
// readPart10HeaderSync, the full reader it stands in for: the same result or the same error, for
// real files, for odd but valid ones, for broken ones and for every truncation of a plain one.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Dataset, encodeDataset } from '../../../src/dicom';
import { buildFileMeta } from '../../../src/dicom/file-meta';
import { readPart10HeaderSync } from '../../../src/dicom/part10';
import { identityFromPrefix, readPart10IdentitySync } from '../../../src/dicom/part10-identity';
import { PYDICOM_CHARSETS, pydicomFiles } from '../../helpers/dicom-files';
import { samplesAvailable } from './samples';

const EVLE = '1.2.840.10008.1.2.1';
const IVLE = '1.2.840.10008.1.2';
const EVBE = '1.2.840.10008.1.2.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';
const CT = '1.2.840.10008.5.1.4.1.1.2';

const dir = mkdtempSync(join(tmpdir(), 'dicomnet-identity-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;
function fileWith(bytes: Buffer): string {
  const p = join(dir, `f${fileCounter++}.dcm`);
  writeFileSync(p, bytes);
  return p;
}

type Outcome = { identity: Record<string, unknown> } | { error: { name: string; message: string } };

function outcomeOf(read: () => { transferSyntaxUid: string; sopClassUid: string; sopInstanceUid: string; datasetOffset: number; fileSize: number; hasMeta: boolean }): Outcome {
  try {
    const h = read();
    return { identity: { transferSyntaxUid: h.transferSyntaxUid, sopClassUid: h.sopClassUid, sopInstanceUid: h.sopInstanceUid, datasetOffset: h.datasetOffset, fileSize: h.fileSize, hasMeta: h.hasMeta } };
  } catch (error) {
    return { error: { name: (error as Error).name, message: (error as Error).message } };
  }
}

const reference = (p: string) => outcomeOf(() => readPart10HeaderSync(p, Buffer.allocUnsafe(16 * 1024)));
const direct = (p: string, scratchSize = 16 * 1024) => outcomeOf(() => readPart10IdentitySync(p, Buffer.allocUnsafe(scratchSize)));

/** The file read both ways gives the same; returns whether the direct reading decided it itself. */
function assertSameAsReference(p: string, what: string): boolean {
  const expected = reference(p);
  assert.deepEqual(direct(p), expected, what);
  assert.deepEqual(direct(p, 256), expected, `${what} (a 256-byte scratch)`);
  assert.deepEqual(direct(p, 64 * 1024), expected, `${what} (a 64 KiB scratch: a second read after the first 4 KiB)`);
  const bytes = readFileSync(p);
  return 'identity' in expected && identityFromPrefix(bytes, bytes.length) !== undefined;
}

/** Explicit VR Little Endian element bytes. */
function el(group: number, element: number, vr: string, value: Buffer | string, undefinedLength = false): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value.length % 2 ? `${value}\0` : value, 'latin1') : value;
  const long = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UR', 'UT', 'UN', 'SV', 'UV'].includes(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(undefinedLength ? 0xffffffff : v.length, 8);
  else header.writeUInt16LE(v.length, 6);
  return Buffer.concat([header, v]);
}

/** Implicit VR Little Endian element bytes. */
function iel(group: number, element: number, value: Buffer | string, undefinedLength = false): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value.length % 2 ? `${value}\0` : value, 'latin1') : value;
  const header = Buffer.alloc(8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.writeUInt32LE(undefinedLength ? 0xffffffff : v.length, 4);
  return Buffer.concat([header, v]);
}

const item = (body: Buffer, undefinedLength = false) => {
  const h = Buffer.alloc(8);
  h.writeUInt16LE(0xfffe, 0);
  h.writeUInt16LE(0xe000, 2);
  h.writeUInt32LE(undefinedLength ? 0xffffffff : body.length, 4);
  return undefinedLength ? Buffer.concat([h, body, Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0])]) : Buffer.concat([h, body]);
};
const sequenceDelimiter = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);

function ctDataset(): Dataset {
  const ds = new Dataset();
  ds.set('SpecificCharacterSet', 'CS', 'ISO_IR 100');
  ds.set('SOPClassUID', 'UI', CT);
  ds.set('SOPInstanceUID', 'UI', '1.2.3.4.5.6.7');
  ds.set('StudyDate', 'DA', '20240201');
  ds.set('Modality', 'CS', 'CT');
  ds.set('PatientName', 'PN', 'Doe^Jane');
  ds.set('PatientID', 'LO', 'ID-1');
  ds.set('StudyInstanceUID', 'UI', '1.2.3.4.5');
  ds.set('SeriesInstanceUID', 'UI', '1.2.3.4.5.6');
  ds.set('InstanceNumber', 'IS', '1');
  ds.set('Rows', 'US', 4);
  ds.set('Columns', 'US', 4);
  ds.set('BitsAllocated', 'US', 16);
  ds.set('PixelData', 'OW', Buffer.alloc(32, 7));
  return ds;
}

const meta = (ts: string, o: { sopClassUid?: string; sopInstanceUid?: string } = {}) =>
  buildFileMeta({ sopClassUid: o.sopClassUid ?? CT, sopInstanceUid: o.sopInstanceUid ?? '1.2.3.4.5.6.7', transferSyntaxUid: ts });
/** The meta's elements after the group length element (offset 144 of buildFileMeta's output). */
const metaBody = (ts: string) => meta(ts).subarray(144);
const preamble = () => Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1')]);
const groupLength = (n: number) => el(0x0002, 0x0000, 'UL', Buffer.from(Uint32Array.of(n).buffer));

const plain = (ts: string) => Buffer.concat([meta(ts), encodeDataset(ctDataset(), ts)]);
/** A data set in Explicit VR LE from the first elements of ctDataset, `middle` spliced in after the SOP Instance UID. */
function explicitWith(middle: Buffer, tail = true): Buffer {
  return Buffer.concat([
    meta(EVLE),
    el(0x0008, 0x0005, 'CS', 'ISO_IR 100'), el(0x0008, 0x0016, 'UI', CT), el(0x0008, 0x0018, 'UI', '1.2.3.4.5.6.7'),
    middle,
    ...(tail ? [el(0x0020, 0x000d, 'UI', '1.2.3.4.5'), el(0x0020, 0x000e, 'UI', '1.2.3.4.5.6'), el(0x0028, 0x0010, 'US', Buffer.from([4, 0]))] : []),
  ]);
}

describe('readPart10IdentitySync reads what readPart10HeaderSync reads', () => {
  test('plain files in the common syntaxes are read directly, with the same result', () => {
    for (const ts of [EVLE, IVLE]) {
      assert.equal(assertSameAsReference(fileWith(plain(ts)), ts), true, `${ts} is read directly`);
    }
    const encapsulated = Buffer.concat([meta(JPEG_LOSSLESS), el(0x0008, 0x0016, 'UI', CT), el(0x0008, 0x0018, 'UI', '1.2.3'),
      el(0x0020, 0x000d, 'UI', '1.2'), el(0x0020, 0x000e, 'UI', '1.2.3.4'),
      el(0x7fe0, 0x0010, 'OB', Buffer.concat([item(Buffer.alloc(0)), item(Buffer.alloc(10, 1)), sequenceDelimiter]), true)]);
    assert.equal(assertSameAsReference(fileWith(encapsulated), 'encapsulated'), true);
  });

  test('syntaxes and layouts left to the full reader give its result', () => {
    const cases: [string, Buffer][] = [
      ['big endian', plain(EVBE)],
      ['deflated', plain(DEFLATED)],
      ['no file meta (bare Explicit VR LE data set)', encodeDataset(ctDataset(), EVLE)],
      ['no file meta (bare Implicit VR LE data set)', encodeDataset(ctDataset(), IVLE)],
      ['"DICM" at offset 0, no preamble', Buffer.concat([meta(EVLE).subarray(128), encodeDataset(ctDataset(), EVLE)])],
      ['a file that ends with its meta', meta(EVLE)],
    ];
    for (const [what, bytes] of cases) assertSameAsReference(fileWith(bytes), what);
  });

  test('meta without a group length, with a wrong one, and stale meta elements in the data set', () => {
    const body = metaBody(EVLE);
    const dataset = encodeDataset(ctDataset(), EVLE);
    const cases: [string, Buffer][] = [
      ['no group length', Buffer.concat([preamble(), body, dataset])],
      ['a group length inside an element', Buffer.concat([preamble(), groupLength(body.length - 3), body, dataset])],
      ['a group length that leaves out the transfer syntax', Buffer.concat([preamble(), groupLength(14), body, dataset])],
      ['a group length past the meta', Buffer.concat([preamble(), groupLength(body.length + 40), body, dataset])],
      ['stale group 0002 after the declared meta', Buffer.concat([meta(EVLE), el(0x0002, 0x0010, 'UI', IVLE), dataset])],
      ['the transfer syntax padded with a space and a leading space', Buffer.concat([preamble(),
        el(0x0002, 0x0002, 'UI', CT), el(0x0002, 0x0003, 'UI', ' 1.2.3 '), el(0x0002, 0x0010, 'UI', `${EVLE} `), dataset])],
      ['the transfer syntax twice', Buffer.concat([preamble(), body, el(0x0002, 0x0010, 'UI', IVLE), dataset])],
      ['the transfer syntax as LO', Buffer.concat([preamble(), el(0x0002, 0x0010, 'LO', EVLE), dataset])],
      ['no transfer syntax', Buffer.concat([preamble(), el(0x0002, 0x0002, 'UI', CT), dataset])],
      ['an empty transfer syntax', Buffer.concat([preamble(), el(0x0002, 0x0010, 'UI', ''), dataset])],
      ['a meta element without a VR', Buffer.concat([preamble(), body.subarray(0, 14), Buffer.from([2, 0, 0x10, 0, 0x20, 0, 0, 0]), dataset])],
      ['a meta element of undefined length', Buffer.concat([preamble(), el(0x0002, 0x0001, 'OB', Buffer.alloc(0), true), body, dataset])],
      ['a meta sequence', Buffer.concat([preamble(), el(0x0002, 0x0001, 'SQ', Buffer.alloc(0)), body, dataset])],
      ['an unknown transfer syntax UID', Buffer.concat([meta('1.2.3.4.5.6.7.8'), dataset])],
    ];
    for (const [what, bytes] of cases) assertSameAsReference(fileWith(bytes), what);
  });

  test('UIDs where the data set leaves them out, empty or padded', () => {
    const cases: [string, Buffer][] = [
      ['UIDs only in the meta', Buffer.concat([meta(EVLE, { sopInstanceUid: '9.8.7' }), el(0x0008, 0x0060, 'CS', 'CT'), el(0x0020, 0x000d, 'UI', '1.2'), el(0x0020, 0x000e, 'UI', '1.3')])],
      ['empty data set UIDs', Buffer.concat([meta(EVLE, { sopInstanceUid: '9.8.7' }), el(0x0008, 0x0016, 'UI', ''), el(0x0008, 0x0018, 'UI', ''), el(0x0020, 0x000d, 'UI', '1.2')])],
      ['UIDs padded with NUL and space', Buffer.concat([meta(EVLE), el(0x0008, 0x0016, 'UI', Buffer.from(`${CT}\0`)), el(0x0008, 0x0018, 'UI', Buffer.from(' 1.2.3 ')), el(0x0020, 0x000d, 'UI', '1.2')])],
      ['no UIDs anywhere', Buffer.concat([preamble(), el(0x0002, 0x0010, 'UI', EVLE), el(0x0008, 0x0060, 'CS', 'CT')])],
      ['no study or series UID, the file ends cleanly', explicitWith(el(0x0010, 0x0010, 'PN', 'A^B'), false)],
      ['UIDs out of order', Buffer.concat([meta(EVLE), el(0x0008, 0x0018, 'UI', '1.2.3.9'), el(0x0008, 0x0016, 'UI', CT), el(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'), el(0x0020, 0x000d, 'UI', '1.2'), el(0x0020, 0x000e, 'UI', '1.3'), el(0x0008, 0x0018, 'UI', '5.5')])],
      ['a data set UID longer than the scanner keeps', Buffer.concat([meta(EVLE), el(0x0008, 0x0016, 'UI', CT), el(0x0008, 0x0018, 'UI', '1'.repeat(1030)), el(0x0020, 0x000d, 'UI', '1.2')])],
    ];
    for (const [what, bytes] of cases) assertSameAsReference(fileWith(bytes), what);
  });

  test('sequences, private and odd elements before the Series Instance UID', () => {
    const seqBody = item(el(0x0008, 0x1150, 'UI', CT));
    const cases: [string, Buffer][] = [
      ['a defined-length sequence', explicitWith(el(0x0008, 0x1140, 'SQ', seqBody))],
      ['an undefined-length sequence', explicitWith(el(0x0008, 0x1140, 'SQ', Buffer.concat([item(el(0x0008, 0x1150, 'UI', CT), true), sequenceDelimiter]), true))],
      ['a sequence holding garbage', explicitWith(el(0x0008, 0x1140, 'SQ', Buffer.alloc(16, 0x41)))],
      ['a private element of undefined length', explicitWith(el(0x0009, 0x1010, 'UN', Buffer.concat([item(Buffer.alloc(0), true), sequenceDelimiter]), true))],
      ['a long private element past the first read', explicitWith(Buffer.concat([el(0x0009, 0x0010, 'LO', 'ACME'), el(0x0009, 0x1010, 'OB', Buffer.alloc(20000, 3))]))],
      ['an element with an unknown VR', explicitWith(el(0x0010, 0x0010, 'XX', 'AB'))],
      ['an element with no VR', explicitWith(Buffer.from([0x10, 0, 0x10, 0, 0x01, 0x02, 2, 0, 0x41, 0x42]))],
      ['a text element of undefined length', explicitWith(Buffer.from([0x10, 0, 0x20, 0, 0x55, 0x54, 0, 0, 0xff, 0xff, 0xff, 0xff]))],
      ['an item tag among the elements', explicitWith(item(Buffer.alloc(0)))],
      ['a stop element of undefined length that is not a sequence', Buffer.concat([
        explicitWith(Buffer.alloc(0), false), el(0x0020, 0x000d, 'UI', '1.2'), Buffer.from([0x20, 0, 0x10, 0, 0x55, 0x54, 0, 0, 0xff, 0xff, 0xff, 0xff])])],
      ['a stop element that is a sequence of undefined length', Buffer.concat([
        explicitWith(Buffer.alloc(0), false), el(0x0020, 0x000d, 'UI', '1.2'), el(0x0040, 0x0275, 'SQ', Buffer.alloc(0), true), sequenceDelimiter])],
    ];
    for (const [what, bytes] of cases) assertSameAsReference(fileWith(bytes), what);
    const implicitCases: [string, Buffer][] = [
      ['implicit: a defined-length sequence', Buffer.concat([meta(IVLE), iel(0x0008, 0x0016, CT), iel(0x0008, 0x0018, '1.2.3'), iel(0x0008, 0x1140, item(iel(0x0008, 0x1150, CT))), iel(0x0020, 0x000d, '1.2'), iel(0x0020, 0x000e, '1.3')])],
      ['implicit: a private element of undefined length', Buffer.concat([meta(IVLE), iel(0x0008, 0x0016, CT), iel(0x0008, 0x0018, '1.2.3'), iel(0x0009, 0x1010, Buffer.concat([item(Buffer.alloc(0), true), sequenceDelimiter]), true), iel(0x0020, 0x000d, '1.2')])],
      ['implicit: private elements of defined length', Buffer.concat([meta(IVLE), iel(0x0008, 0x0016, CT), iel(0x0008, 0x0018, '1.2.3'), iel(0x0009, 0x0010, 'ACME'), iel(0x0009, 0x1010, Buffer.alloc(30, 1)), iel(0x0020, 0x000d, '1.2'), iel(0x0020, 0x000e, '1.3')])],
    ];
    for (const [what, bytes] of implicitCases) assertSameAsReference(fileWith(bytes), what);
  });

  test('files that are not DICOM or empty', () => {
    const cases: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['ten bytes of text', Buffer.from('not dicom\n')],
      ['a page of text', Buffer.from('This is a text file, not an image.\n'.repeat(20))],
      ['a preamble and "DICM" only', preamble()],
      ['a preamble without "DICM"', Buffer.concat([Buffer.alloc(128), Buffer.from('DICX'), metaBody(EVLE)])],
    ];
    for (const [what, bytes] of cases) assertSameAsReference(fileWith(bytes), what);
  });

  test('every truncation of a plain file, Explicit and Implicit VR', () => {
    for (const ts of [EVLE, IVLE]) {
      const whole = plain(ts);
      for (let cut = 0; cut < whole.length; cut++) {
        const cutFile = fileWith(whole.subarray(0, cut));
        assertSameAsReference(cutFile, `${ts} cut at ${cut} of ${whole.length}`);
        // Whatever the first read held of the cut file: undecided, or the full reader's answer.
        const expected = reference(cutFile);
        for (let k = 0; k <= cut; k++) {
          const got = identityFromPrefix(whole.subarray(0, k), cut);
          if (got) assert.deepEqual({ identity: got }, expected, `${ts} cut at ${cut}, first read of ${k} bytes`);
        }
      }
    }
  });

  test('from any prefix of the first read the direct reading is either undecided or right', () => {
    for (const bytes of [plain(EVLE), plain(IVLE), explicitWith(el(0x0010, 0x0010, 'PN', 'A^B'))]) {
      const expected = reference(fileWith(bytes));
      for (let k = 0; k <= bytes.length; k++) {
        const got = identityFromPrefix(bytes.subarray(0, k), bytes.length);
        if (got) assert.deepEqual({ identity: got }, expected, `prefix of ${k} bytes`);
      }
    }
  });
});

describe('readPart10IdentitySync on the pydicom corpus', { skip: !samplesAvailable() && 'pydicom samples not installed' }, () => {
  test('every test and character set file gives the full reader\'s result or error', () => {
    let directly = 0;
    let files = 0;
    for (const file of [...pydicomFiles(), ...pydicomFiles(PYDICOM_CHARSETS)]) {
      files++;
      if (assertSameAsReference(file, basename(file))) directly++;
    }
    // Most of the corpus is plain Part 10 in little-endian syntaxes: the direct reading is the common path.
    assert.ok(directly > files / 2, `${directly} of ${files} files were read directly`);
  });
});
