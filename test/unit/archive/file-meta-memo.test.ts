// The file meta of received instances, reused from the last one: byte for byte buildFileMeta's.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildFileMeta, DicomError } from '../../../src/dicom';
import { FileMetaMemo } from '../../../src/archive/file-meta-memo';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const ELE = '1.2.840.10008.1.2.1';
const JPEG = '1.2.840.10008.1.2.4.50';

describe('FileMetaMemo', () => {
  test('every instance gets buildFileMeta\'s bytes, whether its UID was written over the last one or the meta built anew', () => {
    const memo = new FileMetaMemo();
    const sequence = [
      { sopClassUid: CT, sopInstanceUid: '2.25.100', transferSyntaxUid: ELE, sourceAeTitle: 'ARCHIVE' },
      { sopClassUid: CT, sopInstanceUid: '2.25.101', transferSyntaxUid: ELE, sourceAeTitle: 'ARCHIVE' }, // same length
      { sopClassUid: CT, sopInstanceUid: '2.25.10', transferSyntaxUid: ELE, sourceAeTitle: 'ARCHIVE' }, // odd, same padded length
      { sopClassUid: CT, sopInstanceUid: '2.25.1000', transferSyntaxUid: ELE, sourceAeTitle: 'ARCHIVE' }, // even: the pad byte goes
      { sopClassUid: CT, sopInstanceUid: '2.25.10000', transferSyntaxUid: ELE, sourceAeTitle: 'ARCHIVE' }, // longer
      { sopClassUid: MR, sopInstanceUid: '2.25.10001', transferSyntaxUid: ELE, sourceAeTitle: 'ARCHIVE' }, // another class
      { sopClassUid: MR, sopInstanceUid: '2.25.10002', transferSyntaxUid: JPEG, sourceAeTitle: 'ARCHIVE' }, // another syntax
      { sopClassUid: MR, sopInstanceUid: '2.25.10003', transferSyntaxUid: JPEG, sourceAeTitle: 'OTHER' }, // another AE title
      { sopClassUid: MR, sopInstanceUid: '2.25.10004', transferSyntaxUid: JPEG, sourceAeTitle: undefined },
      { sopClassUid: MR, sopInstanceUid: '2.25.10005', transferSyntaxUid: JPEG, sourceAeTitle: undefined },
      { sopClassUid: MR, sopInstanceUid: '2.25.10005', transferSyntaxUid: JPEG, sourceAeTitle: 'NON^ASCII\u00e9' }, // through the encoder
      { sopClassUid: MR, sopInstanceUid: '2.25.10006', transferSyntaxUid: JPEG, sourceAeTitle: 'NON^ASCII\u00e9' },
    ];
    const made: Buffer[] = [];
    for (const o of sequence) {
      const meta = memo.build(o);
      assert.ok(meta.equals(buildFileMeta(o)), `${o.sopInstanceUid} ${o.transferSyntaxUid} ${o.sourceAeTitle}`);
      made.push(meta);
    }
    // Each instance has its own buffer: writing the next did not change one already handed out.
    sequence.forEach((o, i) => assert.ok(made[i]!.equals(buildFileMeta(o)), `still ${o.sopInstanceUid}`));
  });

  test('a SOP Instance UID that is not a UID is refused as buildFileMeta refuses it, also where the last meta would be reused', () => {
    const memo = new FileMetaMemo();
    memo.build({ sopClassUid: CT, sopInstanceUid: '2.25.100', transferSyntaxUid: ELE, sourceAeTitle: 'A' });
    for (const bad of ['2.25.1x0', '2.25.1\u00000', '']) {
      const o = { sopClassUid: CT, sopInstanceUid: bad, transferSyntaxUid: ELE, sourceAeTitle: 'A' };
      assert.throws(() => buildFileMeta(o), DicomError);
      assert.throws(() => memo.build(o), (e: Error) => e instanceof DicomError && /SOP Instance UID .* is not a UID/.test(e.message), JSON.stringify(bad));
    }
    assert.throws(() => memo.build({ sopClassUid: CT, sopInstanceUid: `2.${'1'.repeat(64)}`, transferSyntaxUid: ELE, sourceAeTitle: 'A' }), DicomError);
  });
});
