// Finding one element of a stored instance (bulk data, pixel data) and reading its value: straight
// from the file's byte range when the data set is little endian and not deflated, otherwise by
// walking the data set again and taking the value bytes as they pass (swapped to little endian).
// Encapsulated pixel data is described by its fragments' byte ranges, read from the item headers.

import { TokenSink } from '../../dicom';
import { Syntax, syntaxOf } from '../../dicom';
import { swapInPlace } from '../../dicom';
import { DicomParseError } from '../../dicom';
import { Tag, Tags } from '../../dicom';
import { swapUnit } from '../../dicom';
import { DatasetScan, OpenInstance } from './dataset-scan';
import { isBulkValue } from './metadata-reader';

/** A value with a defined length, at `offset` in the (inflated) data set. */
export interface NativeValue {
  kind: 'native';
  vr: string;
  offset: number;
  length: number;
}

/** Encapsulated pixel data; `offset` is where its first item (the Basic Offset Table) starts. */
export interface EncapsulatedValue {
  kind: 'encapsulated';
  vr: string;
  offset: number;
}

export interface Located {
  value?: NativeValue | EncapsulatedValue;
  /** Small top-level values met on the way (numbers little endian), for the tags asked for. */
  attributes: Map<Tag, Buffer>;
}

/** Path of the element being read: tags and item indices, as in a bulk data URI. */
class PathTracker {
  /** Per open data set: its path prefix. Per open sequence: its path and item count. */
  private readonly levels: number[][] = [[]];
  private readonly sequences: { path: number[]; items: number }[] = [];

  pathOf(tag: Tag): number[] {
    return [...this.levels[this.levels.length - 1]!, tag];
  }

  sequenceStart(tag: Tag): void {
    this.sequences.push({ path: this.pathOf(tag), items: 0 });
  }

  itemStart(): void {
    const seq = this.sequences[this.sequences.length - 1]!;
    this.levels.push([...seq.path, seq.items++]);
  }

  itemEnd(): void { this.levels.pop(); }
  sequenceEnd(): void { this.sequences.pop(); }
}

function samePath(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

abstract class PathSink implements TokenSink {
  protected readonly tracker = new PathTracker();
  scan!: DatasetScan;
  constructor(protected readonly target: readonly number[]) {}

  abstract element(tag: Tag, vr: string, length: number, depth: number, syntax: Syntax): boolean;
  value(_chunk: Buffer): void { /* subclasses */ }
  valueEnd(): void { /* subclasses */ }
  fragmentsStart(_tag: Tag, _vr: string): void { /* subclasses */ }
  fragment(length: number): boolean {
    this.scan.skipTo(this.scan.position + length);
    return false;
  }
  fragmentsEnd(): void { /* nothing */ }

  sequenceStart(tag: Tag): void {
    this.tracker.sequenceStart(tag);
  }
  itemStart(): void { this.tracker.itemStart(); }
  itemEnd(): void { this.tracker.itemEnd(); }
  sequenceEnd(): void { this.tracker.sequenceEnd(); }
}

class Locator extends PathSink {
  readonly found: Located = { attributes: new Map() };
  private collecting: { tag: Tag; parts: Buffer[]; vr: string; little: boolean } | undefined;

  constructor(target: readonly number[], private readonly wanted: ReadonlySet<Tag>) {
    super(target);
  }

  element(tag: Tag, vr: string, length: number, depth: number, syntax: Syntax): boolean {
    const path = this.tracker.pathOf(tag);
    if (samePath(path, this.target)) {
      this.found.value = { kind: 'native', vr, offset: this.scan.position, length };
      this.scan.stop();
      return false;
    }
    if (depth === 0 && this.wanted.has(tag) && length <= 64) {
      this.collecting = { tag, parts: [], vr, little: syntax.little };
      return true;
    }
    if (isBulkValue(tag, vr, length) || length > 4096) this.scan.skipTo(this.scan.position + length);
    return false;
  }

  override value(chunk: Buffer): void {
    this.collecting?.parts.push(Buffer.from(chunk));
  }

  override valueEnd(): void {
    const c = this.collecting;
    if (!c) return;
    this.collecting = undefined;
    const v = Buffer.concat(c.parts);
    if (!c.little) swapInPlace(v, swapUnit(c.vr));
    this.found.attributes.set(c.tag, v);
  }

  override fragmentsStart(tag: Tag, vr: string): void {
    if (samePath(this.tracker.pathOf(tag), this.target)) {
      this.found.value = { kind: 'encapsulated', vr, offset: this.scan.position };
      this.scan.stop();
    }
  }
}

/**
 * Finds the element at `path` (tags and item indices) without reading large values on the way,
 * and collects the small top-level values of `wanted` tags that come before it.
 */
export async function locateElement(file: OpenInstance, path: readonly number[], wanted: Iterable<Tag> = []): Promise<Located> {
  const sink = new Locator(path, new Set(wanted));
  const scan = new DatasetScan(file, sink);
  sink.scan = scan;
  await scan.run();
  return sink.found;
}

/** Whether the value's bytes can be read straight from the file (no inflating, no swapping). */
export function isDirect(scanInfo: { deflated: boolean; little: boolean }, vr: string): boolean {
  return !scanInfo.deflated && (scanInfo.little || swapUnit(vr) === 1);
}

const CHUNK = 1024 * 1024;

/** Bytes [start, end) of the file, in fresh buffers of at most 1 MiB. */
export async function* fileRange(file: OpenInstance, start: number, end: number): AsyncGenerator<Buffer> {
  if (end > file.head.fileSize) {
    throw new DicomParseError(`${file.path} is shorter (${file.head.fileSize} bytes) than its data set says (${end}).`);
  }
  let pos = start;
  while (pos < end) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - pos));
    const { bytesRead } = await file.handle.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) throw new DicomParseError(`${file.path} ended while its value was being read.`);
    pos += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}

/** Takes bytes [start, end) of the target element's value as the walk passes them. */
class Extractor extends PathSink {
  readonly pending: Buffer[] = [];
  private inTarget = false;
  private seen = 0;
  private swap = 1;
  private carry: Buffer = Buffer.alloc(0);
  done = false;

  constructor(target: readonly number[], private readonly start: number, private readonly end: number) {
    super(target);
  }

  element(tag: Tag, vr: string, length: number, _depth: number, syntax: Syntax): boolean {
    if (samePath(this.tracker.pathOf(tag), this.target)) {
      this.inTarget = true;
      this.swap = syntax.little ? 1 : swapUnit(vr);
      return true;
    }
    if (length > 4096) this.scan.skipTo(this.scan.position + length);
    return false;
  }

  override value(chunk: Buffer): void {
    if (!this.inTarget) return;
    const from = Math.max(this.start - this.seen, 0);
    const to = Math.min(this.end - this.seen, chunk.length);
    this.seen += chunk.length;
    if (to > from) this.emit(chunk.subarray(from, to));
    if (this.seen >= this.end) this.finish();
  }

  private emit(piece: Buffer): void {
    if (this.swap === 1) {
      this.pending.push(Buffer.from(piece));
      return;
    }
    // Swap whole units only; an odd tail waits for the next piece.
    const joined = this.carry.length ? Buffer.concat([this.carry, piece]) : Buffer.from(piece);
    const whole = joined.length - (joined.length % this.swap);
    this.carry = joined.subarray(whole);
    if (whole > 0) this.pending.push(swapInPlace(joined.subarray(0, whole), this.swap));
  }

  override valueEnd(): void {
    if (this.inTarget) this.finish();
  }

  private finish(): void {
    if (this.carry.length) this.pending.push(this.carry);
    this.carry = Buffer.alloc(0);
    this.inTarget = false;
    this.done = true;
    this.scan.stop();
  }
}

/**
 * Bytes [start, start + length) of the native value at `path`, little endian. Straight from the
 * file when possible; otherwise the data set is walked again.
 */
export async function* valueBytes(file: OpenInstance, path: readonly number[], value: NativeValue, start: number, length: number): AsyncGenerator<Buffer> {
  if (length <= 0) return;
  if (isDirect(syntaxOf(file.head.transferSyntaxUid), value.vr)) {
    const at = file.head.datasetOffset + value.offset + start;
    yield* fileRange(file, at, at + length);
    return;
  }
  const sink = new Extractor(path, start, start + length);
  const scan = new DatasetScan(file, sink);
  sink.scan = scan;
  let delivered = 0;
  for await (const _ of scan.steps()) {
    while (sink.pending.length) {
      const piece = sink.pending.shift()!;
      delivered += piece.length;
      yield piece;
    }
  }
  if (delivered !== length) throw new DicomParseError(`${file.path} holds ${delivered} of the ${length} bytes asked for.`);
}

/** A fragment's value: `offset` in the data set, `length` bytes. */
export interface Fragment {
  offset: number;
  length: number;
}

const MAX_FRAGMENTS = 1_000_000;

/** The items of encapsulated pixel data (the first is the Basic Offset Table), from their headers. */
export async function readFragments(file: OpenInstance, value: EncapsulatedValue): Promise<Fragment[]> {
  const out: Fragment[] = [];
  const header = Buffer.alloc(8);
  const { datasetOffset, fileSize } = file.head;
  let pos = value.offset;
  for (;;) {
    if (datasetOffset + pos + 8 > fileSize) throw new DicomParseError(`The encapsulated pixel data of ${file.path} ends without a Sequence Delimitation.`);
    await file.handle.read(header, 0, 8, datasetOffset + pos);
    const tag = ((header.readUInt16LE(0) << 16) | header.readUInt16LE(2)) >>> 0;
    const length = header.readUInt32LE(4);
    if (tag === Tags.SequenceDelimitationItem) return out;
    if (tag !== Tags.Item || length === 0xffffffff || datasetOffset + pos + 8 + length > fileSize) {
      throw new DicomParseError(`The encapsulated pixel data of ${file.path} has a malformed item at offset ${datasetOffset + pos}.`);
    }
    if (out.length >= MAX_FRAGMENTS) throw new DicomParseError(`The encapsulated pixel data of ${file.path} has more than ${MAX_FRAGMENTS} fragments.`);
    out.push({ offset: pos + 8, length });
    pos += 8 + length;
  }
}
