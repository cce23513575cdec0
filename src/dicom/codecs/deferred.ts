// A place in an ordered output whose bytes are known later (a frame still in a codec worker).

export class Deferred {
  private buffers: Buffer[] | undefined;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** Settles (never rejects) when the bytes or the failure are known. */
  readonly settled: Promise<void>;

  constructor() {
    this.settled = new Promise<void>((resolve) => { this.wake = resolve; });
  }

  get isSettled(): boolean {
    return this.buffers !== undefined || this.failure !== undefined;
  }

  fill(buffers: Buffer[]): void {
    if (this.isSettled) return;
    this.buffers = buffers;
    this.wake?.();
  }

  fail(error: Error): void {
    if (this.isSettled) return;
    this.failure = error;
    this.wake?.();
  }

  /** The bytes, once settled; throws the failure. */
  take(): Buffer[] {
    if (this.failure) throw this.failure;
    if (!this.buffers) throw new Error('internal: output taken before it was known');
    return this.buffers;
  }
}

/** Output of a conversion: bytes now, or bytes later. */
export type Piece = Buffer | Deferred;
