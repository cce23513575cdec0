// DICOM: Query… (what a node lists), Refresh, Find… (any level and keys, with history) and
// Worklist… (modality, station, date).
import vscode = require('vscode');
import { handleShowAssociation, showAssociationActions } from '../associations';
import type { FindQuery, NodeBackend } from '../backends';
import { dicomDate, describeFilter } from '../config';
import { StudyFilter, studyDateProblem } from '../config';
import { loadEngine } from '../engine-loader';
import type { QueryLevel, QueryModel, QueryTable } from '../engine';
import { isNodeElement } from '../tree';
import { notify, sentence } from '../ui';
import { ask, askWithHistory, choose, pickNode } from './pick';
import { requireTrust } from '../ui';
import type { CommandDeps } from './deps';
import { queryIntoPanel } from './query-results';

export type QueryDeps = Pick<CommandDeps, 'nodes' | 'state' | 'log' | 'tree' | 'webviews'>;

export interface QueryNodeArgs {
  node: string;
  filter: StudyFilter;
}

/** Query…: changes the study filter the node lists with, then lists again. */
export async function queryNode(deps: Pick<CommandDeps, 'nodes' | 'state' | 'log' | 'tree'>, arg?: unknown): Promise<StudyFilter | undefined> {
  const direct = arg && typeof arg === 'object' && 'filter' in arg ? arg as QueryNodeArgs : undefined;
  const backend = await pickNode(deps, direct ? direct.node : arg, { title: 'Query' });
  if (!backend) return undefined;
  const node = backend.node;
  const current = deps.nodes.filterOf(node);
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
  await deps.state.setFilterOverride(node.name, filter);
  deps.log.info(`${node.name} lists studies of ${describeFilter(filter)}`);
  const root = deps.tree.rootOf(node.name);
  deps.tree.refresh(root);
  if (root) await deps.tree.reveal(root);
  return filter;
}

export function refresh(deps: Pick<CommandDeps, 'tree'>, arg?: unknown): void {
  if (isNodeElement(arg)) {
    deps.tree.refresh(deps.tree.rootOf(arg.node.name) ?? arg);
  } else {
    deps.tree.refresh();
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

/** Runs a query without a panel (under a cancellable notification); undefined when it failed (the notification says why). */
async function runTable(deps: Pick<CommandDeps, 'log'>, backend: NodeBackend, what: string, query: FindQuery): Promise<QueryTable | undefined> {
  const name = backend.node.name;
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${what} on ${name}`, cancellable: true }, (_p, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return backend.find(query, controller.signal);
    });
  } catch (error) {
    const reason = backend.describeError(error);
    const associationId = loadEngine().associationIdOf(error);
    void notify('error', `${what} on ${name} failed: ${sentence(reason)}`, ...showAssociationActions(associationId), 'Show Log').then((c) => {
      if (!handleShowAssociation(c, associationId) && c) deps.log.show();
    });
    return undefined;
  }
}

/** The query in a results panel (show), or as a table only. */
function answer(deps: QueryDeps, backend: NodeBackend, query: FindQuery, show: boolean, title: string, what: string): Promise<QueryTable | undefined> {
  if (!show) return runTable(deps, backend, what, query);
  return queryIntoPanel(deps, backend, title, query.model === 'worklist' ? 'WORKLIST' : query.level, (signal, onMatch) => backend.find(query, signal, onMatch));
}

export async function find(deps: QueryDeps, arg?: unknown): Promise<QueryTable | undefined> {
  const direct = arg && typeof arg === 'object' && 'node' in arg && !isNodeElement(arg) ? arg as FindArgs : undefined;
  const backend = await pickNode(deps, direct ? direct.node : arg, { title: 'Find', needs: 'find' });
  if (!backend) return undefined;
  if (!requireTrust('Find')) return undefined;
  const name = backend.node.name;
  const level = direct?.level ?? await choose<QueryLevel>('Find', [
    { label: 'Study', description: 'studies (study root)', value: 'STUDY' },
    { label: 'Series', description: 'series of a study: give StudyInstanceUID=…', value: 'SERIES' },
    { label: 'Image', description: 'instances of a series: give StudyInstanceUID and SeriesInstanceUID', value: 'IMAGE' },
    ...(backend.supports('patientLevel') ? [{ label: 'Patient', description: 'patients (patient root)', value: 'PATIENT' as QueryLevel }] : []),
  ], 'Query level');
  if (!level) return undefined;
  const model: QueryModel = direct?.model ?? (level === 'PATIENT' ? 'patient' : 'study');
  let keys = direct?.keys;
  if (!keys) {
    const line = await askWithHistory(`Find ${level.toLowerCase()} on ${name}`, 'Keys: PatientName=DOE* StudyDate=20240101- ModalitiesInStudy=CT (empty value = return key)', deps.state.findHistory());
    if (line === undefined) return undefined;
    keys = splitKeys(line);
    const problem = loadEngine().keysProblem(keys, model, level);
    if (problem) {
      void notify('error', `Find: ${sentence(problem)}`);
      return undefined;
    }
    if (line.trim()) await deps.state.rememberFind(line.trim());
  }
  if (!backend.available()) {
    void notify('error', `Find: ${name} cannot be queried now (is the local SCP running?).`);
    return undefined;
  }
  const shown = keys.filter((k) => /=./.test(k));
  const title = `${levelTitle(level)} on ${name}${shown.length ? `: ${shown.join(' ')}` : ''}${backend.resultsTitleSuffix}`;
  return answer(deps, backend, { model, level, keys }, direct?.show !== false, title, `${backend.protocols.find} ${level}`);
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

export async function worklist(deps: QueryDeps, arg?: unknown): Promise<QueryTable | undefined> {
  const direct = arg && typeof arg === 'object' && 'node' in arg && !isNodeElement(arg) ? arg as WorklistArgs : undefined;
  const backend = await pickNode(deps, direct ? direct.node : arg, { title: 'Worklist', needs: 'worklist' });
  if (!backend) return undefined;
  if (!requireTrust('Worklist')) return undefined;
  const name = backend.node.name;
  const title = `Worklist of ${name}`;
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
  if (!backend.available()) {
    void notify('error', `Worklist: ${name} cannot be queried now (is the local SCP running?).`);
    return undefined;
  }
  const query: FindQuery = { model: 'worklist', keys };
  return answer(deps, backend, query, direct?.show !== false, `Worklist of ${name}${keys.length ? `: ${keys.join(' ')}` : ''}`, 'Worklist C-FIND');
}
