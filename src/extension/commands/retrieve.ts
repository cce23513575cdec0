// DICOM: Retrieve… (palette), Retrieve to Workspace / Open / Copy UID (tree): C-MOVE to the local
// SCP, C-GET, or WADO-RS, under a cancellable progress notification, ending with a summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import vscode = require('vscode');
import { handleShowAssociation, showAssociationActions } from '../associations';
import type { NodeBackend, RetrieveMethodChoice } from '../backends';
import { LOCAL_NODE_NAME } from '../config';
import { loadEngine } from '../engine-loader';
import type { RetrieveCounts, RetrieveOutcome, RetrieveScope } from '../engine';
import { DataElement, isDataElement, scopeOf, uidOf } from '../tree';
import { formatDicomDate, instanceLabel, seriesLabel, studyLabel } from '../tree';
import { notify, sentence } from '../ui';
import { choose, pickNode } from './pick';
import { withCancellableProgress } from '../ui';
import { requireTrust } from '../ui';
import { OPEN_DATASET_COMMAND } from '../webviews';
import type { CommandDeps } from './deps';
import { plural } from '../text';

export type RetrieveDeps = Pick<CommandDeps, 'nodes' | 'state' | 'scp' | 'log' | 'tree'>;

export interface RetrieveArgs extends RetrieveScope {
  node: string;
  method?: RetrieveMethodChoice;
  /** What the notifications call it, e.g. the patient name. */
  label?: string;
}

export interface RetrieveResult {
  node: string;
  method: RetrieveMethodChoice;
  ok: boolean;
  cancelled: boolean;
  completed: number;
  failed: number;
  warning: number;
  /** Files written into the storage folder. */
  files: string[];
  /** The summary notification's text. */
  message: string;
  /** The record of the C-MOVE / C-GET association (DIMSE nodes). */
  associationId?: string;
}

function scopeFolder(folder: string, scope: RetrieveScope): string {
  return scope.seriesInstanceUid ? path.join(folder, scope.studyInstanceUid, scope.seriesInstanceUid) : path.join(folder, scope.studyInstanceUid);
}

async function revealInExplorer(target: string): Promise<void> {
  const uri = vscode.Uri.file(target);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

/** Runs one retrieval and tells the person how it went. Never waits for an answer to a notification. */
export async function runRetrieval(deps: RetrieveDeps, backend: NodeBackend, scope: RetrieveScope, method: RetrieveMethodChoice, label: string, expected?: number): Promise<RetrieveResult> {
  const name = backend.node.name;
  const base = { node: name, method, ok: false, cancelled: false, completed: 0, failed: 0, warning: 0, files: [] as string[] };
  let associationId: string | undefined;
  const act = (folder?: string) => (choice: string | undefined) => {
    if (!handleShowAssociation(choice, associationId)) handleAction(deps, backend, scope, label, choice, folder);
  };
  const fail = (message: string, ...actions: string[]): RetrieveResult => {
    void notify('error', message, ...actions, ...showAssociationActions(associationId), 'Show Log').then(act());
    return { ...base, message, associationId };
  };
  if (!backend.retrieveChoices().some((c) => c.value === method)) return fail(`${name} cannot be retrieved from with ${method}.`);
  if (!requireTrust('Retrieve')) return { ...base, message: 'untrusted workspace' };
  // C-MOVE sends to the local SCP: it must run (and is started now when it does not).
  const scp = method === 'C-MOVE' ? await deps.scp.ensureRunning() : deps.scp.instance;
  if (method === 'C-MOVE' && !scp) {
    return fail(`Retrieving ${label} from ${name} with C-MOVE needs the local SCP, which is not running (${deps.scp.lastError ?? 'see the log'}).`, 'Retrieve with C-GET');
  }
  const folder = deps.scp.storageFolder();
  let outcome: RetrieveOutcome;
  let knownTotal: number | undefined = expected;
  try {
    outcome = await withCancellableProgress(`Retrieving ${label} from ${name} (${method})`, (progress, signal) => {
      progress.report('asking…');
      const onProgress = (c: RetrieveCounts) => {
        const done = c.completed + c.failed + c.warning;
        const total = c.remaining !== undefined ? done + c.remaining : undefined;
        if (total !== undefined) knownTotal = Math.max(knownTotal ?? 0, total);
        progress.report(`${done}${total !== undefined ? ` of ${total}` : ''} instances${c.failed ? `, ${c.failed} failed` : ''}`, done, total);
      };
      return backend.retrieve(scope, method, { onProgress, signal, expected });
    });
  } catch (error) {
    deps.tree.refreshNode(LOCAL_NODE_NAME);
    const code = loadEngine().errorCode(error);
    associationId = loadEngine().associationIdOf(error);
    if (code === 'cancelled') {
      const message = `Retrieval of ${label} from ${name} was cancelled.`;
      void notify('warning', message, 'Show Log').then(act());
      return { ...base, cancelled: true, message };
    }
    if (code === 'move-destination-unknown') {
      return fail(`${sentence(backend.describeError(error))}`, 'Copy AE Configuration', 'Retrieve with C-GET');
    }
    return fail(`Retrieval of ${label} from ${name} failed: ${sentence(backend.describeError(error))}`, ...(method === 'C-MOVE' ? ['Retrieve with C-GET'] : []));
  }
  deps.tree.refreshNode(LOCAL_NODE_NAME);
  associationId = outcome.associationId;
  const done = outcome.completed + outcome.failed + outcome.warning;
  const total = Math.max(done, outcome.remaining !== undefined ? done + outcome.remaining : 0, knownTotal ?? 0);
  const where = vscode.workspace.asRelativePath(folder);
  const result = { ...base, associationId, ok: outcome.ok, cancelled: outcome.cancelled, completed: outcome.completed, failed: outcome.failed, warning: outcome.warning, files: outcome.files };
  if (outcome.cancelled) {
    const message = `Retrieval of ${label} from ${name} cancelled: ${outcome.completed} of ${total || '?'} instances received into ${where}.`;
    void notify('warning', message, 'Show in Explorer', 'Show Log').then(act(scopeFolder(folder, scope)));
    return { ...result, message };
  }
  if (outcome.ok || (outcome.failed === 0 && outcome.completed + outcome.warning > 0)) {
    const message = total === 0
      ? `${name} found nothing to send for ${label}.`
      : `Retrieved ${plural(outcome.completed + outcome.warning, 'instance')} of ${label} from ${name} into ${where}.`;
    void notify(total === 0 ? 'warning' : 'info', message, 'Show in Explorer', 'Show Log').then(act(scopeFolder(folder, scope)));
    return { ...result, ok: total > 0, message };
  }
  const hint = method === 'C-MOVE' && outcome.completed === 0 && scp
    ? ` ${name} could not deliver to ${scp.settings.aeTitle} at ${deps.scp.aeConfiguration().host}:${scp.port}: check that it knows this AE.`
    : '';
  const message = `Retrieved ${outcome.completed} of ${total} instances of ${label} from ${name}; ${outcome.failed} failed (${outcome.statusText}${outcome.comment ? `: ${outcome.comment}` : ''}).${hint}`;
  void notify('error', message, ...(hint ? ['Copy AE Configuration', 'Retrieve with C-GET'] : []), ...showAssociationActions(associationId), 'Show in Explorer', 'Show Log')
    .then(act(scopeFolder(folder, scope)));
  return { ...result, message };
}

function handleAction(deps: RetrieveDeps, backend: NodeBackend, scope: RetrieveScope, label: string, choice: string | undefined, folder?: string): void {
  switch (choice) {
    case 'Show Log': deps.log.show(); break;
    case 'Show in Explorer': if (folder && fs.existsSync(folder)) void revealInExplorer(folder); break;
    case 'Copy AE Configuration': void vscode.commands.executeCommand('dicomNetwork.copyAeConfiguration'); break;
    case 'Retrieve with C-GET': void runRetrieval(deps, backend, scope, 'C-GET', label); break;
  }
}

export function labelOf(e: DataElement): string {
  switch (e.kind) {
    case 'study': return `${studyLabel(e.study)}${e.study.studyDate ? ` (${formatDicomDate(e.study.studyDate)})` : ''}`;
    case 'series': return `${seriesLabel(e.series)} of ${studyLabel(e.parent.study)}`;
    case 'instance': return `${instanceLabel(e.instance)} of ${seriesLabel(e.parent.series)}`;
  }
}

/** A study picked from the node's current listing, or a typed Study Instance UID. */
async function pickStudy(deps: Pick<CommandDeps, 'nodes'>, backend: NodeBackend): Promise<{ scope: RetrieveScope; label: string } | undefined> {
  const node = backend.node;
  const typeUid = { label: '$(edit) Enter a Study Instance UID…', description: '', scope: undefined as RetrieveScope | undefined, text: '' };
  const qp = vscode.window.createQuickPick<typeof typeUid>();
  qp.title = `Retrieve from ${node.name}`;
  qp.placeholder = 'Choose a study';
  qp.items = [typeUid];
  qp.busy = true;
  qp.ignoreFocusOut = true;
  qp.show();
  backend.listStudies(deps.nodes.filterOf(node))
    .then((listing) => {
      qp.items = [typeUid, ...listing.items.map((s) => ({
        label: studyLabel(s),
        description: [s.patientId, formatDicomDate(s.studyDate), s.modalities.join('/'), s.description].filter(Boolean).join(' · '),
        scope: { studyInstanceUid: s.studyInstanceUid },
        text: `${studyLabel(s)}${s.studyDate ? ` (${formatDicomDate(s.studyDate)})` : ''}`,
      }))];
    }, (error) => {
      qp.items = [typeUid, { label: `$(error) ${backend.describeError(error)}`, description: '', scope: undefined, text: '' }];
    })
    .finally(() => { qp.busy = false; });
  const picked = await new Promise<typeof typeUid | undefined>((resolve) => {
    let chosen: typeof typeUid | undefined;
    qp.onDidAccept(() => { chosen = qp.selectedItems[0]; qp.hide(); });
    qp.onDidHide(() => { qp.dispose(); resolve(chosen); });
  });
  if (!picked) return undefined;
  if (picked.scope) return { scope: picked.scope, label: picked.text };
  if (picked !== typeUid) return undefined;
  const uid = await vscode.window.showInputBox({
    title: `Retrieve from ${node.name}`, prompt: 'Study Instance UID', ignoreFocusOut: true,
    validateInput: (t) => (/^[0-9]+(\.[0-9]+)*$/.test(t.trim()) && t.trim().length <= 64 ? undefined : 'A UID is digits separated by dots, at most 64 characters.'),
  });
  return uid ? { scope: { studyInstanceUid: uid.trim() }, label: `study ${uid.trim()}` } : undefined;
}

/** DICOM: Retrieve… — asks for the node, the study and the method when not given. */
export async function retrieve(deps: RetrieveDeps, arg?: unknown): Promise<RetrieveResult | undefined> {
  if (isDataElement(arg)) return retrieveItem(deps, arg);
  const direct = arg && typeof arg === 'object' && 'studyInstanceUid' in arg ? arg as RetrieveArgs : undefined;
  const backend = await pickNode(deps, direct ? direct.node : arg, { title: 'Retrieve', needs: 'retrieve' });
  if (!backend) return undefined;
  const what = direct
    ? { scope: { studyInstanceUid: direct.studyInstanceUid, seriesInstanceUid: direct.seriesInstanceUid, sopInstanceUid: direct.sopInstanceUid }, label: direct.label ?? `study ${direct.studyInstanceUid}` }
    : await pickStudy(deps, backend);
  if (!what) return undefined;
  const choices = backend.retrieveChoices();
  const method = direct?.method ?? (direct ? choices[0]?.value : await choose(`Retrieve ${what.label}`, choices, 'How?'));
  if (!method) return undefined;
  return runRetrieval(deps, backend, what.scope, method, what.label);
}

/** Retrieve to Workspace (tree): the node's preferred method. */
export async function retrieveItem(deps: RetrieveDeps, element?: unknown): Promise<RetrieveResult | undefined> {
  if (!isDataElement(element)) return retrieve(deps, element);
  const backend = deps.nodes.current(element.node);
  const label = labelOf(element);
  const method = backend.retrieveChoices()[0]?.value;
  if (backend.inStorageFolder || !method) {
    const folder = scopeFolder(deps.scp.effective().folder, scopeOf(element));
    void notify('info', `${label} is in the local archive already (${vscode.workspace.asRelativePath(folder)}).`);
    if (fs.existsSync(folder)) await revealInExplorer(folder);
    return undefined;
  }
  return runRetrieval(deps, backend, scopeOf(element), method, label, expectedOf(element));
}

function firstDicomFile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isFile() && e.name.endsWith('.dcm')) return p;
    if (e.isDirectory()) {
      const inner = firstDicomFile(p);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Opens a DICOM file in the dataset viewer (the custom editor: the file stays in its tab). */
export async function openInViewer(file: string): Promise<void> {
  await vscode.commands.executeCommand(OPEN_DATASET_COMMAND, vscode.Uri.file(file));
}

/**
 * Retrieves what of `scope` is not in the storage folder yet (with the node's usual method), then
 * opens the instance (or the first file of the study or series) in the dataset viewer.
 */
export async function openScope(deps: RetrieveDeps, backend: NodeBackend, scope: RetrieveScope, label: string, expected?: number): Promise<string | undefined> {
  const folder = deps.scp.storageFolder();
  const file = scope.sopInstanceUid && scope.seriesInstanceUid ? path.join(folder, scope.studyInstanceUid, scope.seriesInstanceUid, `${scope.sopInstanceUid}.dcm`) : undefined;
  const present = file ? fs.existsSync(file) : firstDicomFile(scopeFolder(folder, scope)) !== undefined;
  const method = backend.inStorageFolder ? undefined : backend.retrieveChoices()[0]?.value;
  if (!present && method) {
    const result = await runRetrieval(deps, backend, scope, method, label, expected);
    if (!result.ok) return undefined;
  }
  const toOpen = file && fs.existsSync(file) ? file : firstDicomFile(scopeFolder(folder, scope));
  if (!toOpen) {
    void notify('warning', `Nothing of ${label} is in ${vscode.workspace.asRelativePath(folder)}.`);
    return undefined;
  }
  if (!file) await revealInExplorer(scopeFolder(folder, scope));
  await openInViewer(toOpen);
  return toOpen;
}

/** Open (tree): retrieves what is not in the storage folder yet, then shows it in the dataset viewer. */
export async function openItem(deps: RetrieveDeps, element?: unknown): Promise<string | undefined> {
  if (!isDataElement(element)) return undefined;
  return openScope(deps, deps.nodes.current(element.node), scopeOf(element), labelOf(element), expectedOf(element));
}

/** Instances a tree element stands for, when its listing said. */
function expectedOf(element: DataElement): number | undefined {
  return element.kind === 'study' ? element.study.numberOfInstances : element.kind === 'series' ? element.series.numberOfInstances : 1;
}

export async function copyUid(element?: unknown): Promise<string | undefined> {
  if (!isDataElement(element)) return undefined;
  const uid = uidOf(element);
  await vscode.env.clipboard.writeText(uid);
  const what = element.kind === 'study' ? 'Study Instance UID' : element.kind === 'series' ? 'Series Instance UID' : 'SOP Instance UID';
  vscode.window.setStatusBarMessage(`Copied the ${what} ${uid}`, 4000);
  return uid;
}
