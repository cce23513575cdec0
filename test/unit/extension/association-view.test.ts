// What the DICOM Associations view shows of real records: the extension's engine path records
// every association in its one shared recorder and names the association an operation used
// (outcome or error); the view's labels, states and filters read those records.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DicomServer } from '../../../src/ae/server';
import type { AssociationRecord } from '../../../src/ae/recording';
import { echo } from '../../../src/extension/engine/echo';
import { associationIdOf, associationRecorder } from '../../../src/extension/engine/recorder';
import type { DimseTarget, EngineLog } from '../../../src/extension/engine/types';
import { aeTitlesOf, describeFilter, matchesFilter, visibleRecords } from '../../../src/extension/associations/filters';
import { operationSummary, outcomeWords, recordDescription, recordDetails, recordLabel, recordState } from '../../../src/extension/associations/labels';

const log: EngineLog = { info() {}, debug() {}, warn() {}, error() {}, trace() {}, traceEnabled: () => false };

function targetOf(server: DicomServer, name: string): DimseTarget {
  return { name, host: '127.0.0.1', port: server.port, calledAeTitle: server.aeTitle, callingAeTitle: 'DICOMNET', timeoutSeconds: 10 };
}

/** Resolves once the shared recorder holds the closed record with this id (both sides close on their own time). */
function closedRecord(id: string): Promise<AssociationRecord> {
  const recorder = associationRecorder();
  const find = () => recorder.records().find((r) => r.id === id && r.outcome);
  return new Promise((resolve, reject) => {
    const found = find();
    if (found) return resolve(found);
    const timer = setTimeout(() => { recorder.off('closed', check); reject(new Error(`timed out waiting for association ${id} to close`)); }, 5000);
    const check = () => {
      const r = find();
      if (!r) return;
      clearTimeout(timer);
      recorder.off('closed', check);
      resolve(r);
    };
    recorder.on('closed', check);
  });
}

describe('association view of real records', () => {
  let strict: DicomServer;
  let pacs: DicomServer;
  before(async () => {
    strict = new DicomServer({ aeTitle: 'STRICT', port: 0, host: '127.0.0.1', acceptCallingAeTitles: ['SOMEONE-ELSE'], services: [] });
    // Like the extension's local SCP: the server records into the same recorder.
    pacs = new DicomServer({ aeTitle: 'PACS', port: 0, host: '127.0.0.1', recorder: associationRecorder() });
    await Promise.all([strict.listen(), pacs.listen()]);
  });
  after(async () => { await Promise.all([strict.close(), pacs.close()]); });

  test('a rejected echo: the error names its association, which the view words as rejected with the reason', async () => {
    const error = await echo(targetOf(strict, 'Strict'), log).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof Error, 'the echo was rejected');
    const id = associationIdOf(error);
    assert.ok(id, 'the error names the association');
    const record = await closedRecord(id);
    assert.equal(record.outcome?.kind, 'rejected');
    assert.equal(recordState(record), 'rejected');
    assert.equal(outcomeWords(record), 'rejected: calling AE title not recognised');
    assert.equal(recordLabel(record), '↑ DICOMNET → STRICT');
    assert.match(recordDescription(record), new RegExp(`^rejected: calling AE title not recognised · \\d+ ms · 127\\.0\\.0\\.1:${strict.port}$`));
    assert.ok(recordDetails(record).includes('Outcome: rejected permanently by the service user: calling AE title not recognised'), recordDetails(record).join('\n'));
    assert.ok(recordDetails(record).includes('Proposed: Verification SOP Class'), recordDetails(record).join('\n'));
  });

  test('a released echo: the outcome names the association; both sides are recorded and the filters tell them apart', async () => {
    const outcome = await echo(targetOf(pacs, 'Demo'), log);
    assert.equal(outcome.ok, true);
    assert.ok(outcome.associationId);
    const ours = await closedRecord(outcome.associationId);
    assert.equal(recordLabel(ours), '↑ DICOMNET → PACS');
    assert.match(recordDescription(ours), new RegExp(`^C-ECHO · released · \\d+ ms · 127\\.0\\.0\\.1:${pacs.port}$`));
    assert.equal(recordState(ours), 'released');
    const theirs = await new Promise<AssociationRecord>((resolve, reject) => {
      const find = () => associationRecorder().records().find((r) => r.direction === 'inbound' && r.outcome && r.callingAeTitle === 'DICOMNET');
      const check = () => { const r = find(); if (r) { clearTimeout(timer); associationRecorder().off('closed', check); resolve(r); } };
      const timer = setTimeout(() => reject(new Error('timed out waiting for the server side of the echo')), 5000);
      associationRecorder().on('closed', check);
      check();
    });
    assert.equal(recordLabel(theirs), '↓ DICOMNET → PACS');
    assert.match(recordDescription(theirs), /^C-ECHO · released · /);

    const all = associationRecorder().records();
    const demo = { kind: 'remote' as const, name: 'Demo', host: '127.0.0.1', port: pacs.port, aeTitle: 'PACS' };
    const local = { kind: 'local' as const, name: 'Local archive', aeTitle: 'PACS', port: pacs.port };
    assert.ok(matchesFilter(ours, { node: demo }));
    assert.ok(!matchesFilter(theirs, { node: demo }), 'PACS did not call us: its inbound association is ours, not its');
    assert.ok(matchesFilter(theirs, { node: local }) && matchesFilter(ours, { node: local }));
    assert.ok(!all.filter((r) => r.calledAeTitle === 'STRICT').some((r) => matchesFilter(r, { node: demo })));
    assert.deepEqual(visibleRecords(all, { outcomes: ['rejected'] }).map((r) => r.calledAeTitle), ['STRICT']);
    assert.deepEqual(visibleRecords(all, { aeTitle: 'STRICT', outcomes: ['released'] }), []);
    assert.deepEqual(aeTitlesOf(all), ['DICOMNET', 'PACS', 'STRICT']);
    assert.equal(describeFilter({ node: demo, aeTitle: 'PACS', outcomes: ['rejected', 'timed-out'] }), 'node Demo · AE PACS · rejected, timed out');
    const newestFirst = visibleRecords(all, {});
    assert.equal(newestFirst.at(-1)?.calledAeTitle, 'STRICT', 'the first association is listed last');
  });
});

describe('association labels', () => {
  const base: AssociationRecord = {
    version: 1, id: '1-1', direction: 'outbound', peerAddress: '10.0.0.5:104', callingAeTitle: 'DICOMNET', calledAeTitle: 'PACS',
    startedAt: '2026-12-06T10:00:00.000Z', messages: [],
  };
  const rq = (command: string, messageId: number, extra = {}) => ({ at: 1, direction: 'sent' as const, contextId: 1, command, commandField: 0, messageId, ...extra });
  const rsp = (command: string, cls: 'pending' | 'success' | 'failure' | 'warning', extra = {}) => ({
    at: 2, direction: 'received' as const, contextId: 1, command, commandField: 0, respondingTo: 1,
    status: { code: 0, hex: '0x0000', class: cls, meaning: cls }, ...extra,
  });

  test('C-MOVE shows its sub-operations: pending counts while running, the final ones after', () => {
    const running: AssociationRecord = { ...base, messages: [rq('C-MOVE-RQ', 1), rsp('C-MOVE-RSP', 'pending', { suboperations: { remaining: 7, completed: 5, failed: 0, warning: 0 } })] };
    assert.equal(operationSummary(running), 'C-MOVE 5/12');
    assert.equal(recordState(running), 'open');
    assert.equal(recordDescription(running), 'C-MOVE 5/12 · running · 10.0.0.5:104');
    const done: AssociationRecord = {
      ...running, durationMs: 1250, outcome: { kind: 'released', description: 'released (we asked)' },
      messages: [...running.messages, rsp('C-MOVE-RSP', 'failure', { suboperations: { completed: 11, failed: 1, warning: 0 } })],
    };
    assert.equal(operationSummary(done), 'C-MOVE 11/12, 1 failed');
    assert.equal(recordState(done), 'released-with-failures');
    assert.equal(recordDescription(done), 'C-MOVE 11/12, 1 failed · released · 1.3 s · 10.0.0.5:104');
  });

  test('C-STORE counts and failures, C-FIND matches, several operations in order', () => {
    const stores = Array.from({ length: 1000 }, (_, i) => rq('C-STORE-RQ', i + 1));
    const answers = Array.from({ length: 1000 }, (_, i) => rsp('C-STORE-RSP', i < 2 ? 'failure' : 'success'));
    assert.equal(operationSummary({ ...base, messages: [...stores, ...answers] }), 'C-STORE ×1,000, 2 failed');
    assert.equal(operationSummary({ ...base, messages: [rq('C-FIND-RQ', 1, { matches: 3 }), rq('C-ECHO-RQ', 2)] }), 'C-FIND 3 matches, C-ECHO');
    assert.equal(operationSummary({ ...base, messages: [rq('N-ACTION-RQ', 1, { sopClass: { uid: '1.2.840.10008.1.20.1' } })] }), 'N-ACTION (storage commitment)');
    assert.equal(operationSummary(base), undefined);
  });
});
