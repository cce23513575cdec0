// How a store's disk has kept up with one kind of operation done on the main thread: writing
// (cheapest there while the page cache takes the bytes, well under a millisecond per MiB) or
// creating files (15–30 µs on tmpfs or a quiet ext4; 0.2–1.2 ms of kernel time each on an ext4
// whose inode allocator must skip inodes freed in the last minutes). A disk that cannot keep up
// makes such an operation wait, and with it every association the thread serves. Once writes have
// been slow, the store's writers write through the thread pool for a while; once creates have been
// slow, the store opens each session's next file ahead on the thread pool for a while (a session's
// first instance, and one whose file opened ahead is not ready yet, still create their own).

/**
 * Writes: a synchronous write (at most one socket read's worth, 1 MiB) that takes 50 ms or more was
 * waiting for the disk, not the page cache. Well above a scheduler's time slice, so that on a busy
 * machine a write that was only descheduled seldom counts (when one does, the writes cost more CPU
 * for a while, and nothing else changes). Then 10 s through the thread pool, before writing
 * synchronously is tried again.
 */
export const WRITES_WATCH = { slowMs: 50, inARow: 1, holdMs: 10_000 } as const;

/**
 * Creates: on tmpfs or a quiet ext4 a create is 15–30 µs, less than the thread-pool round trip of
 * opening ahead (and that round trip's wake-ups take the main thread's core from it on two cores);
 * on an ext4 that freed inodes shortly before, every create costs 0.2–1.2 ms. Three in a row, so
 * that one create descheduled on a busy machine does not count; then a minute of opening ahead.
 */
export const CREATES_WATCH = { slowMs: 0.2, inARow: 3, holdMs: 60_000 } as const;

export interface DiskWatchOptions {
  /** An operation that took at least this long was slow (default: WRITES_WATCH's). */
  slowMs?: number;
  /** This many slow operations in a row make the disk slow (default: WRITES_WATCH's). */
  inARow?: number;
  /** How long the disk then counts as slow, before the main thread is tried again (default: WRITES_WATCH's). */
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
    this.slowMs = options.slowMs ?? WRITES_WATCH.slowMs;
    this.inARow = options.inARow ?? WRITES_WATCH.inARow;
    this.holdMs = options.holdMs ?? WRITES_WATCH.holdMs;
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
