// MPPS (PS3.4 Annex F): the Table F.7.2-1 rules, our SCU against our SCP over a store in a temporary
// folder (transitions, final states, statuses, character sets), and a scripted peer sending the
// N-CREATE/N-SET byte by byte.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApplicationEntity, ClientAssociation } from '../../../src/ae/client';
import { mppsContexts } from '../../../src/ae/commitment-contexts';
import { DicomServer } from '../../../src/ae/server';
import { MppsStore } from '../../../src/archive/mpps';
import { charsetEncoder } from '../../../src/dicom/charset';
import { Dataset, encodeDataset } from '../../../src/dicom';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { DATASET_PRESENT, decodeCommand, encodeCommand } from '../../../src/dimse/command';
import { Status } from '../../../src/dimse/status';
import { encodePdu } from '../../../src/net/pdu-encode';
import { PDU_ASSOCIATE_AC, PDU_P_DATA_TF, PDataTf } from '../../../src/net/pdu-types';
import { MPPS_SOP_CLASS, checkCreate, checkFinalState, checkSet } from '../../../src/services/mpps-rules';
import { MppsEvent, mppsScp } from '../../../src/services/mpps-scp';
import { performedSeries, withCreateDefaults, withFinalDefaults } from '../../../src/services/mpps-scu';
import { ScriptedPeer } from '../../helpers/scripted-peer';

const NOW = new Date(2024, 1, 3, 10, 20, 30);

function createAttributes(fields: Record<string, string> = {}): Dataset {
  const ds = new Dataset();
  for (const [k, v] of Object.entries(fields)) ds.set(k, v);
  return withCreateDefaults(ds, { stationAeTitle: 'MODALITY', now: NOW });
}

function series(n = 1): Dataset[] {
  return performedSeries(Array.from({ length: n }, (_, i) => ({
    seriesInstanceUid: `1.2.3.${i + 1}`, sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `1.2.3.${i + 1}.1`, image: true, protocolName: 'HEAD',
  })));
}

describe('Table F.7.2-1 rules', () => {
  test('a complete N-CREATE passes; each missing type 1 or type 2 attribute is 0120 with its tag', () => {
    assert.deepEqual(checkCreate(createAttributes()), { warning: undefined });
    const ds = createAttributes();
    ds.delete('PerformedStationAETitle');
    ds.delete('StudyID');
    const { failure } = checkCreate(ds);
    assert.equal(failure?.status, Status.MissingAttribute);
    assert.deepEqual(failure?.attributeIdentifierList, [0x00400241, 0x00200010]);
    assert.match(failure!.errorComment, /missing PerformedStationAETitle, StudyID/);
  });

  test('inside the Scheduled Step Attributes Sequence: missing type 2 is 0120, an empty Study Instance UID is 0121', () => {
    const ds = createAttributes();
    ds.items('ScheduledStepAttributesSequence')![0].delete('AccessionNumber');
    assert.equal(checkCreate(ds).failure?.status, Status.MissingAttribute);
    assert.match(checkCreate(ds).failure!.errorComment, /ScheduledStepAttributesSequence\[1\]\.AccessionNumber/);
    const empty = createAttributes();
    empty.items('ScheduledStepAttributesSequence')![0].set('StudyInstanceUID', null);
    assert.equal(checkCreate(empty).failure?.status, Status.MissingAttributeValue);
    assert.ok(checkCreate(empty).failure?.dataset?.has('ScheduledStepAttributesSequence'));
  });

  test('N-CREATE only in IN PROGRESS (F.7.2.1.3): another status is 0106 with the value in the data set', () => {
    const { failure } = checkCreate(createAttributes({ PerformedProcedureStepStatus: 'COMPLETED' }));
    assert.equal(failure?.status, Status.InvalidAttributeValue);
    assert.equal(failure?.dataset?.string('PerformedProcedureStepStatus'), 'COMPLETED');
  });

  test('a value longer than its VR is carried out with the warning 0116', () => {
    const { failure, warning } = checkCreate(createAttributes({ PerformedProcedureStepID: 'X'.repeat(20) }));
    assert.equal(failure, undefined);
    assert.equal(warning?.status, Status.AttributeValueOutOfRange);
    assert.ok(warning?.dataset?.has('PerformedProcedureStepID'));
  });

  test('N-SET: "Not allowed" attributes are 0106; a bad status value is 0106; missing item attributes are 0121 (N-SET has no 0120)', () => {
    assert.equal(checkSet(new Dataset().set('PatientName', 'X')).failure?.status, Status.InvalidAttributeValue);
    assert.equal(checkSet(new Dataset().set('PerformedProcedureStepStatus', 'DONE')).failure?.status, Status.InvalidAttributeValue);
    const items = series();
    items[0].delete('SeriesInstanceUID');
    assert.equal(checkSet(new Dataset().set('PerformedSeriesSequence', items)).failure?.status, Status.MissingAttributeValue);
    assert.deepEqual(checkSet(new Dataset().set('PerformedSeriesSequence', series()).set('CommentsOnThePerformedProcedureStep', 'ok')), { warning: undefined });
  });

  test('the final state needs end date, end time and a performed series (note 2)', () => {
    const merged = createAttributes();
    merged.set('PerformedProcedureStepStatus', 'COMPLETED');
    const violation = checkFinalState(merged);
    assert.equal(violation?.status, Status.MissingAttributeValue);
    assert.match(violation!.errorComment, /COMPLETED needs a value in PerformedProcedureStepEndDate, PerformedProcedureStepEndTime, PerformedSeriesSequence/);
    withFinalDefaults(merged, 'COMPLETED', NOW).set('PerformedSeriesSequence', series());
    assert.equal(checkFinalState(merged), undefined);
  });
});

describe('our SCU against our SCP', () => {
  let dir: string;
  let server: DicomServer;
  const events: MppsEvent[] = [];
  const ae = new ApplicationEntity({ aeTitle: 'MODALITY' });
  let client: ClientAssociation;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mpps-'));
    server = new DicomServer({ aeTitle: 'RIS', port: 0, services: [mppsScp({ backend: await new MppsStore(dir).open(), onEvent: (e) => events.push(e) })] });
    await server.listen();
    client = await ae.associate({ host: '127.0.0.1', port: server.port, calledAeTitle: 'RIS', contexts: mppsContexts() });
  });
  after(async () => {
    await client.releaseOrAbort();
    await server.close(100);
    rmSync(dir, { recursive: true, force: true });
  });

  test('IN PROGRESS → COMPLETED, and final is final: 0110 with the F.7.2-2 comment and Error ID A710', async () => {
    const created = await client.createMpps(createAttributes({ PatientName: 'DOE^JANE', PatientID: 'P1', Modality: 'CT' }), '1.2.826.0.1.1');
    assert.equal(created.status, Status.Success);
    assert.equal(created.sopInstanceUid, '1.2.826.0.1.1');
    assert.equal((await client.createMpps(createAttributes(), '1.2.826.0.1.1')).status, Status.DuplicateSopInstance);

    const early = await client.setMpps('1.2.826.0.1.1', withFinalDefaults(new Dataset(), 'COMPLETED', NOW));
    assert.equal(early.status, Status.MissingAttributeValue, 'COMPLETED without a performed series is refused');
    assert.match(early.command.errorComment!, /PerformedSeriesSequence/);

    const done = await client.setMpps('1.2.826.0.1.1', withFinalDefaults(new Dataset().set('PerformedSeriesSequence', series(2)), 'COMPLETED', NOW));
    assert.equal(done.status, Status.Success);

    const again = await client.setMpps('1.2.826.0.1.1', new Dataset().set('CommentsOnThePerformedProcedureStep', 'late'));
    assert.equal(again.status, Status.ProcessingFailure);
    assert.equal(again.command.errorComment, 'Performed Procedure Step Object may no longer be updated');
    assert.equal(again.command.errorId, 0xa710);

    const got = await client.getMpps('1.2.826.0.1.1');
    assert.equal(got.status, Status.Success);
    assert.equal(got.dataset?.string('PerformedProcedureStepStatus'), 'COMPLETED');
    assert.equal(got.dataset?.items('PerformedSeriesSequence')?.length, 2);
    assert.equal(got.dataset?.string('CommentsOnThePerformedProcedureStep'), undefined, 'the refused N-SET changed nothing');
    assert.deepEqual(events.filter((e) => e.sopInstanceUid === '1.2.826.0.1.1').map((e) => e.status), [0, 0x0111, 0x0121, 0, 0x0110, 0]);
  });

  test('DISCONTINUED is final too; an unknown instance is 0112; an N-CREATE without our UID gets one from the SCP', async () => {
    const created = await client.createMpps(createAttributes(), null);
    assert.equal(created.status, Status.Success);
    assert.match(created.sopInstanceUid, /^2\.25\.\d+$/);
    const stopped = await client.setMpps(created.sopInstanceUid, withFinalDefaults(new Dataset().set('PerformedSeriesSequence', series()), 'DISCONTINUED', NOW));
    assert.equal(stopped.status, Status.Success);
    assert.equal((await client.setMpps(created.sopInstanceUid, new Dataset().set('PerformedProcedureStepStatus', 'IN PROGRESS'))).status, Status.ProcessingFailure);
    assert.equal((await client.setMpps('1.2.826.0.1.999', new Dataset().set('CommentsOnThePerformedProcedureStep', 'x'))).status, Status.NoSuchSopInstance);
    assert.equal((await client.getMpps('1.2.826.0.1.999')).status, Status.NoSuchSopInstance);
  });

  test('refusals come back with their details: 0120 with the Attribute Identifier List, 0106 with the values', async () => {
    const missing = createAttributes();
    missing.delete('Modality');
    const r1 = await client.createMpps(missing);
    assert.equal(r1.status, Status.MissingAttribute);
    assert.deepEqual(r1.command.attributeIdentifierList, [0x00080060]);
    assert.equal(r1.command.affectedSopInstanceUid, undefined, 'a failed N-CREATE-RSP names no instance');
    const uid = (await client.createMpps(createAttributes())).sopInstanceUid;
    const r2 = await client.setMpps(uid, new Dataset().set('PatientID', 'OTHER'));
    assert.equal(r2.status, Status.InvalidAttributeValue);
    assert.equal(r2.dataset?.string('PatientID'), 'OTHER');
    assert.equal((await client.setMpps(uid, new Dataset().set('PerformedProcedureStepStatus', 'IN PROGRESS'))).status, Status.Success, 'staying IN PROGRESS is allowed');
  });

  test('an N-SET in another character set than the N-CREATE: both kept as text (F.7.2.2.3)', async () => {
    const create = createAttributes();
    create.set('SpecificCharacterSet', 'ISO_IR 100');
    create.set('PatientName', 'PN', 'Müller^Jürgen', charsetEncoder(['ISO_IR 100']));
    const uid = (await client.createMpps(create)).sopInstanceUid;
    const set = new Dataset().set('SpecificCharacterSet', 'ISO_IR 192')
      .set('CommentsOnThePerformedProcedureStep', 'ST', 'Προσοχή: 造影剤', charsetEncoder(['ISO_IR 192']));
    assert.equal((await client.setMpps(uid, set)).status, Status.Success);
    const record = JSON.parse(readFileSync(path.join(dir, `${uid}.json`), 'utf8'));
    assert.equal(record.attributes['00100010'].Value[0].Alphabetic, 'Müller^Jürgen');
    assert.equal(record.attributes['00400280'].Value[0], 'Προσοχή: 造影剤');
    const got = (await client.getMpps(uid, [0x00100010, 0x00400280])).dataset!;
    assert.equal(got.string('SpecificCharacterSet'), 'ISO_IR 192');
    assert.equal(got.string('PatientName', (b) => Buffer.from(b).toString('utf8')), 'Müller^Jürgen');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file is left');
  });

  test('N-GET of attributes the instance lacks: 0107 with their tags, the rest returned', async () => {
    const uid = (await client.createMpps(createAttributes({ PatientID: 'P7' }))).sopInstanceUid;
    const got = await client.getMpps(uid, [0x00100020, 0x00400280]);
    assert.equal(got.status, Status.AttributeListError);
    assert.deepEqual(got.command.attributeIdentifierList, [0x00400280]);
    assert.equal(got.dataset?.string('PatientID'), 'P7');
  });
});

describe('a scripted peer sending the PS3.7 messages byte by byte', () => {
  test('N-CREATE-RQ then an N-DELETE the MPPS SOP class does not offer (0211)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mpps-raw-'));
    const server = new DicomServer({ aeTitle: 'RIS', port: 0, services: [mppsScp({ backend: await new MppsStore(dir).open() })] });
    await server.listen();
    try {
      const ae = new ApplicationEntity({ aeTitle: 'RAW' });
      const peer = await ScriptedPeer.connect(server.port);
      peer.send(encodePdu(ae.buildRequest({ host: '', port: 0, calledAeTitle: 'RIS',
        contexts: [{ abstractSyntax: MPPS_SOP_CLASS, transferSyntaxes: [ExplicitVRLittleEndian] }] })));
      await peer.waitForPdu(PDU_ASSOCIATE_AC);
      const createCommand = Buffer.from(
        '0000000004000000500000000000020018000000312e322e3834302e31303030382e332e312e322e332e3300'
        + '000000010200000040010000100102000000050000000008020000000100000000100a000000312e322e332e342e3500', 'hex');
      assert.equal(decodeCommand(createCommand).commandDataSetType, DATASET_PRESENT);
      peer.send(encodePdu({ type: PDU_P_DATA_TF, pdvs: [
        { contextId: 1, isCommand: true, isLast: true, data: createCommand },
        { contextId: 1, isCommand: false, isLast: true, data: encodeDataset(createAttributes(), ExplicitVRLittleEndian) },
      ] }));
      // No asynchronous operations window was negotiated: the next request waits for this answer.
      await peer.waitForPdus(PDU_P_DATA_TF, 1, 30_000);
      const deleteCommand = encodeCommand({ commandField: 0x0150, messageId: 6, requestedSopClassUid: MPPS_SOP_CLASS, requestedSopInstanceUid: '1.2.3.4.5', commandDataSetType: 0x0101 });
      peer.send(encodePdu({ type: PDU_P_DATA_TF, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: deleteCommand }] }));
      const [create, del] = ((await peer.waitForPdus(PDU_P_DATA_TF, 2, 30_000)) as PDataTf[]).map((p) => decodeCommand(p.pdvs[0].data));
      assert.equal(create?.commandField, 0x8140);
      assert.equal(create?.messageIdBeingRespondedTo, 5);
      assert.equal(create?.status, 0);
      assert.equal(create?.affectedSopInstanceUid, '1.2.3.4.5');
      assert.equal(del?.commandField, 0x8150, 'the N-DELETE is answered, not aborted');
      assert.equal(del?.status, Status.UnrecognizedOperation);
      peer.destroy();
    } finally {
      await server.close(100);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
