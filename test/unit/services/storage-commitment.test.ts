// Storage Commitment Push Model (PS3.4 Annex J): the request and report data, and our SCU against
// our archive's SCP in one process: the report on the same association and on a new one (SCP role
// proposed and granted), failure reasons, refused requests, and the router's waits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApplicationEntity, ClientAssociation } from '../../../src/ae/client';
import { storageCommitmentContext } from '../../../src/ae/commitment-contexts';
import { DicomServer } from '../../../src/ae/server';
import { ArchiveServices } from '../../../src/archive/archive-services';
import { Dataset } from '../../../src/dicom';
import { Uids } from '../../../src/dicom/sop-classes';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { Status } from '../../../src/dimse/status';
import { AssociationAbortedError, TimeoutError } from '../../../src/net/errors';
import { RoleSelection } from '../../../src/net/pdu-types';
import { nAction } from '../../../src/services/n-scu';
import {
  CommitmentResult, FailureReason, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE, commitmentReportDataset,
  commitmentRequestDataset, parseCommitmentReport, parseCommitmentRequest,
} from '../../../src/services/storage-commitment';
import { AnsweredCommitment } from '../../../src/services/storage-commitment-scp';
import { CommitmentReportRouter, commitmentReportReceiver } from '../../../src/services/storage-commitment-scu';

const CT = Uids.CTImageStorage;
const MR = Uids.MRImageStorage;
const STORED = '1.2.826.0.1.3680043.10.1.1';

function ctInstance(uid: string): Dataset {
  return new Dataset().set('SOPClassUID', CT).set('SOPInstanceUID', uid).set('StudyInstanceUID', '1.2.826.0.1.3680043.10.2')
    .set('SeriesInstanceUID', '1.2.826.0.1.3680043.10.3').set('PatientID', 'SC1').set('Modality', 'CT');
}

/** The answers an archive reports, by Transaction UID, whenever they come. */
class Answers {
  private readonly seen = new Map<string, AnsweredCommitment>();
  private readonly waiting = new Map<string, (a: AnsweredCommitment) => void>();
  readonly record = (a: AnsweredCommitment): void => {
    this.seen.set(a.transactionUid, a);
    this.waiting.get(a.transactionUid)?.(a);
  };
  of(transactionUid: string): Promise<AnsweredCommitment> {
    const seen = this.seen.get(transactionUid);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => this.waiting.set(transactionUid, resolve));
  }
}

describe('request and report data (Tables J.3-1, J.3-2)', () => {
  test('a request round-trips; a reference given twice counts once (J.3.2.1.1.3)', () => {
    const refs = [{ sopClassUid: CT, sopInstanceUid: '1.2.3' }, { sopClassUid: CT, sopInstanceUid: '1.2.3' }, { sopClassUid: MR, sopInstanceUid: '1.2.4' }];
    const parsed = parseCommitmentRequest(commitmentRequestDataset({ transactionUid: '2.25.7', references: refs }));
    assert.deepEqual(parsed, { transactionUid: '2.25.7', references: [refs[0], refs[2]] });
    assert.throws(() => parseCommitmentRequest(new Dataset().set('ReferencedSOPSequence', [])), /no Transaction UID/);
    assert.throws(() => parseCommitmentRequest(new Dataset().set('TransactionUID', '2.25.7')), /no Referenced SOP Sequence/);
    assert.throws(() => parseCommitmentRequest(commitmentRequestDataset({ transactionUid: '2.25.7', references: [{ sopClassUid: CT, sopInstanceUid: 'x' }] })),
      /item 1 of the ReferencedSOPSequence has no valid Referenced SOP Instance UID/);
  });

  test('Event Type 1 without failures, 2 with the Failed SOP Sequence and its Failure Reasons', () => {
    const ok = commitmentReportDataset({ transactionUid: '2.25.8', committed: [{ sopClassUid: CT, sopInstanceUid: '1.2' }], failed: [] });
    assert.equal(ok.eventTypeId, 1);
    assert.equal(ok.dataset.has('FailedSOPSequence'), false);
    const mixed = commitmentReportDataset({ transactionUid: '2.25.8', committed: [], failed: [{ sopClassUid: CT, sopInstanceUid: '1.3', failureReason: 0x0112 }] });
    assert.equal(mixed.eventTypeId, 2);
    assert.equal(mixed.dataset.has('ReferencedSOPSequence'), false, 'Referenced SOP Sequence is 1C: only when something was committed');
    const back = parseCommitmentReport(2, mixed.dataset, { reportedBy: 'ARCHIVE', sameAssociation: true });
    assert.deepEqual(back.failed, [{ sopClassUid: CT, sopInstanceUid: '1.3', failureReason: 0x0112 }]);
    assert.throws(() => parseCommitmentReport(3, ok.dataset, { reportedBy: 'A', sameAssociation: true }), /Event Type ID 3/);
    assert.throws(() => parseCommitmentReport(2, ok.dataset, { reportedBy: 'A', sameAssociation: true }), /Failed SOP Sequence is empty/);
  });
});

describe('the report router', () => {
  const result = (transactionUid: string): CommitmentResult => ({ transactionUid, committed: [], failed: [], reportedBy: 'X', sameAssociation: false });

  test('a report that overtakes its N-ACTION-RSP is kept for the request that expects it', async () => {
    const router = new CommitmentReportRouter();
    assert.equal(router.deliver(result('2.25.1')), false);
    assert.equal((await router.expect('2.25.1', { timeoutMs: 1000 })).transactionUid, '2.25.1');
  });

  test('a wait ends with a TimeoutError, or when its signal aborts', async () => {
    const router = new CommitmentReportRouter();
    await assert.rejects(router.expect('2.25.2', { timeoutMs: 20 }), (e: Error) => e instanceof TimeoutError && /2\.25\.2/.test(e.message));
    const controller = new AbortController();
    const waiting = router.expect('2.25.3', { timeoutMs: 0, signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, /cancelled/);
    assert.equal(router.pending, 0);
  });
});

describe('our SCU against our archive', () => {
  let dir: string;
  let archive: ArchiveServices;
  let server: DicomServer;
  let modality: DicomServer;
  const router = new CommitmentReportRouter();
  const answered = new Answers();
  const answeredNew = new Answers();
  let newDir: string;
  let newArchive: ArchiveServices;
  let newServer: DicomServer;
  const proposedRoles: RoleSelection[][] = [];
  const grantedRoles: RoleSelection[][] = [];
  const ae = new ApplicationEntity({ aeTitle: 'MODAL' });
  const connect = (aeTitle = 'MODAL'): Promise<ClientAssociation> => new ApplicationEntity({ aeTitle }).associate({
    host: '127.0.0.1', port: server.port, calledAeTitle: 'ARCHIVE',
    contexts: [storageCommitmentContext(), { abstractSyntax: CT, transferSyntaxes: [ExplicitVRLittleEndian] }],
  });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'commit-'));
    // The modality's own SCP, where an archive that reports on a new association calls.
    modality = new DicomServer({ aeTitle: 'MODAL', port: 0, services: [commitmentReportReceiver({ router })] });
    modality.on('associationRequested', (_i, rq) => proposedRoles.push(rq.userInformation.roleSelections));
    modality.on('accepted', (_i, a) => grantedRoles.push(a.acceptance!.userInformation.roleSelections));
    await modality.listen();
    archive = await ArchiveServices.open({
      dir, aeTitle: 'ARCHIVE', destinations: [['MODAL', { host: '127.0.0.1', port: modality.port }]],
      commitment: answered.record,
    });
    server = new DicomServer({ aeTitle: 'ARCHIVE', port: 0, services: archive.services });
    await server.listen();
    const client = await connect();
    assert.equal((await client.store(ctInstance(STORED))).status, Status.Success);
    await client.release();
    // A second archive, empty, that reports on a new association only.
    newDir = mkdtempSync(path.join(tmpdir(), 'commit-new-'));
    newArchive = await ArchiveServices.open({
      dir: newDir, aeTitle: 'ARCHIVE2', destinations: [['MODAL', { host: '127.0.0.1', port: modality.port }]], commitmentReportOn: 'new',
      commitment: answeredNew.record,
    });
    newServer = new DicomServer({ aeTitle: 'ARCHIVE2', port: 0, services: newArchive.services });
    await newServer.listen();
  });
  after(async () => {
    await server.close(100);
    await newServer.close(100);
    await modality.close(100);
    await archive.close();
    await newArchive.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(newDir, { recursive: true, force: true });
  });

  test('same association: the held instance committed, an unknown one failed with 0112, nothing else touched', async () => {
    const filesBefore = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.dcm')).sort();
    const client = await connect();
    const pending = await client.requestStorageCommitment([
      { sopClassUid: CT, sopInstanceUid: STORED },
      { sopClassUid: CT, sopInstanceUid: '1.2.826.0.1.3680043.10.99' },
    ]);
    assert.equal(pending.actionStatus, Status.Success);
    const result = await pending.result;
    await client.release();
    assert.equal(result.sameAssociation, true);
    assert.equal(result.reportedBy, 'ARCHIVE');
    assert.equal(result.transactionUid, pending.transactionUid);
    assert.deepEqual(result.committed, [{ sopClassUid: CT, sopInstanceUid: STORED }]);
    assert.deepEqual(result.failed, [{ sopClassUid: CT, sopInstanceUid: '1.2.826.0.1.3680043.10.99', failureReason: FailureReason.NoSuchObjectInstance }]);
    assert.equal(result.retrieveAeTitle, 'ARCHIVE');
    assert.equal((await answered.of(pending.transactionUid)).delivery, 'same-association');
    assert.equal(archive.index.stats().instances, 1);
    assert.deepEqual(readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.dcm')).sort(), filesBefore);
    assert.equal((await archive.commitments.list())[0].transactionUid, pending.transactionUid);
  });

  test('a wrong SOP class is a class/instance conflict (0119); a class that is no storage class is 0122', async () => {
    const client = await connect();
    const result = await (await client.requestStorageCommitment([
      { sopClassUid: MR, sopInstanceUid: STORED }, { sopClassUid: '1.2.3.4', sopInstanceUid: '1.2.826.0.1.3680043.10.98' },
    ])).result;
    await client.release();
    assert.deepEqual(result.failed.map((f) => f.failureReason), [FailureReason.ClassInstanceConflict, FailureReason.ReferencedSopClassNotSupported]);
  });

  test('new association: released after the N-ACTION, the report comes to our AE, which granted the SCP role it was proposed', async () => {
    const client = await ae.associate({ host: '127.0.0.1', port: newServer.port, calledAeTitle: 'ARCHIVE2', contexts: [storageCommitmentContext()] });
    const pending = await client.requestStorageCommitment([{ sopClassUid: CT, sopInstanceUid: STORED }], { router });
    await client.release();
    const result = await pending.result;
    assert.equal(result.sameAssociation, false);
    assert.equal(result.reportedBy, 'ARCHIVE2');
    assert.equal((await answeredNew.of(pending.transactionUid)).delivery, 'new-association');
    const scp = { sopClassUid: STORAGE_COMMITMENT_SOP_CLASS, scuRole: 0, scpRole: 1 };
    assert.deepEqual(proposedRoles.at(-1), [scp]);
    assert.deepEqual(grantedRoles.at(-1), [scp]);
  });

  test('a reused Transaction UID fails every reference with 0131', async () => {
    const client = await connect();
    const first = await client.requestStorageCommitment([{ sopClassUid: CT, sopInstanceUid: STORED }], { transactionUid: '2.25.4242' });
    assert.equal((await first.result).committed.length, 1);
    await answered.of('2.25.4242');
    const second = await client.requestStorageCommitment([{ sopClassUid: CT, sopInstanceUid: STORED }], { transactionUid: '2.25.4242' });
    const result = await second.result;
    await client.release();
    assert.deepEqual(result.failed.map((f) => f.failureReason), [FailureReason.DuplicateTransactionUid]);
  });

  test('refused N-ACTIONs: an unknown Action Type (0123), no Transaction UID (0115), another SOP instance (0112)', async () => {
    const client = await connect();
    const info = commitmentRequestDataset({ transactionUid: '2.25.99', references: [{ sopClassUid: CT, sopInstanceUid: STORED }] });
    assert.equal((await nAction(client, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE, 2, info)).status, Status.NoSuchAction);
    const noUid = await nAction(client, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE, 1, new Dataset().set('ReferencedSOPSequence', []));
    assert.equal(noUid.status, Status.InvalidArgumentValue);
    assert.deepEqual(noUid.command.offendingElement, [0x00081195]);
    assert.equal((await nAction(client, STORAGE_COMMITMENT_SOP_CLASS, '1.2.3', 1, info)).status, Status.NoSuchSopInstance);
    await client.release();
  });

  test('an archive that always reports on a new association (reportOn "new"), while the request\'s association stays open', async () => {
    const client = await ae.associate({ host: '127.0.0.1', port: newServer.port, calledAeTitle: 'ARCHIVE2', contexts: [storageCommitmentContext()] });
    const pending = await client.requestStorageCommitment([{ sopClassUid: CT, sopInstanceUid: STORED }], { router });
    const result = await pending.result;
    await client.release();
    assert.equal(result.sameAssociation, false);
    assert.equal(result.reportedBy, 'ARCHIVE2');
    assert.equal(result.failed[0]?.failureReason, FailureReason.NoSuchObjectInstance, 'ARCHIVE2 holds nothing');
  });

  test('a requester whose own SCP is an archive (the extension\'s local SCP): its server takes the report and routes it to the waiting request', async () => {
    const ownDir = mkdtempSync(path.join(tmpdir(), 'commit-own-'));
    const own = await ArchiveServices.open({ dir: ownDir, aeTitle: 'WORKSTATION' });
    const ownServer = new DicomServer({ aeTitle: 'WORKSTATION', port: 0, services: own.services });
    await ownServer.listen();
    newArchive.destinations.set('WORKSTATION', { host: '127.0.0.1', port: ownServer.port });
    try {
      const client = await new ApplicationEntity({ aeTitle: 'WORKSTATION' }).associate({
        host: '127.0.0.1', port: newServer.port, calledAeTitle: 'ARCHIVE2', contexts: [storageCommitmentContext()] });
      const pending = await client.requestStorageCommitment([{ sopClassUid: CT, sopInstanceUid: STORED }], { router: own.commitmentReports, timeoutMs: 10_000 });
      const result = await pending.result;
      await client.release();
      assert.equal(result.sameAssociation, false);
      assert.equal(result.reportedBy, 'ARCHIVE2');
      assert.equal((await answeredNew.of(pending.transactionUid)).delivery, 'new-association');
    } finally {
      newArchive.destinations.delete('WORKSTATION');
      await ownServer.close(100);
      await own.close();
      rmSync(ownDir, { recursive: true, force: true });
    }
  });

  test('a requester the archive cannot call back: the report is recorded as undelivered; without a local SCP the SCU learns its association ended', async () => {
    const client = await new ApplicationEntity({ aeTitle: 'STRANGER' }).associate({
      host: '127.0.0.1', port: newServer.port, calledAeTitle: 'ARCHIVE2', contexts: [storageCommitmentContext()] });
    const pending = await client.requestStorageCommitment([{ sopClassUid: CT, sopInstanceUid: STORED }], { timeoutMs: 10_000 });
    await client.release();
    await assert.rejects(pending.result, (e: Error) => e instanceof AssociationAbortedError && /no local SCP listens/.test(e.message));
    const a = await answeredNew.of(pending.transactionUid);
    assert.equal(a.delivery, 'undelivered');
    assert.match(a.error!, /STRANGER is not a known destination/);
    assert.equal((await newArchive.commitments.list()).find((c) => c.transactionUid === pending.transactionUid)?.delivery, 'undelivered');
  });
});
