// Storage Commitment Push Model, SCU side (PS3.4 J.3.2.1.2, J.3.3.1.3): the N-ACTION request, and
// the N-EVENT-REPORT result awaited by Transaction UID, whether it comes on the association of
// the request or on one the SCP opens to our AE (then a server service receives it and hands it
// to the same router).
import { CommandField } from '../dimse';
import { formatStatus, statusClass, Status } from '../dimse';
import { generateUid } from '../dicom';
import { AbortReason, AssociationAbortedError, OperationAbortedError, TimeoutError } from '../net';
import { RoleSelection } from '../net';
import { ServiceAssociation } from './context';
import { nAction } from './n-scu';
import { NServiceScp } from './n-scp';
import {
  CommitmentDataError, CommitmentResult, REQUEST_STORAGE_COMMITMENT, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE,
  SopReference, commitmentRequestDataset, parseCommitmentReport,
} from './storage-commitment';

interface Waiter {
  resolve(result: CommitmentResult): void;
  reject(error: Error): void;
  dispose(): void;
}

/** Reports that arrive for a transaction nobody waits for yet are kept this long (the N-ACTION-RSP may follow). */
const EARLY_REPORT_MS = 30_000;
const MAX_EARLY_REPORTS = 256;

/**
 * Matches Storage Commitment results to the requests waiting for them, by Transaction UID. One
 * router serves every association of an AE: the one the request went out on, and those the SCP
 * opens to deliver its report.
 */
export class CommitmentReportRouter {
  private readonly waiting = new Map<string, Waiter>();
  private readonly early = new Map<string, { result: CommitmentResult; at: number }>();

  /** Transactions awaited now. */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Waits for the result of a transaction: register before sending the N-ACTION, so a report that
   * overtakes its N-ACTION-RSP is not lost. Rejects with a TimeoutError after `timeoutMs`.
   */
  expect(transactionUid: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<CommitmentResult> {
    if (this.waiting.has(transactionUid)) return Promise.reject(new RangeError(`transaction ${transactionUid} is already awaited`));
    const early = this.early.get(transactionUid);
    if (early) {
      this.early.delete(transactionUid);
      return Promise.resolve(early.result);
    }
    return new Promise<CommitmentResult>((resolve, reject) => {
      const timer = options.timeoutMs > 0 ? setTimeout(() => {
        this.settle(transactionUid)?.reject(new TimeoutError(`no storage commitment report for transaction ${transactionUid} within ${options.timeoutMs / 1000} s`));
      }, options.timeoutMs) : undefined;
      const onAbort = () => this.settle(transactionUid)?.reject(new OperationAbortedError());
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(transactionUid, {
        resolve, reject,
        dispose: () => { if (timer) clearTimeout(timer); options.signal?.removeEventListener('abort', onAbort); },
      });
      if (options.signal?.aborted) onAbort();
    });
  }

  private settle(transactionUid: string): Waiter | undefined {
    const waiter = this.waiting.get(transactionUid);
    if (!waiter) return undefined;
    this.waiting.delete(transactionUid);
    waiter.dispose();
    return waiter;
  }

  /** Hands a report to its request. Returns false when nobody waits for it (it is kept briefly in case one will). */
  deliver(result: CommitmentResult): boolean {
    const waiter = this.settle(result.transactionUid);
    if (waiter) {
      waiter.resolve(result);
      return true;
    }
    const now = Date.now();
    for (const [uid, e] of this.early) if (now - e.at > EARLY_REPORT_MS || this.early.size >= MAX_EARLY_REPORTS) this.early.delete(uid);
    this.early.set(result.transactionUid, { result, at: now });
    return false;
  }

  /** Stops waiting for a transaction (its request failed), rejecting the waiter with `error`. */
  fail(transactionUid: string, error: Error): void {
    this.settle(transactionUid)?.reject(error);
  }
}

export interface ReportReceiverOptions {
  router: CommitmentReportRouter;
  /** Every report received, awaited or not (for logs). */
  onReport?: (result: CommitmentResult, awaited: boolean) => void;
  /** A report that could not be read (answered with a failure status). */
  onRejected?: (peer: string, reason: string) => void;
}

/**
 * The server service that receives Storage Commitment results (N-EVENT-REPORT) on associations the
 * SCP opens to us. It grants the SCP role the requestor proposes for the SOP class (J.3.3.1.3 note).
 */
export function commitmentReportReceiver(options: ReportReceiverOptions, sameAssociation = false): NServiceScp {
  return new NServiceScp({
    name: 'storage-commitment-reports',
    sopClasses: [STORAGE_COMMITMENT_SOP_CLASS],
    roles: (uid: string, proposed: RoleSelection) => (uid === STORAGE_COMMITMENT_SOP_CLASS ? { scu: false, scp: proposed.scpRole === 1 } : undefined),
    handlers: {
      'n-event-report': ({ sa, sopInstanceUid, message, dataset }) => {
        if (sopInstanceUid !== STORAGE_COMMITMENT_SOP_INSTANCE) {
          return { status: Status.NoSuchSopInstance, errorComment: 'not the Storage Commitment Push Model SOP Instance' };
        }
        let result: CommitmentResult;
        try {
          result = parseCommitmentReport(message.command.eventTypeId!, dataset, { reportedBy: sa.peerAeTitle, sameAssociation });
        } catch (error) {
          const reason = (error as Error).message;
          options.onRejected?.(sa.peerAeTitle, reason);
          const unknownEvent = reason.startsWith('Event Type ID');
          return {
            status: unknownEvent ? Status.NoSuchEventType : Status.InvalidArgumentValue, errorComment: reason,
            ...(error instanceof CommitmentDataError && error.tag ? { offendingElement: [error.tag] } : {}),
          };
        }
        // Handed on once the N-EVENT-REPORT-RSP is out: the requester may release as soon as it has the result.
        const after = async () => {
          const awaited = options.router.deliver(result);
          options.onReport?.(result, awaited);
        };
        return { status: Status.Success, after };
      },
    },
  });
}

export class CommitmentRefusedError extends Error {
  override name = 'CommitmentRefusedError';
  constructor(message: string, readonly status: number, readonly comment?: string) {
    super(message);
  }
}

export interface CommitmentRequestOptions {
  /** Default: a new 2.25 UID. */
  transactionUid?: string;
  /**
   * Where reports on new associations are delivered (the router of a local server listening as our
   * AE). Without one, only a report on this association can arrive.
   */
  router?: CommitmentReportRouter;
  /** How long to wait for the report (default 60 s; 0 = no limit). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onReport?: ReportReceiverOptions['onReport'];
}

export interface PendingCommitment {
  transactionUid: string;
  /** The N-ACTION-RSP status (success: the SCP took the request). */
  actionStatus: number;
  /** The result, whichever association it comes on. */
  result: Promise<CommitmentResult>;
}

/**
 * Sends a Storage Commitment Request (N-ACTION, Action Type 1) and returns once the SCP accepted
 * it; `result` settles with the report. Until the association is released, a report on it is
 * answered and delivered too.
 * @throws CommitmentRefusedError when the SCP answers the N-ACTION with a failure.
 */
export async function requestCommitment(sa: ServiceAssociation, references: readonly SopReference[],
  options: CommitmentRequestOptions = {}): Promise<PendingCommitment> {
  if (references.length === 0) throw new RangeError('a storage commitment request needs at least one SOP instance');
  const transactionUid = options.transactionUid ?? generateUid();
  const router = options.router ?? new CommitmentReportRouter();
  const result = router.expect(transactionUid, { timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal });
  // Without a local server, a report can only come on this association: its end is the end of waiting.
  if (!options.router) {
    void sa.association.whenClosed().then(() => router.fail(transactionUid,
      new AssociationAbortedError('the association ended before the storage commitment report came, and no local SCP listens for one on a new association')));
  }
  result.catch(() => undefined);
  const receiver = commitmentReportReceiver({ router, onReport: options.onReport }, true);
  sa.channel.setRequestHooks({
    onRequest: (message) => {
      if (message.command.commandField !== CommandField.NEventReportRq) {
        sa.association.abortAsProvider(AbortReason.UnexpectedPduParameter, `the peer sent command 0x${message.command.commandField.toString(16)} while we waited for a storage commitment report`);
        return;
      }
      receiver.handle(sa, message).catch(() => sa.association.abort());
    },
  });
  let response;
  try {
    response = await nAction(sa, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE, REQUEST_STORAGE_COMMITMENT,
      commitmentRequestDataset({ transactionUid, references: [...references] }));
  } catch (error) {
    router.fail(transactionUid, error as Error);
    throw error;
  }
  if (statusClass(response.status) === 'failure') {
    const comment = response.command.errorComment;
    const error = new CommitmentRefusedError(`the storage commitment request was refused: ${formatStatus(response.status, 'n-action')}${comment ? ` (${comment})` : ''}`, response.status, comment);
    router.fail(transactionUid, error);
    throw error;
  }
  return { transactionUid, actionStatus: response.status, result };
}
