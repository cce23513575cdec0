// What the storage SCP (and the C-GET SCU, which receives C-STOREs too) needs from whatever keeps
// the instances: the archive implements this; services never touch files themselves.

export interface IncomingInstance {
  /** From the C-STORE-RQ command. */
  sopClassUid: string;
  sopInstanceUid: string;
  /** The transfer syntax of the accepted presentation context: the data set arrives in it. */
  transferSyntaxUid: string;
  callingAeTitle: string;
  calledAeTitle: string;
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
  /**
   * What the instance arrives on (the association), when more may follow on it: the backend may
   * prepare the next one's storage ahead of time, until told `sessionEnded`.
   */
  session?: object;
}

export interface StoreOutcome {
  /** DIMSE status for the C-STORE-RSP. */
  status: number;
  /** Error Comment (0000,0902) for failures, at most 64 characters on the wire. */
  comment?: string;
  /**
   * Bookkeeping that need not delay the answer (the archive's index, its log line). Whoever
   * answers calls it once, right after handing the response to the association, in the same turn
   * of the event loop: a request the peer sends after reading the response is handled after it.
   * It never throws.
   */
  afterResponse?: () => void;
}

/** One instance being received: fragments in order, then commit (or abort). */
export interface StoreTransaction {
  /**
   * May return a promise to slow the sender down while the disk catches up. Without `release`,
   * each fragment is the transaction's to keep; with it, a fragment is a view of the received
   * bytes valid only until `release()` is next called or `commit()` is called.
   */
  write(fragment: Buffer): void | Promise<void>;
  /**
   * Optional: take fragments as views (no copy). Called when the buffer they are views of is
   * about to be reused: finish with them (write them out) or copy them now.
   */
  release?(): void;
  /** The last fragment arrived: validate, put in place, and say what to answer. Never rejects. */
  commit(): Promise<StoreOutcome>;
  /** The association (or request) ended first: remove everything written; resolves once it is gone. */
  abort(reason: Error): void | Promise<void>;
}

export interface StoreBackend {
  begin(incoming: IncomingInstance): StoreTransaction;
  /** No more instances come on this session: drop what was prepared for it (resolves once done). */
  sessionEnded?(session: object): void | Promise<void>;
}
