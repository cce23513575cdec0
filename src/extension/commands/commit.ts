// DICOM: Request Storage Commitment — asks a DIMSE node to commit to files it was sent (from the
// Explorer, or the button on Send via C-STORE's result), waits for the report with progress and
// Cancel, and says what came of it: all committed, or which failed and why.
import * as path from 'node:path';
import vscode = require('vscode');
import { handleShowAssociation, showAssociationActions } from '../associations';
import type { NodeBackend } from '../backends';
import { commitmentWaitSeconds } from '../config';
import { loadEngine } from '../engine-loader';
import type { CommitmentItem, CommitmentOutcome } from '../engine';
import { notify, sentence, type Severity } from '../ui';
import { pickNode } from './pick';
import { withCancellableProgress } from '../ui';
import { requireTrust } from '../ui';
import type { CommandDeps } from './deps';
import { describePaths, isUri, pathsOf } from './explorer-paths';

export type CommitDeps = Pick<CommandDeps, 'nodes' | 'state' | 'log' | 'scp'>;

export const REQUEST_COMMITMENT = 'Request Storage Commitment';

export interface CommitResult {
  node: string;
  severity: Severity;
  message: string;
  transactionUid: string;
  requested: number;
  committed: string[];
  failed: { path?: string; sopInstanceUid: string; reason: string }[];
  unreported: string[];
  /** The report came on the request's association (true) or on one the node opened to the local SCP (false). */
  sameAssociation?: boolean;
  timedOut: boolean;
  cancelled: boolean;
}

/** How many failures the notification names; the log has them all. */
const NAMED_FAILURES = 3;

function itemName(item: CommitmentItem): string {
  return item.path ? path.basename(item.path) : item.sopInstanceUid;
}

function instances(n: number): string {
  return `${n} instance${n === 1 ? '' : 's'}`;
}

/** Where the report was awaited, for the sentence that says none came. */
interface ReportPaths {
  /** The local SCP ran: a report on a new association could be received. */
  listening: boolean;
  aeTitle: string;
  host: string;
  port: number;
}

function describe(name: string, outcome: CommitmentOutcome, where: ReportPaths): { severity: Severity; message: string } {
  const skipped = outcome.skipped.length ? ` ${outcome.skipped.length} input${outcome.skipped.length === 1 ? ' was' : 's were'} not DICOM and not requested.` : '';
  if (outcome.cancelled) {
    return { severity: 'warning', message: `Stopped waiting for the storage commitment report of ${name} (transaction ${outcome.transactionUid}); ${name} may still send it.${skipped}` };
  }
  const report = outcome.report;
  if (!report) {
    const awaited = where.listening
      ? `on the request's association and on an association from ${name} to ${where.aeTitle} at ${where.host}:${where.port} (${name} must know this AE at that address)`
      : `on the request's association only: the local SCP is not running, so a report on a new association could not be received`;
    return {
      severity: 'error',
      message: `No storage commitment report from ${name} within ${outcome.waitedSeconds} s. It accepted the request (transaction ${outcome.transactionUid}); the report was awaited ${awaited}.${skipped}`,
    };
  }
  const on = `report on ${report.sameAssociation ? 'the same' : 'a new'} association`;
  if (report.failed.length === 0 && report.unreported.length === 0) {
    return { severity: 'info', message: `${name} committed to ${outcome.requested === 1 ? 'the instance' : `all ${outcome.requested} instances`} (${on}).${skipped}` };
  }
  const parts = [`${name} committed to ${report.committed.length} of ${instances(outcome.requested)} (${on})`];
  if (report.failed.length) {
    const named = report.failed.slice(0, NAMED_FAILURES).map((f) => `${itemName(f)}: ${f.reason}`);
    const more = report.failed.length > NAMED_FAILURES ? `; and ${report.failed.length - NAMED_FAILURES} more (see the log)` : '';
    parts.push(`${report.failed.length} failed — ${named.join('; ')}${more}`);
  }
  if (report.unreported.length) parts.push(`${instances(report.unreported.length)} not in the report (${report.unreported.slice(0, NAMED_FAILURES).map(itemName).join(', ')})`);
  return { severity: 'error', message: `${parts.join('; ')}.${skipped}` };
}

/** Requests storage commitment of `paths` on a node that supports it, and notifies the outcome. */
export async function runCommitment(deps: CommitDeps, backend: NodeBackend, paths: readonly string[]): Promise<CommitResult | undefined> {
  const node = backend.node;
  // Reports on a new association come to the local SCP: start it if it is not running.
  const listening = await deps.scp.start({ interactive: false });
  const ae = deps.scp.aeConfiguration();
  const settings = backend.settings;
  const where: ReportPaths = {
    listening, aeTitle: (settings?.kind === 'dimse' ? settings.callingAeTitle : undefined) ?? ae.aeTitle, host: ae.host, port: ae.port,
  };
  const waitSeconds = commitmentWaitSeconds();
  let outcome: CommitmentOutcome;
  try {
    outcome = await withCancellableProgress(`Storage commitment of ${describePaths(paths)} on ${node.name}`, (progress, signal) => {
      progress.report('sending the request (N-ACTION)…');
      return backend.requestCommitment(paths, {
        waitSeconds, signal,
        onAccepted: (_uid, n) => progress.report(`${instances(n)} requested; waiting up to ${waitSeconds} s for the report${listening ? ` (here or on an association to ${where.aeTitle})` : ''}…`),
      });
    });
  } catch (error) {
    const message = `Storage commitment on ${node.name} failed: ${sentence(backend.describeError(error))}`;
    const associationId = loadEngine().associationIdOf(error);
    void notify('error', message, ...showAssociationActions(associationId), 'Show Log').then((c) => {
      if (!handleShowAssociation(c, associationId) && c) deps.log.show();
    });
    return undefined;
  }
  const { severity, message } = describe(node.name, outcome, where);
  const actions = outcome.timedOut ? ['Copy AE Configuration', 'Show Log'] : ['Show Log'];
  void notify(severity, message, ...actions).then(async (c) => {
    if (c === 'Show Log') deps.log.show();
    else if (c === 'Copy AE Configuration') await vscode.commands.executeCommand('dicomNetwork.copyAeConfiguration');
  });
  const report = outcome.report;
  return {
    node: node.name, severity, message, transactionUid: outcome.transactionUid, requested: outcome.requested,
    committed: report?.committed.map((c) => c.sopInstanceUid) ?? [],
    failed: report?.failed.map((f) => ({ path: f.path, sopInstanceUid: f.sopInstanceUid, reason: f.reason })) ?? [],
    unreported: report?.unreported.map((u) => u.sopInstanceUid) ?? [],
    sameAssociation: report?.sameAssociation, timedOut: outcome.timedOut, cancelled: outcome.cancelled,
  };
}

/** The command: files and folders from the Explorer (or { node, paths }), a node that supports Storage Commitment. */
export async function requestStorageCommitment(deps: CommitDeps, first?: unknown, second?: unknown): Promise<CommitResult | undefined> {
  const paths = await pathsOf(first, second, { title: REQUEST_COMMITMENT, openLabel: 'Request' });
  if (!paths || paths.length === 0) return undefined;
  const nodeArg = first && typeof first === 'object' && !isUri(first) ? (first as { node?: string }).node : undefined;
  const backend = await pickNode(deps, nodeArg, { title: `Request storage commitment of ${describePaths(paths)}`, needs: 'commit' });
  if (!backend) return undefined;
  if (!requireTrust(REQUEST_COMMITMENT)) return undefined;
  return runCommitment(deps, backend, paths);
}
