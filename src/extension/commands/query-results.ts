// Find…, Worklist… and QIDO-RS answers in the query results panel: matches stream in as the peer
// sends them (Cancel in the panel sends C-CANCEL), and the panel's Retrieve and Open run the same
// retrievals as the Nodes view.
import vscode = require('vscode');
import type { NodeBackend } from '../backends';
import type { NodeDirectory } from '../backends';
import { loadEngine } from '../engine-loader';
import type { OnMatch } from '../engine';
import type { QueryTable } from '../engine';
import { formatDicomDate } from '../tree';
import { notify, sentence } from '../ui';
import type { QueryRowsRequest } from '../webviews';
import type { QueryLevelName } from '../../shared';
import { rawText, type DicomJsonObject, type RowScope } from '../webviews';
import type { CommandDeps } from './deps';
import { openScope, runRetrieval, type RetrieveDeps, type RetrieveResult } from './retrieve';

/** What a results panel remembers about where its rows came from (given back to retrieve/open). */
export interface ResultsSource {
  node: string;
}

/** More rows than this in one Open would open as many editors: ask for a smaller selection. */
const MAX_OPEN = 10;

function plural(n: number, word: string, words = `${word}es`): string {
  return `${n} ${n === 1 ? word : words}`;
}

/** The sentence under the table when the query ended. */
function endMessage(table: QueryTable, seconds: number): string {
  const took = `in ${seconds.toFixed(1)} s`;
  if (table.cancelled) return `${plural(table.rows.length, 'match')} received before the query was cancelled (C-CANCEL).`;
  if (table.warning && table.rows.length >= 1000) return `${plural(table.rows.length, 'match')} ${took}: the limit was reached and the rest cancelled.`;
  if (table.warning) return `${plural(table.rows.length, 'match')} ${took}; the peer ended with a warning status.`;
  return `${plural(table.rows.length, 'match')} ${took}.`;
}

/**
 * Opens a results panel titled `title` and fills it from `run`, which gets the panel's signal
 * (Cancel, or closing the panel, aborts it) and a callback for each match as it arrives. Returns
 * the whole answer, or undefined when the query failed (the panel says why).
 */
export async function queryIntoPanel(deps: Pick<CommandDeps, 'webviews' | 'log'>, backend: NodeBackend, title: string, level: QueryLevelName,
  run: (signal: AbortSignal, onMatch: OnMatch) => Promise<QueryTable>): Promise<QueryTable | undefined> {
  const panel = deps.webviews.showQueryResults({ title, level, source: { node: backend.node.name } satisfies ResultsSource });
  const started = Date.now();
  let streamed = 0;
  try {
    const table = await run(panel.signal, (m) => {
      streamed++;
      panel.addMatches([m as DicomJsonObject]);
    });
    // QIDO-RS answers in one response: its matches arrive here, not through onMatch.
    if (streamed === 0 && table.json.length > 0) panel.addMatches(table.json as DicomJsonObject[]);
    panel.finish(table.cancelled ? 'cancelled' : 'done', endMessage(table, (Date.now() - started) / 1000));
    return table;
  } catch (error) {
    if (loadEngine().errorCode(error) === 'cancelled' || panel.signal.aborted) {
      panel.finish('cancelled', 'The query was cancelled.');
      return undefined;
    }
    const reason = sentence(backend.describeError(error));
    deps.log.warn(`${title} failed: ${reason}`);
    panel.finish('failed', reason, loadEngine().associationIdOf(error));
    return undefined;
  }
}

function sourceNode(nodes: NodeDirectory, request: QueryRowsRequest): NodeBackend {
  const name = (request.source as ResultsSource | undefined)?.node;
  const backend = name !== undefined ? nodes.named(name) : undefined;
  if (!backend) throw new Error(`the node ${name ?? '(unknown)'} is no longer in the settings`);
  return backend;
}

/** What notifications call a row: the patient and study date, like the Nodes view. */
export function rowLabel(match: DicomJsonObject, scope: RowScope): string {
  const patient = rawText(match, '00100010') || rawText(match, '00100020');
  const date = rawText(match, '00080020');
  const study = patient ? `${patient}${date ? ` (${formatDicomDate(date)})` : ''}` : `study ${scope.studyInstanceUid}`;
  if (scope.sopInstanceUid) {
    const n = rawText(match, '00200013');
    return `instance ${n || scope.sopInstanceUid} of ${study}`;
  }
  if (scope.seriesInstanceUid) {
    const n = rawText(match, '00200011');
    const modality = rawText(match, '00080060');
    return `series ${n || scope.seriesInstanceUid}${modality ? ` (${modality})` : ''} of ${study}`;
  }
  return study;
}

function expectedOf(match: DicomJsonObject, scope: RowScope): number | undefined {
  const key = scope.sopInstanceUid ? undefined : scope.seriesInstanceUid ? '00201209' : '00201208';
  if (!key) return 1;
  const n = Number(rawText(match, key));
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Rows that name something to retrieve (a study UID at least), without repeats. */
function retrievableRows(request: QueryRowsRequest): { scope: RowScope; match: DicomJsonObject }[] {
  const seen = new Set<string>();
  const out: { scope: RowScope; match: DicomJsonObject }[] = [];
  request.rows.forEach((scope, i) => {
    if (!scope.studyInstanceUid) return;
    const key = [scope.studyInstanceUid, scope.seriesInstanceUid ?? '', scope.sopInstanceUid ?? ''].join('/');
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ scope, match: request.matches[i] ?? {} });
  });
  return out;
}

/** The panel's Retrieve: each selected row into the storage folder, one after the other, with the node's usual method. */
export async function retrieveRows(deps: RetrieveDeps, request: QueryRowsRequest): Promise<RetrieveResult[]> {
  const backend = sourceNode(deps.nodes, request);
  const rows = retrievableRows(request);
  if (rows.length === 0) {
    void notify('warning', 'The selected rows name no study to retrieve (their Study Instance UID is empty).');
    return [];
  }
  const method = backend.retrieveChoices()[0]?.value;
  if (backend.inStorageFolder || !method) {
    void notify('info', `${plural(rows.length, 'row', 'rows')} of the local archive: already in ${vscode.workspace.asRelativePath(deps.scp.effective().folder)}.`);
    return [];
  }
  const results: RetrieveResult[] = [];
  for (const { scope, match } of rows) {
    const result = await runRetrieval(deps, backend, scope, method, rowLabel(match, scope), expectedOf(match, scope));
    results.push(result);
    if (result.cancelled) break;
  }
  return results;
}

/** The panel's Open: retrieves what is missing, then shows each row's instance (or first file) in the dataset viewer. */
export async function openRows(deps: RetrieveDeps, request: QueryRowsRequest): Promise<string[]> {
  const backend = sourceNode(deps.nodes, request);
  const rows = retrievableRows(request);
  if (rows.length > MAX_OPEN) {
    void notify('warning', `Open shows at most ${MAX_OPEN} rows at once; ${rows.length} are selected.`);
    return [];
  }
  const opened: string[] = [];
  for (const { scope, match } of rows) {
    const file = await openScope(deps, backend, scope, rowLabel(match, scope), expectedOf(match, scope));
    if (file) opened.push(file);
  }
  return opened;
}
