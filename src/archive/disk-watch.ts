// How a store's disk has kept up with one kind of operation done on the main thread: writing
// (cheapest there while the page cache takes the bytes, well under a millisecond per MiB) or
// creating files (15–30 µs on tmpfs or a quiet ext4; 0.2–1.2 ms of kernel time each on an ext4
// whose inode allocator must skip inodes freed in the last minutes). A disk that cannot keep up
// makes such an operation wait, and with it every association the thread serves: once it has been
// slow, the store's writers do it through the thread pool for a while instead of each instance
// finding it out again by stalling the event loop.

/**
 * A synchronous write (at most one socket read's worth, 1 MiB) that takes longer than this was
 * waiting for the disk, not the page cache. Well above a scheduler's time slice, so that on a busy
 * machine a write that was only descheduled seldom counts (when one does, the writes cost more
 * CPU for a while, and nothing else changes).
 */
const SLOW_SYNC_WRITE_MS = 50;
/** How long writes go through the thread pool after a slow one, before writing synchronously is tried again. */
const SLOW_DISK_HOLD_MS = 10_000;

export interface DiskWatchOptions {
  /** An operation that took at least this long was slow (default: a write's 50 ms). */
  slowMs?: number;
  /** This many slow operations in a row make the disk slow (default 1). */
  inARow?: number;
  /** How long the disk then counts as slow, before the main thread is tried again (default 10 s). */
  holdMs?: number;
  now?: () => number;
}

export class DiskWatch {
  private readonly slowMs: number;
  private readonly inARow: number;
  private readonly holdMs: number;
  private readonly now: () => number;
  /** Until when (`now()`) the disk counts as slow; 0: it does not. */
  private slowUntil = 0;
  /** Slow operations since the last one that was not. */
  private slowSeen = 0;

  constructor(options: DiskWatchOptions = {}) {
    this.slowMs = options.slowMs ?? SLOW_SYNC_WRITE_MS;
    this.inARow = options.inARow ?? 1;
    this.holdMs = options.holdMs ?? SLOW_DISK_HOLD_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** Enough operations were slow lately that they go through the thread pool. */
  get slow(): boolean {
    if (this.slowUntil === 0) return false;
    if (this.now() < this.slowUntil) return true;
    this.slowUntil = 0;
    return false;
  }

  /** An operation on the main thread took `ms` milliseconds. */
  took(ms: number): void {
    if (ms < this.slowMs) {
      this.slowSeen = 0;
      return;
    }
    if (++this.slowSeen < this.inARow) return;
    this.slowSeen = 0;
    this.slowUntil = this.now() + this.holdMs;
  }
}
