// Writes one application/dicom part of a WADO-RS response to disk as it streams in, and reads
// the instance's UIDs from the same bytes on the way: the file meta first, then the data set's
// top-level elements up to Series Instance UID. The bytes go to a temporary file in the output
// folder; only a complete part with valid UIDs is renamed to <Study>/<Series>/<SOP>.dcm, so a
// partial transfer never appears under a final name.

import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { DatasetHeaderScanner } from '../../dicom';
import { parseFileMeta, type MetaParse } from '../../dicom';
import { DicomError, TruncatedFileError } from '../../dicom';
import { Tags } from '../../dicom';
import { isValidUid } from '../../dicom';
import { DicomwebError } from './errors';

export interface RetrievedInstance {
  /** Zero-based position of the part in the response. */
  index: number;
  /** Where the file was written. */
  path: string;
  sopClassUID: string;
  sopInstanceUID: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  transferSyntaxUID: string;
  /** Size of the file (the whole part). */
  bytes: number;
}

/** A part that could not be stored as a file, with one sentence saying why. */
export interface RejectedPart {
  index: number;
  reason: string;
  bytes: number;
}

/** The file meta is small; a part whose meta is not complete within this many bytes is refused. */
const MAX_META_PREFIX = 1024 * 1024;
const SERIES = Tags.SeriesInstanceUID;
const WANTED = [Tags.SOPClassUID, Tags.SOPInstanceUID, Tags.StudyInstanceUID, SERIES];

/** Follows the bytes of a Part 10 stream far enough to know its transfer syntax and UIDs. */
class PartHeaderReader {
  private prefix: Buffer[] = [];
  private prefixLength = 0;
  meta: MetaParse | undefined;
  private scanner: DatasetHeaderScanner | undefined;
  /** Set once the bytes cannot be a usable Part 10 file; the rest is then ignored. */
  problem: string | undefined;

  constructor(private readonly partNumber: number) {}

  push(chunk: Buffer): void {
    if (this.problem !== undefined) return;
    try {
      if (this.scanner) {
        if (!this.scanner.done) this.scanner.push(chunk);
        return;
      }
      this.prefix.push(chunk);
      this.prefixLength += chunk.length;
      if (this.prefixLength >= 132) this.tryMeta(false);
    } catch (error) {
      this.problem = this.describe(error);
    }
  }

  end(): void {
    if (this.problem !== undefined) return;
    try {
      if (!this.meta) this.tryMeta(true);
      if (this.scanner && !this.scanner.done) this.scanner.end();
    } catch (error) {
      this.problem = this.describe(error);
    }
  }

  private tryMeta(atEnd: boolean): void {
    const head = this.prefix.length === 1 ? this.prefix[0] : Buffer.concat(this.prefix, this.prefixLength);
    this.prefix = [head];
    let meta: MetaParse;
    try {
      meta = parseFileMeta(head, `Part ${this.partNumber}`);
    } catch (error) {
      if (error instanceof TruncatedFileError && !atEnd && this.prefixLength <= MAX_META_PREFIX) return;
      throw error;
    }
    if (!meta.hasMeta) {
      this.problem = `part ${this.partNumber} is not a DICOM Part 10 file (it has no "DICM" file meta header)`;
      return;
    }
    this.meta = meta;
    this.prefix = [];
    this.scanner = new DatasetHeaderScanner(meta.transferSyntaxUid, { wanted: WANTED, stopAt: SERIES + 1, maxValueBytes: 1024 });
    if (head.length > meta.datasetOffset) this.scanner.push(head.subarray(meta.datasetOffset));
  }

  private describe(error: unknown): string {
    if (error instanceof DicomError) {
      const m = error.message.replace(/\.$/, '');
      return m.startsWith(`Part ${this.partNumber}`) ? `p${m.slice(1)}` : `part ${this.partNumber} cannot be read: ${m.charAt(0).toLowerCase()}${m.slice(1)}`;
    }
    throw error;
  }

  /** The UIDs, or a sentence fragment saying which one is missing or invalid. */
  uids(): { sopClassUID: string; sopInstanceUID: string; studyInstanceUID: string; seriesInstanceUID: string; transferSyntaxUID: string } | string {
    if (this.problem !== undefined) return this.problem;
    if (!this.meta || !this.scanner) return `part ${this.partNumber} is not a DICOM Part 10 file`;
    const metaText = (key: string) => (typeof this.meta!.meta[key] === 'string' ? this.meta!.meta[key] as string : undefined);
    const found = {
      sopClassUID: this.scanner.text(Tags.SOPClassUID) || metaText('MediaStorageSOPClassUID') || '',
      sopInstanceUID: this.scanner.text(Tags.SOPInstanceUID) || metaText('MediaStorageSOPInstanceUID') || '',
      studyInstanceUID: this.scanner.text(Tags.StudyInstanceUID) ?? '',
      seriesInstanceUID: this.scanner.text(SERIES) ?? '',
      transferSyntaxUID: this.meta.transferSyntaxUid,
    };
    const names: Array<[keyof typeof found, string]> = [
      ['studyInstanceUID', 'Study Instance UID'], ['seriesInstanceUID', 'Series Instance UID'], ['sopInstanceUID', 'SOP Instance UID'],
    ];
    for (const [key, name] of names) {
      const v = found[key];
      if (v === '') return `part ${this.partNumber} has no ${name}`;
      if (!isValidUid(v)) return `part ${this.partNumber} has the ${name} ${JSON.stringify(v.slice(0, 80))}, which is not a valid UID`;
    }
    return found;
  }
}

async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length;) {
    const { bytesWritten } = await fh.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

export interface WritePartOptions {
  outputDir: string;
  index: number;
  /** Called with the size of each chunk as it is written. */
  onBytes?: (n: number) => void;
  /** fsync the file before it is renamed into place (default true). */
  durable?: boolean;
}

function ioError(error: unknown, what: string): DicomwebError {
  const e = error as NodeJS.ErrnoException;
  return new DicomwebError(`Cannot write ${what}: ${e.message.replace(/\.$/, '')}.`, 'io', undefined, undefined, e.code);
}

/**
 * Streams a part body into `<outputDir>/<Study>/<Series>/<SOP>.dcm` (creating outputDir when it is
 * missing). Always reads the body to its end. Resolves with the instance, or with a RejectedPart
 * when the bytes are not a usable Part 10 file (nothing is left on disk then).
 * @throws DicomwebError when the transfer fails (the temporary file is removed) or a file
 *   cannot be written.
 */
export async function writeInstancePart(body: AsyncIterable<Buffer>, opts: WritePartOptions): Promise<RetrievedInstance | RejectedPart> {
  const partNumber = opts.index + 1;
  const tmp = path.join(opts.outputDir, `.dicomnet-${process.pid}-${randomBytes(6).toString('hex')}.part`);
  let fh: FileHandle | undefined;
  try {
    await mkdir(opts.outputDir, { recursive: true });
    fh = await open(tmp, 'wx');
  } catch (error) {
    throw ioError(error, `a temporary file in ${opts.outputDir}`);
  }
  const reader = new PartHeaderReader(partNumber);
  let bytes = 0;
  let writing = true;
  try {
    for await (const chunk of body) {
      bytes += chunk.length;
      reader.push(chunk);
      if (reader.problem !== undefined) writing = false;
      if (writing) {
        try {
          await writeAll(fh, chunk);
        } catch (error) {
          throw ioError(error, tmp);
        }
      }
      opts.onBytes?.(chunk.length);
    }
    reader.end();
    if (writing && reader.problem === undefined && opts.durable !== false) await fh.sync();
    await fh.close();
    fh = undefined;
    const uids = reader.uids();
    if (typeof uids === 'string') {
      await unlink(tmp).catch(() => undefined);
      return { index: opts.index, reason: uids, bytes };
    }
    const dir = path.join(opts.outputDir, uids.studyInstanceUID, uids.seriesInstanceUID);
    const file = path.join(dir, `${uids.sopInstanceUID}.dcm`);
    try {
      await mkdir(dir, { recursive: true });
      await rename(tmp, file);
    } catch (error) {
      throw ioError(error, file);
    }
    return { index: opts.index, path: file, bytes, ...uids };
  } catch (error) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}
