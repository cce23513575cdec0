// C-FIND with a match limit: at the limit the SCU sends C-CANCEL, drops what the peer still sends
// and ends with the peer's final response, so the association stays usable.
import { Dataset } from '../dicom';
import { ServiceAssociation } from '../services';
import { FindOptions, FindSummary, findScu } from '../services';

export interface LimitedFindOptions extends FindOptions {
  /** Stop after this many matches (C-CANCEL); default: all the peer sends. */
  limit?: number;
}

export interface LimitedFindSummary extends FindSummary {
  /** The limit was reached and C-CANCEL sent (the final status then says Cancel, or what the peer had sent already). */
  limitReached: boolean;
}

export async function* limitedFind(sa: ServiceAssociation, identifier: Dataset, options: LimitedFindOptions): AsyncGenerator<Dataset, LimitedFindSummary> {
  const { limit, signal, ...rest } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) throw new RangeError(`a C-FIND limit is a whole number above 0, not ${limit}`);
  // Without a limit the caller's signal cancels findScu directly: no controller and listeners to
  // set up (Node's AbortController and EventTarget, ~1 ms of a dicomnet find's start cold).
  if (limit === undefined) return { ...(yield* findScu(sa, identifier, { ...rest, signal })), limitReached: false };
  // The caller's signal and the limit both cancel through one controller.
  const stop = new AbortController();
  const forward = () => stop.abort();
  signal?.addEventListener('abort', forward, { once: true });
  if (signal?.aborted) stop.abort();
  const iterator = findScu(sa, identifier, { ...rest, signal: stop.signal });
  let matches = 0;
  let limitReached = false;
  let done = false;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        return { ...next.value, limitReached };
      }
      matches++;
      if (limit !== undefined && matches >= limit && !limitReached) {
        // Cancel as soon as the last wanted match is here; the responses that follow are drained.
        limitReached = true;
        stop.abort();
      }
      yield next.value;
    }
  } finally {
    signal?.removeEventListener('abort', forward);
    // Left early by the caller (or failed): findScu cancels and reads the rest of the answer.
    if (!done) await iterator.return(undefined as never);
  }
}
