// The in-memory dataset model: ordered elements whose values stay raw bytes until asked for.
// Numeric values are always held little endian (a big-endian source is swapped on parse and
// swapped back on encode), so a Dataset does not depend on the syntax it came from.

import { Tag, formatTag, parseTag } from './tag';
import { tagForKeyword, dictionaryVr } from './dictionary';
import { VR, isTextVr, paddingByte, binaryValueSize } from './vr';
import { resolveAmbiguousVr, VrContext } from './vr-resolve';
import { DicomError } from './errors';

export interface DataElement {
  tag: Tag;
  vr: VR;
  /** Value bytes of a non-sequence element (little endian for numeric VRs). */
  value?: Buffer;
  /** Items of a sequence (VR SQ, or UN with undefined length whose items are Implicit VR LE). */
  items?: Dataset[];
  /** Encapsulated pixel data: the Basic Offset Table first, then each fragment. */
  fragments?: Buffer[];
  /** Sequences and encapsulated data: whether the length was undefined (0xFFFFFFFF). */
  undefinedLength?: boolean;
}

/** Turns the raw bytes of a text value into a string (e.g. a Specific Character Set decoder). */
export type TextDecoderFn = (bytes: Buffer, vr: VR) => string;
/** Turns a string into the bytes of a text value. */
export type TextEncoderFn = (text: string, vr: VR) => Buffer;

export const latin1Decoder: TextDecoderFn = (bytes) => bytes.toString('latin1');
export const latin1Encoder: TextEncoderFn = (text) => Buffer.from(text, 'latin1');

export type ElementValue =
  | null | undefined
  | string | string[]
  | number | number[]
  | bigint | bigint[]
  | Buffer | Uint8Array
  | Dataset[];

export function resolveTag(tagOrKeyword: Tag | string): Tag {
  if (typeof tagOrKeyword === 'number') return tagOrKeyword >>> 0;
  const t = tagForKeyword(tagOrKeyword) ?? parseTag(tagOrKeyword);
  if (t === undefined) throw new DicomError(`"${tagOrKeyword}" is neither a dictionary keyword nor a tag like 0010,0010.`);
  return t;
}

function stripText(s: string, vr: VR): string {
  // Leading spaces are significant in LT/ST/UT; trailing padding (space or NUL) never is.
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x00)) end--;
  return s.slice(0, end);
}

export class Dataset {
  private readonly map = new Map<Tag, DataElement>();
  private lastTag = -1;
  /** As an item of a sequence: whether its length was undefined. */
  undefinedLength = false;

  get size(): number {
    return this.map.size;
  }

  has(t: Tag | string): boolean {
    return this.map.has(resolveTag(t));
  }

  get(t: Tag | string): DataElement | undefined {
    return this.map.get(resolveTag(t));
  }

  /** Elements in dataset order (ascending tags unless the source was out of order). */
  elements(): IterableIterator<DataElement> {
    return this.map.values();
  }

  tags(): Tag[] {
    return [...this.map.keys()];
  }

  delete(t: Tag | string): boolean {
    return this.map.delete(resolveTag(t));
  }

  /**
   * Adds or replaces an element. Parsers append in stream order; a new tag lower than the last
   * one is inserted at its sorted place.
   */
  add(el: DataElement): this {
    const t = el.tag;
    if (this.map.has(t) || t > this.lastTag) {
      this.map.set(t, el);
      if (t > this.lastTag) this.lastTag = t;
      return this;
    }
    const all = [...this.map.values(), el].sort((a, b) => a.tag - b.tag);
    this.map.clear();
    for (const e of all) this.map.set(e.tag, e);
    return this;
  }

  /** Appends in stream order without sorting (used by the parser to keep the source order). */
  append(el: DataElement): void {
    this.map.set(el.tag, el);
    if (el.tag > this.lastTag) this.lastTag = el.tag;
  }

  /**
   * Builder: `ds.set('PatientName', 'DOE^JOHN')`, `ds.set(0x00280010, 'US', 512)`,
   * `ds.set('ReferencedSOPSequence', [item])`. The VR defaults to the dictionary's; values are
   * encoded for that VR (text joined with backslashes and padded to even length, numbers as
   * little-endian binary or as IS/DS text). `null`/`undefined` give an empty value (a return key).
   */
  set(t: Tag | string, vrOrValue?: VR | ElementValue, value?: ElementValue, encode: TextEncoderFn = latin1Encoder): this {
    const tagNum = resolveTag(t);
    let vr: VR;
    let v: ElementValue;
    if (value !== undefined || (typeof vrOrValue === 'string' && /^[A-Z]{2}$/.test(vrOrValue) && arguments.length >= 3)) {
      vr = vrOrValue as VR;
      v = value;
    } else {
      vr = dictionaryVr(tagNum);
      v = vrOrValue as ElementValue;
    }
    if (vr.charCodeAt(0) >= 0x61) vr = resolveAmbiguousVr(tagNum, vr, this.vrContext());
    this.add(encodeElement(tagNum, vr, v, encode));
    return this;
  }

  private vrContext(): VrContext {
    return {
      pixelRepresentation: this.number(0x00280103),
      bitsAllocated: this.number(0x00280100),
    };
  }

  /** Raw value bytes (numeric VRs little endian). */
  bytes(t: Tag | string): Buffer | undefined {
    return this.get(t)?.value;
  }

  /** The whole text value without trailing padding; `decode` applies a character set. */
  string(t: Tag | string, decode: TextDecoderFn = latin1Decoder): string | undefined {
    const el = this.get(t);
    if (!el || !el.value) return el && !el.items && !el.fragments ? '' : undefined;
    if (!isTextVr(el.vr) && el.vr !== 'UN') {
      const nums = this.numbers(t);
      return nums === undefined ? undefined : nums.join('\\');
    }
    return stripText(decode(el.value, el.vr), el.vr);
  }

  /** Text values split on backslash, each trimmed of padding (leading spaces kept for LT/ST/UT). */
  strings(t: Tag | string, decode: TextDecoderFn = latin1Decoder): string[] | undefined {
    const s = this.string(t, decode);
    if (s === undefined) return undefined;
    if (s === '') return [];
    const el = this.get(t)!;
    if (el.vr === 'LT' || el.vr === 'ST' || el.vr === 'UT' || el.vr === 'UR') return [s];
    return s.split('\\').map((p) => p.trim());
  }

  /** First numeric value: binary VRs decoded, IS/DS parsed; undefined when absent or empty. */
  number(t: Tag | string): number | undefined {
    const n = this.numbers(t);
    return n && n.length ? n[0] : undefined;
  }

  /** All numeric values; AT values come back as tag numbers; SV/UV as (possibly inexact) numbers. */
  numbers(t: Tag | string): number[] | undefined {
    const el = this.get(t);
    if (!el || !el.value) return undefined;
    return decodeNumbers(el.vr, el.value);
  }

  /** SV/UV (and any 64-bit binary) values exactly. */
  bigints(t: Tag | string): bigint[] | undefined {
    const el = this.get(t);
    if (!el || !el.value) return undefined;
    const b = el.value;
    const out: bigint[] = [];
    for (let i = 0; i + 8 <= b.length; i += 8) out.push(el.vr === 'SV' ? b.readBigInt64LE(i) : b.readBigUInt64LE(i));
    return out;
  }

  items(t: Tag | string): Dataset[] | undefined {
    return this.get(t)?.items;
  }

  fragments(t: Tag | string): Buffer[] | undefined {
    return this.get(t)?.fragments;
  }
}

export function decodeNumbers(vr: VR, b: Buffer): number[] | undefined {
  const out: number[] = [];
  switch (vr) {
    case 'US': case 'OW': for (let i = 0; i + 2 <= b.length; i += 2) out.push(b.readUInt16LE(i)); return out;
    case 'SS': for (let i = 0; i + 2 <= b.length; i += 2) out.push(b.readInt16LE(i)); return out;
    case 'UL': case 'OL': for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readUInt32LE(i)); return out;
    case 'SL': for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readInt32LE(i)); return out;
    case 'FL': case 'OF': for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readFloatLE(i)); return out;
    case 'FD': case 'OD': for (let i = 0; i + 8 <= b.length; i += 8) out.push(b.readDoubleLE(i)); return out;
    case 'SV': for (let i = 0; i + 8 <= b.length; i += 8) out.push(Number(b.readBigInt64LE(i))); return out;
    case 'UV': case 'OV': for (let i = 0; i + 8 <= b.length; i += 8) out.push(Number(b.readBigUInt64LE(i))); return out;
    case 'AT': for (let i = 0; i + 4 <= b.length; i += 4) out.push(((b.readUInt16LE(i) << 16) | b.readUInt16LE(i + 2)) >>> 0); return out;
    case 'OB': case 'UN': for (let i = 0; i < b.length; i++) out.push(b[i]); return out;
    case 'IS': case 'DS': {
      const text = b.toString('latin1').replace(/[\0 ]+$/, '');
      if (text.trim() === '') return [];
      for (const part of text.split('\\')) {
        const n = Number(part.trim());
        out.push(n);
      }
      return out;
    }
    default:
      return undefined;
  }
}

function formatDs(n: number): string {
  // DS is at most 16 characters.
  let s = String(n);
  if (s.length <= 16) return s;
  for (let p = 15; p > 0; p--) {
    s = n.toPrecision(p);
    if (s.includes('e')) s = s.replace(/\.?0+e/, 'e');
    else if (s.includes('.')) s = s.replace(/\.?0+$/, '');
    if (s.length <= 16) return s;
  }
  return s.slice(0, 16);
}

function padEven(b: Buffer, vr: VR): Buffer {
  if (b.length % 2 === 0) return b;
  const out = Buffer.allocUnsafe(b.length + 1);
  b.copy(out);
  out[b.length] = paddingByte(vr);
  return out;
}

/** Builds one element from a JS value for a given VR (see Dataset.set). */
export function encodeElement(t: Tag, vr: VR, v: ElementValue, encode: TextEncoderFn = latin1Encoder): DataElement {
  if (v === null || v === undefined) {
    return vr === 'SQ' ? { tag: t, vr, items: [], undefinedLength: false } : { tag: t, vr, value: Buffer.alloc(0) };
  }
  if (vr === 'SQ') {
    if (!Array.isArray(v) || !v.every((x) => x instanceof Dataset)) {
      throw new DicomError(`A sequence value for ${formatTag(t)} must be an array of Datasets.`);
    }
    return { tag: t, vr, items: v as Dataset[], undefinedLength: false };
  }
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
    return { tag: t, vr, value: Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength) };
  }
  const list: unknown[] = Array.isArray(v) ? v : [v];
  if (isTextVr(vr)) {
    const text = list.map((x) => (typeof x === 'number' && vr === 'DS' ? formatDs(x) : String(x))).join('\\');
    return { tag: t, vr, value: padEven(encode(text, vr), vr) };
  }
  const size = binaryValueSize(vr);
  if (size === undefined) {
    throw new DicomError(`Cannot build a value of VR ${vr} for ${formatTag(t)} from ${typeof v}; pass a Buffer.`);
  }
  const out = Buffer.alloc(size * list.length);
  list.forEach((x, i) => {
    const o = i * size;
    const n = typeof x === 'string' && vr === 'AT' ? parseTag(x) : x;
    if (typeof n !== 'number' && typeof n !== 'bigint') {
      throw new DicomError(`Value ${String(x)} for ${formatTag(t)} (${vr}) is not a number.`);
    }
    switch (vr) {
      case 'US': case 'OW': out.writeUInt16LE(Number(n) & 0xffff, o); break;
      case 'SS': out.writeInt16LE(Number(n), o); break;
      case 'UL': case 'OL': out.writeUInt32LE(Number(n) >>> 0, o); break;
      case 'SL': out.writeInt32LE(Number(n), o); break;
      case 'FL': case 'OF': out.writeFloatLE(Number(n), o); break;
      case 'FD': case 'OD': out.writeDoubleLE(Number(n), o); break;
      case 'SV': out.writeBigInt64LE(BigInt(n), o); break;
      case 'UV': case 'OV': out.writeBigUInt64LE(BigInt(n), o); break;
      case 'AT': out.writeUInt16LE(Number(n) >>> 16, o); out.writeUInt16LE(Number(n) & 0xffff, o + 2); break;
    }
  });
  return { tag: t, vr, value: out };
}
