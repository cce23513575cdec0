// The DIMSE channel over real associations: fragmentation at small maximum PDU lengths, responses
// matched by message ID, and the protocol violations inside P-DATA that end an association
// (a scripted peer sends exactly the bytes each case needs).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { getContexts } from '../../../src/ae/retrieve-contexts';
import { collectStoreInputs } from '../../../src/ae/store-inputs';
import { DicomServer } from '../../../src/ae/server';
import { Uids } from '../../../src/dicom/sop-classes';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { Command, CommandField, DATASET_PRESENT, NO_DATASET, encodeCommand } from '../../../src/dimse/command';
import { encodePdu } from '../../../src/net/pdu-encode';
import {
  AAbort, AAssociateRq, PDataTf, PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RQ, PDU_P_DATA_TF, Pdv, emptyUserInformation,
} from '../../../src/net/pdu-types';
import { objectRecord } from '../../../src/services/query';
import { GetScp } from '../../../src/services/retrieve-scp';
import { StorageScp } from '../../../src/services/store-scp';
import { proposeStorageContexts } from '../../../src/services/store-contexts';
import { PYDICOM_FILES, datasetBytes } from '../../helpers/dicom-files';
import { MemoryStore, QUICK, associate, drain, identifier, retrievable, scu, startServer } from '../../helpers/in-process';
import { within } from '../../helpers/wait';
import { ScriptedPeer } from '../../helpers/scripted-peer';

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const CT_SMALL = path.join(PYDICOM_FILES, 'CT_small.dcm');

const pdata = (...pdvs: Pdv[]) => encodePdu({ type: PDU_P_DATA_TF, pdvs });
const echoRq = (messageId: number): Command => ({ commandField: CommandField.CEchoRq, messageId, affectedSopClassUid: Uids.Verification, commandDataSetType: NO_DATASET });

describe('fragmentation at small maximum PDU lengths', () => {
  test('C-STORE to an SCP that takes 128-byte PDUs: command and data set in many fragments, none too long, the data intact', async () => {
    const store = new MemoryStore();
    const server = await startServer({ maxPduLength: 128, services: [new StorageScp(store)] });
    const lengths: number[] = [];
    server.on('pdu', (_info, direction, pdu, length) => { if (direction === 'received' && pdu.type === PDU_P_DATA_TF) lengths.push(length); });
    const [file] = (await collectStoreInputs([CT_SMALL])).files;
    const client = await associate(scu(), server, [...proposeStorageContexts([file]), verificationContext()]);
    try {
      // An echo and two stores at once: the channel must not interleave their fragments (the SCP would abort).
      const [first, , second] = await Promise.all([client.store(file), client.echo(), client.store(file)]);
      assert.deepEqual([first.outcome, second.outcome], ['success', 'success']);
      assert.ok(lengths.length > 600, `only ${lengths.length} P-DATA-TF PDUs`);
      assert.ok(lengths.every((n) => n <= 128), `a P-DATA-TF of ${Math.max(...lengths)} bytes`);
      const original = await datasetBytes(CT_SMALL);
      for (const got of store.received) assert.ok(got.data.equals(original));
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('C-GET by an SCU that takes 4096-byte PDUs: the SCP\'s C-STOREs come in fragments no longer than that, intact', async () => {
    const [instance] = await retrievable((await collectStoreInputs([CT_SMALL])).files);
    const server = await startServer({
      services: [new GetScp([Uids.StudyRootGet], (q) => (q.matches(objectRecord({ StudyInstanceUID: instance.studyInstanceUid })) ? [instance] : []))],
    });
    const { contexts, roles } = getContexts('study', [CT_IMAGE]);
    const client = await associate(scu({ maxPduLength: 4096 }), server, contexts, { roles });
    const lengths: number[] = [];
    client.association.on('pdu', (direction, pdu, length) => { if (direction === 'received' && pdu.type === PDU_P_DATA_TF) lengths.push(length); });
    const store = new MemoryStore();
    try {
      const { result } = await drain(client.get(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: instance.studyInstanceUid }), store, { model: 'study' }));
      assert.equal(result.completed, 1);
      assert.ok(lengths.length >= 10 && lengths.every((n) => n <= 4096), `P-DATA-TF lengths ${lengths.join(', ')}`);
      assert.ok(store.received[0].data.equals(await datasetBytes(CT_SMALL)));
    } finally {
      await client.releaseOrAbort();
    }
  });
});

describe('protocol violations inside P-DATA, from a scripted requestor', () => {
  /** Our SCP with Verification on context 1 and CT storage on context 3, associated with a scripted peer. */
  async function established() {
    const server = await startServer({ services: [new StorageScp(new MemoryStore())] });
    const errors: string[] = [];
    server.on('aborted', (_info, error) => errors.push(error.message));
    const peer = await ScriptedPeer.connect(server.port);
    const rq = scu().buildRequest({ host: '', port: 0, calledAeTitle: 'SCP', contexts: [verificationContext(), { abstractSyntax: CT_IMAGE, transferSyntaxes: [ExplicitVRLittleEndian] }] });
    peer.send(encodePdu(rq));
    await peer.waitForPdu(PDU_ASSOCIATE_AC);
    return { server, peer, errors };
  }

  async function expectProviderAbort(peer: ScriptedPeer, server: DicomServer, errors: string[], sentence: RegExp): Promise<void> {
    const abort = (await peer.waitForPdu(PDU_ABORT)) as AAbort;
    assert.deepEqual([abort.source, abort.reason], [2, 5], 'A-ABORT from the service provider, unexpected PDU parameter');
    peer.destroy();
    await within('the SCP to report the abort', new Promise<void>((resolve) => (errors.length > 0 ? resolve() : server.once('aborted', () => resolve()))));
    assert.match(errors[0], sentence);
  }

  test('a message that switches presentation context midway (interleaved contexts)', async () => {
    const { server, peer, errors } = await established();
    const command = encodeCommand(echoRq(1));
    peer.send(pdata({ contextId: 1, isCommand: true, isLast: false, data: command.subarray(0, 20) }));
    peer.send(pdata({ contextId: 3, isCommand: true, isLast: true, data: command.subarray(20) }));
    await expectProviderAbort(peer, server, errors, /a message switched from presentation context 1 to 3 midway/);
  });

  test('a command set larger than 64 KiB is refused before it is kept', async () => {
    const { server, peer, errors } = await established();
    const piece = Buffer.alloc(40_000);
    peer.send(pdata({ contextId: 1, isCommand: true, isLast: false, data: piece }));
    peer.send(pdata({ contextId: 1, isCommand: true, isLast: false, data: piece }));
    await expectProviderAbort(peer, server, errors, /a command set is larger than 64 KiB/);
  });

  test('a data set with no command before it', async () => {
    const { server, peer, errors } = await established();
    peer.send(pdata({ contextId: 3, isCommand: false, isLast: true, data: Buffer.alloc(16) }));
    await expectProviderAbort(peer, server, errors, /a data set fragment arrived without a command before it/);
  });

  test('a command where the data set announced by the previous command was expected', async () => {
    const { server, peer, errors } = await established();
    peer.send(pdata({ contextId: 3, isCommand: true, isLast: true, data: encodeCommand({
      commandField: CommandField.CStoreRq, messageId: 1, affectedSopClassUid: CT_IMAGE, affectedSopInstanceUid: '1.2.3.4', priority: 0, commandDataSetType: DATASET_PRESENT,
    }) }));
    peer.send(pdata({ contextId: 3, isCommand: true, isLast: true, data: encodeCommand(echoRq(2)) }));
    await expectProviderAbort(peer, server, errors, /a command fragment arrived while a data set was expected/);
  });
});

describe('responses matched by message ID, from a scripted acceptor', () => {
  const ae = new ApplicationEntity({ aeTitle: 'CLIENT', timeouts: QUICK });

  async function associated() {
    const listener = await ScriptedPeer.listen();
    const pending = ae.associate({ host: '127.0.0.1', port: listener.port, calledAeTitle: 'X', contexts: [verificationContext()] });
    const peer = await within('the client to connect', listener.accepted);
    listener.close();
    const rq = (await peer.waitForPdu(PDU_ASSOCIATE_RQ)) as AAssociateRq;
    peer.send(encodePdu({ type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle,
      applicationContext: rq.applicationContext, presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }],
      userInformation: { ...emptyUserInformation(), maximumLength: 16384 } }));
    return { client: await pending, peer };
  }

  const echoRsp = (messageId: number, status: number) => pdata({ contextId: 1, isCommand: true, isLast: true, data: encodeCommand({
    commandField: CommandField.CEchoRsp, messageIdBeingRespondedTo: messageId, affectedSopClassUid: Uids.Verification, commandDataSetType: NO_DATASET, status,
  }) });

  test('answers in the other order reach the requests they answer', async () => {
    const { client, peer } = await associated();
    try {
      const first = client.echo();
      const second = client.echo();
      const requests = (await peer.waitForPdus(PDU_P_DATA_TF, 2)) as PDataTf[];
      assert.equal(requests.length, 2);
      peer.send(echoRsp(2, 0x0000));
      peer.send(echoRsp(1, 0x0110));
      assert.deepEqual([(await first).status, (await second).status], [0x0110, 0x0000]);
    } finally {
      peer.destroy();
      client.abort();
    }
  });

  test('a response to a message ID nobody asked about aborts the association with a sentence', async () => {
    const { client, peer } = await associated();
    peer.send(echoRsp(99, 0));
    const abort = (await peer.waitForPdu(PDU_ABORT)) as AAbort;
    assert.deepEqual([abort.source, abort.reason], [2, 5]);
    peer.destroy();
    const error = await within('the association to close', client.association.whenClosed());
    assert.match(error?.message ?? '', /received C-ECHO-RSP for message ID 99, which has no outstanding request/);
  });
});
