// Writes one incoming instance to a temporary file. The first MEMORY_LIMIT bytes are written
// synchronously in batches as they arrive (a few system calls per instance, no thread-pool round
// trips, and little left to write once the last fragment is in: the C-STORE response is not
// kept waiting). Past MEMORY_LIMIT it switches to asynchronous streaming, so a very large
// instance on a slow disk never blocks the event loop: writes are queued and flushed with
// writev in the background, and the caller is slowed down only when the queue grows.
import { closeSync, fsyncSync, openSync, unlinkSync, writevSync } from 'node:fs';
import { FileHandle, open, unlink } from 'node:fs/promises';

/** Bytes written synchronously before switching to asynchronous streaming. */
const MEMORY_LIMIT = 8 * 1024 * 1024;
/** Synchronous writes are batched up to this size. */
const SYNC_BATCH = 256 * 1024;
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
  /** Synchronous phase: fragments not yet written (undefined once streaming). */
  private gathered: Buffer[] | undefined = [];
  private gatheredBytes = 0;
  private syncFd: number | undefined;
  private syncWritten = 0;

  constructor(readonly path: string) {}

  write(data: Buffer): void | Promise<void> {
    if (this.error || this.discarded) return;
    if (this.gathered) {
      this.gathered.push(data);
      this.gatheredBytes += data.length;
      if (this.gatheredBytes >= SYNC_BATCH) this.flushSync();
      if (this.syncWritten + this.gatheredBytes <= MEMORY_LIMIT || this.error) return;
      // Large: stream from here on (the file stays open; the async writes continue after the sync ones).
      this.flushSync();
      this.gathered = undefined;
      return;
    }
    // Written later, from the thread pool: the fragment may be a view of a buffer reused before then.
    this.queue.push(Buffer.from(data));
    this.queuedBytes += data.length;
    this.pumping ??= this.pump();
    if (this.queuedBytes < HIGH_WATER) return;
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * The fragments written so far are about to be overwritten by their owner: what the
   * synchronous phase still holds goes to the file now (the asynchronous phase keeps copies).
   */
  release(): void {
    this.flushSync();
  }

  /** Writes what was gathered, synchronously (opening the file on the first call). */
  private flushSync(): void {
    if (this.error || !this.gathered || this.gathered.length === 0) return;
    const buffers = this.gathered;
    const size = this.gatheredBytes;
    this.gathered = [];
    this.gatheredBytes = 0;
    try {
      this.syncFd ??= openSync(this.path, 'wx');
      for (let i = 0; i < buffers.length; i += MAX_BUFFERS_PER_WRITE) {
        const batch = buffers.slice(i, i + MAX_BUFFERS_PER_WRITE);
        const batchSize = batch.reduce((n, b) => n + b.length, 0);
        let written = writevSync(this.syncFd, batch);
        while (written < batchSize) written += writevSync(this.syncFd, [Buffer.concat(batch).subarray(written)]);
      }
      this.syncWritten += size;
      this.bytesWritten += size;
    } catch (error) {
      this.error = error as Error;
    }
  }

  private async pump(): Promise<void> {
    try {
      // Continue the file the synchronous phase began, else open it.
      if (!this.handle && this.syncFd !== undefined) {
        closeSync(this.syncFd);
        this.syncFd = undefined;
        this.handle = await open(this.path, 'r+');
        this.appendAt = this.syncWritten;
      }
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

  /** Where asynchronous writes continue (after what the synchronous phase wrote). */
  private appendAt = 0;

  private async writeAll(batch: Buffer[], size: number): Promise<void> {
    let { bytesWritten } = await this.handle!.writev(batch, this.appendAt);
    // A short write (rare on regular files) continues from where it stopped.
    while (bytesWritten < size) {
      const rest = Buffer.concat(batch).subarray(bytesWritten);
      bytesWritten += (await this.handle!.write(rest, 0, rest.length, this.appendAt + bytesWritten)).bytesWritten;
    }
    this.appendAt += size;
  }

  private releaseWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Flushes and closes; rejects with the first write error. */
  async finish(options: { fsync?: boolean } = {}): Promise<void> {
    if (this.gathered) {
      this.flushSync();
      this.gathered = undefined;
      const fd = this.syncFd;
      this.syncFd = undefined;
      try {
        if (fd === undefined && !this.error) closeSync(openSync(this.path, 'wx'));
        else if (fd !== undefined && !this.error && options.fsync) fsyncSync(fd);
      } catch (error) {
        this.error ??= error as Error;
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      if (this.error) throw this.error;
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

  /** Stops writing and removes the temporary file. */
  async discard(): Promise<void> {
    if (this.gathered) {
      this.gathered = undefined;
      this.discarded = true;
      if (this.syncFd !== undefined) closeSync(this.syncFd);
      this.syncFd = undefined;
      try { unlinkSync(this.path); } catch { /* never written */ }
      return;
    }
    if (this.syncFd !== undefined) {
      closeSync(this.syncFd);
      this.syncFd = undefined;
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
