// Dataset encoder for every uncompressed element encoding. Headers go into a small growing arena;
// large values are referenced, not copied, until the single final concat.

import { Dataset, DataElement } from '../dataset-model';
import { DicomError } from '../errors';
import { formatTag, ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from '../tag';
import { hasLongExplicitHeader, paddingByte, swapUnit } from '../vr';
import { swapped } from './byte-order';
import { loadZlib } from '../lazy-builtins';
import { Syntax, syntaxOf } from './reader';

export type LengthMode = 'keep' | 'defined' | 'undefined';

export interface EncodeOptions {
  /** Sequence and item lengths: as parsed (default), all defined, or all undefined. */
  lengths?: LengthMode;
  /** Group length elements (gggg,0000): keep their values (default), recalculate, or drop them. */
  groupLengths?: 'keep' | 'recalculate' | 'remove';
}

const NUL = Buffer.from([0x00]);
const SPACE = Buffer.from([0x20]);
const ARENA = 64 * 1024;
const INLINE_MAX = 512;

/** An append-only byte sink with back-patching of length fields. */
export class ByteSink {
  private chunks: Buffer[] = [];
  private arena = Buffer.allocUnsafe(ARENA);
  private arenaStart = 0;
  private arenaPos = 0;
  total = 0;

  private ensure(n: number): void {
    if (this.arenaPos + n <= this.arena.length) return;
    this.flushArena();
    this.arena = Buffer.allocUnsafe(Math.max(ARENA, n));
    this.arenaStart = 0;
    this.arenaPos = 0;
  }

  private flushArena(): void {
    if (this.arenaPos > this.arenaStart) {
      this.chunks.push(this.arena.subarray(this.arenaStart, this.arenaPos));
      this.arenaStart = this.arenaPos;
    }
  }

  /** Reserves n bytes and returns the buffer and offset to write them at. */
  reserve(n: number): [Buffer, number] {
    this.ensure(n);
    const at = this.arenaPos;
    this.arenaPos += n;
    this.total += n;
    return [this.arena, at];
  }

  bytes(b: Buffer): void {
    if (b.length <= INLINE_MAX) {
      const [buf, at] = this.reserve(b.length);
      b.copy(buf, at);
      return;
    }
    this.flushArena();
    this.chunks.push(b);
    this.total += b.length;
  }

  zeros(n: number): void {
    const [buf, at] = this.reserve(n);
    buf.fill(0, at, at + n);
  }

  result(): Buffer {
    this.flushArena();
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
  }
}

interface Patch { buf: Buffer; at: number }

export class DatasetWriter {
  constructor(readonly sink: ByteSink, readonly s: Syntax, readonly opts: Required<EncodeOptions>) {}

  private u16(buf: Buffer, at: number, v: number, s: Syntax): void {
    if (s.little) buf.writeUInt16LE(v, at); else buf.writeUInt16BE(v, at);
  }

  private u32(buf: Buffer, at: number, v: number, s: Syntax): void {
    if (s.little) buf.writeUInt32LE(v, at); else buf.writeUInt32BE(v, at);
  }

  /** Tag + 32-bit length, as for items and delimiters. Returns where the length sits. */
  private itemHeader(t: number, len: number, s: Syntax): Patch {
    const [buf, at] = this.sink.reserve(8);
    this.u16(buf, at, t >>> 16, s);
    this.u16(buf, at + 2, t & 0xffff, s);
    this.u32(buf, at + 4, len, s);
    return { buf, at: at + 4 };
  }

  /** Element header; returns where the length sits so it can be patched. */
  elementHeader(t: number, vr: string, len: number, s: Syntax): Patch {
    if (!s.explicit) return this.itemHeader(t, len, s);
    const long = hasLongExplicitHeader(vr) || vr.length !== 2;
    const [buf, at] = this.sink.reserve(long ? 12 : 8);
    this.u16(buf, at, t >>> 16, s);
    this.u16(buf, at + 2, t & 0xffff, s);
    buf.write(vr.length === 2 ? vr : 'UN', at + 4, 'latin1');
    if (long) {
      buf.writeUInt16LE(0, at + 6);
      this.u32(buf, at + 8, len, s);
      return { buf, at: at + 8 };
    }
    if (len > 0xffff) {
      throw new DicomError(`The value of ${formatTag(t)} is ${len} bytes, more than VR ${vr} can hold in explicit VR (65535).`);
    }
    this.u16(buf, at + 6, len, s);
    return { buf, at: at + 6 };
  }

  private patch(p: Patch, len: number, s: Syntax): void {
    this.u32(p.buf, p.at, len, s);
  }

  private undefinedFor(el: { undefinedLength?: boolean }): boolean {
    if (this.opts.lengths === 'keep') return el.undefinedLength === true;
    return this.opts.lengths === 'undefined';
  }

  writeDataset(ds: Dataset, s: Syntax): void {
    let groupPatch: Patch | undefined;
    let groupStartTotal = 0;
    let group = -1;
    const closeGroup = () => {
      if (groupPatch) this.patch(groupPatch, this.sink.total - groupStartTotal, s);
      groupPatch = undefined;
    };
    for (const el of ds.elements()) {
      const g = el.tag >>> 16;
      if (g !== group) {
        closeGroup();
        group = g;
      }
      if ((el.tag & 0xffff) === 0 && el.value && el.value.length === 4 && this.opts.groupLengths !== 'keep') {
        if (this.opts.groupLengths === 'remove') continue;
        const p = this.elementHeader(el.tag, el.vr, 4, s);
        const [buf, at] = this.sink.reserve(4);
        buf.fill(0, at, at + 4);
        groupPatch = { buf, at };
        groupStartTotal = this.sink.total;
        void p;
        continue;
      }
      this.writeElement(el, s);
    }
    closeGroup();
  }

  writeElement(el: DataElement, s: Syntax): void {
    if (el.items) {
      // A UN of undefined length keeps its Implicit VR LE items (PS3.5 6.2.2).
      const isUn = el.vr === 'UN';
      const inner: Syntax = isUn ? { explicit: false, little: true } : s;
      const undef = isUn || this.undefinedFor(el);
      const p = this.elementHeader(el.tag, el.vr, undef ? UNDEFINED_LENGTH : 0, s);
      const start = this.sink.total;
      for (const item of el.items) {
        const itemUndef = isUn ? item.undefinedLength : this.undefinedFor(item);
        const ip = this.itemHeader(ITEM, itemUndef ? UNDEFINED_LENGTH : 0, inner);
        const itemStart = this.sink.total;
        this.writeDataset(item, inner);
        if (itemUndef) this.itemHeader(ITEM_DELIMITATION, 0, inner);
        else this.patch(ip, this.sink.total - itemStart, inner);
      }
      if (undef) this.itemHeader(SEQUENCE_DELIMITATION, 0, isUn ? inner : s);
      else this.patch(p, this.sink.total - start, s);
      return;
    }
    if (el.fragments) {
      this.elementHeader(el.tag, el.vr, UNDEFINED_LENGTH, s);
      for (const f of el.fragments) {
        // Fragments, like values, have even lengths (PS3.5 A.4).
        this.itemHeader(ITEM, f.length + (f.length % 2), s);
        this.sink.bytes(f);
        if (f.length % 2 === 1) this.sink.bytes(NUL);
      }
      this.itemHeader(SEQUENCE_DELIMITATION, 0, s);
      return;
    }
    const v = el.value ?? Buffer.alloc(0);
    // Values have even lengths (PS3.5 7.1): an odd one gets its VR's padding byte.
    const odd = v.length % 2 === 1;
    this.elementHeader(el.tag, el.vr, odd ? v.length + 1 : v.length, s);
    if (!s.little && el.vr !== 'UN') {
      const unit = swapUnit(el.vr);
      this.sink.bytes(unit > 1 ? swapped(v, unit) : v);
    } else {
      this.sink.bytes(v);
    }
    if (odd) this.sink.bytes(paddingByte(el.vr) === 0 ? NUL : SPACE);
  }
}

function fullOptions(opts: EncodeOptions): Required<EncodeOptions> {
  return { lengths: opts.lengths ?? 'keep', groupLengths: opts.groupLengths ?? 'keep' };
}

/** Encodes a dataset (no preamble, no file meta) in the given transfer syntax. */
export function encodeDataset(ds: Dataset, tsUid: string, opts: EncodeOptions = {}): Buffer {
  const s = syntaxOf(tsUid);
  const sink = new ByteSink();
  new DatasetWriter(sink, s, fullOptions(opts)).writeDataset(ds, s);
  const out = sink.result();
  return s.deflated ? loadZlib().deflateRawSync(out) : out;
}

/** Encodes the elements of a dataset as Explicit VR Little Endian into a sink (used for file meta). */
export function encodeExplicitLE(ds: Dataset): Buffer {
  const sink = new ByteSink();
  const s = { explicit: true, little: true };
  new DatasetWriter(sink, s, fullOptions({})).writeDataset(ds, s);
  return sink.result();
}
