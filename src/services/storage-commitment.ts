// Storage Commitment Push Model (PS3.4 Annex J): the request (N-ACTION, Action Type 1) and the
// result (N-EVENT-REPORT, Event Type 1 or 2) as data, both ways between datasets and objects.
import { Dataset } from '../dicom';
import { Uids, isValidUid } from '../dicom';

export const STORAGE_COMMITMENT_SOP_CLASS = Uids.StorageCommitmentPushModel;
/** The well-known SOP Instance every N-ACTION and N-EVENT-REPORT of this class names (J.3.5). */
export const STORAGE_COMMITMENT_SOP_INSTANCE = Uids.StorageCommitmentPushModelInstance;

/** Action Type ID of "Request Storage Commitment" (Table J.3-1). */
export const REQUEST_STORAGE_COMMITMENT = 1;
/** Event Type IDs of the result (Table J.3-2). */
export const COMMITMENT_SUCCESSFUL = 1;
export const COMMITMENT_FAILURES_EXIST = 2;

/** Failure Reason (0008,1197) values (PS3.3 C.14.1.1). */
export const FailureReason = {
  ProcessingFailure: 0x0110,
  NoSuchObjectInstance: 0x0112,
  ResourceLimitation: 0x0213,
  ReferencedSopClassNotSupported: 0x0122,
  ClassInstanceConflict: 0x0119,
  DuplicateTransactionUid: 0x0131,
} as const;

const FAILURE_REASON_NAMES: Record<number, string> = {
  0x0110: 'Processing failure',
  0x0112: 'No such object instance',
  0x0213: 'Resource limitation',
  0x0122: 'Referenced SOP Class not supported',
  0x0119: 'Class / Instance conflict',
  0x0131: 'Duplicate transaction UID',
};

export function failureReasonName(reason: number): string {
  return FAILURE_REASON_NAMES[reason] ?? 'Unknown failure reason';
}

export function formatFailureReason(reason: number): string {
  return `0x${reason.toString(16).toUpperCase().padStart(4, '0')} (${failureReasonName(reason)})`;
}

export interface SopReference {
  sopClassUid: string;
  sopInstanceUid: string;
}

export interface FailedReference extends SopReference {
  failureReason: number;
}

export interface CommitmentRequest {
  transactionUid: string;
  references: SopReference[];
}

export interface CommitmentResult {
  transactionUid: string;
  /** Instances the SCP committed to (Referenced SOP Sequence of the report). */
  committed: SopReference[];
  /** Instances it did not, with their Failure Reason (Failed SOP Sequence). */
  failed: FailedReference[];
  /** Where the committed instances can be retrieved, when the SCP said so. */
  retrieveAeTitle?: string;
  /** The AE title that sent the report. */
  reportedBy: string;
  /** The report came on the association of the request (true) or on one the SCP opened (false). */
  sameAssociation: boolean;
}

export class CommitmentDataError extends Error {
  override name = 'CommitmentDataError';
  constructor(message: string, readonly tag?: number) {
    super(message);
  }
}

function referenceItem(ref: SopReference): Dataset {
  return new Dataset().set('ReferencedSOPClassUID', ref.sopClassUid).set('ReferencedSOPInstanceUID', ref.sopInstanceUid);
}

/** The Action Information of a Storage Commitment Request (Table J.3-1). */
export function commitmentRequestDataset(request: CommitmentRequest): Dataset {
  return new Dataset()
    .set('TransactionUID', request.transactionUid)
    .set('ReferencedSOPSequence', request.references.map(referenceItem));
}

function referencesOf(ds: Dataset, keyword: 'ReferencedSOPSequence' | 'FailedSOPSequence', withReason: boolean): FailedReference[] {
  const items = ds.items(keyword) ?? [];
  return items.map((item, i) => {
    const sopClassUid = item.string('ReferencedSOPClassUID')?.trim() ?? '';
    const sopInstanceUid = item.string('ReferencedSOPInstanceUID')?.trim() ?? '';
    if (!isValidUid(sopClassUid)) throw new CommitmentDataError(`item ${i + 1} of the ${keyword} has no valid Referenced SOP Class UID`, 0x00081150);
    if (!isValidUid(sopInstanceUid)) throw new CommitmentDataError(`item ${i + 1} of the ${keyword} has no valid Referenced SOP Instance UID`, 0x00081155);
    const failureReason = withReason ? item.number('FailureReason') : 0;
    if (failureReason === undefined) throw new CommitmentDataError(`item ${i + 1} of the ${keyword} has no Failure Reason`, 0x00081197);
    return { sopClassUid, sopInstanceUid, failureReason };
  });
}

function transactionOf(ds: Dataset): string {
  const uid = ds.string('TransactionUID')?.trim();
  if (!uid) throw new CommitmentDataError('the data set has no Transaction UID', 0x00081195);
  if (!isValidUid(uid)) throw new CommitmentDataError(`the Transaction UID "${uid.slice(0, 70)}" is not a valid UID`, 0x00081195);
  return uid;
}

/**
 * Reads the Action Information of an N-ACTION. A SOP Instance may be referenced only once
 * (J.3.2.1.1.3): repeated references are one.
 * @throws CommitmentDataError naming what is missing or invalid.
 */
export function parseCommitmentRequest(ds: Dataset | undefined): CommitmentRequest {
  if (!ds) throw new CommitmentDataError('the N-ACTION-RQ has no Action Information');
  const transactionUid = transactionOf(ds);
  if (!ds.has('ReferencedSOPSequence')) throw new CommitmentDataError('the Action Information has no Referenced SOP Sequence', 0x00081199);
  const seen = new Set<string>();
  const references: SopReference[] = [];
  for (const r of referencesOf(ds, 'ReferencedSOPSequence', false)) {
    if (seen.has(r.sopInstanceUid)) continue;
    seen.add(r.sopInstanceUid);
    references.push({ sopClassUid: r.sopClassUid, sopInstanceUid: r.sopInstanceUid });
  }
  return { transactionUid, references };
}

/** The Event Type ID and Event Information of a result (Table J.3-2). */
export function commitmentReportDataset(result: Pick<CommitmentResult, 'transactionUid' | 'committed' | 'failed' | 'retrieveAeTitle'>): { eventTypeId: number; dataset: Dataset } {
  const ds = new Dataset().set('TransactionUID', result.transactionUid);
  if (result.retrieveAeTitle && result.committed.length > 0) ds.set('RetrieveAETitle', result.retrieveAeTitle);
  // Event Type 1 always lists what was committed; Event Type 2 lists it when anything was (1C).
  if (result.failed.length === 0 || result.committed.length > 0) ds.set('ReferencedSOPSequence', result.committed.map(referenceItem));
  if (result.failed.length === 0) return { eventTypeId: COMMITMENT_SUCCESSFUL, dataset: ds };
  ds.set('FailedSOPSequence', result.failed.map((f) => referenceItem(f).set('FailureReason', 'US', f.failureReason)));
  return { eventTypeId: COMMITMENT_FAILURES_EXIST, dataset: ds };
}

/**
 * Reads the Event Information of a Storage Commitment Result.
 * @throws CommitmentDataError when the event type is unknown or the data set incomplete.
 */
export function parseCommitmentReport(eventTypeId: number, ds: Dataset | undefined, from: { reportedBy: string; sameAssociation: boolean }): CommitmentResult {
  if (eventTypeId !== COMMITMENT_SUCCESSFUL && eventTypeId !== COMMITMENT_FAILURES_EXIST) {
    throw new CommitmentDataError(`Event Type ID ${eventTypeId} is not a Storage Commitment Result (1 or 2)`);
  }
  if (!ds) throw new CommitmentDataError('the N-EVENT-REPORT-RQ has no Event Information');
  const transactionUid = transactionOf(ds);
  const committed = referencesOf(ds, 'ReferencedSOPSequence', false).map(({ sopClassUid, sopInstanceUid }) => ({ sopClassUid, sopInstanceUid }));
  const failed = eventTypeId === COMMITMENT_FAILURES_EXIST ? referencesOf(ds, 'FailedSOPSequence', true) : [];
  if (eventTypeId === COMMITMENT_FAILURES_EXIST && failed.length === 0) {
    throw new CommitmentDataError('Event Type 2 (failures exist) but the Failed SOP Sequence is empty', 0x00081198);
  }
  const retrieveAeTitle = ds.string('RetrieveAETitle')?.trim() || undefined;
  return { transactionUid, committed, failed, retrieveAeTitle, ...from };
}
