// Writes one incoming instance to a temporary file. Small instances are gathered in memory and
// written with one synchronous writev when complete (a few system calls, no thread-pool round
// trips between the last fragment and the C-STORE response); once an instance grows past
// MEMORY_LIMIT it switches to streaming: writes are queued and flushed with writev in the
// background, and the caller is slowed down only when the queue grows.
import { closeSync, fsyncSync, openSync, unlinkSync, writevSync } from 'node:fs';
import { FileHandle, open, unlink } from 'node:fs/promises';

/** Instances up to this size are written in one go when complete. */
const MEMORY_LIMIT = 8 * 1024 * 1024;
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 2 * 1024 * 1024;
/** writev takes at most IOV_MAX buffers at once. */
const MAX_BUFFERS_PER_WRITE = 512;

export class InstanceWriter {
  private handle: FileHandle | undefined;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private pumping: Promise<void> | undefined;
  private drainWaiters: (() => void)[] = [];
  /** The first write error; later writes are dropped. */
  error: Error | undefined;
  bytesWritten = 0;
  private discarded = false;
  /** Fragments of an instance still small enough to be written in one go. */
  private gathered: Buffer[] | undefined = [];
  private gatheredBytes = 0;

  constructor(readonly path: string) {}

  write(data: Buffer): void | Promise<void> {
    if (this.error || this.discarded) return;
    if (this.gathered) {
      this.gathered.push(data);
      this.gatheredBytes += data.length;
      if (this.gatheredBytes <= MEMORY_LIMIT) return;
      // Too large to hold: stream from here on, starting with what was gathered.
      const gathered = this.gathered;
      this.gathered = undefined;
      this.queue.push(...gathered.slice(0, -1));
      this.queuedBytes += this.gatheredBytes - data.length;
    }
    this.queue.push(data);
    this.queuedBytes += data.length;
    this.pumping ??= this.pump();
    if (this.queuedBytes < HIGH_WATER) return;
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    try {
      this.handle ??= await open(this.path, 'wx');
      while (this.queue.length > 0 && !this.error && !this.discarded) {
        const batch = this.queue.splice(0, MAX_BUFFERS_PER_WRITE);
        const size = batch.reduce((n, b) => n + b.length, 0);
        await this.writeAll(batch, size);
        this.queuedBytes -= size;
        this.bytesWritten += size;
        if (this.queuedBytes <= LOW_WATER) this.releaseWaiters();
      }
    } catch (error) {
      this.error = error as Error;
      this.queue = [];
      this.queuedBytes = 0;
    } finally {
      this.pumping = undefined;
      this.releaseWaiters();
    }
  }

  private async writeAll(batch: Buffer[], size: number): Promise<void> {
    let { bytesWritten } = await this.handle!.writev(batch);
    // A short write (rare on regular files) continues from where it stopped.
    while (bytesWritten < size) {
      const rest = Buffer.concat(batch).subarray(bytesWritten);
      bytesWritten += (await this.handle!.write(rest)).bytesWritten;
    }
  }

  private releaseWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Flushes and closes; rejects with the first write error. */
  async finish(options: { fsync?: boolean } = {}): Promise<void> {
    if (this.gathered) {
      const gathered = this.gathered;
      this.gathered = undefined;
      this.writeAllSync(gathered, options.fsync === true);
      return;
    }
    while (this.pumping) await this.pumping;
    if (!this.error && !this.handle) {
      try { this.handle = await open(this.path, 'wx'); } catch (error) { this.error = error as Error; }
    }
    const handle = this.handle;
    this.handle = undefined;
    try {
      if (!this.error && options.fsync) await handle?.sync();
    } catch (error) {
      this.error = error as Error;
    } finally {
      await handle?.close().catch(() => undefined);
    }
    if (this.error) throw this.error;
  }

  private writeAllSync(buffers: Buffer[], fsync: boolean): void {
    let fd: number | undefined;
    try {
      fd = openSync(this.path, 'wx');
      let pending = buffers;
      while (pending.length > 0) {
        const batch = pending.slice(0, MAX_BUFFERS_PER_WRITE);
        const size = batch.reduce((n, b) => n + b.length, 0);
        let written = writevSync(fd, batch);
        while (written < size) written += writevSync(fd, [Buffer.concat(batch).subarray(written)]);
        this.bytesWritten += size;
        pending = pending.slice(MAX_BUFFERS_PER_WRITE);
      }
      if (fsync) fsyncSync(fd);
    } catch (error) {
      this.error = error as Error;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    if (this.error) throw this.error;
  }

  /** Stops writing and removes the temporary file. */
  async discard(): Promise<void> {
    if (this.gathered) {
      this.gathered = undefined;
      this.discarded = true;
      try { unlinkSync(this.path); } catch { /* never written */ }
      return;
    }
    this.discarded = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.releaseWaiters();
    while (this.pumping) await this.pumping;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }
}
