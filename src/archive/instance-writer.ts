// Writes one incoming instance to a temporary file. Fragments arrive as views of a read buffer
// that is read into again once they have been handed on (`release()`), and are written one of
// two ways:
// - While the store's disk keeps up with writes (its DiskWatch of writes): the views are gathered and written
//   synchronously in batches, with no copy and no thread-pool round trip, whatever the instance's
//   size and however many associations or instances are being received. This is the cheapest way
//   on the CPU (one 1 GiB instance: ~0.3 s less than copying and handing every piece to the pool;
//   8 associations of 125 instances at once: 10–14 % less receiver CPU), and the C-STORE response
//   that waits for the last write is not delayed by a round trip.
// - Once a synchronous write of the store was slow (a slow or throttled disk, not the page cache):
//   each fragment is copied into a reused staging buffer at once, and every full one is written
//   by libuv's thread pool with a positional write, so a disk that cannot keep up does not hold up
//   the event loop.
// Every byte's place in the file is fixed when it is accepted, so the two ways mix. Past
// HIGH_WATER bytes submitted and not yet written, the caller is made to wait (the association
// stops reading) until LOW_WATER. The file is created synchronously on the first write (one system
// call, whose failure is the writer's first error, and whose time goes to the store's DiskWatch of
// creates), unless the caller opened it ahead.
import { closeSync, fsync, openSync, unlinkSync, write, writevSync } from 'node:fs';
import { DiskWatch } from './disk-watch';

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
  private readonly writes: DiskWatch;
  private readonly creates: DiskWatch | undefined;

  /**
   * `writes`: the store's disk as its writes found it, shared by its writers (the writer's own
   * when not given). `creates`: where the time of creating the file goes (the store's). `fd`:
   * `path` is already created and open (empty, for writing); the writer owns it.
   */
  constructor(readonly path: string, options: { writes?: DiskWatch; creates?: DiskWatch; fd?: number } = {}) {
    this.writes = options.writes ?? new DiskWatch();
    this.creates = options.creates;
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
    if (this.writes.slow) return this.stageCopy(data);
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
      const started = performance.now();
      this.fd = openSync(this.path, 'wx');
      this.creates?.took(performance.now() - started);
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
    this.writes.took(performance.now() - started);
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
    }
    if (this.error) throw this.error;
  }

  /** Stops writing and removes the temporary file (at once when no write is outstanding). */
  async discard(): Promise<void> {
    this.discarded = true;
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
