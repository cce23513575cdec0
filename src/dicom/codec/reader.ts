// Whole-buffer dataset parser for every transfer syntax's element encoding (implicit/explicit VR,
// little/big endian; deflated input is inflated first). Every length is checked against the
// bytes that remain in its container before it is used.

import { Dataset, DataElement } from '../dataset-model';
import { DicomParseError, TruncatedFileError } from '../errors';
import { Tag, formatTag, ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH, Tags } from '../tag';
import { encodingOf } from '../transfer-syntaxes';
import { hasLongExplicitHeader, swapUnit, looksLikeVr } from '../vr';
import { swapped } from './byte-order';
import { loadZlib } from '../lazy-builtins';
import { implicitVr, isContextTag, noteContextValue, VrContext } from '../vr-resolve';

export interface ParseOptions {
  /** Stop before the first top-level element whose tag is >= this (e.g. PixelData). */
  stopAtTag?: Tag;
  /** Deepest sequence nesting accepted (default 64). */
  maxDepth?: number;
  /** Copy values out of the input instead of keeping views into it (default false). */
  copyValues?: boolean;
}

export interface Syntax {
  explicit: boolean;
  little: boolean;
}

const IMPLICIT_LE: Syntax = { explicit: false, little: true };

class Reader {
  readonly maxDepth: number;

  /** Running past the end of the whole input is truncation; past an inner container, corruption. */
  overrun(message: string, pos: number, end: number): DicomParseError {
    return end >= this.buf.length ? new TruncatedFileError(message, pos) : new DicomParseError(message, pos);
  }

  constructor(readonly buf: Buffer, readonly copy: boolean, maxDepth: number, readonly stopAt: number) {
    this.maxDepth = maxDepth;
  }

  u16(pos: number, s: Syntax): number {
    return s.little ? this.buf.readUInt16LE(pos) : this.buf.readUInt16BE(pos);
  }

  u32(pos: number, s: Syntax): number {
    return s.little ? this.buf.readUInt32LE(pos) : this.buf.readUInt32BE(pos);
  }

  tagAt(pos: number, s: Syntax): Tag {
    return ((this.u16(pos, s) << 16) | this.u16(pos + 2, s)) >>> 0;
  }

  value(start: number, len: number, vr: string, s: Syntax): Buffer {
    const v = this.buf.subarray(start, start + len);
    if (!s.little && vr !== 'UN') {
      const unit = swapUnit(vr);
      if (unit > 1) return swapped(v, unit);
    }
    return this.copy ? Buffer.from(v) : v;
  }

  /**
   * Reads elements from pos up to end. With untilItemEnd, an Item Delimitation ends the run and
   * reaching `end` first is an error. Returns the position after the last byte consumed.
   */
  readElements(pos: number, end: number, ds: Dataset, s: Syntax, depth: number, untilItemEnd: boolean, ctx: VrContext): number {
    const buf = this.buf;
    while (pos < end) {
      if (end - pos < 8) {
        throw this.overrun(`Only ${end - pos} bytes remain at offset ${pos}, too few for an element header.`, pos, end);
      }
      const t = this.tagAt(pos, s);
      if (t >>> 16 === 0xfffe) {
        if (t === ITEM_DELIMITATION && untilItemEnd) return pos + 8;
        throw new DicomParseError(`Unexpected ${formatTag(t)} at offset ${pos} among the elements of a dataset.`, pos);
      }
      if (depth === 0 && t >= this.stopAt) return pos;
      let vr: string;
      let len: number;
      let valueStart: number;
      if (s.explicit) {
        const b0 = buf[pos + 4];
        const b1 = buf[pos + 5];
        if (!looksLikeVr(b0, b1)) {
          throw new DicomParseError(`Element ${formatTag(t)} at offset ${pos} has no valid VR (bytes 0x${b0.toString(16)} 0x${b1.toString(16)}).`, pos);
        }
        vr = String.fromCharCode(b0, b1);
        if (hasLongExplicitHeader(vr)) {
          if (end - pos < 12) throw this.overrun(`Only ${end - pos} bytes remain at offset ${pos}, too few for the header of ${formatTag(t)}.`, pos, end);
          len = this.u32(pos + 8, s);
          valueStart = pos + 12;
        } else {
          len = this.u16(pos + 6, s);
          valueStart = pos + 8;
        }
      } else {
        len = this.u32(pos + 4, s);
        valueStart = pos + 8;
        vr = implicitVr(t, ctx);
      }
      const el: DataElement = { tag: t, vr };
      if (len === UNDEFINED_LENGTH) {
        if (depth >= this.maxDepth) throw new DicomParseError(`Sequences nest deeper than ${this.maxDepth} levels at offset ${pos}.`, pos);
        if (vr === 'SQ' || (!s.explicit && vr === 'UN')) {
          el.vr = 'SQ';
          el.items = [];
          pos = this.readItems(valueStart, end, true, el, s, depth + 1, ctx);
        } else if (s.explicit && vr === 'UN') {
          // PS3.5 6.2.2: a UN value of undefined length is a sequence encoded in Implicit VR LE.
          el.items = [];
          pos = this.readItems(valueStart, end, true, el, IMPLICIT_LE, depth + 1, ctx);
        } else if (vr === 'OB' || vr === 'OW' || t === Tags.PixelData) {
          el.fragments = [];
          pos = this.readFragments(valueStart, end, el, s);
        } else {
          throw new DicomParseError(`Element ${formatTag(t)} with VR ${vr} has an undefined length at offset ${pos}.`, pos);
        }
        el.undefinedLength = true;
      } else {
        if (len > end - valueStart) {
          throw this.overrun(`Element ${formatTag(t)} claims ${len} bytes but only ${end - valueStart} remain at offset ${pos}.`, pos, end);
        }
        if (vr === 'SQ') {
          if (depth >= this.maxDepth) throw new DicomParseError(`Sequences nest deeper than ${this.maxDepth} levels at offset ${pos}.`, pos);
          el.items = [];
          el.undefinedLength = false;
          this.readItems(valueStart, valueStart + len, false, el, s, depth + 1, ctx);
        } else {
          el.value = this.value(valueStart, len, vr, s);
          if (len === 2 && isContextTag(t)) noteContextValue(ctx, t, el.value.readUInt16LE(0));
        }
        pos = valueStart + len;
      }
      ds.append(el);
    }
    if (untilItemEnd) throw this.overrun(`An item of undefined length has no Item Delimitation before offset ${end}.`, end, end);
    return pos;
  }

  /** Items of a sequence; for a defined length `end` is the sequence end, else the container end. */
  readItems(pos: number, end: number, undefinedLength: boolean, el: DataElement, s: Syntax, depth: number, parentCtx: VrContext): number {
    const items = el.items!;
    for (;;) {
      if (!undefinedLength && pos >= end) return pos;
      if (end - pos < 8) {
        throw this.overrun(`Sequence ${formatTag(el.tag)} ends without a Sequence Delimitation at offset ${pos}.`, pos, end);
      }
      const t = this.tagAt(pos, s);
      const len = this.u32(pos + 4, s);
      if (t === SEQUENCE_DELIMITATION) {
        if (undefinedLength) return pos + 8;
        throw new DicomParseError(`Sequence ${formatTag(el.tag)} of defined length holds a Sequence Delimitation at offset ${pos}.`, pos);
      }
      if (t !== ITEM) {
        throw new DicomParseError(`Sequence ${formatTag(el.tag)} holds ${formatTag(t)} at offset ${pos} where an Item was expected.`, pos);
      }
      const item = new Dataset();
      const ctx: VrContext = { parent: parentCtx };
      if (len === UNDEFINED_LENGTH) {
        item.undefinedLength = true;
        pos = this.readElements(pos + 8, end, item, s, depth, true, ctx);
      } else {
        if (len > end - pos - 8) {
          throw this.overrun(`Item of ${formatTag(el.tag)} claims ${len} bytes but only ${end - pos - 8} remain at offset ${pos}.`, pos, end);
        }
        this.readElements(pos + 8, pos + 8 + len, item, s, depth, false, ctx);
        pos = pos + 8 + len;
      }
      items.push(item);
    }
  }

  readFragments(pos: number, end: number, el: DataElement, s: Syntax): number {
    const frags = el.fragments!;
    for (;;) {
      if (end - pos < 8) {
        throw this.overrun(`Encapsulated ${formatTag(el.tag)} ends without a Sequence Delimitation at offset ${pos}.`, pos, end);
      }
      const t = this.tagAt(pos, s);
      const len = this.u32(pos + 4, s);
      if (t === SEQUENCE_DELIMITATION) return pos + 8;
      if (t !== ITEM) {
        throw new DicomParseError(`Encapsulated ${formatTag(el.tag)} holds ${formatTag(t)} at offset ${pos} where a fragment Item was expected.`, pos);
      }
      if (len === UNDEFINED_LENGTH || len > end - pos - 8) {
        const msg = `Fragment of ${formatTag(el.tag)} claims ${len === UNDEFINED_LENGTH ? 'an undefined length' : len + ' bytes'} but only ${end - pos - 8} remain at offset ${pos}.`;
        throw len === UNDEFINED_LENGTH ? new DicomParseError(msg, pos) : this.overrun(msg, pos, end);
      }
      const v = this.buf.subarray(pos + 8, pos + 8 + len);
      frags.push(this.copy ? Buffer.from(v) : v);
      pos += 8 + len;
    }
  }
}

export function syntaxOf(tsUid: string): Syntax & { deflated: boolean } {
  const ts = encodingOf(tsUid);
  return { explicit: ts.explicitVR, little: ts.littleEndian, deflated: ts.deflated };
}

/**
 * Parses a dataset (no preamble, no file meta) encoded in the given transfer syntax.
 * Encapsulated syntaxes parse like Explicit VR Little Endian with fragments for Pixel Data.
 */
export function parseDataset(bytes: Buffer | Uint8Array, tsUid: string, opts: ParseOptions = {}): Dataset {
  let buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s = syntaxOf(tsUid);
  if (s.deflated) {
    try {
      buf = loadZlib().inflateRawSync(buf);
    } catch (e) {
      throw new DicomParseError(`The deflated dataset does not inflate: ${(e as Error).message}.`, 0);
    }
  }
  const reader = new Reader(buf, opts.copyValues ?? false, opts.maxDepth ?? 64, opts.stopAtTag ?? 0x100000000);
  const ds = new Dataset();
  reader.readElements(0, buf.length, ds, s, 0, false, {});
  return ds;
}

/** Parses a group 0002 run (always Explicit VR Little Endian) from buf[start, end). */
export function parseElementsExplicitLE(buf: Buffer, start: number, end: number, ds: Dataset): number {
  const reader = new Reader(buf, true, 8, 0x100000000);
  return reader.readElements(start, end, ds, { explicit: true, little: true }, 0, false, {});
}
