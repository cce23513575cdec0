// The local archive's MPPS instances and answered storage commitment requests, as the Nodes view
// lists them.
import { ArchiveServices } from '../../archive';
import { MppsRecord, describeMpps } from '../../archive';
import { datasetFromJson } from '../../dicom';
import { AnsweredCommitment } from '../../services';
import { describeFailureReason } from './commit';
import { AnsweredCommitmentSummary, ArchiveRecords, MppsSummary } from './types';

function mppsSummary(record: MppsRecord): MppsSummary {
  const d = describeMpps(record);
  const ds = datasetFromJson(record.attributes);
  const text = (keyword: string) => ds.string(keyword)?.trim() ?? '';
  return {
    sopInstanceUid: record.sopInstanceUid, status: d.status ?? record.status, patientName: d.patientName ?? '', patientId: d.patientId ?? '',
    procedureStepId: text('PerformedProcedureStepID'), description: text('PerformedProcedureStepDescription'), modality: d.modality ?? '',
    start: d.start ?? '', end: d.end ?? '', createdBy: record.createdBy, createdAt: record.createdAt, updatedAt: record.updatedAt,
    series: d.series, instances: d.instances,
    history: record.history.map((h) => `${h.operation} from ${h.from} at ${h.at}: ${h.status}`),
  };
}

function commitmentSummary(a: AnsweredCommitment): AnsweredCommitmentSummary {
  const delivery = a.delivery === 'undelivered' ? `not delivered (${a.error ?? 'unknown reason'})`
    : a.delivery === 'same-association' ? 'on the same association' : 'on a new association';
  return {
    transactionUid: a.transactionUid, requestedBy: a.requestedBy, receivedAt: a.receivedAt, committed: a.committed.length,
    failed: a.failed.map((f) => ({ sopInstanceUid: f.sopInstanceUid, reason: describeFailureReason(f.failureReason) })),
    delivery,
  };
}

/** MPPS instances (latest change first) and answered commitment requests (latest first). */
export async function archiveRecords(archive: ArchiveServices): Promise<ArchiveRecords> {
  const problems: string[] = [];
  const skipped = (what: string) => (file: string, reason: string) => problems.push(`${what} ${file} could not be read: ${reason}`);
  const mpps = (await archive.mpps.list(skipped('MPPS record'))).map(mppsSummary)
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  const commitments = (await archive.commitments.list(skipped('storage commitment record'))).map(commitmentSummary);
  return { mpps, commitments, problems };
}
