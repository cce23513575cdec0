// When to rewrite the index file: a while after the last change (debounce), but no later than
// `maxDelayMs` after the first unsaved one, and never more often than the writes themselves
// allow (the delay grows with how long the last write took, so a large index being filled fast
// spends little of its time writing). One write at a time.

export interface FlushSchedulerOptions {
  delayMs: number;
  maxDelayMs: number;
  /** A failed background write (it is retried after maxDelayMs). */
  onError: (error: unknown) => void;
}

export class FlushScheduler {
  private dirty = false;
  private firstChangeAt = 0;
  private lastChangeAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private lastWriteMs = 0;
  private closed = false;

  constructor(private readonly write: () => Promise<void>, private readonly options: FlushSchedulerOptions) {}

  get pending(): boolean {
    return this.dirty;
  }

  /** Something changed: a write will follow. Cheap: a timer is set only when none is pending. */
  touch(): void {
    if (this.closed) return;
    const now = Date.now();
    if (!this.dirty) this.firstChangeAt = now;
    this.dirty = true;
    this.lastChangeAt = now;
    if (!this.timer) this.arm(this.due() - now);
  }

  /** Quiet for `delay` after the last change, or `maxDelay` after the first unsaved one. */
  private due(): number {
    const delay = Math.max(this.options.delayMs, 4 * this.lastWriteMs);
    const maxDelay = Math.max(this.options.maxDelayMs, 4 * this.lastWriteMs);
    return Math.min(this.lastChangeAt + delay, this.firstChangeAt + maxDelay);
  }

  private arm(wait: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Changes came after the timer was set: wait until things are quiet (or too long unsaved).
      const left = this.due() - Date.now();
      if (this.dirty && left > 0) this.arm(left);
      else void this.runInBackground();
    }, Math.max(0, wait));
    // A pending write does not keep the process alive; close() flushes.
    this.timer.unref();
  }

  private async runInBackground(): Promise<void> {
    try {
      await this.run();
    } catch (error) {
      this.options.onError(error);
      this.dirty = true;
      if (!this.closed) {
        this.firstChangeAt = this.lastChangeAt = Date.now();
        this.arm(this.options.maxDelayMs);
      }
    }
  }

  private async run(): Promise<void> {
    // One write at a time: what changed meanwhile is written after the one under way.
    while (this.writing) await this.writing.catch(() => undefined);
    if (!this.dirty) return;
    this.dirty = false;
    this.firstChangeAt = 0;
    const started = Date.now();
    this.writing = this.write();
    try {
      await this.writing;
      this.lastWriteMs = Date.now() - started;
    } finally {
      this.writing = undefined;
    }
    if (this.dirty && !this.closed && !this.timer) this.arm(this.due() - Date.now());
  }

  /** Writes now if anything is unsaved, after any write under way. Throws what the write throws. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.writing) await this.writing.catch(() => undefined);
    if (this.dirty) await this.run();
  }

  /** Flushes and stops scheduling. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
