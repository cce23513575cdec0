// Streaming conversion between the uncompressed transfer syntaxes (Implicit VR LE, Explicit VR
// LE, Explicit VR BE, Deflated Explicit VR LE). Values pass through in the chunks they arrive in,
// byte-swapped by VR when the endianness changes; only what must be measured before it is
// written (sequences and items written with defined lengths, groups with a group length) is held.

import { Transform, TransformCallback } from 'node:stream';
import { DatasetTokenizer, TokenSink } from './codec/tokenizer';
import { IncrementalInflater } from './codec/inflate';
import { Syntax } from './codec/reader';
import { LengthMode } from './codec/writer';
import { swapInPlace } from './codec/byte-swap';
import { UnsupportedTransferSyntaxError } from './errors';
import { Tag, ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from './tag';
import { hasLongExplicitHeader, swapUnit } from './vr';
import { transferSyntax, isUncompressed, ExplicitVRLittleEndian } from './transfer-syntaxes';
import { deflateRawSync } from 'node:zlib';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const pako = require('pako') as {
  Deflate: new (opts: { raw: boolean; level?: number }) => {
    push(data: Uint8Array, flush: number | boolean): boolean;
    onData: (c: Uint8Array) => void;
    err: number;
    msg: string;
  };
};

export interface TranscodeOptions {
  /**
   * Sequence and item lengths in the output: as in the input ('keep', default), all defined
   * (like `dcmconv +e`), or all undefined (like `dcmconv -e`).
   */
  lengths?: LengthMode;
  /** Group length elements (gggg,0000): recalculated (default, as DCMTK), kept as they are, or removed. */
  groupLengths?: 'recalculate' | 'keep' | 'remove';
  /** Deflate level for a Deflated output (default 6). */
  deflateLevel?: number;
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

function checkSyntax(uid: string, role: string): { explicit: boolean; little: boolean; deflated: boolean } {
  const ts = transferSyntax(uid);
  if (!ts) throw new UnsupportedTransferSyntaxError(`The ${role} transfer syntax ${uid} is not a known transfer syntax; only uncompressed syntaxes can be converted.`, uid);
  if (!isUncompressed(uid)) {
    throw new UnsupportedTransferSyntaxError(`${ts.name} (${uid}) is compressed; only uncompressed syntaxes can be converted.`, uid);
  }
  return { explicit: ts.explicitVR, little: ts.littleEndian, deflated: ts.deflated };
}

/** The conversion engine, synchronous: push input chunks, collect output chunks. */
export class TranscodeEngine implements TokenSink {
  private readonly from: Syntax;
  private readonly to: Syntax;
  private readonly inflater?: IncrementalInflater;
  private readonly deflater?: InstanceType<typeof pako.Deflate>;
  private readonly tokenizer: DatasetTokenizer;
  private readonly lengths: LengthMode;
  private readonly groupLengths: 'recalculate' | 'keep' | 'remove';
  private readonly holds: Hold[] = [];
  private readonly levels: Level[] = [{ closedGroup: -1 }];
  /** Per open sequence/item container: whether it is written with undefined length, its hold. */
  private readonly containers: { undefinedOut: boolean; hold?: Hold }[] = [];
  private output: Buffer[] = [];
  // Current value: how to transform its bytes.
  private valueMode: 'copy' | 'swap' | 'drop' = 'copy';
  private swapUnitSize = 1;
  private swapCarry: Buffer | undefined;

  constructor(fromTs: string, toTs: string, opts: TranscodeOptions = {}) {
    const f = checkSyntax(fromTs, 'source');
    const t = checkSyntax(toTs, 'target');
    this.from = { explicit: f.explicit, little: f.little };
    this.to = { explicit: t.explicit, little: t.little };
    this.lengths = opts.lengths ?? 'keep';
    this.groupLengths = opts.groupLengths ?? 'recalculate';
    this.tokenizer = new DatasetTokenizer(this.from, this);
    if (f.deflated) this.inflater = new IncrementalInflater((c) => this.tokenizer.push(c));
    if (t.deflated) {
      this.deflater = new pako.Deflate({ raw: true, level: opts.deflateLevel ?? 6 });
      this.deflater.onData = (c: Uint8Array) => this.output.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    }
  }

  /** Feeds input; returns the output produced so far (possibly empty). */
  push(chunk: Buffer): Buffer[] {
    if (this.inflater) this.inflater.push(chunk);
    else this.tokenizer.push(chunk);
    return this.take();
  }

  /** Ends the input; throws if it stopped inside an element; returns the remaining output. */
  end(): Buffer[] {
    this.inflater?.end();
    this.tokenizer.end();
    this.closeGroup(this.levels[0]);
    if (this.holds.length) throw new Error('internal: unclosed output hold at end of data');
    if (this.deflater) {
      this.deflater.push(new Uint8Array(0), true);
    }
    return this.take();
  }

  private take(): Buffer[] {
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
    } else if (this.deflater) {
      this.deflater.push(b, 0);
    } else {
      this.output.push(b);
    }
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

  /** Writes an element header in the target syntax; returns where its length field sits. */
  private elementHeader(tag: Tag, vr: string, len: number, s: Syntax): { buf: Buffer; at: number } {
    if (!s.explicit) return this.plainHeader(tag, len);
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
    this.emit(b);
    return { buf: b, at: long ? 8 : 6 };
  }

  /** Tag + 32-bit length (items, delimiters, implicit VR elements). */
  private plainHeader(tag: Tag, len: number): { buf: Buffer; at: number } {
    const b = Buffer.allocUnsafe(8);
    this.u16(b, 0, tag >>> 16);
    this.u16(b, 2, tag & 0xffff);
    this.u32(b, 4, len);
    this.emit(b);
    return { buf: b, at: 4 };
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
  private beforeElement(tag: Tag): void {
    const level = this.level();
    const g = tag >>> 16;
    if (level.groupHold && level.groupHold.group !== g) this.closeGroup(level);
  }

  private outputSyntax(): Syntax {
    // Everything, including the Implicit VR LE items of a UN of undefined length (written as SQ,
    // like DCMTK does), is written in the target syntax.
    return this.to;
  }

  // ---- TokenSink ----

  element(tag: Tag, vr: string, length: number, _depth: number, src: Syntax): boolean {
    this.beforeElement(tag);
    const level = this.level();
    const s = this.outputSyntax();
    if ((tag & 0xffff) === 0 && length === 4 && this.groupLengths !== 'keep') {
      if (this.groupLengths === 'remove' || level.closedGroup === tag >>> 16) {
        this.valueMode = 'drop';
        return true;
      }
      const h = this.openHold('group', tag >>> 16);
      this.elementHeader(tag, 'UL', 4, s);
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
    this.elementHeader(tag, outVr, length, s);
    const unit = src.little !== s.little && vr !== 'UN' && outVr !== 'UN' ? swapUnit(vr) : 1;
    this.valueMode = unit > 1 ? 'swap' : 'copy';
    this.swapUnitSize = unit;
    return true;
  }

  value(chunk: Buffer): void {
    if (this.valueMode === 'drop') {
      return;
    }
    if (this.valueMode === 'copy') {
      this.emit(chunk);
      return;
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

  sequenceStart(tag: Tag, _vr: string, length: number): void {
    this.beforeElement(tag);
    const s = this.outputSyntax();
    const undefinedOut = this.wantsUndefined(length);
    let hold: Hold | undefined;
    if (!undefinedOut) hold = this.openHold('container');
    const field = this.elementHeader(tag, 'SQ', undefinedOut ? UNDEFINED_LENGTH : 0, s);
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

  fragmentsStart(tag: Tag, vr: string): void {
    this.beforeElement(tag);
    this.elementHeader(tag, vr, UNDEFINED_LENGTH, this.outputSyntax());
  }

  fragment(length: number): boolean {
    this.plainHeader(ITEM, length);
    this.valueMode = 'copy';
    return true;
  }

  fragmentsEnd(): void {
    this.plainHeader(SEQUENCE_DELIMITATION, 0);
  }
}

/** A Transform stream converting a dataset (no file meta) from one uncompressed syntax to another. */
export function createTranscoder(fromTs: string, toTs: string, opts: TranscodeOptions = {}): Transform {
  const engine = new TranscodeEngine(fromTs, toTs, opts);
  const pushAll = (t: Transform, bufs: Buffer[]) => {
    // Group small pieces (headers) into one chunk; pass large ones as they are.
    let small: Buffer[] = [];
    let smallSize = 0;
    const flushSmall = () => {
      if (small.length) t.push(small.length === 1 ? small[0] : Buffer.concat(small, smallSize));
      small = [];
      smallSize = 0;
    };
    for (const b of bufs) {
      if (b.length >= 16 * 1024) {
        flushSmall();
        t.push(b);
      } else {
        small.push(b);
        smallSize += b.length;
        if (smallSize >= 64 * 1024) flushSmall();
      }
    }
    flushSmall();
  };
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        pushAll(this, engine.push(chunk));
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        pushAll(this, engine.end());
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

/** Converts a whole dataset (no file meta) held in memory. */
export function transcodeBuffer(buf: Buffer, fromTs: string, toTs: string, opts: TranscodeOptions = {}): Buffer {
  // With the whole input at hand, native zlib deflates faster than the incremental deflater.
  const deflate = transferSyntax(toTs)?.deflated === true;
  const engine = new TranscodeEngine(fromTs, deflate ? ExplicitVRLittleEndian : toTs, opts);
  const out = [...engine.push(buf), ...engine.end()];
  const body = out.length === 1 ? out[0] : Buffer.concat(out);
  return deflate ? deflateRawSync(body, { level: opts.deflateLevel ?? 6 }) : body;
}
