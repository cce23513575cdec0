// DICOM: Send via C-STORE — .dcm files and folders from the explorer (multi-select), the editor
// title, or a file dialog, to a node picked from a list.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SendOutcome, SendProgress } from '../engine/types';
import { notify, sentence } from '../ui/notify';
import { pickNode } from '../ui/pick';
import { withCancellableProgress } from '../ui/progress';
import { requireTrust } from '../ui/trust';
import type { CommandDeps } from './deps';

export type SendDeps = Pick<CommandDeps, 'nodes' | 'state' | 'log' | 'tree'>;

export interface SendArgs {
  node?: string;
  paths: string[];
}

export interface SendResult extends SendOutcome {
  node: string;
  message: string;
}

function isUri(v: unknown): v is vscode.Uri {
  return v instanceof vscode.Uri || (!!v && typeof v === 'object' && typeof (v as vscode.Uri).fsPath === 'string' && typeof (v as vscode.Uri).scheme === 'string');
}

/** The paths a command invocation names: explorer selection (uri, uris), editor resource, or { paths }. */
async function pathsOf(first: unknown, second: unknown): Promise<string[] | undefined> {
  if (Array.isArray(second) && second.length > 0 && second.every(isUri)) return second.map((u) => u.fsPath);
  if (isUri(first)) return [first.fsPath];
  if (first && typeof first === 'object' && Array.isArray((first as SendArgs).paths)) return (first as SendArgs).paths;
  const active = vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
  if (active && active.scheme === 'file' && active.fsPath.toLowerCase().endsWith('.dcm')) return [active.fsPath];
  const picked = await vscode.window.showOpenDialog({
    title: 'Send via C-STORE', openLabel: 'Send', canSelectFiles: true, canSelectFolders: true, canSelectMany: true,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.map((u) => u.fsPath);
}

function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
  return input?.uri;
}

function describePaths(paths: readonly string[]): string {
  return paths.length === 1 ? path.basename(paths[0]) : `${paths.length} items`;
}

export async function sendViaCStore(deps: SendDeps, first?: unknown, second?: unknown, third?: unknown): Promise<SendResult | undefined> {
  const paths = await pathsOf(first, second);
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
    void notify('error', message, 'Show Log').then((c) => { if (c) deps.log.show(); });
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
  void notify(severity, message, 'Show Log').then((c) => { if (c) deps.log.show(); });
  return { ...outcome, node: node.name, message };
}
