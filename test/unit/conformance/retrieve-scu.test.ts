// Issue 14.1 and 14.9: our C-GET / C-MOVE SCU against a scripted SCP. Pending responses are
// optional (PS3.4 C.4.2.1.4, C.4.3), so the sub-operations arriving on the association must keep
// the DIMSE timer from expiring; and a caller that stops early cancels instead of aborting.
import { TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationEntity } from '../../../src/ae/client';
import { findContexts, getContexts, moveContexts } from '../../../src/ae/retrieve-contexts';
import { Dataset } from '../../../src/dicom/dataset-model';
import { encodeDataset } from '../../../src/dicom';
import { Uids } from '../../../src/dicom/sop-classes';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { CommandField, DATASET_PRESENT, NO_DATASET } from '../../../src/dimse/command';
import { Status } from '../../../src/dimse/status';
import { PDU_ABORT, PDU_RELEASE_RP, PDU_RELEASE_RQ } from '../../../src/net/pdu-types';
import { DimsePeer, acceptEverything } from './dimse-peer';
import { CT_IMAGE, MemoryStore, ctDataset, within } from '../../helpers/in-process';

type Cleanup = { after: (fn: () => unknown) => void };

async function scriptedScp(t: Cleanup, ae: ApplicationEntity, proposal: { contexts: ReturnType<typeof moveContexts>; roles?: ReturnType<typeof getContexts>['roles'] }) {
  const listening = await DimsePeer.listen((rq) => acceptEverything(rq));
  t.after(() => listening.close());
  const client = await ae.associate({ host: '127.0.0.1', port: listening.port, calledAeTitle: 'SCRIPTED', ...proposal });
  t.after(() => client.abort());
  const peer = await listening.accepted;
  t.after(() => peer.destroy());
  return { client, peer };
}

function studyIdentifier(): Dataset {
  const q = new Dataset();
  q.set('QueryRetrieveLevel', 'CS', 'STUDY');
  q.set('StudyInstanceUID', 'UI', '2.25.14001');
  return q;
}

function contextFor(peer: DimsePeer, abstractSyntax: string): number {
  return peer.request!.presentationContexts.find((c) => c.abstractSyntax === abstractSyntax && c.transferSyntaxes[0] === ExplicitVRLittleEndian)!.id;
}

function cStoreRq(messageId: number, sopInstanceUid: string) {
  return {
    commandField: CommandField.CStoreRq, messageId, affectedSopClassUid: CT_IMAGE, affectedSopInstanceUid: sopInstanceUid,
    priority: 0, commandDataSetType: DATASET_PRESENT,
  };
}

function getRsp(messageId: number, status: number, counts: { completed: number; remaining?: number }) {
  return {
    commandField: CommandField.CGetRsp, messageIdBeingRespondedTo: messageId, affectedSopClassUid: Uids.StudyRootGet,
    commandDataSetType: NO_DATASET, status, numberOfCompletedSuboperations: counts.completed, numberOfFailedSuboperations: 0,
    numberOfWarningSuboperations: 0, ...(counts.remaining !== undefined ? { numberOfRemainingSuboperations: counts.remaining } : {}),
  };
}

async function consume<T, R>(generator: AsyncGenerator<T, R>): Promise<R> {
  for (;;) {
    const step = await generator.next();
    if (step.done) return step.value;
  }
}

/** Our C-GET SCU (DIMSE timeout 1 s, timers mocked from here on) against the scripted SCP, up to the C-GET-RQ it received. */
async function startGet(t: TestContext) {
  const ae = new ApplicationEntity({ aeTitle: 'GETSCU', timeouts: { dimseMs: 1000 } });
  const { client, peer } = await scriptedScp(t, ae, getContexts('study', [CT_IMAGE]));
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const backend = new MemoryStore();
  const summary = consume(client.get(studyIdentifier(), backend, { model: 'study' }));
  summary.catch(() => undefined);
  const rq = await peer.until('the C-GET-RQ', () => peer.nth(CommandField.CGetRq, 1));
  return { client, peer, backend, summary, rq, storage: contextFor(peer, CT_IMAGE) };
}

test('issue 14.1: long C-GET retrievals: C-STOREs arriving without pending responses keep the DIMSE timer from expiring', async (t) => {
  const { peer, backend, summary, rq, storage } = await startGet(t);
  // Four instances, 600 ms apart: 2.4 s in all, far beyond the 1 s DIMSE timeout, never silent for 1 s.
  for (let i = 1; i <= 4; i++) {
    const uid = `2.25.14001.${i}`;
    peer.sendMessage(storage, cStoreRq(100 + i, uid), encodeDataset(ctDataset(uid), ExplicitVRLittleEndian));
    await peer.until(`C-STORE-RSP ${i}`, () => peer.nth(CommandField.CStoreRsp, i));
    t.mock.timers.tick(600);
  }
  assert.equal(peer.pdus.some((p) => p.type === PDU_ABORT), false, 'the SCU aborted the association');
  peer.sendMessage(rq.contextId, getRsp(rq.command.messageId!, Status.Success, { completed: 4 }));
  const result = await within('the final C-GET response', summary);
  assert.equal(result.status, Status.Success);
  assert.equal(backend.received.length, 4);
});

test('issue 14.1: long C-GET retrievals: one instance that takes longer than the DIMSE timeout to arrive is received whole', async (t) => {
  const { peer, backend, summary, rq, storage } = await startGet(t);
  const uid = '2.25.14001.9';
  const data = encodeDataset(ctDataset(uid, (d) => d.set('PixelData', 'OW', Buffer.alloc(8 * 4096, 1))), ExplicitVRLittleEndian);
  // The data set trickles in: 8 fragments, 300 ms apart (2.4 s for the one instance).
  const command = cStoreRq(201, uid);
  peer.sendMessage(storage, command);
  const step = Math.ceil(data.length / 8);
  for (let at = 0; at < data.length; at += step) {
    const end = Math.min(at + step, data.length);
    peer.sendPdu({ type: 4, pdvs: [{ contextId: storage, isCommand: false, isLast: end === data.length, data: data.subarray(at, end) }] });
    await backend.until(`the fragment ending at ${end} to be read`, () => backend.bytesWritten >= end);
    t.mock.timers.tick(300);
  }
  await peer.until('the C-STORE-RSP', () => peer.nth(CommandField.CStoreRsp, 1));
  assert.equal(peer.pdus.some((p) => p.type === PDU_ABORT), false, 'the SCU aborted the association');
  peer.sendMessage(rq.contextId, getRsp(rq.command.messageId!, Status.Success, { completed: 1 }));
  const result = await within('the final C-GET response', summary);
  assert.equal(result.completed, 1);
  assert.equal(backend.received[0]?.data.length, data.length);
});

test('issue 14.1: long C-GET retrievals: a peer silent for the whole DIMSE timeout is still given up on', async (t) => {
  const { peer, summary } = await startGet(t);
  t.mock.timers.tick(999);
  assert.equal(peer.pdus.some((p) => p.type === PDU_ABORT), false, 'aborted before the timeout');
  t.mock.timers.tick(1);
  await assert.rejects(within('the C-GET to fail', summary), /no DIMSE response and no other traffic within 1 s/);
  await peer.until('the A-ABORT', () => peer.pdus.find((p) => p.type === PDU_ABORT));
});

/**
 * Runs `loop` (which leaves its loop after the first pending response), lets the scripted SCP
 * see the C-CANCEL-RQ, answer one more pending response and the final Cancel, then releases:
 * the association must have stayed up throughout.
 */
async function leaveEarly(t: TestContext, kind: 'move' | 'get' | 'find') {
  const ae = new ApplicationEntity({ aeTitle: 'SCU' });
  const proposal = kind === 'get' ? getContexts('study', [CT_IMAGE]) : { contexts: kind === 'move' ? moveContexts('study') : findContexts('study') };
  const { client, peer } = await scriptedScp(t, ae, proposal);
  const requestField = { move: CommandField.CMoveRq, get: CommandField.CGetRq, find: CommandField.CFindRq }[kind];
  const responseField = requestField | 0x8000;
  const sopClass = { move: Uids.StudyRootMove, get: Uids.StudyRootGet, find: Uids.StudyRootFind }[kind];
  const pending = (rq: { contextId: number; command: { messageId?: number } }, completed: number) => {
    const counts = kind === 'find' ? {} : { numberOfRemainingSuboperations: 3 - completed, numberOfCompletedSuboperations: completed, numberOfFailedSuboperations: 0, numberOfWarningSuboperations: 0 };
    const match = kind === 'find' ? encodeDataset(studyIdentifier(), ExplicitVRLittleEndian) : undefined;
    peer.sendMessage(rq.contextId, { commandField: responseField, messageIdBeingRespondedTo: rq.command.messageId, affectedSopClassUid: sopClass,
      commandDataSetType: match ? DATASET_PRESENT : NO_DATASET, status: Status.Pending, ...counts }, match);
  };
  let seen = 0;
  const loop = (async () => {
    if (kind === 'find') for await (const _ of client.find(studyIdentifier(), { model: 'study' })) { seen++; break; }
    else if (kind === 'move') for await (const _ of client.move(studyIdentifier(), 'DEST', { model: 'study' })) { seen++; break; }
    else for await (const _ of client.get(studyIdentifier(), new MemoryStore(), { model: 'study' })) { seen++; break; }
  })();
  loop.catch(() => undefined);
  const rq = await peer.until('the request', () => peer.nth(requestField, 1));
  pending(rq, 1);
  const cancel = await peer.until('the C-CANCEL-RQ', () => peer.nth(CommandField.CCancelRq, 1), 3000);
  assert.equal(cancel.command.messageIdBeingRespondedTo, rq.command.messageId);
  // Responses still on their way when the cancel arrives, then the final one.
  pending(rq, 2);
  peer.sendMessage(rq.contextId, { commandField: responseField, messageIdBeingRespondedTo: rq.command.messageId, affectedSopClassUid: sopClass,
    commandDataSetType: NO_DATASET, status: Status.Cancel });
  await within('the loop to end', loop);
  assert.equal(seen, 1);
  assert.equal(client.association.isEstablished, true, 'the association is still up');
  const released = client.release();
  await peer.until('the A-RELEASE-RQ', () => peer.pdus.find((p) => p.type === PDU_RELEASE_RQ));
  peer.sendPdu({ type: PDU_RELEASE_RP });
  await within('the release', released);
}

test('issue 14.9: leaving move() early sends C-CANCEL and keeps the association', (t) => leaveEarly(t, 'move'));
test('issue 14.9: leaving get() early sends C-CANCEL and keeps the association', (t) => leaveEarly(t, 'get'));
test('issue 14.9: leaving find() early sends C-CANCEL and keeps the association', (t) => leaveEarly(t, 'find'));
