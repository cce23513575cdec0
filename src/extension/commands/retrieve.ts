// DICOM: Retrieve… (palette), Retrieve to Workspace / Open / Copy UID (tree): C-MOVE to the local
// SCP, C-GET, or WADO-RS, under a cancellable progress notification, ending with a summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listStudies } from '../browse';
import { RetrieveMethod } from '../config/nodes';
import type { App } from '../app';
import type { WebTarget } from '../engine/dicomweb';
import type { DimseTarget, RetrieveCounts, RetrieveOutcome, RetrieveScope } from '../engine/types';
import type { AnyNode } from '../targets';
import { DataElement, isDataElement, scopeOf, uidOf } from '../tree/elements';
import { formatDicomDate, instanceLabel, seriesLabel, studyLabel } from '../tree/items';
import { notify, sentence } from '../ui/notify';
import { choose, pickNode } from '../ui/pick';
import { withCancellableProgress } from '../ui/progress';
import { OPEN_DATASET_COMMAND } from '../webviews/register';

export type RetrieveMethodChoice = RetrieveMethod | 'WADO-RS';

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
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
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
export async function runRetrieval(app: App, node: AnyNode, scope: RetrieveScope, method: RetrieveMethodChoice, label: string, expected?: number): Promise<RetrieveResult> {
  const base = { node: node.name, method, ok: false, cancelled: false, completed: 0, failed: 0, warning: 0, files: [] as string[] };
  const fail = (message: string, ...actions: string[]): RetrieveResult => {
    void notify('error', message, ...actions, 'Show Log').then((c) => handleAction(app, node, scope, label, c));
    return { ...base, message };
  };
  if ((method === 'WADO-RS') !== (node.kind === 'dicomweb') || node.kind === 'local') {
    return fail(`${node.name} cannot be retrieved from with ${method}.`);
  }
  if (!app.requireTrust('Retrieve')) return { ...base, message: 'untrusted workspace' };
  const engine = app.engine();
  const scp = method === 'C-MOVE' ? await app.scp.ensureRunning() : app.scp.instance;
  if (method === 'C-MOVE' && !scp) {
    return fail(`Retrieving ${label} from ${node.name} with C-MOVE needs the local SCP, which is not running (${app.scp.lastError ?? 'see the log'}).`, 'Retrieve with C-GET');
  }
  const folder = scp?.settings.folder ?? app.scp.folder();
  let outcome: RetrieveOutcome;
  let knownTotal: number | undefined = expected;
  try {
    const target = node.kind === 'dicomweb' ? await app.webTarget(node) : await app.target(node);
    outcome = await withCancellableProgress(`Retrieving ${label} from ${node.name} (${method})`, (progress, signal) => {
      progress.report('asking…');
      const onProgress = (c: RetrieveCounts) => {
        const done = c.completed + c.failed + c.warning;
        const total = c.remaining !== undefined ? done + c.remaining : undefined;
        if (total !== undefined) knownTotal = Math.max(knownTotal ?? 0, total);
        progress.report(`${done}${total !== undefined ? ` of ${total}` : ''} instances${c.failed ? `, ${c.failed} failed` : ''}`, done, total);
      };
      if (node.kind === 'dicomweb') return engine.wadoRetrieve(target as WebTarget, scope, folder, app.log, { onProgress, signal, expected });
      const dimse = target as DimseTarget;
      return method === 'C-MOVE'
        ? engine.move(dimse, scope, scp!, app.log, { onProgress, signal })
        : engine.get(dimse, scope, folder, scp, app.log, { onProgress, signal });
    });
    if (method === 'WADO-RS' && scp) await scp.indexFiles(outcome.files);
  } catch (error) {
    app.tree.refresh(app.tree.rootOf('Local archive'));
    if (engine.isCancellation(error)) {
      const message = `Retrieval of ${label} from ${node.name} was cancelled.`;
      void notify('warning', message, 'Show Log').then((c) => handleAction(app, node, scope, label, c));
      return { ...base, cancelled: true, message };
    }
    if (engine.isMoveDestinationUnknown(error)) {
      return fail(`${sentence(engine.describeError(error, app.where(node)))}`, 'Copy AE Configuration', 'Retrieve with C-GET');
    }
    return fail(`Retrieval of ${label} from ${node.name} failed: ${sentence(engine.describeError(error, app.where(node)))}`, ...(method === 'C-MOVE' ? ['Retrieve with C-GET'] : []));
  }
  app.tree.refresh(app.tree.rootOf('Local archive'));
  const done = outcome.completed + outcome.failed + outcome.warning;
  const total = Math.max(done, outcome.remaining !== undefined ? done + outcome.remaining : 0, knownTotal ?? 0);
  const where = vscode.workspace.asRelativePath(folder);
  const result = { ...base, ok: outcome.ok, cancelled: outcome.cancelled, completed: outcome.completed, failed: outcome.failed, warning: outcome.warning, files: outcome.files };
  if (outcome.cancelled) {
    const message = `Retrieval of ${label} from ${node.name} cancelled: ${outcome.completed} of ${total || '?'} instances received into ${where}.`;
    void notify('warning', message, 'Show in Explorer', 'Show Log').then((c) => handleAction(app, node, scope, label, c, scopeFolder(folder, scope)));
    return { ...result, message };
  }
  if (outcome.ok || (outcome.failed === 0 && outcome.completed + outcome.warning > 0)) {
    const message = total === 0
      ? `${node.name} found nothing to send for ${label}.`
      : `Retrieved ${plural(outcome.completed + outcome.warning, 'instance')} of ${label} from ${node.name} into ${where}.`;
    void notify(total === 0 ? 'warning' : 'info', message, 'Show in Explorer', 'Show Log').then((c) => handleAction(app, node, scope, label, c, scopeFolder(folder, scope)));
    return { ...result, ok: total > 0, message };
  }
  const hint = method === 'C-MOVE' && outcome.completed === 0
    ? ` ${node.name} could not deliver to ${scp!.settings.aeTitle} at ${app.scp.aeConfiguration().host}:${scp!.port}: check that it knows this AE.`
    : '';
  const message = `Retrieved ${outcome.completed} of ${total} instances of ${label} from ${node.name}; ${outcome.failed} failed (${outcome.statusText}${outcome.comment ? `: ${outcome.comment}` : ''}).${hint}`;
  void notify('error', message, ...(hint ? ['Copy AE Configuration', 'Retrieve with C-GET'] : []), 'Show in Explorer', 'Show Log')
    .then((c) => handleAction(app, node, scope, label, c, scopeFolder(folder, scope)));
  return { ...result, message };
}

function handleAction(app: App, node: AnyNode, scope: RetrieveScope, label: string, choice: string | undefined, folder?: string): void {
  switch (choice) {
    case 'Show Log': app.log.show(); break;
    case 'Show in Explorer': if (folder && fs.existsSync(folder)) void revealInExplorer(folder); break;
    case 'Copy AE Configuration': void vscode.commands.executeCommand('dicomNetwork.copyAeConfiguration'); break;
    case 'Retrieve with C-GET': void runRetrieval(app, node, scope, 'C-GET', label); break;
  }
}

export function labelOf(e: DataElement): string {
  switch (e.kind) {
    case 'study': return `${studyLabel(e.study)}${e.study.studyDate ? ` (${formatDicomDate(e.study.studyDate)})` : ''}`;
    case 'series': return `${seriesLabel(e.series)} of ${studyLabel(e.parent.study)}`;
    case 'instance': return `${instanceLabel(e.instance)} of ${seriesLabel(e.parent.series)}`;
  }
}

function methodItems(app: App, node: AnyNode): { label: string; description: string; value: RetrieveMethodChoice }[] {
  if (node.kind === 'dicomweb') return [{ label: 'WADO-RS', description: `instances come back over HTTP into ${vscode.workspace.asRelativePath(app.scp.folder())}`, value: 'WADO-RS' }];
  const ae = app.scp.aeConfiguration();
  const move = { label: 'C-MOVE to the local SCP', description: `${node.name} sends to ${ae.aeTitle} at ${ae.host}:${ae.port} (it must know this AE)`, value: 'C-MOVE' as const };
  const get = { label: 'C-GET', description: 'instances come back over the same association', value: 'C-GET' as const };
  return node.kind === 'dimse' && node.retrieveMethod === 'C-GET' ? [get, move] : [move, get];
}

/** A study picked from the node's current listing, or a typed Study Instance UID. */
async function pickStudy(app: App, node: AnyNode): Promise<{ scope: RetrieveScope; label: string } | undefined> {
  const typeUid = { label: '$(edit) Enter a Study Instance UID…', description: '', scope: undefined as RetrieveScope | undefined, text: '' };
  const qp = vscode.window.createQuickPick<typeof typeUid>();
  qp.title = `Retrieve from ${node.name}`;
  qp.placeholder = 'Choose a study';
  qp.items = [typeUid];
  qp.busy = true;
  qp.ignoreFocusOut = true;
  qp.show();
  listStudies(app, node, app.currentFilter(node))
    .then((listing) => {
      qp.items = [typeUid, ...listing.items.map((s) => ({
        label: studyLabel(s),
        description: [s.patientId, formatDicomDate(s.studyDate), s.modalities.join('/'), s.description].filter(Boolean).join(' · '),
        scope: { studyInstanceUid: s.studyInstanceUid },
        text: `${studyLabel(s)}${s.studyDate ? ` (${formatDicomDate(s.studyDate)})` : ''}`,
      }))];
    }, (error) => {
      qp.items = [typeUid, { label: `$(error) ${app.engine().describeError(error, app.where(node))}`, description: '', scope: undefined, text: '' }];
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
export async function retrieve(app: App, arg?: unknown): Promise<RetrieveResult | undefined> {
  if (isDataElement(arg)) return retrieveItem(app, arg);
  const direct = arg && typeof arg === 'object' && 'studyInstanceUid' in arg ? arg as RetrieveArgs : undefined;
  const node = await pickNode(app, direct ? direct.node : arg, { title: 'Retrieve', kinds: ['dimse', 'dicomweb'] });
  if (!node) return undefined;
  const what = direct
    ? { scope: { studyInstanceUid: direct.studyInstanceUid, seriesInstanceUid: direct.seriesInstanceUid, sopInstanceUid: direct.sopInstanceUid }, label: direct.label ?? `study ${direct.studyInstanceUid}` }
    : await pickStudy(app, node);
  if (!what) return undefined;
  const method = direct?.method ?? (direct ? (node.kind === 'dimse' ? node.retrieveMethod : 'WADO-RS') : await choose(`Retrieve ${what.label}`, methodItems(app, node), 'How?'));
  if (!method) return undefined;
  return runRetrieval(app, node, what.scope, method, what.label);
}

/** Retrieve to Workspace (tree): the node's preferred method. */
export async function retrieveItem(app: App, element?: unknown): Promise<RetrieveResult | undefined> {
  if (!isDataElement(element)) return retrieve(app, element);
  const node = app.findNode(element.node.name) ?? element.node;
  const label = labelOf(element);
  if (node.kind === 'local') {
    const folder = scopeFolder(app.scp.effective().folder, scopeOf(element));
    void notify('info', `${label} is in the local archive already (${vscode.workspace.asRelativePath(folder)}).`);
    if (fs.existsSync(folder)) await revealInExplorer(folder);
    return undefined;
  }
  const method: RetrieveMethodChoice = node.kind === 'dimse' ? node.retrieveMethod : 'WADO-RS';
  const expected = element.kind === 'study' ? element.study.numberOfInstances : element.kind === 'series' ? element.series.numberOfInstances : 1;
  return runRetrieval(app, node, scopeOf(element), method, label, expected);
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
export async function openScope(app: App, node: AnyNode, scope: RetrieveScope, label: string, expected?: number): Promise<string | undefined> {
  const folder = app.scp.running ? app.scp.effective().folder : app.scp.folder();
  const file = scope.sopInstanceUid && scope.seriesInstanceUid ? path.join(folder, scope.studyInstanceUid, scope.seriesInstanceUid, `${scope.sopInstanceUid}.dcm`) : undefined;
  const present = file ? fs.existsSync(file) : firstDicomFile(scopeFolder(folder, scope)) !== undefined;
  if (!present && node.kind !== 'local') {
    const method: RetrieveMethodChoice = node.kind === 'dimse' ? node.retrieveMethod : 'WADO-RS';
    const result = await runRetrieval(app, node, scope, method, label, expected);
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
export async function openItem(app: App, element?: unknown): Promise<string | undefined> {
  if (!isDataElement(element)) return undefined;
  const node = app.findNode(element.node.name) ?? element.node;
  const expected = element.kind === 'study' ? element.study.numberOfInstances : element.kind === 'series' ? element.series.numberOfInstances : 1;
  return openScope(app, node, scopeOf(element), labelOf(element), expected);
}

export async function copyUid(_app: App, element?: unknown): Promise<string | undefined> {
  if (!isDataElement(element)) return undefined;
  const uid = uidOf(element);
  await vscode.env.clipboard.writeText(uid);
  const what = element.kind === 'study' ? 'Study Instance UID' : element.kind === 'series' ? 'Series Instance UID' : 'SOP Instance UID';
  vscode.window.setStatusBarMessage(`Copied the ${what} ${uid}`, 4000);
  return uid;
}
