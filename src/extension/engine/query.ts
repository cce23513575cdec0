// C-FIND for the Nodes view (studies, series, instances of a node) and for Find… / Worklist…
// (any level and keys, answered as a table and as DICOM JSON).
import { ClientAssociation } from '../../ae';
import { findContexts } from '../../ae';
import { cellText, columnsOf } from '../../ae';
import { Dataset } from '../../dicom';
import { datasetToJson } from '../../dicom';
import { sopClassName } from '../../dicom';
import { buildIdentifier } from '../../services';
import { QueryModelName } from '../../services';
import { withAssociation } from './association';
import {
  DimseTarget, EngineLog, InstanceSummary, QueryLevel, QueryModel, QueryTable, SeriesSummary, StudySummary,
} from './types';

/** More matches than this end the query with C-CANCEL (a tree of 10,000 studies helps nobody). */
export const DEFAULT_MATCH_LIMIT = 1000;

interface Collected {
  matches: Dataset[];
  /** The limit was reached and the rest cancelled. */
  truncated: boolean;
  /** The peer ended with a warning status. */
  warning: boolean;
  /** Cancelled by the person (not by the limit). */
  cancelled: boolean;
}

/** Called with each pending match as it arrives (DICOM JSON), e.g. to fill a results panel. */
export type OnMatch = (match: Record<string, unknown>) => void;

async function collect(client: ClientAssociation, identifier: Dataset, model: QueryModelName, limit: number, signal?: AbortSignal, onMatch?: OnMatch): Promise<Collected> {
  const iterator = client.find(identifier, { model, signal, limit });
  const matches: Dataset[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      const summary = next.value;
      return { matches, truncated: summary.limitReached, warning: summary.warning, cancelled: summary.cancelled && !summary.limitReached };
    }
    matches.push(next.value);
    onMatch?.(datasetToJson(next.value) as Record<string, unknown>);
  }
}

function text(ds: Dataset, keyword: string): string {
  try {
    return cellText(ds, keyword).trim();
  } catch {
    return '';
  }
}

function integer(ds: Dataset, keyword: string): number | undefined {
  const t = text(ds, keyword);
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

export function studySummary(ds: Dataset): StudySummary {
  return {
    studyInstanceUid: text(ds, 'StudyInstanceUID'),
    patientName: text(ds, 'PatientName'),
    patientId: text(ds, 'PatientID'),
    studyDate: text(ds, 'StudyDate'),
    studyTime: text(ds, 'StudyTime'),
    accessionNumber: text(ds, 'AccessionNumber'),
    modalities: text(ds, 'ModalitiesInStudy').split('\\').map((m) => m.trim()).filter(Boolean),
    description: text(ds, 'StudyDescription'),
    numberOfSeries: integer(ds, 'NumberOfStudyRelatedSeries'),
    numberOfInstances: integer(ds, 'NumberOfStudyRelatedInstances'),
  };
}

export function seriesSummary(ds: Dataset, studyInstanceUid: string): SeriesSummary {
  return {
    studyInstanceUid: text(ds, 'StudyInstanceUID') || studyInstanceUid,
    seriesInstanceUid: text(ds, 'SeriesInstanceUID'),
    modality: text(ds, 'Modality'),
    seriesNumber: integer(ds, 'SeriesNumber'),
    description: text(ds, 'SeriesDescription'),
    numberOfInstances: integer(ds, 'NumberOfSeriesRelatedInstances'),
  };
}

export function instanceSummary(ds: Dataset, studyInstanceUid: string, seriesInstanceUid: string): InstanceSummary {
  const sopClassUid = text(ds, 'SOPClassUID');
  return {
    studyInstanceUid: text(ds, 'StudyInstanceUID') || studyInstanceUid,
    seriesInstanceUid: text(ds, 'SeriesInstanceUID') || seriesInstanceUid,
    sopInstanceUid: text(ds, 'SOPInstanceUID'),
    sopClassUid,
    sopClassName: sopClassName(sopClassUid),
    instanceNumber: integer(ds, 'InstanceNumber'),
  };
}

function byNumber<T>(number: (t: T) => number | undefined, tie: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (number(a) ?? Number.MAX_SAFE_INTEGER) - (number(b) ?? Number.MAX_SAFE_INTEGER) || tie(a).localeCompare(tie(b));
}

export interface Listing<T> {
  items: T[];
  truncated: boolean;
}

async function runQuery(target: DimseTarget, model: QueryModelName, level: QueryLevel | 'WORKLIST', keys: readonly string[], log: EngineLog,
  signal?: AbortSignal, limit = DEFAULT_MATCH_LIMIT, onMatch?: OnMatch): Promise<{ identifier: Dataset } & Collected> {
  const identifier = buildIdentifier(keys, model === 'worklist' ? { model } : { model, level: level as QueryLevel });
  const what = model === 'worklist' ? 'worklist C-FIND' : `C-FIND ${level}`;
  return withAssociation(target, findContexts(model), log, { purpose: what, signal }, async (client) => {
    const started = Date.now();
    const result = await collect(client, identifier, model, limit, signal, onMatch);
    const shown = keys.filter((k) => /=./.test(k)).join(' ') || 'no filter';
    log.info(`${what} on ${target.calledAeTitle} (${shown}): ${result.matches.length} match${result.matches.length === 1 ? '' : 'es'}`
      + `${result.truncated ? ` (limit reached, the rest cancelled)` : ''}${result.cancelled ? ' (cancelled)' : ''} in ${Date.now() - started} ms`);
    return { identifier, ...result };
  });
}

/** Studies matching `keys` ("StudyDate=20240101-", …), newest first. */
export async function queryStudies(target: DimseTarget, keys: readonly string[], log: EngineLog, signal?: AbortSignal, limit?: number): Promise<Listing<StudySummary>> {
  const r = await runQuery(target, 'study', 'STUDY', keys, log, signal, limit);
  const items = r.matches.map(studySummary).filter((s) => s.studyInstanceUid !== '');
  items.sort((a, b) => `${b.studyDate}${b.studyTime}`.localeCompare(`${a.studyDate}${a.studyTime}`) || a.patientName.localeCompare(b.patientName));
  return { items, truncated: r.truncated };
}

export async function querySeries(target: DimseTarget, studyInstanceUid: string, log: EngineLog, signal?: AbortSignal): Promise<Listing<SeriesSummary>> {
  const r = await runQuery(target, 'study', 'SERIES', [`StudyInstanceUID=${studyInstanceUid}`], log, signal);
  const items = r.matches.map((ds) => seriesSummary(ds, studyInstanceUid)).filter((s) => s.seriesInstanceUid !== '');
  items.sort(byNumber((s) => s.seriesNumber, (s) => s.seriesInstanceUid));
  return { items, truncated: r.truncated };
}

export async function queryInstances(target: DimseTarget, studyInstanceUid: string, seriesInstanceUid: string, log: EngineLog, signal?: AbortSignal): Promise<Listing<InstanceSummary>> {
  const r = await runQuery(target, 'study', 'IMAGE', [`StudyInstanceUID=${studyInstanceUid}`, `SeriesInstanceUID=${seriesInstanceUid}`], log, signal);
  const items = r.matches.map((ds) => instanceSummary(ds, studyInstanceUid, seriesInstanceUid)).filter((s) => s.sopInstanceUid !== '');
  items.sort(byNumber((s) => s.instanceNumber, (s) => s.sopInstanceUid));
  return { items, truncated: r.truncated };
}

function table(identifier: Dataset, c: Collected): QueryTable {
  const columns = columnsOf(identifier);
  return {
    columns,
    rows: c.matches.map((ds) => columns.map((col) => text(ds, col))),
    json: c.matches.map((ds) => datasetToJson(ds)),
    warning: c.truncated || c.warning,
    cancelled: c.cancelled,
  };
}

/** Find…: any model, level and keys ("Key=value", empty value = return key; default return keys added). */
export async function find(target: DimseTarget, model: QueryModel, level: QueryLevel, keys: readonly string[], log: EngineLog, signal?: AbortSignal,
  onMatch?: OnMatch): Promise<QueryTable> {
  const r = await runQuery(target, model, level, keys, log, signal, DEFAULT_MATCH_LIMIT, onMatch);
  return table(r.identifier, r);
}

/** Worklist…: Modality Worklist C-FIND (Scheduled Procedure Step keys may be given at top level). */
export async function worklist(target: DimseTarget, keys: readonly string[], log: EngineLog, signal?: AbortSignal, onMatch?: OnMatch): Promise<QueryTable> {
  const r = await runQuery(target, 'worklist', 'WORKLIST', keys, log, signal, DEFAULT_MATCH_LIMIT, onMatch);
  return table(r.identifier, r);
}

/** Checks keys before anything is sent; returns the problem as a sentence, or undefined. */
export function keysProblem(keys: readonly string[], model: QueryModel | 'worklist', level: QueryLevel = 'STUDY'): string | undefined {
  try {
    buildIdentifier(keys, model === 'worklist' ? { model } : { model, level });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
