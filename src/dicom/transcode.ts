// Streaming conversion of a data set between transfer syntaxes: between the uncompressed ones
// (Implicit VR LE, Explicit VR LE, Explicit VR BE, Deflated Explicit VR LE), and from and to the
// compressed ones the codec layer reads and writes. Values pass through in the chunks they arrive
// in, byte-swapped by VR when the endianness changes; only what must be measured before it is
// written (sequences and items written with defined lengths, groups with a group length) is held.
// When the pixel data changes syntax, the top-level Pixel Data goes frame by frame through the
// codec pool, and the attributes the conversion changes (Photometric Interpretation, Planar
// Configuration, Lossy Image Compression and its ratio and method) are written in their places
// once known; the output keeps its order whatever order the frames finish in.

import { Transform, TransformCallback } from 'node:stream';
import { DatasetTokenizer, TokenSink } from './codec';
import { IncrementalInflater } from './codec';
import { Syntax } from './codec';
import { LengthMode } from './codec';
import { swapInPlace, swapped } from './codec';
import { UnsupportedTransferSyntaxError } from './errors';
import { Tag, Tags, ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from './tag';
import { hasLongExplicitHeader, swapUnit } from './vr';
import { transferSyntax, ExplicitVRLittleEndian } from './transfer-syntaxes';
import { deflateRawSync } from 'node:zlib';
import {
  CodecPool, sharedCodecPool, codecSyntax, canDecode, syntaxLabel, needsPixelWork, planPixelConversion,
  PixelPlan, PixelResult, PixelDataConverter, PixelAttributes, Deferred, Piece, EncodeParams, UnsupportedConversionError, tableOffsets,
} from './codecs';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const pako = require('pako') as {
  Deflate: new (opts: { raw: boolean; level?: number }) => {
    push(data: Uint8Array, flush: number | boolean): boolean;
    onData: (c: Uint8Array) => void;
    err: number;
    msg: string;
  };
};

export interface TranscodeOptions extends EncodeParams {
  /**
   * Sequence and item lengths in the output: as in the input ('keep', default), all defined
   * (like `dcmconv +e`), or all undefined (like `dcmconv -e`).
   */
  lengths?: LengthMode;
  /** Group length elements (gggg,0000): recalculated (default, as DCMTK), kept as they are, or removed. */
  groupLengths?: 'recalculate' | 'keep' | 'remove';
  /** Deflate level for a Deflated output (default 6). */
  deflateLevel?: number;
  /** The codec pool for pixel data conversions (default: the process-wide one). */
  pool?: CodecPool;
  /** Told how the pixel data will be converted, once the Pixel Data element is reached. */
  onPlan?: (plan: PixelPlan) => void;
  /** Told the sizes once every frame is converted. */
  onPixelResult?: (result: PixelResult) => void;
}

/** A held run of output whose size must be known before the length field in front of it. */
interface Hold {
  chunks: Buffer[];
  size: number;
  /** Where the length (or group length value) to patch sits, and from which size it counts. */
  field: { buf: Buffer; at: number };
  countFrom: number;
  kind: 'container' | 'group';
  group: number;
}

/** Per dataset level (top level and each item): the open group-length hold, if any. */
interface Level {
  groupHold?: Hold;
  /** Group whose length was written early (a large value followed); later elements are not counted. */
  closedGroup: number;
}

/** Largest held run before a group length is settled early to let a large value stream. */
const HOLD_LIMIT = 1024 * 1024;

interface SyntaxInfo extends Syntax {
  deflated: boolean;
  encapsulated: boolean;
}

function checkSyntax(uid: string, role: 'source' | 'target'): SyntaxInfo {
  const ts = transferSyntax(uid);
  if (!ts) throw new UnsupportedTransferSyntaxError(`The ${role} transfer syntax ${uid} is not a known transfer syntax.`, uid);
  return { explicit: ts.explicitVR, little: ts.littleEndian, deflated: ts.deflated, encapsulated: ts.encapsulated };
}

/** Why pixel data cannot go from one syntax to the other, or undefined. */
function pixelRefusal(from: string, to: string): string | undefined {
  if (!needsPixelWork(from, to)) return undefined;
  if (transferSyntax(from)!.encapsulated && !canDecode(from)) return `${syntaxLabel(from)} (${from}) cannot be decoded, so it cannot be converted`;
  const out = codecSyntax(to);
  if (transferSyntax(to)!.encapsulated && (!out || out.encode === 'none')) return `${syntaxLabel(to)} (${to}) cannot be written`;
  return undefined;
}

/** Top-level attributes the pixel conversion reads. */
const PIXEL_ATTRIBUTES = new Set<number>([
  0x00280002, 0x00280004, 0x00280006, 0x00280008, 0x00280010, 0x00280011,
  0x00280100, 0x00280101, 0x00280102, 0x00280103, 0x00282110, 0x00282112, 0x00282114, 0x7fe00001, 0x7fe00002,
]);
const PHOTOMETRIC = 0x00280004;
const PLANAR_CONFIGURATION = 0x00280006;
const LOSSY_IMAGE_COMPRESSION = 0x00282110;
const LOSSY_RATIO = 0x00282112;
const LOSSY_METHOD = 0x00282114;
const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;
/** Top-level attributes a pixel conversion may rewrite, insert or drop, in tag order. */
const MANAGED = [PHOTOMETRIC, PLANAR_CONFIGURATION, LOSSY_IMAGE_COMPRESSION, LOSSY_RATIO, LOSSY_METHOD, EXTENDED_OFFSET_TABLE, EXTENDED_OFFSET_TABLE_LENGTHS];

interface Captured {
  vr: string;
  value: Buffer;
}

/**
 * The conversion engine: push input chunks, collect output pieces (bytes now, or bytes that come
 * from the codec pool later). Without pixel conversion every piece is bytes and it is synchronous.
 * A Deflated target is produced undeflated here; the stream around the engine deflates.
 */
export class TranscodeEngine implements TokenSink {
  private readonly from: SyntaxInfo;
  private readonly to: SyntaxInfo;
  private readonly fromTs: string;
  private readonly toTs: string;
  private readonly inflater?: IncrementalInflater;
  private readonly tokenizer: DatasetTokenizer;
  private readonly lengths: LengthMode;
  private readonly groupLengths: 'recalculate' | 'keep' | 'remove';
  private readonly holds: Hold[] = [];
  private readonly levels: Level[] = [{ closedGroup: -1 }];
  /** Per open sequence/item container: whether it is written with undefined length, its hold. */
  private readonly containers: { undefinedOut: boolean; hold?: Hold }[] = [];
  private output: Piece[] = [];
  // Current value: how to transform its bytes.
  private valueMode: 'copy' | 'swap' | 'drop' | 'pixels' | 'fragment' = 'copy';
  private swapUnitSize = 1;
  private swapCarry: Buffer | undefined;
  // Pixel conversion (only when the pixel data changes syntax).
  private readonly pixelWork: boolean;
  private readonly captured = new Map<number, Captured>();
  private capturing: { tag: number; vr: string; parts: Buffer[] } | undefined;
  private managedIndex = 0;
  private readonly slots = new Map<number, Deferred>();
  private converter: PixelDataConverter | undefined;
  private fragmentParts: Buffer[] = [];
  private plan: PixelPlan | undefined;

  constructor(fromTs: string, toTs: string, private readonly opts: TranscodeOptions = {}) {
    this.from = checkSyntax(fromTs, 'source');
    this.to = checkSyntax(toTs, 'target');
    this.fromTs = fromTs;
    this.toTs = toTs;
    const refusal = pixelRefusal(fromTs, toTs);
    if (refusal) throw new UnsupportedTransferSyntaxError(`${refusal}.`, this.from.encapsulated ? fromTs : toTs);
    this.pixelWork = needsPixelWork(fromTs, toTs);
    this.lengths = opts.lengths ?? 'keep';
    this.groupLengths = opts.groupLengths ?? 'recalculate';
    this.tokenizer = new DatasetTokenizer(this.from, this);
    if (this.from.deflated) this.inflater = new IncrementalInflater((c) => this.tokenizer.push(c));
  }

  /** True when frames go through the codec pool (the output may hold pieces that come later). */
  get convertsPixels(): boolean {
    return this.pixelWork;
  }

  /** Feeds input; returns the output produced so far (possibly empty). */
  push(chunk: Buffer): Piece[] {
    if (this.inflater) this.inflater.push(chunk);
    else this.tokenizer.push(chunk);
    return this.take();
  }

  /** Ends the input; throws if it stopped inside an element; returns the remaining output. */
  end(): Piece[] {
    this.inflater?.end();
    this.tokenizer.end();
    this.closeGroup(this.levels[0]);
    if (this.holds.length) throw new Error('internal: unclosed output hold at end of data');
    if (this.pixelWork) {
      this.placeSlots(0xffffffff);
      // No Pixel Data: what was captured goes back unchanged.
      if (!this.plan) this.fillSlots(undefined);
    }
    return this.take();
  }

  /** When frames are in the codec pool as fast as it takes them: wait for this before pushing more. */
  backpressure(): Promise<void> | undefined {
    return this.converter?.backpressure();
  }

  private take(): Piece[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  // ---- output with holds ----

  private emit(b: Buffer): void {
    if (b.length === 0) return;
    const h = this.holds[this.holds.length - 1];
    if (h) {
      h.chunks.push(b);
      h.size += b.length;
    } else {
      this.output.push(b);
    }
  }

  /** A place in the output whose bytes come later (only ever at the top level, outside holds). */
  private later(): Deferred {
    if (this.holds.length) throw new Error('internal: deferred output inside a held run');
    const d = new Deferred();
    this.output.push(d);
    return d;
  }

  private openHold(kind: Hold['kind'], group = -1): Hold {
    const h: Hold = { chunks: [], size: 0, field: { buf: Buffer.alloc(0), at: 0 }, countFrom: 0, kind, group };
    this.holds.push(h);
    return h;
  }

  private closeHold(h: Hold): void {
    const top = this.holds.pop();
    if (top !== h) throw new Error('internal: output holds closed out of order');
    const len = h.size - h.countFrom;
    if (this.to.little) h.field.buf.writeUInt32LE(len, h.field.at);
    else h.field.buf.writeUInt32BE(len, h.field.at);
    for (const c of h.chunks) this.emit(c);
  }

  private u16(buf: Buffer, at: number, v: number): void {
    if (this.to.little) buf.writeUInt16LE(v, at); else buf.writeUInt16BE(v, at);
  }

  private u32(buf: Buffer, at: number, v: number): void {
    if (this.to.little) buf.writeUInt32LE(v, at); else buf.writeUInt32BE(v, at);
  }

  /** An element header in the target syntax, not yet written; `at` is where its length field sits. */
  private headerBytes(tag: Tag, vr: string, len: number): { buf: Buffer; at: number } {
    if (!this.to.explicit) return this.plainHeaderBytes(tag, len);
    const long = hasLongExplicitHeader(vr);
    const b = Buffer.allocUnsafe(long ? 12 : 8);
    this.u16(b, 0, tag >>> 16);
    this.u16(b, 2, tag & 0xffff);
    b.write(vr, 4, 'latin1');
    if (long) {
      b.writeUInt16LE(0, 6);
      this.u32(b, 8, len);
    } else {
      this.u16(b, 6, len);
    }
    return { buf: b, at: long ? 8 : 6 };
  }

  private plainHeaderBytes(tag: Tag, len: number): { buf: Buffer; at: number } {
    const b = Buffer.allocUnsafe(8);
    this.u16(b, 0, tag >>> 16);
    this.u16(b, 2, tag & 0xffff);
    this.u32(b, 4, len);
    return { buf: b, at: 4 };
  }

  /** Writes an element header in the target syntax; returns where its length field sits. */
  private elementHeader(tag: Tag, vr: string, len: number): { buf: Buffer; at: number } {
    const h = this.headerBytes(tag, vr, len);
    this.emit(h.buf);
    return h;
  }

  /** Tag + 32-bit length (items, delimiters, implicit VR elements). */
  private plainHeader(tag: Tag, len: number): { buf: Buffer; at: number } {
    const h = this.plainHeaderBytes(tag, len);
    this.emit(h.buf);
    return h;
  }

  private level(): Level {
    return this.levels[this.levels.length - 1];
  }

  private closeGroup(level: Level): void {
    if (level.groupHold) {
      const h = level.groupHold;
      level.groupHold = undefined;
      this.closeHold(h);
    }
  }

  /** Called before anything is written at a dataset level: ends a group-length hold of another group. */
  private beforeElement(tag: Tag, depth: number): void {
    const level = this.level();
    const g = tag >>> 16;
    if (level.groupHold && level.groupHold.group !== g) this.closeGroup(level);
    if (depth === 0 && this.pixelWork) this.placeSlots(tag);
  }

  // ---- attributes a pixel conversion changes ----

  /** Places the slots of managed attributes up to `tag` (inserted where absent); true when `tag` is one. */
  private placeSlots(tag: Tag): boolean {
    while (this.managedIndex < MANAGED.length && MANAGED[this.managedIndex]! <= tag) {
      const t = MANAGED[this.managedIndex++]!;
      this.slots.set(t, this.later());
      if (t === tag) return true;
    }
    return false;
  }

  private text(tag: Tag): string | undefined {
    const c = this.captured.get(tag);
    return c ? c.value.toString('latin1').replace(/[\0 ]+$/, '').trim() : undefined;
  }

  private uint(tag: Tag): number | undefined {
    const c = this.captured.get(tag);
    if (!c || c.value.length < 2) return undefined;
    return this.from.little ? c.value.readUInt16LE(0) : c.value.readUInt16BE(0);
  }

  private pixelAttributes(): PixelAttributes {
    return {
      rows: this.uint(0x00280010), columns: this.uint(0x00280011), samplesPerPixel: this.uint(0x00280002),
      bitsAllocated: this.uint(0x00280100), bitsStored: this.uint(0x00280101), highBit: this.uint(0x00280102),
      pixelRepresentation: this.uint(0x00280103), planarConfiguration: this.uint(PLANAR_CONFIGURATION),
      photometricInterpretation: this.text(PHOTOMETRIC), numberOfFrames: this.text(0x00280008),
    };
  }

  /** A whole element in the target syntax (text padded to even length with a space). */
  private elementBytes(tag: Tag, vr: string, value: Buffer): Buffer[] {
    const v = value.length % 2 ? Buffer.concat([value, Buffer.from(' ')]) : value;
    return [this.headerBytes(tag, vr, v.length).buf, v];
  }

  /** The captured element as it was (byte-swapped if the byte order changes), or nothing. */
  private original(tag: Tag): Buffer[] {
    const c = this.captured.get(tag);
    if (!c || tag === EXTENDED_OFFSET_TABLE || tag === EXTENDED_OFFSET_TABLE_LENGTHS) return [];
    const value = this.from.little !== this.to.little ? swapped(c.value, swapUnit(c.vr)) : c.value;
    return [this.headerBytes(tag, c.vr, value.length).buf, value];
  }

  private usBytes(tag: Tag, v: number): Buffer[] {
    const b = Buffer.alloc(2);
    this.u16(b, 0, v);
    return [this.headerBytes(tag, 'US', 2).buf, b];
  }

  /** Fills the managed attributes' slots for the plan (undefined: no pixel data, all unchanged). */
  private fillSlots(plan: PixelPlan | undefined): void {
    const changes = plan && plan.work !== 'copy';
    this.slots.get(PHOTOMETRIC)?.fill(changes && plan.source.photometricInterpretation !== plan.target.photometricInterpretation
      ? this.elementBytes(PHOTOMETRIC, 'CS', Buffer.from(plan.target.photometricInterpretation, 'latin1')) : this.original(PHOTOMETRIC));
    this.slots.get(PLANAR_CONFIGURATION)?.fill(changes && plan.target.samplesPerPixel > 1
      ? this.usBytes(PLANAR_CONFIGURATION, plan.target.planarConfiguration) : this.original(PLANAR_CONFIGURATION));
    this.slots.get(EXTENDED_OFFSET_TABLE)?.fill(changes ? [] : this.original(EXTENDED_OFFSET_TABLE));
    this.slots.get(EXTENDED_OFFSET_TABLE_LENGTHS)?.fill(changes ? [] : this.original(EXTENDED_OFFSET_TABLE_LENGTHS));
    if (!plan?.lossy) {
      for (const t of [LOSSY_IMAGE_COMPRESSION, LOSSY_RATIO, LOSSY_METHOD]) this.slots.get(t)?.fill(this.original(t));
      return;
    }
    // Lossy: "01", and this compression's ratio and method after the earlier ones (PS3.3 C.7.6.1.1.5), once the sizes are known.
    const converter = this.converter!;
    this.slots.get(LOSSY_IMAGE_COMPRESSION)?.fill(this.elementBytes(LOSSY_IMAGE_COMPRESSION, 'CS', Buffer.from('01')));
    converter.finished.then((r) => {
      const ratio = r.encodedBytes > 0 ? (r.nativeBytes / r.encodedBytes).toFixed(2).replace(/\.?0+$/, '') : '1';
      const values = (tag: Tag, add: string) => [...(this.text(tag) ?? '').split('\\').filter((v) => v.trim() !== ''), add].join('\\');
      this.slots.get(LOSSY_RATIO)?.fill(this.elementBytes(LOSSY_RATIO, 'DS', Buffer.from(values(LOSSY_RATIO, ratio), 'latin1')));
      this.slots.get(LOSSY_METHOD)?.fill(this.elementBytes(LOSSY_METHOD, 'CS', Buffer.from(values(LOSSY_METHOD, plan.method!), 'latin1')));
    }, (e: Error) => {
      this.slots.get(LOSSY_RATIO)?.fail(e);
      this.slots.get(LOSSY_METHOD)?.fail(e);
    });
  }

  /** At the top-level Pixel Data: the plan, the slots filled, the converter started. */
  private startPixels(): PixelDataConverter {
    const plan = planPixelConversion(this.fromTs, this.toTs, this.pixelAttributes(), this.opts);
    this.plan = plan;
    const eot = this.captured.get(EXTENDED_OFFSET_TABLE)?.value;
    const eotOffsets = eot ? tableOffsets(eot, plan.frames, 8) : undefined;
    const converter = new PixelDataConverter(plan, this.opts.pool ?? sharedCodecPool(), {
      write: (b) => this.emit(b),
      later: () => this.later(),
      header: (tag, vr, length) => this.headerBytes(tag, vr, length).buf,
    }, { targetLittle: this.to.little, extendedOffsets: eotOffsets });
    this.converter = converter;
    this.fillSlots(plan);
    this.opts.onPlan?.(plan);
    const onResult = this.opts.onPixelResult;
    if (onResult) converter.finished.then(onResult, () => undefined);
    return converter;
  }

  // ---- TokenSink ----

  element(tag: Tag, vr: string, length: number, depth: number, src: Syntax): boolean {
    this.beforeElement(tag, depth);
    const level = this.level();
    const s = this.to;
    if (this.pixelWork && depth === 0) {
      if (PIXEL_ATTRIBUTES.has(tag)) this.capturing = { tag, vr, parts: [] };
      if (MANAGED.includes(tag)) {
        this.valueMode = 'drop';
        return true;
      }
      if (tag === Tags.PixelData) {
        this.startPixels().beginNative(length, src.little || vr !== 'OW' ? 1 : 2);
        this.valueMode = 'pixels';
        return true;
      }
      if ((tag === Tags.FloatPixelData || tag === Tags.DoubleFloatPixelData) && this.to.encapsulated) {
        throw new UnsupportedConversionError(`Float pixel data cannot be written in ${syntaxLabel(this.toTs)}.`);
      }
      if ((tag & 0xffff) === 0 && ((tag >>> 16) === 0x0028 || (tag >>> 16) === 0x7fe0)) {
        // Group lengths of the groups whose elements change size are not kept (they are retired anyway).
        this.valueMode = 'drop';
        return true;
      }
    }
    if ((tag & 0xffff) === 0 && length === 4 && this.groupLengths !== 'keep') {
      if (this.groupLengths === 'remove' || level.closedGroup === tag >>> 16) {
        this.valueMode = 'drop';
        return true;
      }
      const h = this.openHold('group', tag >>> 16);
      this.elementHeader(tag, 'UL', 4);
      const v = Buffer.alloc(4);
      this.emit(v);
      h.field = { buf: v, at: 0 };
      h.countFrom = h.size;
      level.groupHold = h;
      this.valueMode = 'drop';
      return true;
    }
    let outVr = vr;
    if (s.explicit && !hasLongExplicitHeader(vr) && length > 0xffff) outVr = 'UN';
    if (length > HOLD_LIMIT && level.groupHold && this.holds.length === 1 && this.holds[0] === level.groupHold) {
      // Settle the group length now, counting this value as the group's last element,
      // so that a large value (pixel data) streams instead of being held.
      const h = level.groupHold;
      h.size += (s.explicit && hasLongExplicitHeader(outVr) ? 12 : 8) + length;
      level.groupHold = undefined;
      this.holds.pop();
      if (this.to.little) h.field.buf.writeUInt32LE(h.size - h.countFrom, h.field.at);
      else h.field.buf.writeUInt32BE(h.size - h.countFrom, h.field.at);
      for (const c of h.chunks) this.emit(c);
      level.closedGroup = h.group;
    }
    this.elementHeader(tag, outVr, length);
    const unit = src.little !== s.little && vr !== 'UN' && outVr !== 'UN' ? swapUnit(vr) : 1;
    this.valueMode = unit > 1 ? 'swap' : 'copy';
    this.swapUnitSize = unit;
    return true;
  }

  value(chunk: Buffer): void {
    if (this.capturing) this.capturing.parts.push(Buffer.from(chunk));
    switch (this.valueMode) {
      case 'drop': return;
      case 'copy': this.emit(chunk); return;
      case 'pixels': this.converter!.nativeChunk(chunk); return;
      case 'fragment': this.fragmentParts.push(Buffer.from(chunk)); return;
      case 'swap': break;
    }
    const unit = this.swapUnitSize;
    let data = chunk;
    if (this.swapCarry) {
      data = Buffer.concat([this.swapCarry, chunk]);
      this.swapCarry = undefined;
    }
    const whole = data.length - (data.length % unit);
    if (whole > 0) {
      const out = Buffer.allocUnsafe(whole);
      data.copy(out, 0, 0, whole);
      this.emit(swapInPlace(out, unit));
    }
    if (whole < data.length) this.swapCarry = Buffer.from(data.subarray(whole));
  }

  valueEnd(): void {
    if (this.capturing) {
      const c = this.capturing;
      this.capturing = undefined;
      this.captured.set(c.tag, { vr: c.vr, value: Buffer.concat(c.parts) });
    }
    if (this.valueMode === 'pixels') this.converter!.endNative();
    if (this.valueMode === 'fragment') {
      const parts = this.fragmentParts;
      this.fragmentParts = [];
      this.converter!.fragment(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    }
    if (this.swapCarry) {
      // A trailing partial unit (odd-length value) passes unswapped.
      this.emit(this.swapCarry);
      this.swapCarry = undefined;
    }
    this.valueMode = 'copy';
  }

  private wantsUndefined(sourceLength: number): boolean {
    if (this.lengths === 'undefined') return true;
    if (this.lengths === 'defined') return false;
    return sourceLength < 0;
  }

  sequenceStart(tag: Tag, _vr: string, length: number, depth: number): void {
    this.beforeElement(tag, depth);
    const undefinedOut = this.wantsUndefined(length);
    let hold: Hold | undefined;
    if (!undefinedOut) hold = this.openHold('container');
    const field = this.elementHeader(tag, 'SQ', undefinedOut ? UNDEFINED_LENGTH : 0);
    if (hold) {
      hold.field = field;
      hold.countFrom = hold.size;
    }
    this.containers.push({ undefinedOut, hold });
  }

  itemStart(length: number): void {
    const undefinedOut = this.wantsUndefined(length);
    let hold: Hold | undefined;
    if (!undefinedOut) hold = this.openHold('container');
    const field = this.plainHeader(ITEM, undefinedOut ? UNDEFINED_LENGTH : 0);
    if (hold) {
      hold.field = field;
      hold.countFrom = hold.size;
    }
    this.containers.push({ undefinedOut, hold });
    this.levels.push({ closedGroup: -1 });
  }

  itemEnd(): void {
    const level = this.levels.pop()!;
    this.closeGroup(level);
    const c = this.containers.pop()!;
    if (c.undefinedOut) this.plainHeader(ITEM_DELIMITATION, 0);
    else this.closeHold(c.hold!);
  }

  sequenceEnd(): void {
    const c = this.containers.pop()!;
    if (c.undefinedOut) this.plainHeader(SEQUENCE_DELIMITATION, 0);
    else this.closeHold(c.hold!);
  }

  fragmentsStart(tag: Tag, vr: string, depth: number): void {
    this.beforeElement(tag, depth);
    if (this.pixelWork) {
      if (depth > 0 || tag !== Tags.PixelData) {
        throw new UnsupportedConversionError(`Encapsulated data in ${depth > 0 ? 'a sequence item' : 'an element other than Pixel Data'} cannot be converted to ${syntaxLabel(this.toTs)}.`);
      }
      this.startPixels().beginFragments();
      return;
    }
    this.elementHeader(tag, vr, UNDEFINED_LENGTH);
  }

  fragment(length: number): boolean {
    if (this.converter && this.pixelWork) {
      this.valueMode = 'fragment';
      return true;
    }
    this.plainHeader(ITEM, length);
    this.valueMode = 'copy';
    return true;
  }

  fragmentsEnd(): void {
    if (this.converter && this.pixelWork) {
      this.converter.endFragments();
      return;
    }
    this.plainHeader(SEQUENCE_DELIMITATION, 0);
  }
}

/** Bytes of pieces that are known, in order, from the front of a queue. */
function takeReady(queue: Piece[]): Buffer[] {
  const out: Buffer[] = [];
  while (queue.length) {
    const p = queue[0]!;
    if (p instanceof Deferred) {
      if (!p.isSettled) break;
      out.push(...p.take());
    } else {
      out.push(p);
    }
    queue.shift();
  }
  return out;
}

/**
 * A Transform stream converting a data set (no file meta) from one syntax to another. Compressed
 * syntaxes on either side go through the codec pool (opts.pool, else the shared one).
 */
export function createTranscoder(fromTs: string, toTs: string, opts: TranscodeOptions = {}): Transform {
  const deflate = transferSyntax(toTs)?.deflated === true;
  const engine = new TranscodeEngine(fromTs, deflate ? ExplicitVRLittleEndian : toTs, opts);
  const queue: Piece[] = [];
  let deflater: InstanceType<typeof pako.Deflate> | undefined;
  let t!: Transform;
  // Group small pieces (headers) into one chunk; pass large ones as they are.
  let small: Buffer[] = [];
  let smallSize = 0;
  const flushSmall = () => {
    if (small.length) t.push(small.length === 1 ? small[0] : Buffer.concat(small, smallSize));
    small = [];
    smallSize = 0;
  };
  const out = (b: Buffer) => {
    if (b.length >= 16 * 1024) {
      flushSmall();
      t.push(b);
    } else {
      small.push(b);
      smallSize += b.length;
      if (smallSize >= 64 * 1024) flushSmall();
    }
  };
  if (deflate) {
    deflater = new pako.Deflate({ raw: true, level: opts.deflateLevel ?? 6 });
    deflater.onData = (c: Uint8Array) => out(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  }
  const write = (bufs: Buffer[]) => {
    for (const b of bufs) {
      if (b.length === 0) continue;
      if (deflater) deflater.push(b, 0);
      else out(b);
    }
    flushSmall();
  };
  t = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      void (async () => {
        queue.push(...engine.push(chunk));
        write(takeReady(queue));
        for (let wait = engine.backpressure(); wait; wait = engine.backpressure()) {
          await wait;
          write(takeReady(queue));
        }
      })().then(() => cb(), (e: Error) => cb(e));
    },
    flush(cb: TransformCallback) {
      void (async () => {
        queue.push(...engine.end());
        write(takeReady(queue));
        while (queue.length) {
          await (queue[0] as Deferred).settled;
          write(takeReady(queue));
        }
        if (deflater) {
          deflater.push(new Uint8Array(0), true);
          flushSmall();
        }
      })().then(() => cb(), (e: Error) => cb(e));
    },
  });
  return t;
}

/** Converts a whole data set (no file meta) held in memory, between uncompressed syntaxes. */
export function transcodeBuffer(buf: Buffer, fromTs: string, toTs: string, opts: TranscodeOptions = {}): Buffer {
  if (needsPixelWork(fromTs, toTs)) {
    throw new UnsupportedTransferSyntaxError(`Converting from ${syntaxLabel(fromTs)} to ${syntaxLabel(toTs)} goes through the codec workers; use transcodeDataset.`, toTs);
  }
  // With the whole input at hand, native zlib deflates faster than the incremental deflater.
  const deflate = transferSyntax(toTs)?.deflated === true;
  const engine = new TranscodeEngine(fromTs, deflate ? ExplicitVRLittleEndian : toTs, opts);
  const out = [...engine.push(buf), ...engine.end()] as Buffer[];
  const body = out.length === 1 ? out[0] : Buffer.concat(out);
  return deflate ? deflateRawSync(body, { level: opts.deflateLevel ?? 6 }) : body;
}

/** Converts a whole data set (no file meta) held in memory, between any syntaxes the codecs handle. */
export async function transcodeDataset(buf: Buffer, fromTs: string, toTs: string, opts: TranscodeOptions = {}): Promise<Buffer> {
  if (!needsPixelWork(fromTs, toTs)) return transcodeBuffer(buf, fromTs, toTs, opts);
  const parts: Buffer[] = [];
  const t = createTranscoder(fromTs, toTs, opts);
  t.on('data', (c: Buffer) => parts.push(c));
  await new Promise<void>((resolve, reject) => {
    t.on('end', resolve);
    t.on('error', reject);
    t.end(buf);
  });
  return Buffer.concat(parts);
}
