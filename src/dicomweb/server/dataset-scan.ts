// Walks the data set of a stored Part 10 file through the incremental tokenizer, reading the file
// in chunks. A sink that does not want a large value can ask for it to be skipped: in files that
// are not deflated the skipped bytes are never read from disk (the tokenizer is fed zeros in
// their place, which it counts without looking at), so walking past 1 GiB of pixel data costs a
// few reads. Deflated data sets are inflated and walked in full.

import { FileHandle, open } from 'node:fs/promises';
import { DatasetTokenizer, TokenSink } from '../../dicom';
import { IncrementalInflater } from '../../dicom';
import { syntaxOf } from '../../dicom';
import { TruncatedFileError } from '../../dicom';
import { FileMetaRead, readFileMetaFromHandle } from '../../dicom';

const READ_SIZE = 256 * 1024;
const ZEROS = Buffer.alloc(1024 * 1024);

/** A stored instance opened for reading: its file meta and where its data set starts. */
export interface OpenInstance {
  path: string;
  handle: FileHandle;
  head: FileMetaRead;
}

export async function openInstance(path: string): Promise<OpenInstance> {
  const handle = await open(path, 'r');
  try {
    return { path, handle, head: await readFileMetaFromHandle(handle, path) };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

export class DatasetScan {
  readonly tokenizer: DatasetTokenizer;
  readonly deflated: boolean;
  readonly little: boolean;
  private readonly inflater: IncrementalInflater | undefined;
  private skipTarget = -1;

  constructor(readonly file: OpenInstance, sink: TokenSink) {
    const s = syntaxOf(file.head.transferSyntaxUid);
    this.deflated = s.deflated;
    this.little = s.little;
    this.tokenizer = new DatasetTokenizer({ explicit: s.explicit, little: s.little }, sink);
    this.inflater = s.deflated ? new IncrementalInflater((c) => this.tokenizer.push(c)) : undefined;
  }

  /** Offset in the (inflated) data set of the next byte the tokenizer reads. */
  get position(): number {
    return this.tokenizer.position;
  }

  /** Asks for the value being read to be skipped up to `end` (a data set offset) without reading it. */
  skipTo(end: number): void {
    this.skipTarget = end;
  }

  stop(): void {
    this.tokenizer.stop();
    this.inflater?.detach();
  }

  get stopped(): boolean {
    return this.tokenizer.isStopped;
  }

  private push(chunk: Buffer): void {
    if (this.inflater) this.inflater.push(chunk);
    else this.tokenizer.push(chunk);
  }

  /** Applies a pending skip; returns the file position to read from next. */
  private skip(filePos: number): number {
    const target = this.skipTarget;
    this.skipTarget = -1;
    if (this.deflated || this.stopped || target <= this.tokenizer.position) return filePos;
    const { datasetOffset, fileSize } = this.file.head;
    if (datasetOffset + target > fileSize) {
      throw new TruncatedFileError(`${this.file.path} ends inside a value that runs to offset ${datasetOffset + target}.`, target, this.file.path);
    }
    let remaining = target - this.tokenizer.position;
    while (remaining > 0 && !this.stopped) {
      const n = Math.min(remaining, ZEROS.length);
      this.tokenizer.push(ZEROS.subarray(0, n));
      remaining -= n;
    }
    return datasetOffset + target;
  }

  /**
   * Feeds the file to the tokenizer, one chunk per step, until the sink stops the scan or the
   * data set ends. Each yield is a point where a consumer may take what the sink gathered.
   */
  async *steps(): AsyncGenerator<void> {
    const { handle, head } = this.file;
    let pos = head.datasetOffset;
    if (head.firstChunk.length > head.datasetOffset) {
      this.push(head.firstChunk.subarray(head.datasetOffset));
      pos = this.skip(head.firstChunk.length);
      yield;
    }
    while (!this.stopped && pos < head.fileSize) {
      const buf = Buffer.allocUnsafe(Math.min(READ_SIZE, head.fileSize - pos));
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      this.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
      pos = this.skip(pos + bytesRead);
      yield;
    }
    if (!this.stopped) {
      this.inflater?.end();
      this.tokenizer.end();
    }
  }

  async run(): Promise<void> {
    for await (const _ of this.steps()) { /* the sink does the work */ }
  }
}
