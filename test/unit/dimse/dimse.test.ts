// DIMSE command sets, status classes and fragmentation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Command, CommandField, decodeCommand, encodeCommand, NO_DATASET } from '../../../src/dimse/command';
import { fragment } from '../../../src/dimse/fragmenter';
import { formatStatus, serviceOfCommand, statusClass, statusName } from '../../../src/dimse/status';
import { Uids } from '../../../src/dicom/sop-classes';

test('a command set round-trips and starts with a correct group length', () => {
  const command: Command = {
    commandField: CommandField.CMoveRsp, messageIdBeingRespondedTo: 7, affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.2',
    commandDataSetType: NO_DATASET, status: 0xff00, numberOfRemainingSuboperations: 3, numberOfCompletedSuboperations: 2,
    numberOfFailedSuboperations: 1, numberOfWarningSuboperations: 0, errorComment: 'odd', offendingElement: [0x00100010],
  };
  const bytes = encodeCommand(command);
  assert.equal(bytes.readUInt32LE(8), bytes.length - 12);
  assert.equal(bytes.length % 2, 0);
  assert.deepEqual(decodeCommand(bytes), command);
});

test('command sets with arbitrary values round-trip', () => {
  fc.assert(fc.property(fc.record({
    commandField: fc.integer({ min: 0, max: 0xffff }), commandDataSetType: fc.integer({ min: 0, max: 0xffff }),
    messageId: fc.integer({ min: 1, max: 0xffff }), affectedSopInstanceUid: fc.stringMatching(/^[0-9]{1,8}(\.[0-9]{1,8}){0,6}$/),
    moveDestination: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/),
  }), (command) => assert.deepEqual(decodeCommand(encodeCommand(command)), { ...command })));
});

test('broken command sets are errors with a sentence', () => {
  assert.throws(() => decodeCommand(Buffer.from([0, 0, 0, 1, 8, 0, 0, 0, 1, 2])), /claims 8 bytes but only 2 remain/);
  assert.throws(() => decodeCommand(Buffer.from([8, 0, 0x18, 0, 0, 0, 0, 0])), /group 0008/);
  assert.throws(() => decodeCommand(Buffer.alloc(0)), /no Command Field/);
});

test('status classes and names per service', () => {
  assert.equal(statusClass(0x0000), 'success');
  assert.equal(statusClass(0xff01), 'pending');
  assert.equal(statusClass(0xfe00), 'cancel');
  assert.equal(statusClass(0xb000), 'warning');
  assert.equal(statusClass(0x0107), 'warning');
  assert.equal(statusClass(0xa702), 'failure');
  assert.equal(statusClass(0xc123), 'failure');
  assert.equal(statusName(0xa801, 'move'), 'Refused: move destination unknown');
  assert.equal(statusName(0xa7ff, 'store'), 'Refused: out of resources');
  assert.equal(statusName(0xc0ff, 'find'), 'Failed: unable to process');
});

test('Pending is worded per service as PS3.4 words it', () => {
  const matching = 'Pending: matches are continuing – current match is supplied, any optional keys were supported in the same manner as required keys';
  const unsupportedKeys = 'Pending: matches are continuing – warning that one or more optional keys were not supported';
  assert.equal(statusName(0xff00, 'find'), matching);
  assert.equal(statusName(0xff01, 'find'), unsupportedKeys);
  assert.equal(statusName(0xff00, 'worklist'), matching);
  assert.equal(statusName(0xff01, 'worklist'), unsupportedKeys);
  assert.equal(statusName(0xff00, 'move'), 'Pending: sub-operations are continuing');
  assert.equal(statusName(0xff00, 'get'), 'Pending: sub-operations are continuing');
  assert.equal(formatStatus(0xff00, 'get'), '0xFF00 (Pending: sub-operations are continuing)');
  // No service named: the general word.
  assert.equal(statusName(0xff00), 'Pending');
});

test('the service of a command, for naming its statuses', () => {
  assert.equal(serviceOfCommand(CommandField.CFindRsp, Uids.StudyRootFind), 'find');
  assert.equal(serviceOfCommand(CommandField.CFindRq, Uids.ModalityWorklistFind), 'worklist');
  assert.equal(serviceOfCommand(CommandField.CFindRsp), 'find', 'a response need not repeat its SOP class');
  assert.equal(serviceOfCommand(CommandField.CMoveRsp), 'move');
  assert.equal(serviceOfCommand(CommandField.CGetRq), 'get');
  assert.equal(serviceOfCommand(CommandField.CStoreRsp), 'store');
  assert.equal(serviceOfCommand(CommandField.NActionRsp), 'n-action');
  assert.equal(serviceOfCommand(CommandField.CCancelRq), 'general');
});

test('fragments never exceed the maximum and only the last is flagged last', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 700 }), (size, max) => {
    const data = Buffer.alloc(size, 7);
    const pdvs = fragment(data, 3, false, max, true);
    assert.equal(Buffer.concat(pdvs.map((p) => p.data)).length, size);
    assert.ok(pdvs.every((p) => p.data.length <= max && p.contextId === 3 && !p.isCommand));
    assert.deepEqual(pdvs.map((p) => p.isLast), pdvs.map((_, i) => i === pdvs.length - 1));
  }));
});
