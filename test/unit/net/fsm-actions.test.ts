// The actions as data: every action of the table is described, and an action that reads an
// event's payload is reached from that event only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, pduReceived } from '../../../src/net/fsm-actions';
import { Action, Event, State, TRANSITIONS } from '../../../src/net/fsm-table';
import {
  PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, PDU_ASSOCIATE_RQ, PDU_P_DATA_TF, PDU_RELEASE_RP, PDU_RELEASE_RQ, Pdu, emptyUserInformation,
} from '../../../src/net/pdu-types';

const cells = (): [Event, State, Action][] =>
  (Object.entries(TRANSITIONS) as [Event, Partial<Record<State, Action>>][])
    .flatMap(([event, row]) => (Object.entries(row) as [State, Action][]).map(([state, action]): [Event, State, Action] => [event, state, action]));

test('every action in the table has the standard\'s description', () => {
  const used = new Set(cells().map(([, , action]) => action));
  assert.equal(used.size, 28);
  for (const action of used) assert.match(ACTIONS[action].description, /^[A-Z]/, action);
});

test('an action that reads a payload runs for that event only', () => {
  for (const [event, state, action] of cells()) {
    const reads = ACTIONS[action].reads;
    if (reads) assert.equal(reads, event, `${action} in ${state} reads ${reads} but runs for ${event}`);
  }
  assert.throws(() => ACTIONS['AE-3'].run({} as never, { event: 'Evt12' }), /runs on Evt3, not on Evt12/);
});

test('each received PDU is the event the standard names', () => {
  const info = emptyUserInformation();
  const pdus: [Pdu, Event][] = [
    [{ type: PDU_ASSOCIATE_RQ, protocolVersion: 1, calledAeTitle: 'A', callingAeTitle: 'B', applicationContext: '1.2', presentationContexts: [], userInformation: info }, 'Evt6'],
    [{ type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: 'A', callingAeTitle: 'B', applicationContext: '1.2', presentationContexts: [], userInformation: info }, 'Evt3'],
    [{ type: PDU_ASSOCIATE_RJ, result: 1, source: 1, reason: 1 }, 'Evt4'],
    [{ type: PDU_P_DATA_TF, pdvs: [] }, 'Evt10'],
    [{ type: PDU_RELEASE_RQ }, 'Evt12'],
    [{ type: PDU_RELEASE_RP }, 'Evt13'],
    [{ type: PDU_ABORT, source: 0, reason: 0 }, 'Evt16'],
  ];
  for (const [pdu, event] of pdus) assert.equal(pduReceived(pdu).event, event);
});
