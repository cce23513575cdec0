// DICOM: Query… (what a node lists), Refresh, Find… (any level and keys, with history) and
// Worklist… (modality, station, date).
import * as vscode from 'vscode';
import { dicomDate, describeFilter } from '../config/filters';
import { StudyFilter, studyDateProblem } from '../config/nodes';
import type { App } from '../app';
import type { QueryLevel, QueryModel, QueryTable } from '../engine/types';
import { isDimse, AnyNode } from '../targets';
import { isNodeElement } from '../tree/elements';
import { notify, sentence } from '../ui/notify';
import { ask, askWithHistory, choose, pickNode } from '../ui/pick';
import { queryIntoPanel } from './query-results';

export interface QueryNodeArgs {
  node: string;
  filter: StudyFilter;
}

/** Query…: changes the study filter the node lists with, then lists again. */
export async function queryNode(app: App, arg?: unknown): Promise<StudyFilter | undefined> {
  const direct = arg && typeof arg === 'object' && 'filter' in arg ? arg as QueryNodeArgs : undefined;
  const node = await pickNode(app, direct ? direct.node : arg, { title: 'Query' });
  if (!node) return undefined;
  const current = app.currentFilter(node);
  let filter: StudyFilter | undefined = direct?.filter;
  if (!filter) {
    const title = `Query ${node.name} — now: ${describeFilter(current)}`;
    type Step = { set?: StudyFilter; ask?: 'range' | 'patientId' | 'patientName' | 'modality' | 'accessionNumber'; reset?: boolean };
    const step = await choose<Step>(title, [
      { label: '$(calendar) Any date', value: { set: { ...current, studyDate: 'any' } } },
      { label: '$(calendar) Today', value: { set: { ...current, studyDate: 'today' } } },
      { label: '$(calendar) Last 7 days', value: { set: { ...current, studyDate: 'last7days' } } },
      { label: '$(calendar) Last 30 days', value: { set: { ...current, studyDate: 'last30days' } } },
      { label: '$(calendar) Date or range…', description: 'e.g. 20240101-20240131', value: { ask: 'range' } },
      { label: '$(person) Patient ID…', description: current.patientId ?? '', value: { ask: 'patientId' } },
      { label: '$(person) Patient name…', description: current.patientName ?? '', value: { ask: 'patientName' } },
      { label: '$(symbol-misc) Modality…', description: current.modality ?? '', value: { ask: 'modality' } },
      { label: '$(symbol-number) Accession number…', description: current.accessionNumber ?? '', value: { ask: 'accessionNumber' } },
      { label: '$(discard) Back to the node\'s default', description: describeFilter(node.studyFilter), value: { reset: true } },
    ], 'List the studies of…');
    if (!step) return undefined;
    if (step.reset) filter = node.studyFilter;
    else if (step.set) filter = step.set;
    else if (step.ask === 'range') {
      const v = await ask({ title, prompt: 'Study date or range (YYYYMMDD, YYYYMMDD-YYYYMMDD, YYYYMMDD-, -YYYYMMDD)', value: dicomDate(new Date()), validate: studyDateProblem });
      if (v === undefined) return undefined;
      filter = { ...current, studyDate: v };
    } else if (step.ask) {
      const key = step.ask;
      const prompts = { patientId: 'Patient ID (wildcards * ?; empty: any)', patientName: 'Patient name, e.g. DOE^J* (empty: any)', modality: 'Modality, e.g. CT (empty: any)', accessionNumber: 'Accession number (empty: any)' };
      const v = await ask({ title, prompt: prompts[key], value: current[key] ?? '', optional: true });
      if (v === undefined) return undefined;
      filter = { ...current, [key]: v || undefined };
    }
  }
  if (!filter) return undefined;
  await app.state.setFilterOverride(node.name, filter);
  app.log.info(`${node.name} lists studies of ${describeFilter(filter)}`);
  const root = app.tree.rootOf(node.name);
  app.tree.refresh(root);
  if (root) await app.revealNode(root);
  return filter;
}

export function refresh(app: App, arg?: unknown): void {
  if (isNodeElement(arg)) {
    app.tree.refresh(app.tree.rootOf(arg.node.name) ?? arg);
  } else {
    app.tree.refresh();
  }
}

export interface FindArgs {
  node: string;
  model?: QueryModel;
  level?: QueryLevel;
  /** "Key=value" pairs. */
  keys?: string[];
  /** Show the answer in the query results panel (default true); false only returns it. */
  show?: boolean;
}

function splitKeys(line: string): string[] {
  // "PatientName=DOE^J* StudyDate=20240101-" → pairs; a value may be quoted to hold spaces.
  const out: string[] = [];
  const re = /(\S+?=)(?:"([^"]*)"|(\S*))|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[4] ?? `${m[1]}${m[2] ?? m[3] ?? ''}`);
  return out;
}

async function runTable(app: App, node: AnyNode, what: string, run: (signal: AbortSignal) => Promise<QueryTable>): Promise<QueryTable | undefined> {
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${what} on ${node.name}`, cancellable: true }, (_p, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return run(controller.signal);
    });
  } catch (error) {
    const reason = app.engine().describeError(error, app.where(node));
    void notify('error', `${what} on ${node.name} failed: ${sentence(reason)}`, 'Show Log').then((c) => { if (c) app.log.show(); });
    return undefined;
  }
}

export async function find(app: App, arg?: unknown): Promise<QueryTable | undefined> {
  const direct = arg && typeof arg === 'object' && 'node' in arg && !isNodeElement(arg) ? arg as FindArgs : undefined;
  const node = await pickNode(app, direct ? direct.node : arg, { title: 'Find', kinds: ['dimse', 'local', 'dicomweb'] });
  if (!node) return undefined;
  if (!app.requireTrust('Find')) return undefined;
  const level = direct?.level ?? await choose<QueryLevel>('Find', [
    { label: 'Study', description: 'studies (study root)', value: 'STUDY' },
    { label: 'Series', description: 'series of a study: give StudyInstanceUID=…', value: 'SERIES' },
    { label: 'Image', description: 'instances of a series: give StudyInstanceUID and SeriesInstanceUID', value: 'IMAGE' },
    ...(isDimse(node) ? [{ label: 'Patient', description: 'patients (patient root)', value: 'PATIENT' as QueryLevel }] : []),
  ], 'Query level');
  if (!level) return undefined;
  const model: QueryModel = direct?.model ?? (level === 'PATIENT' ? 'patient' : 'study');
  const engine = app.engine();
  let keys = direct?.keys;
  if (!keys) {
    const line = await askWithHistory(`Find ${level.toLowerCase()} on ${node.name}`, 'Keys: PatientName=DOE* StudyDate=20240101- ModalitiesInStudy=CT (empty value = return key)', app.state.findHistory());
    if (line === undefined) return undefined;
    keys = splitKeys(line);
    const problem = engine.keysProblem(keys, model, level);
    if (problem) {
      void notify('error', `Find: ${sentence(problem)}`);
      return undefined;
    }
    if (line.trim()) await app.state.rememberFind(line.trim());
  }
  const queryKeys = keys;
  const show = direct?.show !== false;
  const title = `${levelTitle(level)} on ${node.name}${queryKeys.some((k) => /=./.test(k)) ? `: ${queryKeys.filter((k) => /=./.test(k)).join(' ')}` : ''}`;
  if (node.kind === 'dicomweb') {
    const web = await app.webTarget(node);
    if (show) return queryIntoPanel(app, node, `${title} (QIDO-RS)`, level, (signal) => engine.qidoFind(web, level, queryKeys, app.log, signal));
    return runTable(app, node, `QIDO-RS ${level}`, (signal) => engine.qidoFind(web, level, queryKeys, app.log, signal));
  }
  const target = await app.target(node).catch(() => undefined);
  if (!target) {
    void notify('error', `Find: ${node.name} cannot be queried now (is the local SCP running?).`);
    return undefined;
  }
  if (show) return queryIntoPanel(app, node, title, level, (signal, onMatch) => engine.find(target, model, level, queryKeys, app.log, signal, onMatch));
  return runTable(app, node, `C-FIND ${level}`, (signal) => engine.find(target, model, level, queryKeys, app.log, signal));
}

function levelTitle(level: QueryLevel): string {
  return { PATIENT: 'Patients', STUDY: 'Studies', SERIES: 'Series', IMAGE: 'Instances' }[level];
}

export interface WorklistArgs {
  node: string;
  modality?: string;
  station?: string;
  /** A DICOM date or range; "" = any. */
  date?: string;
  show?: boolean;
}

export async function worklist(app: App, arg?: unknown): Promise<QueryTable | undefined> {
  const direct = arg && typeof arg === 'object' && 'node' in arg && !isNodeElement(arg) ? arg as WorklistArgs : undefined;
  const node = await pickNode(app, direct ? direct.node : arg, { title: 'Worklist', kinds: ['dimse', 'local'] });
  if (!node || !isDimse(node)) return undefined;
  if (!app.requireTrust('Worklist')) return undefined;
  const title = `Worklist of ${node.name}`;
  const modality = direct?.modality ?? await choose(title, [
    { label: 'Any modality', value: '' },
    ...['CT', 'MR', 'US', 'CR', 'DX', 'MG', 'NM', 'PT', 'XA', 'RF', 'OT'].map((m) => ({ label: m, value: m })),
  ], 'Modality');
  if (modality === undefined) return undefined;
  const station = direct?.station ?? await ask({ title, prompt: 'Scheduled station AE title (empty: any)', optional: true });
  if (station === undefined) return undefined;
  const today = dicomDate(new Date());
  const date = direct?.date ?? await choose(title, [
    { label: 'Today', description: today, value: today },
    { label: 'Any date', value: '' },
    { label: 'Date or range…', value: '?' },
  ], 'Scheduled date');
  if (date === undefined) return undefined;
  let when = date;
  if (date === '?') {
    const v = await ask({ title, prompt: 'Scheduled date or range (YYYYMMDD or YYYYMMDD-YYYYMMDD)', value: today, validate: studyDateProblem });
    if (v === undefined) return undefined;
    when = v;
  }
  const keys = [
    ...(modality ? [`Modality=${modality}`] : []),
    ...(station ? [`ScheduledStationAETitle=${station}`] : []),
    ...(when ? [`ScheduledProcedureStepStartDate=${when}`] : []),
  ];
  const engine = app.engine();
  const target = await app.target(node).catch(() => undefined);
  if (!target) {
    void notify('error', `Worklist: ${node.name} cannot be queried now (is the local SCP running?).`);
    return undefined;
  }
  if (direct?.show !== false) {
    return queryIntoPanel(app, node, `Worklist of ${node.name}${keys.length ? `: ${keys.join(' ')}` : ''}`, 'WORKLIST',
      (signal, onMatch) => engine.worklist(target, keys, app.log, signal, onMatch));
  }
  return runTable(app, node, 'Worklist C-FIND', (signal) => engine.worklist(target, keys, app.log, signal));
}
