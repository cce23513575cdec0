import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodePdu } from '../../../src/net/pdu-decode';
import { encodePDataParts, encodePdu } from '../../../src/net/pdu-encode';
import {
  AAssociateAc, AAssociateRq, Pdu, emptyUserInformation,
  PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, PDU_ASSOCIATE_RQ, PDU_P_DATA_TF, PDU_RELEASE_RP, PDU_RELEASE_RQ,
} from '../../../src/net/pdu-types';
import { REPO_ROOT } from '../../helpers/processes';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'pdus', 'dcmtk');

function fixtureFiles(): string[] {
  const files: string[] = [];
  for (const session of readdirSync(FIXTURES)) {
    for (const f of readdirSync(path.join(FIXTURES, session))) files.push(path.join(session, f));
  }
  return files.sort();
}

function decodeOk(bytes: Buffer): Pdu {
  const r = decodePdu(bytes);
  if (!r.ok) assert.fail(r.error.message);
  return r.pdu;
}

describe('PDUs recorded from DCMTK', () => {
  const files = fixtureFiles();
  test('there are recordings of every PDU type', () => {
    const types = new Set(files.map((f) => readFileSync(path.join(FIXTURES, f))[0]));
    assert.deepEqual([...types].sort(), [1, 2, 3, 4, 5, 6, 7]);
  });
  for (const file of files) {
    test(`${file} decodes and re-encodes byte for byte`, () => {
      const bytes = readFileSync(path.join(FIXTURES, file));
      const pdu = decodeOk(bytes);
      assert.equal(pdu.type, bytes[0]);
      assert.deepEqual(encodePdu(pdu), bytes);
    });
  }

  test('echoscu proposes Verification with Implicit VR LE and DCMTK identifies itself', () => {
    const rq = decodeOk(readFileSync(path.join(FIXTURES, 'echo', '01-c2s-associate-rq.bin'))) as AAssociateRq;
    assert.equal(rq.callingAeTitle, 'ECHOSCU');
    assert.equal(rq.calledAeTitle, 'STORESCP');
    assert.equal(rq.presentationContexts[0].abstractSyntax, '1.2.840.10008.1.1');
    assert.deepEqual(rq.presentationContexts[0].transferSyntaxes, ['1.2.840.10008.1.2']);
    assert.equal(rq.userInformation.maximumLength, 16384);
    assert.match(rq.userInformation.implementationVersionName ?? '', /^OFFIS_DCMTK/);
  });

  test('storescu user identity is decoded (type 2, username and password, response requested)', () => {
    const rq = decodeOk(readFileSync(path.join(FIXTURES, 'store-user-identity', '01-c2s-associate-rq.bin'))) as AAssociateRq;
    const id = rq.userInformation.userIdentityRq!;
    assert.equal(id.type, 2);
    assert.equal(id.primaryField.toString(), 'alice');
    assert.equal(id.secondaryField.toString(), 'secret');
    assert.equal(id.positiveResponseRequested, true);
  });

  test('getscu proposes SCP role selection for storage classes', () => {
    const rq = decodeOk(readFileSync(path.join(FIXTURES, 'get-roles', '01-c2s-associate-rq.bin'))) as AAssociateRq;
    assert.ok(rq.userInformation.roleSelections.length > 0);
    assert.ok(rq.userInformation.roleSelections.every((r) => r.scpRole === 1));
  });

  test('storescp --refuse answers rejected-permanent by the service user, no reason', () => {
    const rj = decodeOk(readFileSync(path.join(FIXTURES, 'echo-rejected', '02-s2c-associate-rj.bin')));
    assert.deepEqual(rj, { type: PDU_ASSOCIATE_RJ, result: 1, source: 1, reason: 1 });
  });

  test('with a 4096-byte maximum, no P-DATA-TF on the wire is longer than 4096', () => {
    const dir = path.join(FIXTURES, 'store-pdu-4096');
    const pdata = readdirSync(dir).filter((f) => f.includes('p-data')).map((f) => readFileSync(path.join(dir, f)));
    assert.ok(pdata.length > 5);
    for (const p of pdata) assert.ok(p.readUInt32BE(2) <= 4096, `PDU of ${p.readUInt32BE(2)} bytes`);
  });
});

describe('every item and sub-item round-trips', () => {
  const info = emptyUserInformation();
  info.maximumLength = 131072;
  info.implementationClassUid = '1.2.3.4';
  info.implementationVersionName = 'TEST_1';
  info.asyncOperationsWindow = { maxOperationsInvoked: 3, maxOperationsPerformed: 2 };
  info.roleSelections = [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: 0, scpRole: 1 }];
  info.sopClassExtended = [{ sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', serviceClassApplicationInformation: Buffer.from([1, 0, 1]) }];
  info.sopClassCommonExtended = [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2.1', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: ['1.2.840.10008.5.1.4.1.1.2', '1.2.3'] }];
  info.userIdentityRq = { type: 5, positiveResponseRequested: true, primaryField: Buffer.from('eyJhbGciOi.jwt'), secondaryField: Buffer.alloc(0) };
  info.unknown = [{ type: 0x5f, data: Buffer.from([9, 9]) }];

  const rq: AAssociateRq = {
    type: PDU_ASSOCIATE_RQ, protocolVersion: 1, calledAeTitle: 'CALLED', callingAeTitle: 'CALLING',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: [
      { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
      { id: 255, abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2', '1.2.840.10008.1.2.4.50'] },
    ],
    userInformation: info,
  };
  const acInfo = emptyUserInformation();
  acInfo.maximumLength = 0;
  acInfo.userIdentityAc = { serverResponse: Buffer.from('ok') };
  acInfo.roleSelections = [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: 0, scpRole: 1 }];
  const ac: AAssociateAc = {
    type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: 'CALLED', callingAeTitle: 'CALLING',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }, { id: 255, result: 4, transferSyntax: '' }],
    userInformation: acInfo,
  };
  const samples: [string, Pdu][] = [
    ['A-ASSOCIATE-RQ with every sub-item', rq],
    ['A-ASSOCIATE-AC with identity response and roles', ac],
    ['A-ASSOCIATE-RJ', { type: PDU_ASSOCIATE_RJ, result: 2, source: 3, reason: 2 }],
    ['P-DATA-TF with two PDVs', { type: PDU_P_DATA_TF, pdvs: [
      { contextId: 1, isCommand: true, isLast: true, data: Buffer.from([1, 2, 3, 4]) },
      { contextId: 3, isCommand: false, isLast: false, data: Buffer.alloc(1000, 7) },
    ] }],
    ['A-RELEASE-RQ', { type: PDU_RELEASE_RQ }],
    ['A-RELEASE-RP', { type: PDU_RELEASE_RP }],
    ['A-ABORT', { type: PDU_ABORT, source: 2, reason: 6 }],
  ];
  for (const [name, pdu] of samples) {
    test(name, () => {
      const bytes = encodePdu(pdu);
      const decoded = decodeOk(bytes);
      assert.deepEqual(encodePdu(decoded), bytes);
      const { order: _order, ...decodedInfo } = (decoded as AAssociateRq).userInformation ?? {};
      if ('userInformation' in pdu) assert.deepEqual(decodedInfo, pdu.userInformation);
      else assert.deepEqual(decoded, pdu);
    });
  }
});

describe('P-DATA-TF as parts for the socket', () => {
  test('one data fragment is two parts (both headers, then the payload itself); together they are the PDU', () => {
    const data = Buffer.alloc(131066, 9);
    const parts = encodePDataParts([{ contextId: 5, isCommand: false, isLast: true, data }]);
    assert.equal(parts.length, 2);
    assert.equal(parts[1], data, 'the payload is not copied');
    assert.deepEqual([...parts[0]], [4, 0, 0, 2, 0, 0, 0, 1, 255, 252, 5, 2], 'PDU length 131072, PDV length 131068, context 5, last data fragment');
    assert.deepEqual(decodeOk(Buffer.concat(parts)), { type: PDU_P_DATA_TF, pdvs: [{ contextId: 5, isCommand: false, isLast: true, data }] });
  });

  test('several PDVs, an empty one among them: the parts concatenate to what encodePdu makes', () => {
    const pdvs = [
      { contextId: 1, isCommand: true, isLast: true, data: Buffer.from([1, 2, 3, 4]) },
      { contextId: 1, isCommand: false, isLast: false, data: Buffer.alloc(0) },
      { contextId: 3, isCommand: false, isLast: true, data: Buffer.alloc(1000, 7) },
    ];
    const parts = encodePDataParts(pdvs);
    assert.ok(parts.every((p) => p.length > 0), 'no empty writes');
    assert.deepEqual(Buffer.concat(parts), encodePdu({ type: PDU_P_DATA_TF, pdvs }));
    assert.deepEqual(decodeOk(Buffer.concat(parts)), { type: PDU_P_DATA_TF, pdvs });
  });
});

describe('invalid PDUs are typed errors', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['too short', Buffer.from([1, 0, 0]), /at least 6 bytes/],
    ['length disagrees', Buffer.from([5, 0, 0, 0, 0, 9, 0, 0, 0, 0]), /header says 9/],
    ['unknown type', Buffer.from([9, 0, 0, 0, 0, 4, 0, 0, 0, 0]), /unknown PDU type 0x09/],
    ['release with 3 bytes', Buffer.from([5, 0, 0, 0, 0, 3, 0, 0, 0]), /length 3 instead of 4/],
    ['P-DATA with a PDV longer than the PDU', Buffer.from([4, 0, 0, 0, 0, 8, 0, 0, 0, 99, 1, 3, 0, 0]), /claims 99 bytes/],
    ['P-DATA without PDVs', Buffer.from([4, 0, 0, 0, 0, 0]), /no PDV/],
  ];
  for (const [name, bytes, message] of cases) {
    test(name, () => {
      const r = decodePdu(bytes);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error.message, message);
    });
  }

  test('an even presentation context ID is refused', () => {
    const bytes = encodePdu({
      type: PDU_ASSOCIATE_RQ, protocolVersion: 1, calledAeTitle: 'A', callingAeTitle: 'B', applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [{ id: 2, abstractSyntax: '1.2', transferSyntaxes: ['1.2.840.10008.1.2'] }], userInformation: emptyUserInformation(),
    });
    const r = decodePdu(bytes);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /even/);
  });
});
