// DICOMweb nodes: QIDO-RS for the Nodes view and the check, WADO-RS retrieval into the storage
// folder, STOW-RS for Send. One log line per request and operation.
import { collectStoreInputs } from '../../ae';
import { cellText, columnsOf } from '../../ae';
import { buildIdentifier } from '../../services';
import { datasetFromJson, DicomJsonObject } from '../../dicom';
import { DicomwebClient } from '../../dicomweb';
import { instanceSummary, Listing, seriesSummary, studySummary, DEFAULT_MATCH_LIMIT } from './query';
import { isCancellation } from './errors';
import {
  EngineLog, InstanceSummary, QueryLevel, QueryTable, RetrieveOutcome, RetrieveScope, SendOutcome, SendProgress, SeriesSummary, StudySummary,
} from './types';

/** A DICOMweb node with its secret resolved. */
export interface WebTarget {
  name: string;
  url: string;
  auth: 'none' | 'basic' | 'bearer';
  username?: string;
  /** Password (basic) or token (bearer). */
  secret?: string;
  timeoutSeconds: number;
}

function client(target: WebTarget): DicomwebClient {
  const auth = target.auth === 'bearer' && target.secret
    ? { kind: 'bearer' as const, token: target.secret }
    : target.auth === 'basic' && target.username
      ? { kind: 'basic' as const, username: target.username, password: target.secret ?? '' }
      : undefined;
  return new DicomwebClient({ baseUrl: target.url, auth, timeoutMs: target.timeoutSeconds * 1000 });
}

async function withClient<T>(target: WebTarget, fn: (c: DicomwebClient) => Promise<T>): Promise<T> {
  const c = client(target);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** "StudyDate=20240101-" pairs as QIDO-RS keys. */
function qidoKeys(keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const eq = k.indexOf('=');
    if (eq > 0) out[k.slice(0, eq)] = k.slice(eq + 1);
  }
  return out;
}

function datasets(matches: DicomJsonObject[]) {
  return matches.map((m) => datasetFromJson(m));
}

const STUDY_FIELDS = ['PatientName', 'PatientID', 'StudyDate', 'StudyTime', 'AccessionNumber', 'ModalitiesInStudy', 'StudyDescription',
  'StudyInstanceUID', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances'];
const SERIES_FIELDS = ['StudyInstanceUID', 'SeriesInstanceUID', 'Modality', 'SeriesNumber', 'SeriesDescription', 'NumberOfSeriesRelatedInstances'];
const INSTANCE_FIELDS = ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID', 'SOPClassUID', 'InstanceNumber'];

export async function qidoStudies(target: WebTarget, keys: readonly string[], log: EngineLog, signal?: AbortSignal, limit = DEFAULT_MATCH_LIMIT): Promise<Listing<StudySummary>> {
  const started = Date.now();
  const page = await withClient(target, (c) => c.search({ level: 'STUDY' }, qidoKeys(keys), { includeFields: STUDY_FIELDS, limit, signal }));
  const items = datasets(page.matches).map(studySummary).filter((s) => s.studyInstanceUid !== '');
  items.sort((a, b) => `${b.studyDate}${b.studyTime}`.localeCompare(`${a.studyDate}${a.studyTime}`) || a.patientName.localeCompare(b.patientName));
  log.info(`QIDO-RS studies on ${target.url} (${keys.join(' ') || 'no filter'}): ${items.length} match${items.length === 1 ? '' : 'es'}${page.hasMore ? ' (more on the server)' : ''} in ${Date.now() - started} ms`);
  for (const w of page.warnings) log.warn(`QIDO-RS warning from ${target.url}: ${w}`);
  return { items, truncated: page.hasMore };
}

export async function qidoSeries(target: WebTarget, studyInstanceUid: string, log: EngineLog, signal?: AbortSignal): Promise<Listing<SeriesSummary>> {
  const page = await withClient(target, (c) => c.search({ level: 'SERIES', studyInstanceUID: studyInstanceUid }, {}, { includeFields: SERIES_FIELDS, signal }));
  const items = datasets(page.matches).map((ds) => seriesSummary(ds, studyInstanceUid)).filter((s) => s.seriesInstanceUid !== '');
  items.sort((a, b) => (a.seriesNumber ?? 1e9) - (b.seriesNumber ?? 1e9) || a.seriesInstanceUid.localeCompare(b.seriesInstanceUid));
  log.info(`QIDO-RS series of ${studyInstanceUid} on ${target.url}: ${items.length}`);
  return { items, truncated: page.hasMore };
}

export async function qidoInstances(target: WebTarget, studyInstanceUid: string, seriesInstanceUid: string, log: EngineLog, signal?: AbortSignal): Promise<Listing<InstanceSummary>> {
  const page = await withClient(target, (c) => c.search({ level: 'IMAGE', studyInstanceUID: studyInstanceUid, seriesInstanceUID: seriesInstanceUid }, {},
    { includeFields: INSTANCE_FIELDS, signal }));
  const items = datasets(page.matches).map((ds) => instanceSummary(ds, studyInstanceUid, seriesInstanceUid)).filter((s) => s.sopInstanceUid !== '');
  items.sort((a, b) => (a.instanceNumber ?? 1e9) - (b.instanceNumber ?? 1e9) || a.sopInstanceUid.localeCompare(b.sopInstanceUid));
  log.info(`QIDO-RS instances of ${seriesInstanceUid} on ${target.url}: ${items.length}`);
  return { items, truncated: page.hasMore };
}

/** The "echo" of a DICOMweb node: a one-match QIDO-RS study search. */
export async function dicomwebCheck(target: WebTarget, log: EngineLog, signal?: AbortSignal): Promise<{ ok: boolean; ms: number; statusText: string }> {
  const started = Date.now();
  await withClient(target, (c) => c.search({ level: 'STUDY' }, {}, { limit: 1, includeFields: ['StudyInstanceUID'], signal }));
  const ms = Date.now() - started;
  log.info(`QIDO-RS check of ${target.url}: answered in ${ms} ms`);
  return { ok: true, ms, statusText: 'QIDO-RS answered' };
}

/** WADO-RS into `folder` as <Study>/<Series>/<SOP>.dcm; progress counts instances as they are written. */
export async function wadoRetrieve(target: WebTarget, scope: RetrieveScope, folder: string, log: EngineLog,
  options: { onProgress: (counts: { completed: number; failed: number; warning: number; remaining?: number }) => void; signal?: AbortSignal; expected?: number }): Promise<RetrieveOutcome> {
  const started = Date.now();
  const files: string[] = [];
  let failed = 0;
  const report = () => options.onProgress({
    completed: files.length, failed, warning: 0,
    remaining: options.expected !== undefined ? Math.max(0, options.expected - files.length - failed) : undefined,
  });
  try {
    const summary = await withClient(target, (c) => c.retrieve(
      { study: scope.studyInstanceUid, series: scope.seriesInstanceUid, instance: scope.sopInstanceUid },
      {
        outputDir: folder,
        signal: options.signal,
        onInstance: (i) => { files.push(i.path); report(); },
        onRejected: (r) => { failed++; log.warn(`WADO-RS from ${target.url}: part ${r.index + 1} not stored: ${r.reason}`); report(); },
      },
    ));
    log.info(`WADO-RS ${scope.studyInstanceUid}${scope.seriesInstanceUid ? `/${scope.seriesInstanceUid}` : ''} from ${target.url}: ${files.length} instances, ${summary.rejected.length} rejected, HTTP ${summary.status} in ${Date.now() - started} ms`);
    for (const w of summary.warnings) log.warn(`WADO-RS warning from ${target.url}: ${w}`);
    const partial = summary.status === 206;
    return {
      completed: files.length, failed: summary.rejected.length, warning: partial ? 1 : 0, cancelled: false,
      ok: summary.rejected.length === 0 && !partial && files.length > 0,
      statusText: `HTTP ${summary.status}${partial ? ' (partial content)' : ''}`,
      comment: summary.warnings.join('; ') || undefined,
      files,
    };
  } catch (error) {
    if (isCancellation(error) || options.signal?.aborted) {
      log.info(`WADO-RS from ${target.url}: cancelled after ${files.length} instances`);
      return { completed: files.length, failed, warning: 0, cancelled: true, ok: false, statusText: 'cancelled', files };
    }
    throw error;
  }
}

/** STOW-RS of files and folders (recursively), in batches streamed from disk. */
export async function stowSend(target: WebTarget, paths: readonly string[], log: EngineLog,
  options: { onProgress: (p: SendProgress) => void; signal?: AbortSignal }): Promise<SendOutcome> {
  const collected = await collectStoreInputs(paths);
  for (const s of collected.skipped) log.warn(`STOW-RS: skipped ${s.path}: ${s.reason}`);
  const outcome: SendOutcome = { total: collected.files.length, sent: 0, warning: 0, failed: [], skipped: collected.skipped, cancelled: false, bytes: 0, sentFiles: [] };
  if (collected.files.length === 0) return outcome;
  const started = Date.now();
  let done = 0;
  options.onProgress({ done, total: outcome.total, failed: 0 });
  try {
    await withClient(target, (c) => c.store(
      collected.files.map((f) => ({ path: f.path, sopInstanceUid: f.sopInstanceUid, sopClassUid: f.sopClassUid, fileSize: f.fileSize })),
      {
        signal: options.signal,
        onBytes: (n) => { outcome.bytes += n; },
        onBatch: (batch) => {
          for (const r of batch.files) {
            done++;
            if (r.outcome === 'failed') outcome.failed.push({ path: r.path, reason: r.message });
            else {
              outcome.sent++;
              outcome.sentFiles.push(r.path);
              if (r.outcome !== 'stored') outcome.warning++;
            }
            log.debug(`STOW-RS ${r.path} to ${target.url}: ${r.message}`);
          }
          options.onProgress({ done, total: outcome.total, failed: outcome.failed.length });
        },
      },
    ));
  } catch (error) {
    if (!(isCancellation(error) || options.signal?.aborted)) throw error;
    outcome.cancelled = true;
  }
  log.info(`STOW-RS to ${target.url}: ${outcome.sent} of ${outcome.total} stored, ${outcome.failed.length} failed${outcome.cancelled ? ', cancelled' : ''} in ${Date.now() - started} ms`);
  return outcome;
}

/** Find… on a DICOMweb node: the same identifier a C-FIND would send, as QIDO-RS parameters. */
export async function qidoFind(target: WebTarget, level: QueryLevel, keys: readonly string[], log: EngineLog, signal?: AbortSignal): Promise<QueryTable> {
  const model = level === 'PATIENT' ? 'patient' : 'study';
  if (level === 'PATIENT') throw new Error('QIDO-RS has no patient level: search studies by PatientID or PatientName instead');
  const identifier = buildIdentifier(keys, { model, level });
  const started = Date.now();
  const page = await withClient(target, (c) => c.search({ level: level === 'IMAGE' ? 'IMAGE' : level }, identifier, { limit: DEFAULT_MATCH_LIMIT, signal }));
  const columns = columnsOf(identifier);
  const matches = datasets(page.matches);
  log.info(`QIDO-RS ${level} on ${target.url} (${keys.join(' ') || 'no keys'}): ${matches.length} match${matches.length === 1 ? '' : 'es'} in ${Date.now() - started} ms`);
  return {
    columns,
    rows: matches.map((ds) => columns.map((col) => { try { return cellText(ds, col).trim(); } catch { return ''; } })),
    json: page.matches,
    warning: page.hasMore || page.warnings.length > 0,
    cancelled: false,
  };
}
