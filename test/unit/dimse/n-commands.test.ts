// DIMSE-N command sets: the elements PS3.7 10.3 puts in each request and response, against byte
// fixtures written from those tables, and the statuses of PS3.7 10.1 / Annex C by name.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandField, DATASET_PRESENT, NO_DATASET, decodeCommand, encodeCommand } from '../../../src/dimse/command';
import { buildNRequest, buildNResponse, checkNRequest, checkNResponse, nServiceOf } from '../../../src/dimse/n-commands';
import { N_STATUS_CODES, isStatusOfNService } from '../../../src/dimse/n-status';
import { Status, formatStatus, statusClass, statusName } from '../../../src/dimse/status';

const MPPS = '1.2.840.10008.3.1.2.3.3';

/** One Implicit VR Little Endian command element: (0000,eeee), 32-bit length, value. */
function el(element: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(element, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}
const us = (n: number) => Buffer.from([n & 0xff, n >> 8]);
const ui = (uid: string) => Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
function commandSet(...elements: Buffer[]): Buffer {
  const body = Buffer.concat(elements);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([el(0x0000, length), body]);
}

describe('requests (PS3.7 tables 10.3-1, -3, -5, -7, -9, -11)', () => {
  test('N-CREATE-RQ: Affected SOP Class and Instance UID, bytes as Table 10.3-9 lays them out', () => {
    const command = buildNRequest('n-create', { messageId: 7, sopClassUid: MPPS, sopInstanceUid: '1.2.3.4.5', hasDataset: true });
    const fixture = commandSet(el(0x0002, ui(MPPS)), el(0x0100, us(0x0140)), el(0x0110, us(7)), el(0x0800, us(DATASET_PRESENT)), el(0x1000, ui('1.2.3.4.5')));
    assert.equal(fixture.readUInt32LE(8), 80);
    assert.deepEqual(encodeCommand(command), fixture);
    assert.deepEqual(decodeCommand(fixture), command);
  });

  test('N-SET-RQ: Requested SOP Class and Instance UID (Table 10.3-5)', () => {
    const command = buildNRequest('n-set', { messageId: 8, sopClassUid: MPPS, sopInstanceUid: '1.2.3.4.5', hasDataset: true });
    const fixture = commandSet(el(0x0003, ui(MPPS)), el(0x0100, us(0x0120)), el(0x0110, us(8)), el(0x0800, us(DATASET_PRESENT)), el(0x1001, ui('1.2.3.4.5')));
    assert.deepEqual(encodeCommand(command), fixture);
  });

  test('N-GET-RQ carries the Attribute Identifier List as AT values and no data set', () => {
    const command = buildNRequest('n-get', { messageId: 2, sopClassUid: '1.2.840.10008.5.1.1.16', sopInstanceUid: '1.2.840.10008.5.1.1.17',
      attributeIdentifierList: [0x21100010, 0x00100010], hasDataset: false });
    const bytes = encodeCommand(command);
    const at = el(0x1005, Buffer.from([0x10, 0x21, 0x10, 0x00, 0x10, 0x00, 0x10, 0x00]));
    assert.ok(bytes.includes(at), 'Attribute Identifier List (0000,1005) encoded as group, element pairs');
    assert.equal(command.commandDataSetType, NO_DATASET);
    assert.deepEqual(decodeCommand(bytes).attributeIdentifierList, [0x21100010, 0x00100010]);
  });

  test('N-ACTION-RQ and N-EVENT-REPORT-RQ need their type ID; N-EVENT-REPORT names the Affected instance', () => {
    const action = buildNRequest('n-action', { messageId: 3, sopClassUid: '1.2.840.10008.1.20.1', sopInstanceUid: '1.2.840.10008.1.20.1.1', actionTypeId: 1, hasDataset: true });
    assert.equal(action.requestedSopInstanceUid, '1.2.840.10008.1.20.1.1');
    assert.equal(action.actionTypeId, 1);
    const event = buildNRequest('n-event-report', { messageId: 4, sopClassUid: '1.2.840.10008.1.20.1', sopInstanceUid: '1.2.840.10008.1.20.1.1', eventTypeId: 2, hasDataset: true });
    assert.equal(event.affectedSopInstanceUid, '1.2.840.10008.1.20.1.1');
    assert.equal(event.requestedSopInstanceUid, undefined);
    assert.equal(event.eventTypeId, 2);
    assert.throws(() => buildNRequest('n-action', { messageId: 1, sopClassUid: '1.2', sopInstanceUid: '1.3', hasDataset: false }), /Action Type ID/);
    assert.throws(() => buildNRequest('n-event-report', { messageId: 1, sopClassUid: '1.2', sopInstanceUid: '1.3', hasDataset: false }), /Event Type ID/);
  });

  test('mandatory parameters and data sets are enforced', () => {
    assert.throws(() => buildNRequest('n-set', { messageId: 1, sopClassUid: MPPS, hasDataset: true }), /SOP Instance UID/);
    assert.throws(() => buildNRequest('n-set', { messageId: 1, sopClassUid: MPPS, sopInstanceUid: '1.2', hasDataset: false }), /needs a data set/);
    assert.throws(() => buildNRequest('n-delete', { messageId: 1, sopClassUid: MPPS, sopInstanceUid: '1.2', hasDataset: true }), /carries no data set/);
    // N-CREATE may leave the instance UID to the performer (10.1.5.1.4).
    assert.equal(buildNRequest('n-create', { messageId: 1, sopClassUid: MPPS, hasDataset: false }).affectedSopInstanceUid, undefined);
  });

  test('every N command field maps back to its service', () => {
    for (const [field, service] of [[CommandField.NEventReportRsp, 'n-event-report'], [CommandField.NGetRq, 'n-get'], [CommandField.NDeleteRsp, 'n-delete']] as const) {
      assert.equal(nServiceOf(field)?.service, service);
    }
    assert.equal(nServiceOf(CommandField.CStoreRq), undefined);
  });
});

describe('responses (PS3.7 tables 10.3-2, -4, -6, -8, -10, -12)', () => {
  const nSet = buildNRequest('n-set', { messageId: 9, sopClassUid: MPPS, sopInstanceUid: '1.2.3', hasDataset: true });

  test('N-SET-RSP refusing a final MPPS: Error Comment and Error ID of Table F.7.2-2, Affected UIDs echoed', () => {
    const response = buildNResponse(nSet, { status: 0x0110, errorComment: 'Performed Procedure Step Object may no longer be updated', errorId: 0xa710 });
    const fixture = commandSet(el(0x0002, ui(MPPS)), el(0x0100, us(0x8120)), el(0x0120, us(9)), el(0x0800, us(NO_DATASET)), el(0x0900, us(0x0110)),
      el(0x0902, Buffer.from('Performed Procedure Step Object may no longer be updated', 'latin1')), el(0x0903, us(0xa710)), el(0x1000, ui('1.2.3')));
    assert.deepEqual(encodeCommand(response), fixture);
  });

  test('the type ID is echoed on success only; an N-CREATE-RSP names the instance on success or as the duplicate', () => {
    const action = buildNRequest('n-action', { messageId: 1, sopClassUid: '1.2', sopInstanceUid: '1.3', actionTypeId: 1, hasDataset: false });
    assert.equal(buildNResponse(action, { status: 0 }).actionTypeId, 1);
    assert.equal(buildNResponse(action, { status: 0x0110 }).actionTypeId, undefined);
    const create = buildNRequest('n-create', { messageId: 1, sopClassUid: MPPS, hasDataset: true });
    assert.equal(buildNResponse(create, { status: 0, sopInstanceUid: '2.25.1' }).affectedSopInstanceUid, '2.25.1');
    assert.equal(buildNResponse(create, { status: 0x0120, sopInstanceUid: '2.25.1' }).affectedSopInstanceUid, undefined);
    assert.equal(buildNResponse(create, { status: 0x0111, sopInstanceUid: '2.25.1' }).affectedSopInstanceUid, '2.25.1');
  });

  test('an Error Comment is cut to the 64 characters of LO; N-DELETE-RSP never carries a data set', () => {
    assert.equal(buildNResponse(nSet, { status: 0x0106, errorComment: 'x'.repeat(100) }).errorComment?.length, 64);
    const del = buildNRequest('n-delete', { messageId: 1, sopClassUid: MPPS, sopInstanceUid: '1.2', hasDataset: false });
    assert.equal(buildNResponse(del, { status: 0, hasDataset: true }).commandDataSetType, NO_DATASET);
  });

  test('received responses are checked against their request', () => {
    assert.equal(checkNResponse(nSet, buildNResponse(nSet, { status: 0 })), undefined);
    assert.match(checkNResponse(nSet, { ...buildNResponse(nSet, { status: 0 }), affectedSopInstanceUid: '9.9' })!, /names SOP Instance 9\.9/);
    assert.match(checkNResponse(nSet, { commandField: CommandField.NGetRsp, commandDataSetType: NO_DATASET, status: 0 })!, /N-GET-RSP answered an N-SET-RQ/);
  });
});

describe('received requests (what a performer refuses, and with which status)', () => {
  test('missing elements map to the statuses PS3.7 names for them', () => {
    assert.equal(checkNRequest({ commandField: CommandField.NSetRq, commandDataSetType: DATASET_PRESENT, requestedSopClassUid: MPPS }, true)?.status, Status.NoSuchSopInstance);
    assert.equal(checkNRequest({ commandField: CommandField.NSetRq, commandDataSetType: NO_DATASET, requestedSopClassUid: MPPS, requestedSopInstanceUid: '1.2' }, false)?.status, Status.ProcessingFailure);
    assert.equal(checkNRequest({ commandField: CommandField.NActionRq, commandDataSetType: NO_DATASET, requestedSopClassUid: MPPS, requestedSopInstanceUid: '1.2' }, false)?.status, Status.NoSuchAction);
    assert.equal(checkNRequest({ commandField: CommandField.NEventReportRq, commandDataSetType: NO_DATASET, affectedSopClassUid: MPPS, affectedSopInstanceUid: '1.2' }, false)?.status, Status.NoSuchEventType);
    assert.equal(checkNRequest({ commandField: CommandField.NCreateRq, commandDataSetType: NO_DATASET }, false)?.status, Status.NoSuchSopClass);
    assert.equal(checkNRequest({ commandField: CommandField.NCreateRq, commandDataSetType: NO_DATASET, affectedSopClassUid: MPPS }, false), undefined);
  });
});

describe('statuses (PS3.7 10.1.x and Annex C)', () => {
  test('the N statuses are named and classed', () => {
    assert.equal(Status.InvalidAttributeValue, 0x0106);
    assert.equal(statusName(0x0106, 'n-set'), 'Invalid attribute value');
    assert.equal(statusName(0x0120, 'n-create'), 'Missing attribute');
    assert.equal(statusName(0x0121, 'n-set'), 'Missing attribute value');
    assert.equal(statusName(0x0117, 'n-create'), 'Invalid SOP instance');
    assert.equal(statusName(0x0123, 'n-action'), 'No such action');
    assert.equal(statusName(0x0113, 'n-event-report'), 'No such event type');
    assert.equal(formatStatus(0x0116, 'n-set'), '0x0116 (Warning: attribute value out of range)');
    assert.equal(statusClass(0x0116), 'warning');
    assert.equal(statusClass(0x0107), 'warning');
    assert.equal(statusClass(0x0120), 'failure');
  });

  test('each service lists its own codes: 0120 only for N-CREATE, 0123 only for N-ACTION, 0113 only for N-EVENT-REPORT', () => {
    assert.ok(N_STATUS_CODES['n-create'].has(0x0120) && !N_STATUS_CODES['n-set'].has(0x0120));
    assert.ok(N_STATUS_CODES['n-action'].has(0x0123) && !N_STATUS_CODES['n-get'].has(0x0123));
    assert.ok(N_STATUS_CODES['n-event-report'].has(0x0113) && !N_STATUS_CODES['n-event-report'].has(0x0124));
    assert.ok(isStatusOfNService(0xa710, 'n-set'), 'Service Class specific codes are allowed');
    assert.ok(!isStatusOfNService(0x0111, 'n-set'));
  });
});
