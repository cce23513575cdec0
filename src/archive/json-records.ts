// Small JSON records kept beside the archive (MPPS instances, answered storage commitment
// requests): one file per record, named by a validated UID, replaced atomically (a temporary file
// in the same folder, flushed, then renamed), so a reader sees the old record or the new one.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { isValidUid } from '../dicom';

export class JsonRecordFolder<T> {
  constructor(readonly dir: string) {}

  /** The file of a record; the UID is checked before it becomes a path. */
  fileOf(uid: string): string {
    if (!isValidUid(uid)) throw new RangeError(`"${uid.slice(0, 70)}" is not a valid UID`);
    return path.join(this.dir, `${uid}.json`);
  }

  async read(uid: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.fileOf(uid), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(uid: string, record: T): Promise<void> {
    const file = this.fileOf(uid);
    await mkdir(this.dir, { recursive: true });
    const temp = path.join(this.dir, `.${uid}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /** Removes temporary files a previous run left behind (it stopped between write and rename). */
  async removeLeftovers(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const name of names) if (name.startsWith('.') && name.endsWith('.tmp')) await unlink(path.join(this.dir, name)).catch(() => undefined);
  }

  /** Every record, unreadable files left out (reported through `skipped`). */
  async list(skipped?: (file: string, reason: string) => void): Promise<T[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: T[] = [];
    for (const name of names.sort()) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(await readFile(path.join(this.dir, name), 'utf8')) as T);
      } catch (error) {
        skipped?.(path.join(this.dir, name), (error as Error).message);
      }
    }
    return out;
  }
}
