// Issue 14.5: our SCU answers an A-RELEASE-RQ the SCP sends (PS3.8 Sta6 + Evt12, AR-2; the user
// answers with Evt14, AR-4), on plain client associations and on C-MOVE sub-operation associations.
import { TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { findContexts, moveContexts } from '../../../src/ae/retrieve-contexts';
import { ArchiveServices } from '../../../src/archive/archive-services';
import { Dataset } from '../../../src/dicom/dataset-model';
import { CommandField, NO_DATASET } from '../../../src/dimse/command';
import { Status } from '../../../src/dimse/status';
import { PDU_RELEASE_RP, PDU_RELEASE_RQ } from '../../../src/net/pdu-types';
import { DimsePeer, acceptEverything } from './dimse-peer';
import { connect, ctDataset, startServer, storageContexts, within } from '../../helpers/in-process';

async function scriptedAcceptor(t: TestContext, contexts = [verificationContext()]) {
  const listening = await DimsePeer.listen((rq) => acceptEverything(rq));
  t.after(() => listening.close());
  const client = await new ApplicationEntity({ aeTitle: 'SCU' }).associate({ host: '127.0.0.1', port: listening.port, calledAeTitle: 'SCRIPTED', contexts });
  t.after(() => client.abort());
  const peer = await listening.accepted;
  t.after(() => peer.destroy());
  return { client, peer };
}

/** The scripted SCP asks to release; our SCU must answer, and the association ends without error once the SCP closes. */
async function releasedByPeer(client: Awaited<ReturnType<typeof scriptedAcceptor>>['client'], peer: DimsePeer): Promise<void> {
  peer.sendPdu({ type: PDU_RELEASE_RQ });
  await peer.until('the A-RELEASE-RP', () => peer.pdus.find((p) => p.type === PDU_RELEASE_RP), 3000);
  peer.socket.end(); // AR-3: the side that asked closes the transport
  assert.equal(await within('the association to close', client.association.whenClosed()), undefined);
}

test('issue 14.5: the client answers a release requested by the server, and the association ends normally', async (t) => {
  const { client, peer } = await scriptedAcceptor(t);
  await releasedByPeer(client, peer);
  // Releasing afterwards is a no-op, not a hang or an error: the association is released.
  await within('release() after the peer released', client.release());
});

test('issue 14.5: a release requested while a C-FIND is outstanding is answered, and the C-FIND fails with a sentence', async (t) => {
  const { client, peer } = await scriptedAcceptor(t, findContexts('study'));
  const q = new Dataset();
  q.set('QueryRetrieveLevel', 'CS', 'STUDY');
  q.set('StudyInstanceUID', 'UI', '');
  const matches = (async () => { for await (const _ of client.find(q, { model: 'study' })) { /* none come */ } })();
  matches.catch(() => undefined);
  await peer.until('the C-FIND-RQ', () => peer.nth(CommandField.CFindRq, 1));
  await releasedByPeer(client, peer);
  await assert.rejects(within('the C-FIND to end', matches), /released while a response was outstanding/);
});

test('issue 14.5: a C-MOVE sub-operation association released by the destination is answered; the move goes on to its final response', async (t) => {
  // A destination that stores the first instance, then asks to release.
  const destination = await DimsePeer.listen((rq) => acceptEverything(rq));
  t.after(() => destination.close());
  const dir = mkdtempSync(path.join(tmpdir(), 'issue14-5-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const archive = await ArchiveServices.open({ dir, aeTitle: 'ARCHIVE', destinations: [['DEST', { host: '127.0.0.1', port: destination.port }]] });
  t.after(() => archive.close());
  const server = await startServer({ aeTitle: 'ARCHIVE', services: archive.services }, t);
  const loader = await connect(t, server, { contexts: storageContexts() });
  const study = '2.25.1405000';
  for (const uid of ['2.25.1405000.1', '2.25.1405000.2', '2.25.1405000.3']) {
    assert.equal((await loader.store(ctDataset(uid, (d) => { d.set('StudyInstanceUID', 'UI', study); d.set('SeriesInstanceUID', 'UI', `${study}.9`); }))).status, Status.Success);
  }
  await loader.release();

  const mover = await connect(t, server, { contexts: moveContexts('study') }, new ApplicationEntity({ aeTitle: 'MOVESCU' }));
  const q = new Dataset();
  q.set('QueryRetrieveLevel', 'CS', 'STUDY');
  q.set('StudyInstanceUID', 'UI', study);
  const moving = (async () => {
    const generator = mover.move(q, 'DEST', { model: 'study' });
    for (;;) { const step = await generator.next(); if (step.done) return step.value; }
  })();
  moving.catch(() => undefined);
  const peer = await destination.accepted;
  t.after(() => peer.destroy());
  const first = await peer.until('the first C-STORE-RQ', () => peer.nth(CommandField.CStoreRq, 1));
  peer.sendMessage(first.contextId, {
    commandField: CommandField.CStoreRsp, messageIdBeingRespondedTo: first.command.messageId, affectedSopClassUid: first.command.affectedSopClassUid,
    affectedSopInstanceUid: first.command.affectedSopInstanceUid, commandDataSetType: NO_DATASET, status: Status.Success,
  });
  await peer.until('the second C-STORE-RQ', () => peer.nth(CommandField.CStoreRq, 2));
  peer.sendPdu({ type: PDU_RELEASE_RQ });
  await peer.until('the A-RELEASE-RP', () => peer.pdus.find((p) => p.type === PDU_RELEASE_RP), 3000);
  peer.socket.end();
  const summary = await within('the final C-MOVE response', moving);
  assert.equal(summary.completed, 1);
  assert.equal(summary.failed, 2);
  assert.equal(summary.status, Status.SubOperationsCompleteWithFailures);
  await mover.release();
});
