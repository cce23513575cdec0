// How a store's disk has kept up with the synchronous writes into it. Writing on the main thread is
// the cheapest way while the page cache takes the bytes (well under a millisecond per MiB); a disk
// that cannot keep up makes such a write wait, and with it every association the thread serves.
// One slow write is enough to know: every writer of the store then goes through the thread pool
// for a while, instead of each instance finding it out again by stalling the event loop once more.

/**
 * A synchronous write (at most one socket read's worth, 1 MiB) that takes longer than this was
 * waiting for the disk, not the page cache. Well above a scheduler's time slice, so that on a busy
 * machine a write that was only descheduled seldom counts (when one does, the writes cost more
 * CPU for a while, and nothing else changes).
 */
const SLOW_SYNC_WRITE_MS = 50;
/** How long writes go through the thread pool after a slow one, before writing synchronously is tried again. */
const SLOW_DISK_HOLD_MS = 10_000;

export class DiskWatch {
  private readonly slowWriteMs: number;
  private readonly holdMs: number;
  private readonly now: () => number;
  /** Until when (`now()`) the disk counts as slow; 0: it does not. */
  private slowUntil = 0;

  constructor(options: { slowWriteMs?: number; holdMs?: number; now?: () => number } = {}) {
    this.slowWriteMs = options.slowWriteMs ?? SLOW_SYNC_WRITE_MS;
    this.holdMs = options.holdMs ?? SLOW_DISK_HOLD_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** A synchronous write took long enough lately that writes go through the thread pool. */
  get slow(): boolean {
    if (this.slowUntil === 0) return false;
    if (this.now() < this.slowUntil) return true;
    this.slowUntil = 0;
    return false;
  }

  /** A synchronous write took `ms` milliseconds. */
  wrote(ms: number): void {
    if (ms >= this.slowWriteMs) this.slowUntil = this.now() + this.holdMs;
  }
}
