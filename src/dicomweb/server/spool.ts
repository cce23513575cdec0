// A converted instance or frame held until it is complete, so that its part of a multipart answer
// starts only once it is known to succeed: a conversion that fails leaves no half part behind.
// The first megabytes stay in memory; the rest goes to a temporary file, so a large multi-frame
// instance decoded for a client never sits in memory.

import { FileHandle, open, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEFAULT_MEMORY = 8 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

export class Spool {
  private readonly chunks: Buffer[] = [];
  private inMemory = 0;
  private file: { handle: FileHandle; path: string } | undefined;
  private onDisk = 0;
  private disposed = false;

  constructor(private readonly memoryLimit = DEFAULT_MEMORY, private readonly dir = tmpdir()) {}

  /** Bytes held in all. */
  get size(): number {
    return this.inMemory + this.onDisk;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.disposed) throw new Error('internal: write to a disposed spool');
    if (chunk.length === 0) return;
    if (!this.file && this.inMemory + chunk.length <= this.memoryLimit) {
      this.chunks.push(chunk);
      this.inMemory += chunk.length;
      return;
    }
    if (!this.file) {
      const path = join(this.dir, `.dicomnet-spool-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
      this.file = { handle: await open(path, 'wx+', 0o600), path };
    }
    let at = 0;
    while (at < chunk.length) {
      const { bytesWritten } = await this.file.handle.write(chunk, at, chunk.length - at, this.onDisk);
      at += bytesWritten;
      this.onDisk += bytesWritten;
    }
  }

  /** The bytes, in order (memory first, then the file, read back in 1 MiB chunks). */
  async *read(): AsyncGenerator<Buffer> {
    for (const c of this.chunks) yield c;
    if (!this.file) return;
    for (let pos = 0; pos < this.onDisk;) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, this.onDisk - pos));
      const { bytesRead } = await this.file.handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) throw new Error('The spooled conversion could not be read back from its temporary file.');
      pos += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  }

  /** Frees the memory and removes the temporary file. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.chunks.length = 0;
    const f = this.file;
    this.file = undefined;
    if (f) {
      await f.handle.close().catch(() => undefined);
      await unlink(f.path).catch(() => undefined);
    }
  }
}
