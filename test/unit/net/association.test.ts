// What callers of an Association see: the predicates they decide with, and a release asked for
// too late.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { encodePdu } from '../../../src/net/pdu-encode';
import { Association } from '../../../src/net/association';
import {
  AAssociateRq, PDU_ABORT, PDU_P_DATA_TF, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RQ, PDU_RELEASE_RP, PDU_RELEASE_RQ, emptyUserInformation,
} from '../../../src/net/pdu-types';
import { ScriptedPeer } from '../../helpers/scripted-peer';
import { within } from '../../helpers/wait';

const ae = new ApplicationEntity({ aeTitle: 'CLIENT', timeouts: { acseMs: 2000, artimMs: 1000, dimseMs: 2000 } });

/** Our client associated with a scripted acceptor that accepted Verification. */
async function associated() {
  const listener = await ScriptedPeer.listen();
  after(() => listener.close());
  const pending = ae.associate({ host: '127.0.0.1', port: listener.port, calledAeTitle: 'X', contexts: [verificationContext()] });
  const peer = await listener.accepted;
  after(() => peer.destroy());
  const rq = (await peer.waitForPdu(PDU_ASSOCIATE_RQ)) as AAssociateRq;
  peer.send(encodePdu({ type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle,
    applicationContext: rq.applicationContext, presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }],
    userInformation: { ...emptyUserInformation(), maximumLength: 16384 } }));
  return { client: await pending, peer };
}

test('established: the association can release and nobody waits for a release response', async () => {
  const { client, peer } = await associated();
  const a = client.association;
  assert.deepEqual([a.isEstablished, a.canRelease, a.isReleaseRequested, a.isAwaitingLocalAssociateResponse], [true, true, false, false]);
  const released = client.release();
  assert.deepEqual([a.isEstablished, a.canRelease, a.isReleaseRequested], [false, false, false]);
  await peer.waitForPdu(PDU_RELEASE_RQ);
  peer.send(encodePdu({ type: PDU_RELEASE_RP }));
  await released;
});

test('the peer asks to release: isReleaseRequested at the indication, and the client answers with respondRelease()', async () => {
  const { client, peer } = await associated();
  const a = client.association;
  const asked = new Promise<boolean[]>((resolve) => a.once('releaseRequested', () => resolve([a.isEstablished, a.canRelease, a.isReleaseRequested])));
  peer.send(encodePdu({ type: PDU_RELEASE_RQ }));
  assert.deepEqual(await within('A-RELEASE indication', asked), [false, false, true]);
  // A ClientAssociation answers on its own once nothing is being sent (issue 14.5).
  await peer.waitForPdu(PDU_RELEASE_RP);
  peer.destroy();
  assert.equal(await within('the association to close', a.whenClosed()), undefined);
});

test('release() after the peer aborted rejects with the abort instead of waiting forever', async () => {
  const { client, peer } = await associated();
  peer.send(encodePdu({ type: PDU_ABORT, source: 0, reason: 0 }));
  await within('the association to close', client.association.whenClosed());
  await assert.rejects(client.release(), /aborted by the peer \(service user\)/);
});

