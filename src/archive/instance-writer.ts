// Writes one incoming instance to a temporary file, with the write system calls off the main
// thread. Fragments arrive as views of a read buffer that is read into again as soon as they have
// been handed on, so each is copied into a staging buffer at once (a memcpy costs a fraction of
// the write(2) into the page cache it replaces on the main thread); every full staging buffer is
// written by libuv's thread pool with a positional write, while the main thread goes on reading
// the socket. Staging buffers are reused across instances, so the received bytes allocate nothing
// the garbage collector must trace. The file is opened synchronously on the first write (one cheap
// system call, whose failure is the writer's first error). Past HIGH_WATER bytes submitted and not
// yet written, the caller is made to wait (the association stops reading) until LOW_WATER.
import { closeSync, fsync, openSync, unlinkSync, write } from 'node:fs';

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
  /** Bytes the file holds so far (written, not only submitted). */
  bytesWritten = 0;
  private fd: number | undefined;
  private stage: Buffer | undefined;
  private staged = 0;
  /** Where the next submitted write goes in the file. */
  private position = 0;
  /** Bytes submitted to the thread pool and not yet written. */
  private inFlight = 0;
  private writes = 0;
  private drainWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private discarded = false;

  constructor(readonly path: string) {}

  write(data: Buffer): void | Promise<void> {
    if (this.error || this.discarded) return;
    let offset = 0;
    while (offset < data.length) {
      this.stage ??= takeStage();
      const n = data.copy(this.stage, this.staged, offset);
      this.staged += n;
      offset += n;
      if (this.staged === STAGE_BYTES) this.submit();
      if (this.error) return;
    }
    if (this.inFlight < HIGH_WATER) return;
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /** Fragments are copied as they arrive: nothing to do when their buffer is about to be reused. */
  release(): void {}

  /** Hands the staged bytes to the thread pool (opening the file on the first call). */
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
    const position = this.position;
    this.position += length;
    this.inFlight += length;
    this.writes++;
    this.writeOut(stage, 0, length, position, length);
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

  private writeOut(stage: Buffer, offset: number, length: number, position: number, total: number): void {
    write(this.fd!, stage, offset, length, position, (error, written) => {
      // A short write (rare on regular files) continues from where it stopped.
      if (!error && written > 0 && written < length) {
        this.bytesWritten += written;
        this.writeOut(stage, offset + written, length - written, position + written, total);
        return;
      }
      if (error || written === 0) this.error ??= error ?? new Error(`writing ${this.path} made no progress`);
      else this.bytesWritten += written;
      giveBackStage(stage);
      this.inFlight -= total;
      this.writes--;
      if (this.inFlight <= LOW_WATER || this.error) this.wake('drainWaiters');
      if (this.writes === 0) this.wake('idleWaiters');
    });
  }

  private wake(which: 'drainWaiters' | 'idleWaiters'): void {
    const waiters = this[which];
    if (waiters.length === 0) return;
    this[which] = [];
    for (const w of waiters) w();
  }

  /** Resolves when no write is outstanding. */
  private idle(): Promise<void> | undefined {
    if (this.writes === 0) return undefined;
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes what is staged, waits for every write, flushes when asked and closes; rejects with the first write error. */
  async finish(options: { fsync?: boolean } = {}): Promise<void> {
    this.submit();
    // An instance with no bytes at all still leaves a file (the caller renames it into place).
    if (!this.error) this.open();
    await this.idle();
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
