// The conversion engine behind transcode.ts: a TokenSink that writes each element in the target
// syntax as the tokenizer reads it. Values pass through in the chunks they arrive in, byte-swapped
// by VR when the endianness changes; only what must be measured before it is written (sequences
// and items written with defined lengths, groups with a group length) is held. When the pixel data
// changes syntax, the top-level Pixel Data goes frame by frame through the codec pool, and the
// attributes the conversion changes are written in their places once known (ManagedAttributes).
import { DatasetTokenizer, IncrementalInflater, LengthMode, Syntax, TokenSink, swapInPlace } from './codec';
import {
  CodecPool, Deferred, EncodeParams, Piece, PixelDataConverter, PixelPlan, PixelResult, UnsupportedConversionError,
  canDecode, codecSyntax, needsPixelWork, planPixelConversion, sharedCodecPool, syntaxLabel, tableOffsets,
} from './codecs';
import { UnsupportedTransferSyntaxError } from './errors';
import { Tag, Tags, ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from './tag';
import { headerBytes, plainHeaderBytes } from './transcode-headers';
import { ManagedAttributes } from './transcode-pixel-attributes';
import { transferSyntax } from './transfer-syntaxes';
import { hasLongExplicitHeader, swapUnit } from './vr';

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
  private readonly attributes: ManagedAttributes;
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
    this.attributes = new ManagedAttributes(this.from, this.to, () => this.later());
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
      this.attributes.placeSlots(0xffffffff);
      // No Pixel Data: what was captured goes back unchanged.
      if (!this.plan) this.attributes.fillSlots(undefined);
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

  /** Writes an element header in the target syntax; returns where its length field sits. */
  private elementHeader(tag: Tag, vr: string, len: number): { buf: Buffer; at: number } {
    const h = headerBytes(this.to, tag, vr, len);
    this.emit(h.buf);
    return h;
  }

  /** Tag + 32-bit length (items, delimiters, implicit VR elements). */
  private plainHeader(tag: Tag, len: number): { buf: Buffer; at: number } {
    const h = plainHeaderBytes(this.to, tag, len);
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
    if (depth === 0 && this.pixelWork) this.attributes.placeSlots(tag);
  }

  /** At the top-level Pixel Data: the plan, the slots filled, the converter started. */
  private startPixels(): PixelDataConverter {
    const plan = planPixelConversion(this.fromTs, this.toTs, this.attributes.pixelAttributes(), this.opts);
    this.plan = plan;
    const eot = this.attributes.extendedOffsetTable();
    const eotOffsets = eot ? tableOffsets(eot, plan.frames, 8) : undefined;
    const converter = new PixelDataConverter(plan, this.opts.pool ?? sharedCodecPool(), {
      write: (b) => this.emit(b),
      later: () => this.later(),
      header: (tag, vr, length) => headerBytes(this.to, tag, vr, length).buf,
    }, { targetLittle: this.to.little, extendedOffsets: eotOffsets });
    this.converter = converter;
    this.attributes.fillSlots(plan, converter);
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
      if (this.attributes.startElement(tag, vr)) {
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
    this.attributes.valueChunk(chunk);
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
    this.attributes.valueEnd();
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
