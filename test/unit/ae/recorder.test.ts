// The association inspector's recorder: each way an association ends is recorded and worded
// right, on both sides; the negotiation and DIMSE messages match what was sent; PDUs only when
// asked; secrets never.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { findContexts } from '../../../src/ae/retrieve-contexts';
import { AssociationRecord, AssociationRecorder } from '../../../src/ae/recording';
import { Uids } from '../../../src/dicom/sop-classes';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { CommandField, DATASET_PRESENT, NO_DATASET, encodeCommand } from '../../../src/dimse/command';
import { encodePdu } from '../../../src/net/pdu-encode';
import { PDU_ABORT, PDU_ASSOCIATE_AC } from '../../../src/net/pdu-types';
import { FindScp } from '../../../src/services/find-scp';
import { ScpService } from '../../../src/services/scp-service';
import { StorageScp } from '../../../src/services/store-scp';
import { CT_IMAGE, MemoryStore, QUICK, associate, drain, identifier, recordsBackend, startServer } from '../../helpers/in-process';
import { ScriptedPeer } from '../../helpers/scripted-peer';

/** Resolves with the first `count` records the recorder closes; fails by name after 5 s. */
function closedRecords(recorder: AssociationRecorder, count = 1, what = 'the association to be recorded'): Promise<AssociationRecord[]> {
  return new Promise((resolve, reject) => {
    const got: AssociationRecord[] = [];
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 5000);
    recorder.on('closed', (record) => {
      got.push(record);
      if (got.length === count) { clearTimeout(timer); resolve(got); }
    });
  });
}

const clientAe = (recorder: AssociationRecorder, extra: Partial<ConstructorParameters<typeof ApplicationEntity>[0]> = {}) =>
  new ApplicationEntity({ aeTitle: 'SCU', timeouts: QUICK, recorder, maxPduLength: 32768, ...extra });

/** A C-ECHO service that answers only when let go (or never). */
class HeldEcho implements ScpService {
  readonly name = 'held';
  letGo: () => void = () => undefined;
  contexts() { return new Map([['1.2.3.4.5.6', ['1.2.840.10008.1.2']]]); }
  handles() { return true; }
  async handle(sa: any, request: any) {
    await new Promise<void>((r) => { this.letGo = r; });
    await sa.channel.send(request.contextId, { commandField: CommandField.CEchoRsp, messageIdBeingRespondedTo: request.command.messageId, commandDataSetType: NO_DATASET, status: 0 });
  }
}

describe('association records', () => {
  test('a released C-ECHO: both sides recorded with negotiation and messages', async () => {
    const serverRecorder = new AssociationRecorder();
    const clientRecorder = new AssociationRecorder();
    const server = await startServer({ recorder: serverRecorder, implementationVersionName: 'SRV_1' });
    const serverSide = closedRecords(serverRecorder);
    const clientSide = closedRecords(clientRecorder);
    const client = await associate(clientAe(clientRecorder), server, [verificationContext(), { abstractSyntax: '1.2.3.999', transferSyntaxes: [ImplicitVRLittleEndian] }],
      { userIdentity: { kind: 'password', username: 'alice', password: 'hunter2-secret', positiveResponseRequested: true } });
    await client.echo();
    await client.release();
    const [[ours], [theirs]] = await Promise.all([clientSide, serverSide]);

    assert.equal(ours.direction, 'outbound');
    assert.equal(ours.peerAddress, `127.0.0.1:${server.port}`);
    assert.deepEqual([ours.callingAeTitle, ours.calledAeTitle], ['SCU', 'SCP']);
    assert.deepEqual(ours.outcome, { kind: 'released', releasedBy: 'us', description: 'released (we asked)' });
    assert.equal(theirs.direction, 'inbound');
    assert.match(theirs.peerAddress, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(theirs.outcome, { kind: 'released', releasedBy: 'peer', description: 'released (the peer asked)' });
    assert.ok(ours.durationMs! >= 0 && Number.isFinite(Date.parse(ours.startedAt)));

    const n = ours.negotiation!;
    assert.equal(n.requestor.maxPdu, 32768);
    assert.equal(n.acceptor!.maxPdu, 262144);
    assert.equal(n.acceptor!.implementationVersionName, 'SRV_1');
    assert.equal(n.requestor.implementationClassUid, theirs.negotiation!.requestor.implementationClassUid);
    assert.deepEqual(n.contexts.map((c) => [c.id, c.abstractSyntax.name ?? c.abstractSyntax.uid, c.result, c.resultText, c.transferSyntax?.name]), [
      [1, 'Verification SOP Class', 0, 'accepted', 'Explicit VR Little Endian'],
      [3, '1.2.3.999', 3, 'rejected: abstract syntax not supported', undefined],
    ]);
    assert.deepEqual(n.contexts[0].proposedTransferSyntaxes.map((t) => t.uid), [ExplicitVRLittleEndian, ImplicitVRLittleEndian]);
    assert.deepEqual(n.userIdentity, { type: 2, typeText: 'username and passcode', positiveResponseRequested: true, serverResponded: false });
    const json = JSON.stringify([ours, theirs]);
    assert.ok(!json.includes('hunter2') && !json.includes('alice'), 'a user identity field reached the record');

    assert.deepEqual(ours.messages.map((m) => [m.direction, m.command, m.messageId, m.respondingTo, m.status?.meaning]), [
      ['sent', 'C-ECHO-RQ', 1, undefined, undefined], ['received', 'C-ECHO-RSP', undefined, 1, 'Success'],
    ]);
    assert.ok(ours.messages[1].responseMs! >= 0);
    assert.deepEqual(theirs.messages.map((m) => [m.direction, m.command]), [['received', 'C-ECHO-RQ'], ['sent', 'C-ECHO-RSP']]);
    assert.equal(ours.pdus, undefined, 'PDUs were recorded without being asked for');
  });

  test('rejected: result, source and reason in words on both sides', async () => {
    const serverRecorder = new AssociationRecorder();
    const clientRecorder = new AssociationRecorder();
    const server = await startServer({ recorder: serverRecorder, acceptCallingAeTitles: ['OTHER'] });
    const sides = Promise.all([closedRecords(clientRecorder), closedRecords(serverRecorder)]);
    await assert.rejects(associate(clientAe(clientRecorder), server, [verificationContext()]), /calling AE title not recognised/);
    const [[ours], [theirs]] = await sides;
    const expected = { result: 1, source: 1, reason: 3, resultText: 'permanent', sourceText: 'service user', reasonText: 'calling AE title not recognised' };
    assert.equal(ours.outcome!.kind, 'rejected');
    assert.deepEqual(ours.outcome!.rejection, { ...expected, by: 'peer' });
    assert.equal(ours.outcome!.description, 'rejected permanently by the service user: calling AE title not recognised');
    assert.deepEqual(theirs.outcome!.rejection, { ...expected, by: 'us' });
    assert.equal(ours.negotiation!.acceptor, undefined);
    assert.equal(ours.negotiation!.contexts[0].result, undefined);
  });

  test('aborted by us (A-ABORT, service user) is aborted by the peer on the other side', async () => {
    const serverRecorder = new AssociationRecorder();
    const clientRecorder = new AssociationRecorder();
    const server = await startServer({ recorder: serverRecorder });
    const sides = Promise.all([closedRecords(clientRecorder), closedRecords(serverRecorder)]);
    const client = await associate(clientAe(clientRecorder), server, [verificationContext()]);
    client.abort();
    const [[ours], [theirs]] = await sides;
    assert.equal(ours.outcome!.kind, 'aborted');
    assert.deepEqual(ours.outcome!.abort, { by: 'us', source: 0, reason: 0, sourceText: 'service user', reasonText: 'not significant (service-user abort)' });
    assert.equal(theirs.outcome!.kind, 'aborted');
    assert.deepEqual(theirs.outcome!.abort, { by: 'peer', source: 0, reason: 0, sourceText: 'service user', reasonText: 'not significant (service-user abort)' });
  });

  test('aborted by the peer (service provider, invalid PDU parameter value)', async () => {
    const listening = await ScriptedPeer.listen();
    const recorder = new AssociationRecorder();
    const record = closedRecords(recorder);
    const ae = clientAe(recorder);
    const associating = ae.associate({ host: '127.0.0.1', port: listening.port, calledAeTitle: 'PEER', contexts: [verificationContext()] });
    const peer = await listening.accepted;
    peer.send(encodePdu({ type: PDU_ABORT, source: 2, reason: 6 }));
    await assert.rejects(associating, /aborted by the peer/);
    const [r] = await record;
    listening.close();
    assert.equal(r.outcome!.kind, 'aborted');
    assert.deepEqual(r.outcome!.abort, { by: 'peer', source: 2, reason: 6, sourceText: 'service provider', reasonText: 'invalid PDU parameter value' });
  });

  test('timed out: no C-ECHO response within the DIMSE timeout', async () => {
    const held = new HeldEcho();
    const serverRecorder = new AssociationRecorder();
    const clientRecorder = new AssociationRecorder();
    const server = await startServer({ recorder: serverRecorder, services: [held] });
    const sides = Promise.all([closedRecords(clientRecorder), closedRecords(serverRecorder)]);
    const client = await associate(clientAe(clientRecorder, { timeouts: { ...QUICK, dimseMs: 300 } }), server,
      [{ abstractSyntax: '1.2.3.4.5.6', transferSyntaxes: [ImplicitVRLittleEndian] }]);
    const id = client.channel.nextMessageId();
    const responses = client.channel.expectResponses(id);
    await client.channel.send(client.acceptedContexts[0].id, { commandField: CommandField.CEchoRq, messageId: id, affectedSopClassUid: '1.2.3.4.5.6', commandDataSetType: NO_DATASET });
    await assert.rejects(responses.next(), /no DIMSE response/);
    const [[ours], [theirs]] = await sides;
    held.letGo();
    assert.equal(ours.outcome!.kind, 'timed-out');
    assert.match(ours.outcome!.description, /no DIMSE response and no other traffic within 0.3 s/);
    assert.equal(ours.outcome!.abort!.by, 'us');
    assert.equal(theirs.outcome!.kind, 'aborted');
    assert.equal(theirs.outcome!.abort!.by, 'peer');
    assert.deepEqual(ours.messages.map((m) => m.command), ['C-ECHO-RQ']);
  });

  test('timed out on the server: a request that never completes within ARTIM', async () => {
    const recorder = new AssociationRecorder();
    const server = await startServer({ recorder, timeouts: { ...QUICK, artimMs: 300 } });
    const record = closedRecords(recorder);
    const peer = await ScriptedPeer.connect(server.port);
    peer.send(Buffer.from([0x01, 0x00, 0x00, 0x00, 0x01, 0x00])); // the start of an A-ASSOCIATE-RQ, then nothing
    const [r] = await record;
    peer.destroy();
    assert.equal(r.outcome!.kind, 'timed-out');
    assert.match(r.outcome!.description, /ARTIM/);
    assert.equal(r.negotiation, undefined);
  });

  test('an A-ABORT before the A-ASSOCIATE-RQ is recorded as aborted by the peer, not as a timeout', async () => {
    const recorder = new AssociationRecorder();
    const server = await startServer({ recorder });
    const record = closedRecords(recorder);
    const peer = await ScriptedPeer.connect(server.port);
    peer.send(encodePdu({ type: PDU_ABORT, source: 0, reason: 0 }));
    const [r] = await record;
    peer.destroy();
    assert.equal(r.outcome!.kind, 'aborted');
    assert.equal(r.outcome!.abort!.by, 'peer');
  });

  test('connection lost: the peer drops the connection while established; connection failed: nothing listens', async () => {
    const recorder = new AssociationRecorder();
    const server = await startServer({ recorder });
    const record = closedRecords(recorder);
    const peer = await ScriptedPeer.connect(server.port);
    const ae = new ApplicationEntity({ aeTitle: 'SCRIPTED' });
    peer.send(encodePdu(ae.buildRequest({ host: '', port: 0, calledAeTitle: 'SCP', contexts: [verificationContext()] })));
    await peer.waitForPdu(PDU_ASSOCIATE_AC);
    peer.destroy();
    const [r] = await record;
    assert.equal(r.outcome!.kind, 'connection-lost');
    assert.equal(r.outcome!.description, 'the peer closed the connection without releasing the association');
    assert.equal(r.callingAeTitle, 'SCRIPTED');

    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    });
    const clientRecorder = new AssociationRecorder();
    const failed = closedRecords(clientRecorder);
    await assert.rejects(clientAe(clientRecorder).associate({ host: '127.0.0.1', port: closedPort, calledAeTitle: 'X', contexts: [verificationContext()] }));
    const [f] = await failed;
    assert.equal(f.outcome!.kind, 'connection-failed');
    assert.match(f.outcome!.description, /refused/);
  });

  test('C-FIND: the identifier\'s keys, the matches counted, the statuses with their meaning', async () => {
    const studies = [
      { PatientName: 'Doe^Jane', PatientID: 'P1', StudyInstanceUID: '1.2.826.0.1.1', StudyDate: '20240105' },
      { PatientName: 'Doe^John', PatientID: 'P2', StudyInstanceUID: '1.2.826.0.1.2', StudyDate: '20240310' },
      { PatientName: 'Roe^Rita', PatientID: 'P3', StudyInstanceUID: '1.2.826.0.1.3', StudyDate: '20231224' },
    ];
    const serverRecorder = new AssociationRecorder();
    const clientRecorder = new AssociationRecorder();
    const server = await startServer({ recorder: serverRecorder, services: [new FindScp([Uids.StudyRootFind], recordsBackend(studies))] });
    const sides = Promise.all([closedRecords(clientRecorder), closedRecords(serverRecorder)]);
    const client = await associate(clientAe(clientRecorder), server, findContexts('study'));
    await drain(client.find(identifier({ QueryRetrieveLevel: 'STUDY', PatientName: 'Doe*', StudyInstanceUID: '' }), { model: 'study' }));
    await client.release();
    for (const [r] of await sides) {
      const rq = r.messages[0];
      assert.equal(rq.command, 'C-FIND-RQ');
      assert.equal(rq.sopClass!.name, 'Study Root Query/Retrieve Information Model - FIND');
      assert.deepEqual(rq.identifier, { level: 'STUDY', keys: [
        { tag: '0010,0010', keyword: 'PatientName', value: 'Doe*' }, { tag: '0020,000D', keyword: 'StudyInstanceUID', value: '' },
      ] });
      assert.equal(rq.matches, 2);
      const pending = 'Pending: matches are continuing – current match is supplied, any optional keys were supported in the same manner as required keys';
      assert.deepEqual(r.messages.slice(1).map((m) => [m.command, m.status?.hex, m.status?.meaning, m.datasetBytes !== undefined]), [
        ['C-FIND-RSP', '0xFF00', pending, true],
        ['C-FIND-RSP', '0xFF00', pending, true],
        ['C-FIND-RSP', '0x0000', 'Success', false],
      ]);
    }
  });

  test('a C-STORE whose data set never comes whole: listed from its command, said to be incomplete', async () => {
    const serverRecorder = new AssociationRecorder();
    const server = await startServer({ recorder: serverRecorder, services: [new StorageScp(new MemoryStore(), { promiscuous: true })] });
    const record = closedRecords(serverRecorder);
    const client = await associate(clientAe(new AssociationRecorder()), server, [{ abstractSyntax: CT_IMAGE, transferSyntaxes: [ExplicitVRLittleEndian] }]);
    const contextId = client.acceptedContexts[0]!.id;
    const command = encodeCommand({
      commandField: CommandField.CStoreRq, messageId: 7, priority: 0, affectedSopClassUid: CT_IMAGE,
      affectedSopInstanceUid: '1.2.826.0.1.77', commandDataSetType: DATASET_PRESENT,
    });
    await client.association.sendPData([{ contextId, isCommand: true, isLast: true, data: command }]);
    await client.association.sendPData([{ contextId, isCommand: false, isLast: false, data: Buffer.alloc(1000) }]);
    client.abort();
    const [r] = await record;
    assert.equal(r.outcome!.kind, 'aborted');
    assert.deepEqual(r.messages.map((m) => [m.direction, m.command, m.messageId, m.sopInstanceUid, m.datasetBytes, m.datasetIncomplete]), [
      ['received', 'C-STORE-RQ', 7, '1.2.826.0.1.77', undefined, true],
    ]);
  });

  test('PDUs on demand: type, length and first bytes', async () => {
    const recorder = new AssociationRecorder({ recordPdus: true });
    const server = await startServer();
    const record = closedRecords(recorder);
    const client = await associate(clientAe(recorder), server, [verificationContext()]);
    await client.echo();
    await client.release();
    const [r] = await record;
    assert.deepEqual(r.pdus!.map((p) => [p.direction, p.type]), [
      ['sent', 'A-ASSOCIATE-RQ'], ['received', 'A-ASSOCIATE-AC'], ['sent', 'P-DATA-TF'], ['received', 'P-DATA-TF'],
      ['sent', 'A-RELEASE-RQ'], ['received', 'A-RELEASE-RP'],
    ]);
    assert.match(r.pdus![0].head, /^01000000/);
    assert.equal(r.pdus![0].head.slice(4, 12), r.pdus![0].length.toString(16).padStart(8, '0'));
    assert.equal(r.pdus![4].head, '050000000004' + '00000000');
  });

  test('the recorder keeps the last N closed associations', async () => {
    const recorder = new AssociationRecorder({ capacity: 3 });
    const server = await startServer({ recorder });
    const records = closedRecords(recorder, 5, 'five associations');
    const ae = clientAe(new AssociationRecorder());
    for (let i = 0; i < 5; i++) await ae.echo({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    const all = await records;
    assert.equal(recorder.closedCount, 3);
    assert.deepEqual(recorder.records().map((r) => r.id), all.slice(2).map((r) => r.id));
    assert.throws(() => new AssociationRecorder({ capacity: 0 }), /at least 1/);
    recorder.resize(2);
    assert.equal(recorder.capacity, 2);
    assert.deepEqual(recorder.records().map((r) => r.id), all.slice(3).map((r) => r.id), 'a smaller capacity drops the oldest at once');
    assert.throws(() => recorder.resize(1.5), /at least 1/);
  });

  test('recordIdOf names the record of an association while it is open', async () => {
    const recorder = new AssociationRecorder();
    const server = await startServer();
    const record = closedRecords(recorder);
    const client = await associate(clientAe(recorder), server, [verificationContext()]);
    const id = recorder.recordIdOf(client.association);
    assert.ok(id);
    await client.release();
    const [r] = await record;
    assert.equal(r.id, id);
    assert.equal(recorder.recordIdOf(client.association), undefined, 'a closed association is no longer tracked');
  });
});
