// DICOM: Send via C-STORE — .dcm files and folders from the explorer (multi-select), the editor
// title, or a file dialog, to a node picked from a list.
import * as path from 'node:path';
import vscode = require('vscode');
import { handleShowAssociation, showAssociationActions } from '../associations';
import { loadEngine } from '../engine-loader';
import type { NodeBackend } from '../backends';
import type { SendOutcome, SendProgress } from '../engine';
import { notify, sentence } from '../ui';
import { pickNode } from './pick';
import { withCancellableProgress } from '../ui';
import { requireTrust } from '../ui';
import { CommitResult, REQUEST_COMMITMENT, runCommitment } from './commit';
import type { CommandDeps } from './deps';
import { describePaths, isUri, pathsOf } from './explorer-paths';

export type SendDeps = Pick<CommandDeps, 'nodes' | 'state' | 'log' | 'tree' | 'scp'>;

export interface SendArgs {
  node?: string;
  paths: string[];
}

export interface SendResult extends SendOutcome {
  node: string;
  message: string;
  /** The storage commitment requested right after (the node's storageCommitment is "always"). */
  commitment?: CommitResult;
}

/** What follows a send: nothing, a Request Storage Commitment button, or the request itself. */
function commitmentAfterSend(backend: NodeBackend, outcome: SendOutcome): 'ask' | 'always' | 'never' {
  if (outcome.sentFiles.length === 0 || !backend.supports('commit')) return 'never';
  return backend.settings?.kind === 'dimse' ? backend.settings.storageCommitment : 'never';
}

export async function sendViaCStore(deps: SendDeps, first?: unknown, second?: unknown, third?: unknown): Promise<SendResult | undefined> {
  const paths = await pathsOf(first, second, { title: 'Send via C-STORE', openLabel: 'Send' });
  if (!paths || paths.length === 0) return undefined;
  const nodeArg = (first && typeof first === 'object' && !isUri(first) ? (first as SendArgs).node : undefined) ?? (typeof third === 'string' ? third : undefined);
  const backend = await pickNode(deps, nodeArg, { title: `Send ${describePaths(paths)} via C-STORE`, needs: 'send', onlyAvailable: true });
  if (!backend) return undefined;
  if (!requireTrust('Send via C-STORE')) return undefined;
  const node = backend.node;
  let outcome: SendOutcome;
  try {
    outcome = await withCancellableProgress(`Sending ${describePaths(paths)} to ${node.name} (${backend.protocols.send})`, (progress, signal) => {
      progress.report('reading files…');
      return backend.send(paths, {
        signal,
        onProgress: (p: SendProgress) => progress.report(`${p.done} of ${p.total} files${p.failed ? `, ${p.failed} failed` : ''}`, p.done, p.total),
      });
    });
  } catch (error) {
    const message = `Sending ${describePaths(paths)} to ${node.name} failed: ${sentence(backend.describeError(error))}`;
    const associationId = loadEngine().associationIdOf(error);
    void notify('error', message, ...showAssociationActions(associationId), 'Show Log').then((c) => {
      if (!handleShowAssociation(c, associationId) && c) deps.log.show();
    });
    return undefined;
  }
  // What was sent to the local archive is listed there now.
  if (backend.inStorageFolder) deps.tree.refreshNode(node.name);
  const parts = [`Sent ${outcome.sent} of ${outcome.total} file${outcome.total === 1 ? '' : 's'} to ${node.name}`];
  if (outcome.failed.length) parts.push(`${outcome.failed.length} failed (${outcome.failed[0].reason}${outcome.failed.length > 1 ? ', …' : ''})`);
  if (outcome.skipped.length) parts.push(`${outcome.skipped.length} skipped (${path.basename(outcome.skipped[0].path)}: ${outcome.skipped[0].reason}${outcome.skipped.length > 1 ? ', …' : ''})`);
  if (outcome.cancelled) parts.push('cancelled');
  const message = `${parts.join('; ')}.`;
  const severity = outcome.total === 0 || outcome.failed.length > 0 ? 'error' : outcome.cancelled || outcome.skipped.length > 0 || outcome.warning > 0 ? 'warning' : 'info';
  const after = commitmentAfterSend(backend, outcome);
  const failedAssociation = outcome.failed.length > 0 ? outcome.associationId : undefined;
  const actions = [...(after === 'ask' ? [REQUEST_COMMITMENT] : []), ...showAssociationActions(failedAssociation), 'Show Log'];
  void notify(severity, message, ...actions).then((c) => {
    if (handleShowAssociation(c, failedAssociation)) return;
    if (c === 'Show Log') deps.log.show();
    else if (c === REQUEST_COMMITMENT) void vscode.commands.executeCommand('dicomNetwork.requestStorageCommitment', { node: node.name, paths: outcome.sentFiles });
  });
  const commitment = after === 'always' ? await runCommitment(deps, backend, outcome.sentFiles) : undefined;
  return { ...outcome, node: node.name, message, commitment };
}
