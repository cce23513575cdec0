// Retrieving a study, series or instance into the local archive folder: C-MOVE to the local SCP,
// or C-GET over the same association. Progress as sub-operation counts; cancelling sends C-CANCEL.
import { ClientAssociation } from '../../ae';
import { findContexts, getContexts, moveContexts, sopClassesToGet } from '../../ae';
import { FileStore } from '../../archive';
import { formatStatus, statusClass } from '../../dimse';
import { buildIdentifier, QueryLevelName } from '../../services';
import { QueryFailedError } from '../../services';
import { RetrieveProgress, RetrieveSummary } from '../../services';
import { openAssociation, closeAssociation, withAssociation } from './association';
import { MOVE_DESTINATION_UNKNOWN, MoveDestinationUnknownError } from './errors';
import { LocalScp } from './local-scp';
import { markAssociation, recordIdOf } from './recorder';
import { DimseTarget, EngineLog, RetrieveCounts, RetrieveOutcome, RetrieveScope, StoredNotice } from './types';

export function scopeLevel(scope: RetrieveScope): QueryLevelName {
  return scope.sopInstanceUid ? 'IMAGE' : scope.seriesInstanceUid ? 'SERIES' : 'STUDY';
}

export function scopeKeys(scope: RetrieveScope): string[] {
  const keys = [`StudyInstanceUID=${scope.studyInstanceUid}`];
  if (scope.seriesInstanceUid) keys.push(`SeriesInstanceUID=${scope.seriesInstanceUid}`);
  if (scope.sopInstanceUid) keys.push(`SOPInstanceUID=${scope.sopInstanceUid}`);
  return keys;
}

function inScope(n: StoredNotice, scope: RetrieveScope): boolean {
  return n.studyInstanceUid === scope.studyInstanceUid
    && (!scope.seriesInstanceUid || n.seriesInstanceUid === scope.seriesInstanceUid)
    && (!scope.sopInstanceUid || n.sopInstanceUid === scope.sopInstanceUid);
}

async function follow(iterator: AsyncGenerator<RetrieveProgress, RetrieveSummary>, onProgress: (c: RetrieveCounts) => void): Promise<RetrieveSummary> {
  for (;;) {
    const next = await iterator.next();
    if (next.done) return next.value;
    onProgress(next.value);
  }
}

function outcome(summary: RetrieveSummary, service: 'move' | 'get', files: string[], client: ClientAssociation): RetrieveOutcome {
  return {
    associationId: recordIdOf(client.association),
    remaining: summary.remaining,
    completed: summary.completed,
    failed: summary.failed,
    warning: summary.warning,
    cancelled: summary.cancelled,
    ok: statusClass(summary.status) === 'success',
    statusText: formatStatus(summary.status, service),
    comment: summary.comment,
    files,
  };
}

export interface RetrieveOptions {
  onProgress: (counts: RetrieveCounts) => void;
  signal?: AbortSignal;
}

/**
 * C-MOVE to `destination` (the local SCP's AE title). The local SCP must be running: the files it
 * stores for this scope while the move runs are the outcome's `files`.
 */
export async function move(target: DimseTarget, scope: RetrieveScope, scp: LocalScp, log: EngineLog, options: RetrieveOptions): Promise<RetrieveOutcome> {
  const destination = scp.settings.aeTitle;
  const identifier = buildIdentifier(scopeKeys(scope), { model: 'study', level: scopeLevel(scope), defaultKeys: false });
  const files: string[] = [];
  const unsubscribe = scp.onStored((n) => { if (inScope(n, scope)) files.push(n.path); });
  const started = Date.now();
  try {
    return await withAssociation(target, moveContexts('study'), log, { purpose: `C-MOVE to ${destination}`, signal: options.signal }, async (client) => {
      let summary: RetrieveSummary;
      try {
        summary = await follow(client.move(identifier, destination, { model: 'study', signal: options.signal }), options.onProgress);
      } catch (error) {
        if (error instanceof QueryFailedError && error.status === MOVE_DESTINATION_UNKNOWN) throw new MoveDestinationUnknownError(destination, target.name);
        throw error;
      }
      const result = outcome(summary, 'move', files, client);
      log.info(`C-MOVE ${scopeLevel(scope)} ${scope.studyInstanceUid} from ${target.calledAeTitle} to ${destination}: ${result.completed} completed, ${result.failed} failed, ${result.warning} warning${result.cancelled ? ', cancelled' : ''}: ${result.statusText} in ${Date.now() - started} ms`);
      return result;
    });
  } finally {
    unsubscribe();
  }
}

/**
 * C-GET into the local archive: through the running SCP's store (so its index learns the
 * instances at once) or, when it is stopped, straight into the folder (indexed at its next start).
 */
export async function get(target: DimseTarget, scope: RetrieveScope, folder: string, scp: LocalScp | undefined, log: EngineLog, options: RetrieveOptions): Promise<RetrieveOutcome> {
  const identifier = buildIdentifier(scopeKeys(scope), { model: 'study', level: scopeLevel(scope), defaultKeys: false });
  const files: string[] = [];
  const own = scp?.storeBackend ? undefined : new FileStore({ root: folder, keepValues: [], onStored: (i) => { files.push(i.path); } });
  const unsubscribe = own ? () => undefined : scp!.onStored((n) => { if (inScope(n, scope)) files.push(n.path); });
  const backend = own ?? scp!.storeBackend!;
  const started = Date.now();
  try {
    const sopClasses = await withAssociation(target, findContexts('study'), log, { purpose: 'C-FIND of the SOP classes to expect', signal: options.signal },
      (client) => sopClassesToGet(client, scopeKeys(scope))).catch(() => [] as string[]);
    const { contexts, roles } = sopClasses.length > 0 ? getContexts('study', sopClasses) : getContexts('study');
    const client = await openAssociation(target, contexts, log, { roles, signal: options.signal, purpose: 'C-GET' });
    const recordId = recordIdOf(client.association);
    try {
      const summary = await follow(client.get(identifier, backend, { model: 'study', signal: options.signal }), options.onProgress)
        .catch((error: unknown) => { throw markAssociation(error, recordId); });
      const result = outcome(summary, 'get', files, client);
      log.info(`C-GET ${scopeLevel(scope)} ${scope.studyInstanceUid} from ${target.calledAeTitle}: ${result.completed} completed, ${result.failed} failed, ${result.warning} warning${result.cancelled ? ', cancelled' : ''}: ${result.statusText} in ${Date.now() - started} ms`);
      return result;
    } finally {
      await closeAssociation(client, target, log);
    }
  } finally {
    unsubscribe();
    await own?.close();
  }
}
