// Sending a batch of files: headers read up front, contexts planned per batch, as many
// associations as the 128-context limit requires, per-file results as they come.
import { Association } from '../net';
import { MAX_STORE_WINDOW, StoreFile, StoreResult, groupForAssociations, proposeStorageContexts, storeFiles } from '../services';
import { ConversionPolicy } from '../services';
import { ApplicationEntity } from './client';
import { AssociateOptions } from './requestor';
import { CollectedInputs, SkippedInput, collectStoreInputs } from './store-inputs';

export interface StoreBatchOptions extends Omit<AssociateOptions, 'contexts'> {
  onResult?: (result: StoreResult) => void;
  onSkipped?: (skipped: SkippedInput) => void;
  /** Called once the association of a group is open (for tracing). */
  onAssociation?: (association: Association) => void;
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
  /** How far conversions may go when the peer does not take a file's own syntax (default: lossless only). */
  conversion?: ConversionPolicy;
  /**
   * C-STOREs to keep outstanding when the peer grants it (PS3.7 D.3.3.3; default 16). Proposed
   * as the asynchronous operations window; a peer that does not answer it gets one at a time.
   * 1 proposes nothing.
   */
  storeWindow?: number;
}

export interface StoreBatchSummary {
  results: StoreResult[];
  skipped: SkippedInput[];
  bytes: number;
  ms: number;
}

/** Stores files and folders (recursively) at a peer. Network failures reject; per-file failures are results. */
export async function storeInputs(ae: ApplicationEntity, inputs: readonly string[] | CollectedInputs, options: StoreBatchOptions): Promise<StoreBatchSummary> {
  const started = process.hrtime.bigint();
  const collected = Array.isArray(inputs) ? await collectStoreInputs(inputs as string[]) : inputs as CollectedInputs;
  for (const s of collected.skipped) options.onSkipped?.(s);
  const results = await storeFileList(ae, collected.files, options);
  return {
    results,
    skipped: collected.skipped,
    bytes: results.reduce((n, r) => n + r.bytes, 0),
    ms: Number(process.hrtime.bigint() - started) / 1e6,
  };
}

export async function storeFileList(ae: ApplicationEntity, files: readonly StoreFile[], options: StoreBatchOptions): Promise<StoreResult[]> {
  const results: StoreResult[] = [];
  const window = Math.min(Math.max(1, options.storeWindow ?? MAX_STORE_WINDOW), MAX_STORE_WINDOW);
  for (const group of groupForAssociations(files)) {
    // Usually one association per group; another when a file's data failed half-way and took the association with it.
    let rest = group;
    while (rest.length > 0 && !options.signal?.aborted) {
      const client = await ae.associate({
        ...options,
        contexts: proposeStorageContexts(rest, options.conversion?.allowLossy),
        // We invoke up to `window` C-STOREs and perform none asynchronously (PS3.7 D.3.3.3).
        asyncOperationsWindow: options.asyncOperationsWindow ?? (window > 1 ? { maxOperationsInvoked: window, maxOperationsPerformed: 1 } : undefined),
      }, options.onAssociation);
      let done: StoreResult[];
      try {
        done = await storeFiles(client, rest, (r) => options.onResult?.(r), {
          signal: options.signal, moveOriginatorAeTitle: options.moveOriginatorAeTitle, moveOriginatorMessageId: options.moveOriginatorMessageId,
          conversion: options.conversion,
        });
      } finally {
        await client.releaseOrAbort();
      }
      results.push(...done);
      if (done.length === 0) break;
      rest = rest.slice(done.length);
    }
    if (options.signal?.aborted) break;
  }
  return results;
}
