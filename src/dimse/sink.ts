// Where the bytes of a received data set go while they arrive.

/**
 * A consumer of one message's data set fragments. `write` may return a promise to slow the
 * peer down (the association stops reading until it settles). A sink that fails keeps accepting
 * writes (discarding them) and reports its failure from `end`, so the protocol can still answer
 * with a failure status.
 *
 * Fragments are views of the received bytes, not copies: each stays valid only until the sink's
 * `release()` is next called, or `end()` returns. Whatever a sink still needs then (bytes queued
 * for an asynchronous write included) it must have copied.
 */
export interface DatasetSink {
  write(fragment: Buffer): void | Promise<void>;
  /** The fragments written so far are about to be overwritten (the next socket read reuses their buffer). */
  release(): void;
  end(): void | Promise<void>;
  /** The association ended before the last fragment: discard everything. */
  abort(error: Error): void;
}

/**
 * A data set to send: bytes already in memory, a stream of chunks, or a function giving a
 * stream whose chunks are multiples of the fragment size (so nothing is copied to realign them).
 */
export type DatasetSource = Buffer | AsyncIterable<Buffer> | ((fragmentSize: number) => AsyncIterable<Buffer>);
