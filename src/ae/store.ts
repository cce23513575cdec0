// Sending a batch of files: headers read up front, contexts planned per batch, as many
// associations as the 128-context limit requires, per-file results as they come.
import { Association } from '../net';
import { StoreFile, StoreResult, groupForAssociations, proposeStorageContexts, storeFiles } from '../services';
import { ConversionPolicy } from '../services';
import { ApplicationEntity, AssociateOptions } from './client';
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
  for (const group of groupForAssociations(files)) {
    if (options.signal?.aborted) break;
    const client = await ae.associate({ ...options, contexts: proposeStorageContexts(group, options.conversion?.allowLossy) }, options.onAssociation);
    try {
      results.push(...await storeFiles(client, group, (r) => options.onResult?.(r), {
        signal: options.signal, moveOriginatorAeTitle: options.moveOriginatorAeTitle, moveOriginatorMessageId: options.moveOriginatorMessageId,
        conversion: options.conversion,
      }));
    } finally {
      await client.releaseOrAbort();
    }
  }
  return results;
}
