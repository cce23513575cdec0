// Request Storage Commitment for files: the N-ACTION on an association of its own, then the report,
// on that association while it stays open or on one the peer opens to the local SCP (whose
// archive routes reports by Transaction UID to the request waiting here).
import { storageCommitmentContext } from '../../ae';
import { collectStoreInputs } from '../../ae';
import { TimeoutError } from '../../net';
import { CommitmentResult, SopReference, failureReasonName } from '../../services';
import { CommitmentReportRouter } from '../../services';
import { closeAssociation, openAssociation } from './association';
import { isCancellation } from './errors';
import { markAssociation, recordIdOf } from './recorder';
import { CommitmentItem, CommitmentOutcome, DimseTarget, EngineLog } from './types';

export interface CommitOptions {
  /** How long to wait for the report once the N-ACTION was accepted. */
  waitSeconds: number;
  /** The local SCP's report router: reports on a new association reach the request through it. */
  router?: CommitmentReportRouter;
  signal?: AbortSignal;
  /** The N-ACTION was accepted: the wait for the report begins. */
  onAccepted?: (transactionUid: string, instances: number) => void;
}

/** "no such object instance (0x0112)". */
export function describeFailureReason(reason: number): string {
  const name = failureReasonName(reason);
  return `${name.charAt(0).toLowerCase()}${name.slice(1)} (0x${reason.toString(16).toUpperCase().padStart(4, '0')})`;
}

function outcomeOf(result: CommitmentResult, requested: readonly CommitmentItem[]): NonNullable<CommitmentOutcome['report']> {
  const byUid = new Map(requested.map((r) => [r.sopInstanceUid, r]));
  const item = (ref: SopReference): CommitmentItem => ({ ...ref, path: byUid.get(ref.sopInstanceUid)?.path });
  const reported = new Set([...result.committed, ...result.failed].map((r) => r.sopInstanceUid));
  return {
    committed: result.committed.map(item),
    failed: result.failed.map((f) => ({ ...item(f), failureReason: f.failureReason, reason: describeFailureReason(f.failureReason) })),
    unreported: requested.filter((r) => !reported.has(r.sopInstanceUid)),
    reportedBy: result.reportedBy,
    sameAssociation: result.sameAssociation,
  };
}

/**
 * Asks the peer to commit to the instances of `paths` (files and folders, recursively). Rejects when
 * nothing could be requested (no DICOM input, association failure, N-ACTION refused); a report that
 * does not come in time, or a cancelled wait, is an outcome.
 */
export async function commit(target: DimseTarget, paths: readonly string[], log: EngineLog, options: CommitOptions): Promise<CommitmentOutcome> {
  const collected = await collectStoreInputs(paths, { allowNoMeta: true });
  for (const s of collected.skipped) log.warn(`storage commitment: skipped ${s.path}: ${s.reason}`);
  const requested: CommitmentItem[] = collected.files.map((f) => ({ sopClassUid: f.sopClassUid, sopInstanceUid: f.sopInstanceUid, path: f.path }));
  if (requested.length === 0) throw new Error(`none of the ${paths.length === 1 ? 'input' : `${paths.length} inputs`} is a DICOM instance`);
  const client = await openAssociation(target, [storageCommitmentContext()], log, { purpose: 'Storage Commitment', signal: options.signal });
  const recordId = recordIdOf(client.association);
  const started = Date.now();
  let transactionUid = '';
  const outcome = (extra: Partial<CommitmentOutcome>): CommitmentOutcome => ({
    transactionUid, requested: requested.length, skipped: collected.skipped, timedOut: false, cancelled: false,
    waitedSeconds: options.waitSeconds, ...extra,
  });
  try {
    const pending = await client.requestStorageCommitment(requested.map(({ sopClassUid, sopInstanceUid }) => ({ sopClassUid, sopInstanceUid })), {
      router: options.router, timeoutMs: options.waitSeconds * 1000, signal: options.signal,
    });
    transactionUid = pending.transactionUid;
    log.info(`storage commitment ${transactionUid} of ${requested.length} instance${requested.length === 1 ? '' : 's'} accepted by ${target.calledAeTitle}; `
      + `waiting up to ${options.waitSeconds} s for the report${options.router ? ' (here or on a new association to the local SCP)' : ' (on this association only)'}`);
    options.onAccepted?.(transactionUid, requested.length);
    try {
      const result = await pending.result;
      const report = outcomeOf(result, requested);
      log.info(`storage commitment ${transactionUid}: ${report.committed.length} committed, ${report.failed.length} failed`
        + `${report.unreported.length ? `, ${report.unreported.length} not reported` : ''}; report from ${result.reportedBy} on ${result.sameAssociation ? 'the same' : 'a new'} association after ${Date.now() - started} ms`);
      for (const f of report.failed) log.warn(`storage commitment ${transactionUid}: ${f.path ?? f.sopInstanceUid} failed: ${f.reason}`);
      return outcome({ report });
    } catch (error) {
      if (error instanceof TimeoutError) {
        log.warn(`storage commitment ${transactionUid}: ${error.message}`);
        return outcome({ timedOut: true });
      }
      if (isCancellation(error) && options.signal?.aborted) {
        log.info(`storage commitment ${transactionUid}: the wait for the report was cancelled`);
        return outcome({ cancelled: true });
      }
      throw error;
    }
  } catch (error) {
    throw markAssociation(error, recordId);
  } finally {
    await closeAssociation(client, target, log);
  }
}
