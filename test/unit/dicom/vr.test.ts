// The VR look-ups by two bytes (the tokenizer's and the sender's element headers) against the
// VR sets they stand for, for every pair of capital letters and for bytes that are not a VR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_VRS, hasLongExplicitHeader, hasLongExplicitHeaderBytes, knownVrOfBytes, looksLikeVr, vrOfBytes } from '../../../src/dicom/vr';

test('every two-letter code: its string, its header form and whether it is a known VR', () => {
  for (let b0 = 0x41; b0 <= 0x5a; b0++) {
    for (let b1 = 0x41; b1 <= 0x5a; b1++) {
      const code = String.fromCharCode(b0, b1);
      assert.ok(looksLikeVr(b0, b1));
      assert.equal(vrOfBytes(b0, b1), code);
      assert.equal(hasLongExplicitHeaderBytes(b0, b1), hasLongExplicitHeader(code), code);
      assert.equal(knownVrOfBytes(b0, b1), KNOWN_VRS.has(code) ? code : undefined, code);
    }
  }
  assert.equal([...KNOWN_VRS].filter((vr) => knownVrOfBytes(vr.charCodeAt(0), vr.charCodeAt(1)) !== vr).length, 0);
});

test('bytes that are not two capital letters are no known VR', () => {
  for (const [b0, b1] of [[0x40, 0x41], [0x41, 0x5b], [0x61, 0x62], [0x00, 0x00], [0x4f, 0x20], [0xff, 0x4f]] as const) {
    assert.equal(looksLikeVr(b0, b1), false);
    assert.equal(knownVrOfBytes(b0, b1), undefined);
  }
});
