// isPlainAndWhole (the sender's quick check that a data set read for sending is whole) against the
// tokenizer's full walk, which it stands in for: whenever it says whole, the walk finds nothing.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Dataset, DatasetHeaderScanner, encodeDataset, isPlainAndWhole, readPart10HeaderSync } from '../../../src/dicom';
import { PYDICOM_CHARSETS, pydicomFiles } from '../../helpers/dicom-files';
import { samplesAvailable } from './samples';

const EVLE = '1.2.840.10008.1.2.1';
const IVLE = '1.2.840.10008.1.2';

/** What the tokenizer's walk says of a whole data set: undefined when it is whole, else the error. */
function fullWalk(data: Buffer, ts: string): string | undefined {
  try {
    const scanner = new DatasetHeaderScanner(ts, { maxValueBytes: 0 });
    scanner.push(data);
    scanner.end();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function assertAgrees(data: Buffer, ts: string, what: string): boolean {
  const plain = isPlainAndWhole(data, ts);
  if (plain) assert.equal(fullWalk(data, ts), undefined, `${what}: called whole, but the tokenizer disagrees`);
  return plain;
}

function ct(withSequence = false): Dataset {
  const ds = new Dataset();
  ds.set('SOPClassUID', 'UI', '1.2.840.10008.5.1.4.1.1.2');
  ds.set('SOPInstanceUID', 'UI', '1.2.3.4');
  ds.set('PatientName', 'PN', 'Doe^Jane');
  if (withSequence) {
    const item = new Dataset();
    item.set('ReferencedSOPInstanceUID', 'UI', '1.2.3');
    ds.set('ReferencedImageSequence', [item]);
  }
  ds.set('Rows', 'US', 2);
  ds.set('Columns', 'US', 2);
  ds.set('BitsAllocated', 'US', 16);
  ds.set('PixelData', 'OW', Buffer.alloc(8, 1));
  return ds;
}

describe('isPlainAndWhole', () => {
  test('a plain data set is whole in Explicit and Implicit VR; a cut of it is whole exactly when the tokenizer says so', () => {
    for (const ts of [EVLE, IVLE]) {
      const data = encodeDataset(ct(), ts);
      assert.equal(assertAgrees(data, ts, ts), true, `${ts}: plain and whole`);
      let broken = 0;
      for (let cut = 1; cut < data.length; cut++) {
        const walk = fullWalk(data.subarray(0, cut), ts);
        if (walk !== undefined) broken++;
        assert.equal(isPlainAndWhole(data.subarray(0, cut), ts), walk === undefined, `${ts} cut at ${cut} of ${data.length} (${walk ?? 'whole'})`);
      }
      assert.ok(broken > data.length / 2, `most cuts fall inside an element (${broken} of ${data.length - 1})`);
      assert.equal(isPlainAndWhole(Buffer.concat([data, Buffer.alloc(3)]), ts), false, `${ts} with 3 stray bytes at the end`);
    }
  });

  test('sequences, big endian and deflated data sets are left to the tokenizer', () => {
    assert.equal(isPlainAndWhole(encodeDataset(ct(true), EVLE), EVLE), false);
    assert.equal(isPlainAndWhole(encodeDataset(ct(true), IVLE), IVLE), false);
    assert.equal(isPlainAndWhole(encodeDataset(ct(), '1.2.840.10008.1.2.2'), '1.2.840.10008.1.2.2'), false);
    assert.equal(isPlainAndWhole(encodeDataset(ct(), '1.2.840.10008.1.2.1.99'), '1.2.840.10008.1.2.1.99'), false);
  });
});

describe('isPlainAndWhole on the pydicom corpus', { skip: !samplesAvailable() && 'pydicom samples not installed' }, () => {
  test('never calls whole what the tokenizer finds broken', () => {
    let plain = 0;
    let files = 0;
    for (const file of [...pydicomFiles(), ...pydicomFiles(PYDICOM_CHARSETS)]) {
      const name = basename(file);
      let header;
      try {
        header = readPart10HeaderSync(file);
      } catch {
        continue;
      }
      files++;
      const data = readFileSync(file).subarray(header.datasetOffset);
      if (assertAgrees(data, header.transferSyntaxUid, name)) plain++;
      // Truncated copies: never whole.
      for (const cut of [1, 7, Math.floor(data.length / 2), data.length - 1]) {
        if (cut > 0 && cut < data.length) assertAgrees(data.subarray(0, cut), header.transferSyntaxUid, `${name} cut at ${cut}`);
      }
    }
    assert.ok(plain > 0 && plain < files, `${plain} of ${files} data sets are plain (some are, some are not)`);
  });
});
