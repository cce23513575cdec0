// Incremental header scanner: fed the dataset bytes as they arrive (P-DATA fragments, file
// chunks), it keeps the small top-level values (or those of the tags asked for) and skips
// everything else by counting.

import { promises as fsp } from 'node:fs';
import { Tag } from './tag';
import { DatasetTokenizer, TokenSink } from './codec';
import { IncrementalInflater } from './codec';
import { Syntax, syntaxOf } from './codec';
import { swapInPlace } from './codec';
import { swapUnit } from './vr';
import { readFileMetaFromHandle } from './file-meta';

export interface ScannedElement {
  vr: string;
  /** Value length in bytes, -1 for undefined length (sequences, encapsulated pixel data). */
  length: number;
  /** The value when it is at most maxValueBytes and not a sequence; numeric VRs little endian. */
  value?: Buffer;
}

export interface ScannerOptions {
  /** Top-level tags to look for; push() returns true once all of them were seen. */
  wanted?: Tag[];
  /** push() returns true once a top-level tag >= stopAt is reached (that element is not kept). */
  stopAt?: Tag;
  /** Largest value kept (default 64 KiB); larger ones are skipped and reported without value. */
  maxValueBytes?: number;
  /**
   * The tags whose values are kept (up to maxValueBytes); every other element is reported without
   * its value, skipped by counting. Default: every value up to maxValueBytes.
   */
  values?: ReadonlySet<Tag>;
  maxDepth?: number;
}

export class DatasetHeaderScanner {
  private readonly tokenizer: DatasetTokenizer;
  private readonly inflater: IncrementalInflater | undefined;
  private readonly found = new Map<Tag, ScannedElement>();
  private readonly missing: Set<Tag>;
  private readonly stopAt: number;
  private readonly cap: number;
  private readonly values: ReadonlySet<Tag> | undefined;
  /** The value being kept, copied as it arrives: pushed chunks are only valid during push(). */
  private collecting: { tag: Tag; el: ScannedElement; value: Buffer; size: number; little: boolean } | undefined;
  private finished = false;

  constructor(tsUid: string, opts: ScannerOptions = {}) {
    const s = syntaxOf(tsUid);
    this.missing = new Set(opts.wanted ?? []);
    this.stopAt = opts.stopAt ?? 0x100000000;
    this.cap = opts.maxValueBytes ?? 64 * 1024;
    this.values = opts.values;
    this.tokenizer = new DatasetTokenizer({ explicit: s.explicit, little: s.little }, this.sink(), { maxDepth: opts.maxDepth });
    this.inflater = s.deflated ? new IncrementalInflater((c) => this.feed(c)) : undefined;
  }

  /** True once the scan has what it was asked for (or the stream ended). */
  get done(): boolean {
    return this.finished;
  }

  /** Bytes of (inflated) dataset consumed so far. */
  get position(): number {
    return this.tokenizer.position;
  }

  private sink(): TokenSink {
    const self = this;
    const noop = () => undefined;
    return {
      element(tag: Tag, vr: string, length: number, depth: number, syntax: Syntax): boolean {
        if (depth !== 0) return false;
        if (tag >= self.stopAt) {
          self.finish();
          return false;
        }
        // Every element gets the same shape (value present, if undefined): code reading them stays monomorphic.
        const el: ScannedElement = { vr, length, value: undefined };
        self.found.set(tag, el);
        if (length <= self.cap && (self.values === undefined || self.values.has(tag))) {
          self.collecting = { tag, el, value: Buffer.allocUnsafe(length), size: 0, little: syntax.little };
          return true;
        }
        self.seen(tag);
        return false;
      },
      value(chunk: Buffer): void {
        const c = self.collecting;
        if (c) c.size += chunk.copy(c.value, c.size);
      },
      valueEnd(): void {
        const c = self.collecting;
        if (!c) return;
        self.collecting = undefined;
        const v = c.size === c.value.length ? c.value : c.value.subarray(0, c.size);
        if (!c.little && c.el.vr !== 'UN') swapInPlace(v, swapUnit(c.el.vr));
        c.el.value = v;
        self.seen(c.tag);
      },
      sequenceStart(tag: Tag, vr: string, length: number, depth: number): void {
        if (depth !== 0) return;
        if (tag >= self.stopAt) { self.finish(); return; }
        self.found.set(tag, { vr, length, value: undefined });
        self.seen(tag);
      },
      fragmentsStart(tag: Tag, vr: string, depth: number): void {
        if (depth !== 0) return;
        if (tag >= self.stopAt) { self.finish(); return; }
        self.found.set(tag, { vr, length: -1, value: undefined });
        self.seen(tag);
      },
      fragment: () => false,
      itemStart: noop,
      itemEnd: noop,
      sequenceEnd: noop,
      fragmentsEnd: noop,
    };
  }

  private seen(tag: Tag): void {
    if (this.missing.delete(tag) && this.missing.size === 0) this.finish();
  }

  private finish(): void {
    this.finished = true;
    this.tokenizer.stop();
    this.inflater?.detach();
  }

  private feed(chunk: Buffer): void {
    if (!this.finished) this.tokenizer.push(chunk);
  }

  /** Feeds the next bytes of the dataset; returns true once the scan is done. */
  push(chunk: Buffer): boolean {
    if (this.finished) return true;
    if (this.inflater) this.inflater.push(chunk);
    else this.tokenizer.push(chunk);
    return this.finished;
  }

  /** Declares the end of the data; throws TruncatedFileError when it ends inside an element. */
  end(): void {
    if (this.finished) return;
    this.inflater?.end();
    this.tokenizer.end();
    this.finished = true;
  }

  /** Top-level elements seen so far, in stream order. */
  result(): Map<Tag, ScannedElement> {
    return this.found;
  }

  /** The text of a kept value, without trailing padding. */
  text(tag: Tag): string | undefined {
    const v = this.found.get(tag)?.value;
    if (!v) return undefined;
    let end = v.length;
    while (end > 0 && (v[end - 1] === 0x20 || v[end - 1] === 0)) end--;
    return v.toString('latin1', 0, end);
  }
}

export interface FileHeaderScan {
  transferSyntaxUid: string;
  hasMeta: boolean;
  datasetOffset: number;
  fileSize: number;
  meta: Record<string, string | number | Buffer>;
  elements: Map<Tag, ScannedElement>;
}

/** Reads a file in chunks through a DatasetHeaderScanner, stopping as soon as it is done. */
export async function scanFileHeader(path: string, opts: ScannerOptions & { chunkSize?: number } = {}): Promise<FileHeaderScan> {
  const fh = await fsp.open(path, 'r');
  try {
    const head = await readFileMetaFromHandle(fh, path);
    const scanner = new DatasetHeaderScanner(head.transferSyntaxUid, opts);
    const chunkSize = opts.chunkSize ?? 64 * 1024;
    let done = head.firstChunk.length > head.datasetOffset
      ? scanner.push(head.firstChunk.subarray(head.datasetOffset))
      : false;
    let pos = Math.max(head.firstChunk.length, head.datasetOffset);
    const buf = Buffer.allocUnsafe(chunkSize);
    while (!done && pos < head.fileSize) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(chunkSize, head.fileSize - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      done = scanner.push(buf.subarray(0, bytesRead));
    }
    if (!done) {
      try {
        scanner.end();
      } catch (e) {
        if (e instanceof Error) e.message = `${path}: ${e.message}`;
        throw e;
      }
    }
    return {
      transferSyntaxUid: head.transferSyntaxUid, hasMeta: head.hasMeta, datasetOffset: head.datasetOffset,
      fileSize: head.fileSize, meta: head.meta, elements: scanner.result(),
    };
  } finally {
    await fh.close();
  }
}
