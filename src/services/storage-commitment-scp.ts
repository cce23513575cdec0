// Storage Commitment Push Model, SCP side (PS3.4 J.3.2.1.3, J.3.3.1.2): the N-ACTION is answered
// at once; then each referenced instance is checked against what the backend holds and the result
// goes out as an N-EVENT-REPORT: on the association of the request while it is still open, else
// on a new one to the requester's registered address, proposing the SCP role for the SOP class.
import { Status, formatStatus, statusClass } from '../dimse';
import { ServiceAssociation } from './context';
import { nEventReport } from './n-scu';
import { NServiceScp } from './n-scp';
import {
  CommitmentDataError, CommitmentRequest, FailedReference, FailureReason, REQUEST_STORAGE_COMMITMENT, STORAGE_COMMITMENT_SOP_CLASS,
  STORAGE_COMMITMENT_SOP_INSTANCE, SopReference, commitmentReportDataset, parseCommitmentRequest,
} from './storage-commitment';

/** What the SCP commits to: for one reference, 0 when it holds the instance, else a Failure Reason. */
export interface CommitmentBackend {
  check(reference: SopReference): number | Promise<number>;
  /** Whether a Transaction UID was used before (a reused one fails with 0131). */
  isKnownTransaction?(transactionUid: string): boolean;
}

/** An association to the requester on which to send the report; `close` releases it. */
export interface ReportAssociation {
  sa: ServiceAssociation;
  close(): Promise<void>;
}

/**
 * Opens an association from `callingAeTitle` (ours, as on the request) to the requester's AE,
 * proposing the SCP role for Storage Commitment; undefined when the requester's address is unknown.
 */
export type ReportAssociationOpener = (requesterAeTitle: string, callingAeTitle: string) => Promise<ReportAssociation> | undefined;

export type ReportDelivery = 'same-association' | 'new-association' | 'undelivered';

export interface AnsweredCommitment {
  transactionUid: string;
  /** The requester's AE title (the calling AE of the N-ACTION). */
  requestedBy: string;
  receivedAt: string;
  reportedAt: string;
  committed: SopReference[];
  failed: FailedReference[];
  delivery: ReportDelivery;
  /** Why the report could not be delivered (or why the same association was not used). */
  error?: string;
}

export interface StorageCommitmentScpOptions {
  backend: CommitmentBackend;
  /** How to reach a requester whose association has ended (the --dest table). */
  openReportAssociation?: ReportAssociationOpener;
  /**
   * 'same' (default): on the request's association while it is open, else on a new one; 'new':
   * always on a new association (as some archives do), after the N-ACTION-RSP.
   */
  reportOn?: 'same' | 'new';
  /** Retrieve AE Title (0008,0054) to put in reports (where the committed instances can be fetched). */
  retrieveAeTitle?: string;
  /** Each request answered: the report, and how it went out. */
  onAnswered?: (answer: AnsweredCommitment) => void;
  onError?: (error: Error) => void;
}

/** References one request may carry; more are refused with 0213 (resource limitation). */
export const MAX_COMMITMENT_REFERENCES = 100_000;
/** The event loop gets a turn every this many references (each may be a file system call). */
const CHECKS_BETWEEN_YIELDS = 256;

async function checkAll(backend: CommitmentBackend, request: CommitmentRequest, inUse: boolean): Promise<{ committed: SopReference[]; failed: FailedReference[] }> {
  const committed: SopReference[] = [];
  const failed: FailedReference[] = [];
  const reused = inUse || backend.isKnownTransaction?.(request.transactionUid) === true;
  for (const [i, ref] of request.references.entries()) {
    if (i % CHECKS_BETWEEN_YIELDS === CHECKS_BETWEEN_YIELDS - 1) await new Promise((resolve) => setImmediate(resolve));
    let reason: number;
    if (reused) {
      reason = FailureReason.DuplicateTransactionUid;
    } else {
      try {
        reason = await backend.check(ref);
      } catch {
        reason = FailureReason.ProcessingFailure;
      }
    }
    if (reason === 0) committed.push(ref); else failed.push({ ...ref, failureReason: reason });
  }
  return { committed, failed };
}

/** Sends the report on `sa`; returns why it failed, or undefined when the requester took it. */
async function sendReport(sa: ServiceAssociation, eventTypeId: number, dataset: Parameters<typeof nEventReport>[4]): Promise<string | undefined> {
  try {
    const response = await nEventReport(sa, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE, eventTypeId, dataset);
    if (statusClass(response.status) === 'failure') {
      return `the requester answered the N-EVENT-REPORT with ${formatStatus(response.status, 'n-event-report')}${response.command.errorComment ? ` (${response.command.errorComment})` : ''}`;
    }
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function storageCommitmentScp(options: StorageCommitmentScpOptions): NServiceScp {
  const inProgress = new Set<string>();
  return new NServiceScp({
    name: 'storage-commitment',
    sopClasses: [STORAGE_COMMITMENT_SOP_CLASS],
    roles: (uid, proposed) => (uid === STORAGE_COMMITMENT_SOP_CLASS ? { scu: proposed.scuRole === 1, scp: false } : undefined),
    onError: (error) => options.onError?.(error),
    handlers: {
      'n-action': ({ sa, message, sopInstanceUid, dataset }) => {
        if (sopInstanceUid !== STORAGE_COMMITMENT_SOP_INSTANCE) {
          return { status: Status.NoSuchSopInstance, errorComment: `the Requested SOP Instance must be ${STORAGE_COMMITMENT_SOP_INSTANCE}` };
        }
        if (message.command.actionTypeId !== REQUEST_STORAGE_COMMITMENT) {
          return { status: Status.NoSuchAction, errorComment: `Action Type ID ${message.command.actionTypeId} is not "Request Storage Commitment" (1)` };
        }
        let request: CommitmentRequest;
        try {
          request = parseCommitmentRequest(dataset);
        } catch (error) {
          if (!(error instanceof CommitmentDataError)) throw error;
          return { status: Status.InvalidArgumentValue, errorComment: error.message, ...(error.tag ? { offendingElement: [error.tag] } : {}) };
        }
        if (request.references.length > MAX_COMMITMENT_REFERENCES) {
          return { status: Status.ResourceLimitation, errorComment: `more than ${MAX_COMMITMENT_REFERENCES} references in one request` };
        }
        // A Transaction UID in use, or used before, fails every reference with 0131 (PS3.3 C.14.1.1).
        const reused = inProgress.has(request.transactionUid);
        inProgress.add(request.transactionUid);
        const receivedAt = new Date().toISOString();
        const after = async () => {
          try {
            const outcome = await checkAll(options.backend, request, reused);
            const report = commitmentReportDataset({ transactionUid: request.transactionUid, ...outcome, retrieveAeTitle: options.retrieveAeTitle });
            const answer: AnsweredCommitment = {
              transactionUid: request.transactionUid, requestedBy: sa.peerAeTitle, receivedAt, reportedAt: '', ...outcome, delivery: 'undelivered',
            };
            let sameError: string | undefined;
            if (options.reportOn !== 'new' && sa.association.isEstablished) {
              sameError = await sendReport(sa, report.eventTypeId, report.dataset);
              if (!sameError) answer.delivery = 'same-association';
            }
            if (answer.delivery === 'undelivered') {
              const opening = options.openReportAssociation?.(sa.peerAeTitle, sa.localAeTitle);
              if (!opening) {
                answer.error = `${sa.peerAeTitle} is not a known destination, so the report cannot be sent on a new association${sameError ? ` (on the request's association: ${sameError})` : ''}`;
              } else {
                try {
                  const reverse = await opening;
                  try {
                    const error = await sendReport(reverse.sa, report.eventTypeId, report.dataset);
                    if (error) answer.error = error; else answer.delivery = 'new-association';
                  } finally {
                    await reverse.close();
                  }
                } catch (error) {
                  answer.error = `the report could not be sent to ${sa.peerAeTitle}: ${(error as Error).message}`;
                }
              }
            }
            answer.reportedAt = new Date().toISOString();
            options.onAnswered?.(answer);
          } finally {
            if (!reused) inProgress.delete(request.transactionUid);
          }
        };
        return { status: Status.Success, after };
      },
    },
  });
}
