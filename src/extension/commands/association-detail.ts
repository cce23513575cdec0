// Show Association (the detail panel) and the record actions: Copy as Text, Export JSON, Copy as
// DCMTK Command. Each takes a record id, an Associations view item, or nothing: then the record of
// the active detail panel, else one picked from the kept associations (newest first).
import vscode = require('vscode');
import type { AssociationRecord } from '../../ae';
import type { AssociationAction } from '../../shared';
import type { CommandDeps } from './deps';

/** The record id an argument names: the id itself, or an item carrying `recordId`, `record.id` or `id`. */
export function recordIdFromArgument(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (!arg || typeof arg !== 'object') return undefined;
  const o = arg as { recordId?: unknown; record?: { id?: unknown }; id?: unknown };
  if (typeof o.recordId === 'string') return o.recordId;
  if (o.record && typeof o.record === 'object' && typeof o.record.id === 'string') return o.record.id;
  if (typeof o.id === 'string') return o.id;
  return undefined;
}

type Deps = Pick<CommandDeps, 'associations' | 'webviews'>;

function describe(record: AssociationRecord): vscode.QuickPickItem & { record: AssociationRecord } {
  const outcome = record.outcome ? `${record.outcome.kind}: ${record.outcome.description}` : 'open';
  return {
    label: `${record.callingAeTitle || '(empty)'} → ${record.calledAeTitle || '(empty)'}`,
    description: outcome,
    detail: `${record.direction === 'outbound' ? 'we called' : 'called by'} ${record.peerAddress} · ${record.startedAt} · ${record.messages.map((m) => m.command).find((c) => c.endsWith('-RQ')) ?? 'no message'}`,
    record,
  };
}

/** The record an argument names; with no argument, the active panel's or one picked. Says why when there is none. */
async function recordFor(deps: Deps, arg: unknown, title: string, preferActivePanel: boolean): Promise<AssociationRecord | undefined> {
  const id = recordIdFromArgument(arg);
  if (id !== undefined) {
    const record = deps.associations.get(id) ?? deps.webviews.associationPanelRecord(id);
    if (!record) void vscode.window.showWarningMessage(`${title}: association ${id} is no longer kept (only the most recent ones are).`);
    return record;
  }
  if (preferActivePanel) {
    const active = deps.webviews.activeAssociationRecord();
    if (active) return active;
  }
  const records = deps.associations.all();
  if (records.length === 0) {
    void vscode.window.showInformationMessage(`${title}: no association has been made or received yet.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(records.slice().reverse().map(describe), {
    title, placeHolder: 'Pick an association (newest first)', matchOnDescription: true, matchOnDetail: true,
  });
  return picked?.record;
}

export async function showAssociation(deps: Deps, arg: unknown): Promise<void> {
  const record = await recordFor(deps, arg, 'Show Association', false);
  if (record) deps.webviews.showAssociation(record);
}

/** Copy as Text / Export JSON / Copy as DCMTK Command on a record. Export JSON takes a target Uri as second argument (scripts, tests). */
export async function associationAction(deps: Deps, action: AssociationAction, arg: unknown, target?: unknown): Promise<void> {
  const titles: Record<AssociationAction, string> = { copyText: 'Copy as Text', exportJson: 'Export JSON', copyDcmtk: 'Copy as DCMTK Command' };
  const record = await recordFor(deps, arg, titles[action], true);
  if (record) await deps.webviews.runAssociationAction(action, record, target instanceof vscode.Uri ? target : undefined);
}
