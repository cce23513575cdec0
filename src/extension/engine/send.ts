// Send via C-STORE: files and folders (recursively) to a DIMSE node, with per-file progress.
import { collectStoreInputs } from '../../ae';
import { storeFileList } from '../../ae';
import { describeStoreResult } from '../../services';
import { connectionOptionsOf, describePeer } from '../../ae';
import { tracePdus } from '../../ae';
import { traceSinkOf, tracePrefix } from './association';
import { isCancellation } from './errors';
import { markAssociation, recordedApplicationEntity, recordIdOf } from './recorder';
import { DimseTarget, EngineLog, SendOutcome, SendProgress } from './types';

export interface SendOptions {
  onProgress: (progress: SendProgress) => void;
  signal?: AbortSignal;
}

export async function send(target: DimseTarget, paths: readonly string[], log: EngineLog, options: SendOptions): Promise<SendOutcome> {
  const collected = await collectStoreInputs(paths);
  for (const s of collected.skipped) log.warn(`C-STORE: skipped ${s.path}: ${s.reason}`);
  const outcome: SendOutcome = {
    total: collected.files.length, sent: 0, warning: 0, failed: [], skipped: collected.skipped, cancelled: false, bytes: 0, sentFiles: [],
  };
  if (collected.files.length === 0) return outcome;
  const ae = recordedApplicationEntity(target);
  const sink = traceSinkOf(log);
  const started = Date.now();
  let done = 0;
  options.onProgress({ done, total: outcome.total, failed: 0 });
  try {
    await storeFileList(ae, collected.files, {
      ...connectionOptionsOf(target, options.signal),
      onAssociation: (association) => {
        outcome.associationId = recordIdOf(association);
        if (sink) tracePdus(association, sink, tracePrefix(target));
        log.info(`association ${describePeer(target)} for C-STORE: accepted`);
      },
      onResult: (r) => {
        done++;
        outcome.bytes += r.bytes;
        if (r.outcome === 'success' || r.outcome === 'warning') {
          outcome.sent++;
          outcome.sentFiles.push(r.path);
          if (r.outcome === 'warning') outcome.warning++;
        } else outcome.failed.push({ path: r.path, reason: describeStoreResult(r) });
        log.debug(`C-STORE ${r.path} to ${target.calledAeTitle}: ${describeStoreResult(r)}`);
        options.onProgress({ done, total: outcome.total, failed: outcome.failed.length, path: r.path });
      },
    });
  } catch (error) {
    if (!isCancellation(error) || !options.signal?.aborted) throw markAssociation(error, outcome.associationId);
  }
  outcome.cancelled = options.signal?.aborted === true && done < outcome.total;
  log.info(`C-STORE to ${target.calledAeTitle}@${target.host}:${target.port}: ${outcome.sent} of ${outcome.total} sent, ${outcome.failed.length} failed`
    + `${outcome.skipped.length ? `, ${outcome.skipped.length} skipped` : ''}${outcome.cancelled ? ', cancelled' : ''} in ${Date.now() - started} ms`);
  return outcome;
}
