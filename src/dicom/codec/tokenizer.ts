// Incremental (push) tokenizer of a dataset byte stream. Chunks may split anywhere, even inside
// an element header. Values are never buffered: their bytes are handed to the sink as views of
// the chunks (or skipped by counting), so skipping 1 GiB of pixel data costs O(1) per chunk.
// Nesting (sequences, items, encapsulated fragments, defined or undefined lengths) is tracked
// with a stack; every length is checked against the innermost defined-length container.

import { DicomParseError, TruncatedFileError } from '../errors';
import { Tag, formatTag, ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH, Tags } from '../tag';
import { hasLongExplicitHeaderBytes, looksLikeVr, vrOfBytes } from '../vr';
import { implicitVr, isContextTag, noteContextValue, VrContext } from '../vr-resolve';
import { tagAt, uint16At, uint32At } from './byte-order';
import { Syntax } from './reader';

/** Undefined lengths are reported as -1. */
export interface TokenSink {
  /**
   * A non-sequence element. Return true to receive its value bytes through value()/valueEnd();
   * otherwise they are skipped.
   */
  element(tag: Tag, vr: string, length: number, depth: number, syntax: Syntax): boolean;
  value(chunk: Buffer): void;
  valueEnd(): void;
  /** itemSyntax differs from the stream's for a UN of undefined length (Implicit VR LE items). */
  sequenceStart(tag: Tag, vr: string, length: number, depth: number, syntax: Syntax, itemSyntax: Syntax): void;
  itemStart(length: number, depth: number, syntax: Syntax): void;
  itemEnd(depth: number, syntax: Syntax): void;
  sequenceEnd(depth: number, syntax: Syntax): void;
  fragmentsStart(tag: Tag, vr: string, depth: number, syntax: Syntax): void;
  /** A fragment item; its bytes follow through value()/valueEnd() when this returns true. */
  fragment(length: number, depth: number, syntax: Syntax): boolean;
  fragmentsEnd(depth: number, syntax: Syntax): void;
}

type FrameKind = 'item' | 'seq' | 'frags';

interface Frame {
  kind: FrameKind;
  /** Absolute end offset for defined lengths, -1 for undefined. */
  end: number;
  syntax: Syntax;
  ctx: VrContext;
  tag: Tag;
}

const IMPLICIT_LE: Syntax = { explicit: false, little: true };

export class DatasetTokenizer {
  /** Absolute offset of the next byte to consume. */
  position = 0;
  private readonly stack: Frame[];
  /** A header split between chunks, gathered here (made when first needed). */
  private carry: Buffer | undefined;
  private carryLen = 0;
  private valueRemaining = 0;
  private wantValue = false;
  private inValue = false;
  private contextTag = 0;
  private contextBytes: number[] | undefined;
  private stopped = false;
  private readonly maxDepth: number;

  constructor(readonly syntax: Syntax, private readonly sink: TokenSink, opts: { maxDepth?: number } = {}) {
    this.stack = [{ kind: 'item', end: -1, syntax, ctx: {}, tag: 0 }];
    this.maxDepth = opts.maxDepth ?? 64;
  }

  /** Stop consuming; later pushes are ignored. */
  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Nesting depth of the next token (0 = top level). */
  get depth(): number {
    return this.stack.length - 1;
  }

  /** True when the stream is between top-level elements (a clean place to end). */
  get atTopLevelBoundary(): boolean {
    return this.stack.length === 1 && !this.inValue && this.carryLen === 0;
  }

  private fail(message: string): never {
    throw new DicomParseError(message, this.position);
  }

  /** The end of the innermost container with a defined length, or Infinity. */
  private limit(): number {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const e = this.stack[i].end;
      if (e >= 0) return e;
    }
    return Infinity;
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (!this.stopped) {
      if (this.inValue) {
        const take = Math.min(this.valueRemaining, n - i);
        if (take > 0) {
          // A value nobody reads is skipped without a view of it (one object fewer per element).
          if (this.contextBytes) for (let k = i; k < i + take; k++) this.contextBytes.push(chunk[k]);
          if (this.wantValue) this.sink.value(chunk.subarray(i, i + take));
          i += take;
          this.position += take;
          this.valueRemaining -= take;
        }
        if (this.valueRemaining > 0) return;
        this.finishValue();
        continue;
      }
      this.closeFinishedFrames();
      if (this.stopped) return;
      if (this.stack.length === 1 && this.carryLen === 0 && this.syntax.explicit && this.syntax.little) {
        const at = i;
        i = this.topLevelElements(chunk, i, n);
        if (i !== at) continue;
      }
      // Gather a header: 8 bytes, or 12 for explicit VR elements with a 32-bit length.
      let need = this.carryLen === 0 ? this.headerSize(chunk, i, n - i) : 0;
      if (this.carryLen === 0 && n - i >= need) {
        const at = i;
        i += need;
        this.header(chunk, at, need);
        continue;
      }
      // The header straddles chunks: collect it byte by byte (at most 12) in the carry.
      const carry = this.carry ??= Buffer.alloc(12);
      for (;;) {
        need = this.headerSize(carry, 0, this.carryLen);
        if (this.carryLen >= need) break;
        if (i >= n) return;
        carry[this.carryLen++] = chunk[i++];
      }
      this.carryLen = 0;
      this.header(carry, 0, need);
    }
  }

  /**
   * The top-level elements of an explicit VR little endian data set whose headers lie whole in
   * the chunk, one after the other: the same tokens as header() and the value loop give, without
   * their calls and field updates per element (a receiver runs this unoptimized for most of a
   * transfer). A sequence, an undefined length, an item tag or anything invalid is left to
   * header(). Returns where it stopped; a value that goes on past the chunk is left begun.
   */
  private topLevelElements(chunk: Buffer, i: number, n: number): number {
    const s = this.syntax;
    const sink = this.sink;
    while (n - i >= 8) {
      const b0 = chunk[i + 4];
      const b1 = chunk[i + 5];
      if ((chunk[i] === 0xfe && chunk[i + 1] === 0xff) || !looksLikeVr(b0, b1)) return i;
      const long = hasLongExplicitHeaderBytes(b0, b1);
      if (long && n - i < 12) return i;
      const len = long ? uint32At(chunk, i + 8, true) : uint16At(chunk, i + 6, true);
      const vr = vrOfBytes(b0, b1);
      if (len === UNDEFINED_LENGTH || vr === 'SQ') return i;
      const t = tagAt(chunk, i, true);
      const size = long ? 12 : 8;
      i += size;
      this.position += size;
      const want = sink.element(t, vr, len, 0, s);
      if (this.stopped) return i;
      if (len > n - i) {
        this.beginValue(len, want, 0);
        return i;
      }
      this.position += len;
      if (want) {
        if (len > 0) sink.value(chunk.subarray(i, i + len));
        sink.valueEnd();
      }
      i += len;
      if (this.stopped) return i;
    }
    return i;
  }

  /** Bytes needed for the header starting at buf[off]; 8 until the VR is visible. */
  private headerSize(buf: Buffer, off: number, avail = buf.length - off): number {
    const top = this.stack[this.stack.length - 1];
    const s = top.syntax;
    if (top.kind !== 'item' || !s.explicit || avail < 6) return 8;
    const g = s.little ? buf[off] | (buf[off + 1] << 8) : (buf[off] << 8) | buf[off + 1];
    if (g === 0xfffe) return 8;
    const b0 = buf[off + 4];
    const b1 = buf[off + 5];
    return looksLikeVr(b0, b1) && hasLongExplicitHeaderBytes(b0, b1) ? 12 : 8;
  }

  private closeFinishedFrames(): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top.end < 0 || this.position < top.end) return;
      if (this.position > top.end) this.fail(`Data overran the end of a ${top.kind === 'seq' ? 'sequence' : 'item'} of ${formatTag(top.tag)} at offset ${this.position}.`);
      this.stack.pop();
      const depth = this.stack.length - 1;
      if (top.kind === 'item') this.sink.itemEnd(depth, top.syntax);
      else this.sink.sequenceEnd(depth, top.syntax);
      if (this.stopped) return;
    }
  }

  private header(b: Buffer, o: number, size: number): void {
    const top = this.stack[this.stack.length - 1];
    const s = top.syntax;
    const start = this.position;
    const t = tagAt(b, o, s.little);
    const limit = this.limit();
    if (start + size > limit) this.fail(`A header at offset ${start} crosses the end of its container at ${limit}.`);
    this.position += size;
    const depth = this.stack.length - 1;

    if (top.kind === 'seq' || top.kind === 'frags') {
      const len = uint32At(b, o + 4, s.little);
      if (t === SEQUENCE_DELIMITATION && top.end < 0) {
        this.stack.pop();
        if (top.kind === 'seq') this.sink.sequenceEnd(depth - 1, s);
        else this.sink.fragmentsEnd(depth - 1, s);
        return;
      }
      if (t !== ITEM) {
        this.fail(`${top.kind === 'seq' ? 'Sequence' : 'Encapsulated data'} ${formatTag(top.tag)} holds ${formatTag(t)} at offset ${start} where an Item was expected.`);
      }
      if (top.kind === 'frags') {
        if (len === UNDEFINED_LENGTH) this.fail(`A fragment of ${formatTag(top.tag)} has an undefined length at offset ${start}.`);
        this.checkFits(len, limit, start, 'Fragment of', top.tag);
        this.beginValue(len, this.sink.fragment(len, depth, s), 0);
        return;
      }
      const end = len === UNDEFINED_LENGTH ? -1 : this.position + len;
      if (end >= 0) this.checkFits(len, limit, start, 'Item of', top.tag);
      this.stack.push({ kind: 'item', end, syntax: s, ctx: { parent: this.parentCtx() }, tag: top.tag });
      this.sink.itemStart(end < 0 ? -1 : len, depth, s);
      return;
    }

    // Inside a dataset (top level or an item).
    if (t >>> 16 === 0xfffe) {
      if (t === ITEM_DELIMITATION && top.end < 0 && this.stack.length > 1) {
        this.stack.pop();
        this.sink.itemEnd(depth - 1, s);
        return;
      }
      this.fail(`Unexpected ${formatTag(t)} at offset ${start} among the elements of a dataset.`);
    }
    let vr: string;
    let len: number;
    if (s.explicit) {
      const b0 = b[o + 4];
      const b1 = b[o + 5];
      if (!looksLikeVr(b0, b1)) this.fail(`Element ${formatTag(t)} at offset ${start} has no valid VR (bytes 0x${b0.toString(16)} 0x${b1.toString(16)}).`);
      vr = vrOfBytes(b0, b1);
      len = size === 12 ? uint32At(b, o + 8, s.little) : uint16At(b, o + 6, s.little);
    } else {
      len = uint32At(b, o + 4, s.little);
      vr = implicitVr(t, top.ctx);
    }
    if (len === UNDEFINED_LENGTH) {
      if (this.stack.length > this.maxDepth) this.fail(`Sequences nest deeper than ${this.maxDepth} levels at offset ${start}.`);
      if (vr === 'SQ' || (!s.explicit && vr === 'UN')) {
        this.stack.push({ kind: 'seq', end: -1, syntax: s, ctx: top.ctx, tag: t });
        this.sink.sequenceStart(t, 'SQ', -1, depth, s, s);
      } else if (s.explicit && vr === 'UN') {
        this.stack.push({ kind: 'seq', end: -1, syntax: IMPLICIT_LE, ctx: top.ctx, tag: t });
        this.sink.sequenceStart(t, 'UN', -1, depth, s, IMPLICIT_LE);
      } else if (vr === 'OB' || vr === 'OW' || t === Tags.PixelData) {
        this.stack.push({ kind: 'frags', end: -1, syntax: s, ctx: top.ctx, tag: t });
        this.sink.fragmentsStart(t, vr, depth, s);
      } else {
        this.fail(`Element ${formatTag(t)} with VR ${vr} has an undefined length at offset ${start}.`);
      }
      return;
    }
    if (this.position + len > limit) this.checkFits(len, limit, start, 'Element', t);
    if (vr === 'SQ') {
      if (this.stack.length > this.maxDepth) this.fail(`Sequences nest deeper than ${this.maxDepth} levels at offset ${start}.`);
      this.stack.push({ kind: 'seq', end: this.position + len, syntax: s, ctx: top.ctx, tag: t });
      this.sink.sequenceStart(t, vr, len, depth, s, s);
      return;
    }
    const want = this.sink.element(t, vr, len, depth, s);
    this.beginValue(len, want, !s.explicit && len === 2 && isContextTag(t) ? t : 0);
  }

  private parentCtx(): VrContext {
    for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i].kind === 'item') return this.stack[i].ctx;
    return this.stack[0].ctx;
  }

  /** The message is made only on failure: this runs for every element. */
  private checkFits(len: number, limit: number, start: number, what: string, tag: Tag): void {
    if (this.position + len > limit) {
      this.fail(`${what} ${formatTag(tag)} claims ${len} bytes but only ${limit - this.position} remain at offset ${start}.`);
    }
  }

  private beginValue(len: number, want: boolean, contextTag: Tag): void {
    this.inValue = true;
    this.wantValue = want;
    this.valueRemaining = len;
    this.contextTag = contextTag;
    this.contextBytes = contextTag ? [] : undefined;
    if (len === 0) this.finishValue();
  }

  private finishValue(): void {
    this.inValue = false;
    if (this.contextBytes && this.contextBytes.length === 2) {
      const top = this.stack[this.stack.length - 1];
      noteContextValue(top.ctx, this.contextTag, this.contextBytes[0] | (this.contextBytes[1] << 8));
    }
    this.contextBytes = undefined;
    if (this.wantValue) this.sink.valueEnd();
    this.wantValue = false;
  }

  /** Declares the end of the stream; throws TruncatedFileError if it ends inside something. */
  end(): void {
    if (this.stopped) return;
    this.closeFinishedFrames();
    if (this.stopped) return;
    if (this.inValue) {
      throw new TruncatedFileError(`The data ends ${this.valueRemaining} bytes before the end of a value, at offset ${this.position}.`, this.position);
    }
    if (this.carryLen > 0) {
      throw new TruncatedFileError(`The data ends inside an element header at offset ${this.position}.`, this.position);
    }
    if (this.stack.length > 1) {
      const top = this.stack[this.stack.length - 1];
      throw new TruncatedFileError(`The data ends inside ${top.kind === 'frags' ? 'encapsulated data' : top.kind === 'seq' ? 'a sequence' : 'an item'} of ${formatTag(top.tag)} at offset ${this.position}.`, this.position);
    }
  }
}
