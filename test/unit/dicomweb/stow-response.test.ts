import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  FailureReason, StowResponseError, WarningReason, buildStowResponse, describeStowReason, readStowResponse,
  stowHttpStatus, stowResponseDataset, type StowResult,
} from '../../../src/dicomweb/stow-response';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const SC = '1.2.840.10008.5.1.4.1.1.7';

const MIXED: StowResult = {
  retrieveURL: 'http://h/studies/1.2',
  stored: [{ sopClassUID: CT, sopInstanceUID: '1.2.3.4', warningReason: WarningReason.CoercionOfDataElements }],
  failed: [{ sopClassUID: SC, sopInstanceUID: '1.2.3.5', failureReason: FailureReason.OutOfResources }],
};

describe('STOW-RS response', () => {
  test('reason codes are those of PS3.18 Tables I.2-1 and I.2-2', () => {
    assert.deepEqual({ ...FailureReason }, {
      OutOfResources: 0xa700, DataSetDoesNotMatchSOPClass: 0xa900, CannotUnderstand: 0xc000,
      TransferSyntaxNotSupported: 0xc122, ProcessingFailure: 0x0110, SOPClassNotSupported: 0x0122, NotAuthorized: 0x0124,
    });
    assert.deepEqual({ ...WarningReason }, { CoercionOfDataElements: 0xb000, ElementsDiscarded: 0xb006, DataSetDoesNotMatchSOPClass: 0xb007 });
    assert.equal(describeStowReason(0xa7ff), 'Refused: out of resources (A7FF)');
    assert.equal(describeStowReason(0xa901), 'Error: data set does not match SOP Class (A901)');
    assert.equal(describeStowReason(0xc122), 'Referenced Transfer Syntax not supported');
    assert.equal(describeStowReason(0xc005), 'Error: cannot understand (C005)');
    assert.equal(describeStowReason(0x0122), 'Referenced SOP Class not supported');
    assert.equal(describeStowReason(0xb006), 'Elements discarded');
    assert.equal(describeStowReason(0x1234), 'Status 1234');
  });

  test('HTTP status: 200 all stored, 202 warnings or partial failure, 409 none stored, 400 nothing sent', () => {
    const s = { sopClassUID: CT, sopInstanceUID: '1.2' };
    const f = { failureReason: FailureReason.ProcessingFailure };
    assert.equal(stowHttpStatus({ stored: [s, s], failed: [] }), 200);
    assert.equal(stowHttpStatus({ stored: [s, { ...s, warningReason: 0xb006 }], failed: [] }), 202);
    assert.equal(stowHttpStatus({ stored: [s], failed: [f] }), 202);
    assert.equal(stowHttpStatus({ stored: [], failed: [f, f] }), 409);
    assert.equal(stowHttpStatus({ stored: [], failed: [] }), 400);
  });

  test('the JSON is the Store Instances Response Module, as pydicom writes it', () => {
    const { status, body } = buildStowResponse(MIXED);
    assert.equal(status, 202);
    const expected = {
      '00081190': { vr: 'UR', Value: ['http://h/studies/1.2'] },
      '00081198': { vr: 'SQ', Value: [{
        '00081150': { vr: 'UI', Value: [SC] },
        '00081155': { vr: 'UI', Value: ['1.2.3.5'] },
        '00081197': { vr: 'US', Value: [42752] },
      }] },
      '00081199': { vr: 'SQ', Value: [{
        '00081150': { vr: 'UI', Value: [CT] },
        '00081155': { vr: 'UI', Value: ['1.2.3.4'] },
        '00081190': { vr: 'UR' },
        '00081196': { vr: 'US', Value: [45056] },
      }] },
    };
    assert.deepEqual(body, expected);

    // The same module built with pydicom, when it is installed.
    const script = [
      'import json', 'from pydicom.dataset import Dataset',
      'ds = Dataset(); ds.RetrieveURL = "http://h/studies/1.2"',
      `it = Dataset(); it.ReferencedSOPClassUID = "${CT}"; it.ReferencedSOPInstanceUID = "1.2.3.4"; it.RetrieveURL = ""; it.WarningReason = 0xB000`,
      `f = Dataset(); f.ReferencedSOPClassUID = "${SC}"; f.ReferencedSOPInstanceUID = "1.2.3.5"; f.FailureReason = 0xA700`,
      'ds.ReferencedSOPSequence = [it]; ds.FailedSOPSequence = [f]',
      'print(json.dumps(ds.to_json_dict()))',
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    if (r.status === 0) assert.deepEqual(JSON.parse(r.stdout), JSON.parse(JSON.stringify(body)));
  });

  test('an all-stored response has no Failed SOP Sequence; unknown UIDs of a failed part are left empty', () => {
    const ok = buildStowResponse({ stored: [{ sopClassUID: CT, sopInstanceUID: '9.8', retrieveURL: 'http://h/i' }], failed: [] });
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.body), ['00081190', '00081199']);
    assert.deepEqual(ok.body['00081190'], { vr: 'UR' }); // Type 2: present, empty
    const bad = buildStowResponse({ stored: [], failed: [{ failureReason: FailureReason.CannotUnderstand }] });
    assert.equal(bad.status, 409);
    assert.deepEqual(bad.body['00081198'], { vr: 'SQ', Value: [{ '00081150': { vr: 'UI' }, '00081155': { vr: 'UI' }, '00081197': { vr: 'US', Value: [0xc000] } }] });
    assert.throws(() => stowResponseDataset({ stored: [], failed: [{ failureReason: 0x10000 }] }), RangeError);
  });

  test('readStowResponse reads back what buildStowResponse writes', () => {
    const { body } = buildStowResponse(MIXED);
    assert.deepEqual(readStowResponse(JSON.parse(JSON.stringify(body))), MIXED);
    assert.deepEqual(readStowResponse([body]), MIXED);
  });

  test('readStowResponse takes a response with UT Retrieve URLs (older servers) and rejects non-responses', () => {
    const old = {
      '00081190': { vr: 'UT', Value: ['http://old/studies/1'] },
      '00081199': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: [CT] }, '00081155': { vr: 'UI', Value: ['1.5'] }, '00081190': { vr: 'UT', Value: ['http://old/i'] } }] },
    };
    assert.deepEqual(readStowResponse(old), {
      retrieveURL: 'http://old/studies/1', stored: [{ sopClassUID: CT, sopInstanceUID: '1.5', retrieveURL: 'http://old/i' }], failed: [],
    });
    const cases: Array<[unknown, RegExp]> = [
      [{}, /none of Retrieve URL/],
      ['text', /not valid DICOM JSON/],
      [[{}, {}], /this array holds 2/],
      [{ '00081198': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: [CT] } }] } }, /Failed SOP Sequence has no Failure Reason/],
      [{ '00081199': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: [CT] } }] } }, /lacks its SOP Class or SOP Instance UID/],
      [{ '00081199': { vr: 'XX' } }, /not valid DICOM JSON/],
    ];
    for (const [doc, message] of cases) {
      assert.throws(() => readStowResponse(doc), (e: unknown) => e instanceof StowResponseError && message.test(e.message), JSON.stringify(doc));
    }
  });
});
