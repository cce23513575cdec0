import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isStorageSopClass, sopClassName, storageSopClasses, Uids, currentStorageSopClasses } from '../../../src/dicom/sop-classes';
import { transferSyntax, isUncompressed, UNCOMPRESSED_SYNTAXES, TRANSFER_SYNTAXES, encodingOf } from '../../../src/dicom/transfer-syntaxes';
import { isValidUid, uidName } from '../../../src/dicom/uids';

describe('uids', () => {
  test('isValidUid follows PS3.5 9.1', () => {
    for (const ok of ['1', '0', '1.2.840.10008.1.2', '1.2.3.0.4', '2.25.334850457096025030451969044792912912031', '1.' + '2'.repeat(62)]) {
      assert.equal(isValidUid(ok), true, ok);
    }
    for (const bad of ['', '.', '1.', '.1', '1..2', '1.02', '01.2', '1.2a', '1.2 ', ' 1.2', '1.' + '2'.repeat(63), '1.2\0']) {
      assert.equal(isValidUid(bad), false, JSON.stringify(bad));
    }
  });

  test('transfer syntax registry', () => {
    const ivle = transferSyntax('1.2.840.10008.1.2')!;
    assert.deepEqual([ivle.explicitVR, ivle.littleEndian, ivle.deflated, ivle.encapsulated], [false, true, false, false]);
    const be = transferSyntax('1.2.840.10008.1.2.2')!;
    assert.deepEqual([be.explicitVR, be.littleEndian], [true, false]);
    assert.equal(transferSyntax('1.2.840.10008.1.2.1.99')!.deflated, true);
    for (const uid of ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70',
      '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91',
      '1.2.840.10008.1.2.4.92', '1.2.840.10008.1.2.4.93', '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.4.100',
      '1.2.840.10008.1.2.4.107', '1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.94']) {
      const ts = transferSyntax(uid)!;
      assert.ok(ts, uid);
      assert.equal(ts.encapsulated, true, uid);
      assert.equal(ts.explicitVR && ts.littleEndian, true, uid);
      assert.equal(isUncompressed(uid), false, uid);
    }
    assert.deepEqual([...UNCOMPRESSED_SYNTAXES].sort(), ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2']);
    for (const uid of UNCOMPRESSED_SYNTAXES) assert.equal(isUncompressed(uid), true);
    assert.ok(TRANSFER_SYNTAXES.size >= 55);
    assert.equal(encodingOf('1.2.3.4').explicitVR, true, 'unknown syntaxes are explicit LE');
  });

  test('storage SOP classes', () => {
    for (const uid of ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.4', '1.2.840.10008.5.1.4.1.1.7',
      '1.2.840.10008.5.1.4.1.1.88.33', '1.2.840.10008.5.1.4.1.1.481.5', '1.2.840.10008.5.1.4.1.1.104.1',
      '1.2.840.10008.5.1.4.1.1.77.1.6', '1.2.840.10008.5.1.4.1.1.66.4', '1.2.840.10008.5.1.4.38.1']) {
      assert.equal(isStorageSopClass(uid), true, uid);
    }
    assert.equal(sopClassName('1.2.840.10008.5.1.4.1.1.2'), 'CT Image Storage');
    assert.equal(sopClassName('1.2.840.10008.5.1.4.1.1.4'), 'MR Image Storage');
    for (const uid of [Uids.Verification, Uids.StudyRootFind, Uids.ModalityWorklistFind, Uids.StorageCommitmentPushModel, '1.2.3']) {
      assert.equal(isStorageSopClass(uid), false, uid);
    }
    assert.ok(storageSopClasses().size > 180);
    assert.ok(currentStorageSopClasses().length > 150);
    assert.ok(!currentStorageSopClasses().includes('1.2.840.10008.5.1.4.1.1.5'), 'retired NM is not current');
    const uids = [...storageSopClasses().keys()];
    assert.equal(new Set(uids).size, uids.length);
    for (const uid of uids) assert.equal(isValidUid(uid), true, uid);
  });

  test('other well-known UIDs', () => {
    assert.equal(sopClassName('1.2.840.10008.1.1'), 'Verification SOP Class');
    assert.equal(sopClassName('1.2.840.10008.3.1.1.1'), 'DICOM Application Context Name');
    assert.equal(Uids.PatientRootFind, '1.2.840.10008.5.1.4.1.2.1.1');
    assert.equal(Uids.StudyRootMove, '1.2.840.10008.5.1.4.1.2.2.2');
    assert.equal(Uids.StudyRootGet, '1.2.840.10008.5.1.4.1.2.2.3');
    assert.equal(Uids.PatientStudyOnlyFind, '1.2.840.10008.5.1.4.1.2.3.1');
    assert.equal(sopClassName(Uids.ModalityWorklistFind), 'Modality Worklist Information Model - FIND');
    assert.equal(uidName('1.2.840.10008.1.2.1'), 'Explicit VR Little Endian');
    assert.equal(uidName('9.9'), undefined);
  });
});
