// Writes one incoming instance to a temporary file. Fragments arrive as views of a read buffer
// that is read into again once they have been handed on (`release()`), and are written one of
// two ways, chosen as they arrive:
// - Alone (no other instance being written and no other association of this thread receiving
//   data sets, the usual single association; associations that only verify do not count): the
//   views are gathered and written synchronously in batches, with no copy and no thread-pool round
//   trip, whatever the instance's size. This is the cheapest way (one 1 GiB instance: ~0.3 s less
//   CPU than copying and handing every piece to the pool), and the C-STORE response that waits
//   for the last write is not delayed.
// - Beside other associations or instances (a sender with several operations outstanding), where
//   the main thread is what limits throughput: each fragment is copied into a reused staging
//   buffer at once, and every full one is written by libuv's thread pool with a positional write
//   (the write system calls run on the other core; a copy costs a fraction of the write it moves
//   off the main thread). The same happens for the rest of an instance once one synchronous
//   write was slow (a slow or throttled disk), so a disk that cannot keep up does not hold up
//   the event loop.
// Every byte's place in the file is fixed when it is accepted, so the two ways mix freely. Past
// HIGH_WATER bytes submitted and not yet written, the caller is made to wait (the association
// stops reading) until LOW_WATER. The file is opened synchronously on the first write (one system
// call, whose failure is the writer's first error), unless the caller opened it ahead.
import { closeSync, fsync, openSync, unlinkSync, write, writevSync } from 'node:fs';
import { Association } from '../net';

/**
 * A synchronous write (at most SYNC_BATCH bytes) that takes longer than this sends the rest of the
 * instance through the thread pool: the disk, not the page cache, is what it waited for (a page
 * cache takes 1 MiB in well under a millisecond). Well above a scheduler's time slice, so that on
 * a busy machine a write that was only descheduled seldom counts (when one does, the rest of that
 * instance costs more CPU, and nothing else changes).
 */
const SLOW_SYNC_WRITE_MS = 50;
/** Synchronous writes are batched up to this size (one socket read's worth). */
const SYNC_BATCH = 1024 * 1024;
/** writev takes at most IOV_MAX buffers at once. */
const MAX_BUFFERS_PER_WRITE = 512;
/** Size of one staging buffer: one write system call each. */
const STAGE_BYTES = 256 * 1024;
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 2 * 1024 * 1024;
/** Staging buffers kept for the next writers (8 MiB). */
const SPARE_STAGES = 32;

const spareStages: Buffer[] = [];
/** Writers that have begun and not yet finished or been discarded. */
let activeWriters = 0;

function takeStage(): Buffer {
  return spareStages.pop() ?? Buffer.allocUnsafeSlow(STAGE_BYTES);
}

function giveBackStage(stage: Buffer): void {
  if (spareStages.length < SPARE_STAGES) spareStages.push(stage);
}

export class InstanceWriter {
  /** The first write error; later writes are dropped. */
  error: Error | undefined;
  /** Bytes the file holds so far (written, not only accepted). */
  bytesWritten = 0;
  private fd: number | undefined;
  private active = false;
  /** Where the next accepted byte goes in the file. */
  private position = 0;
  /** Views not yet written (synchronous way), and where the first of them goes. */
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;
  private gatheredAt = 0;
  /** Some of the gathered buffers are views of a read buffer (not only owned bytes). */
  private viewsGathered = false;
  /** The staging buffer being filled (thread-pool way), and where its first byte goes. */
  private stage: Buffer | undefined;
  private staged = 0;
  private stageAt = 0;
  /** Bytes submitted to the thread pool and not yet written (0: no write outstanding). */
  private inFlight = 0;
  private drainWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private discarded = false;
  /** A synchronous write was slow: the rest goes through the thread pool. */
  private slowDisk = false;
  private readonly slowWriteMs: number;

  /**
   * `slowWriteMs`: how long a synchronous write may take before the rest goes through the thread
   * pool. `fd`: `path` is already created and open (empty, for writing); the writer owns it.
   */
  constructor(readonly path: string, options: { slowWriteMs?: number; fd?: number } = {}) {
    this.slowWriteMs = options.slowWriteMs ?? SLOW_SYNC_WRITE_MS;
    this.fd = options.fd;
  }

  /** Accepts a view of a read buffer: it is written by release() at the latest. */
  write(data: Buffer): void | Promise<void> {
    return this.accept(data, false);
  }

  /**
   * Accepts bytes nobody will overwrite (the file meta the store built): release() does not write
   * them alone, so they go out with the first fragment of the data set (one write system call less
   * per instance when the command and the data set come in different reads, as from dcmqrscp).
   */
  writeOwned(data: Buffer): void | Promise<void> {
    return this.accept(data, true);
  }

  private accept(data: Buffer, owned: boolean): void | Promise<void> {
    if (this.error || this.discarded || data.length === 0) return;
    if (!this.active) {
      this.active = true;
      activeWriters++;
    }
    if (activeWriters > 1 || Association.receivingDataInThread > 1 || this.slowDisk) return this.stageCopy(data);
    if (this.stage) this.submit();
    if (this.gathered.length === 0) this.gatheredAt = this.position;
    if (!owned) this.viewsGathered = true;
    this.gathered.push(data);
    this.gatheredBytes += data.length;
    this.position += data.length;
    if (this.gatheredBytes >= SYNC_BATCH) this.writeGathered();
  }

  /** The fragments written so far are about to be overwritten by their owner: the views gathered go to the file now. */
  release(): void {
    if (this.viewsGathered) this.writeGathered();
  }

  private stageCopy(data: Buffer): void | Promise<void> {
    this.writeGathered();
    let offset = 0;
    while (offset < data.length && !this.error) {
      if (!this.stage) {
        this.stage = takeStage();
        this.stageAt = this.position;
      }
      const n = data.copy(this.stage, this.staged, offset);
      this.staged += n;
      this.position += n;
      offset += n;
      if (this.staged === STAGE_BYTES) this.submit();
    }
    if (this.inFlight < HIGH_WATER || this.error) return;
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private open(): boolean {
    if (this.fd !== undefined) return true;
    try {
      this.fd = openSync(this.path, 'wx');
      return true;
    } catch (error) {
      this.error ??= error as Error;
      return false;
    }
  }

  /** Writes the gathered views synchronously (opening the file on the first call). */
  private writeGathered(): void {
    if (this.gathered.length === 0) return;
    const buffers = this.gathered;
    let at = this.gatheredAt;
    this.gathered = [];
    this.gatheredBytes = 0;
    this.viewsGathered = false;
    if (this.error || this.discarded || !this.open()) return;
    const started = performance.now();
    try {
      for (let i = 0; i < buffers.length; i += MAX_BUFFERS_PER_WRITE) {
        const batch = buffers.slice(i, i + MAX_BUFFERS_PER_WRITE);
        const size = batch.reduce((n, b) => n + b.length, 0);
        let written = writevSync(this.fd!, batch, at);
        // A short write (rare on regular files) continues from where it stopped.
        while (written < size) written += writevSync(this.fd!, [Buffer.concat(batch).subarray(written)], at + written);
        at += size;
        this.bytesWritten += size;
      }
    } catch (error) {
      this.error ??= error as Error;
    }
    if (performance.now() - started >= this.slowWriteMs) this.slowDisk = true;
  }

  /** Hands the staging buffer to the thread pool (opening the file on the first call). */
  private submit(): void {
    const stage = this.stage;
    const length = this.staged;
    this.stage = undefined;
    this.staged = 0;
    if (!stage) return;
    if (length === 0 || this.error || this.discarded || !this.open()) {
      giveBackStage(stage);
      return;
    }
    this.inFlight += length;
    this.writeOut(stage, 0, length, this.stageAt, length);
  }

  private writeOut(stage: Buffer, offset: number, length: number, position: number, total: number): void {
    write(this.fd!, stage, offset, length, position, (error, written) => {
      if (!error && written > 0 && written < length) {
        this.bytesWritten += written;
        this.writeOut(stage, offset + written, length - written, position + written, total);
        return;
      }
      if (error || written === 0) this.error ??= error ?? new Error(`writing ${this.path} made no progress`);
      else this.bytesWritten += written;
      giveBackStage(stage);
      this.inFlight -= total;
      if (this.inFlight <= LOW_WATER || this.error) this.wake('drainWaiters');
      if (this.inFlight === 0) this.wake('idleWaiters');
    });
  }

  private wake(which: 'drainWaiters' | 'idleWaiters'): void {
    const waiters = this[which];
    if (waiters.length === 0) return;
    this[which] = [];
    for (const w of waiters) w();
  }

  /** Undefined when no write is outstanding, else a promise resolved when none is. */
  private idle(): Promise<void> | undefined {
    if (this.inFlight === 0) return undefined;
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private deactivate(): void {
    if (!this.active) return;
    this.active = false;
    activeWriters--;
  }

  /** Writes what is left, waits for every write, flushes when asked and closes; rejects with the first write error. */
  async finish(options: { fsync?: boolean } = {}): Promise<void> {
    this.writeGathered();
    this.submit();
    // An instance with no bytes at all still leaves a file (the caller renames it into place).
    if (!this.error) this.open();
    const pending = this.idle();
    if (pending) await pending;
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (fd !== undefined && !this.error && options.fsync) {
        await new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
      }
    } catch (error) {
      this.error ??= error as Error;
    } finally {
      if (fd !== undefined) closeSync(fd);
      this.deactivate();
    }
    if (this.error) throw this.error;
  }

  /** Stops writing and removes the temporary file (at once when no write is outstanding). */
  async discard(): Promise<void> {
    this.discarded = true;
    this.deactivate();
    this.gathered = [];
    this.gatheredBytes = 0;
    this.viewsGathered = false;
    if (this.stage) giveBackStage(this.stage);
    this.stage = undefined;
    this.staged = 0;
    this.wake('drainWaiters');
    const pending = this.idle();
    if (pending) await pending;
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(this.path); } catch { /* never written, or already gone */ }
  }
}
