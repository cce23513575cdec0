// Top-level elements of a little-endian data set in memory, read header by header where nothing
// about them needs the full tokenizer: the fast paths of the sender (a file's identity, the check
// that a data set read for sending is whole). Whatever is not plain is left to the tokenizer.

import { syntaxOf, uint32At } from './codec';
import { hasLongExplicitHeaderBytes, knownVrOfBytes } from './vr';
import { UNDEFINED_LENGTH } from './tag';
import { implicitVr } from './vr-resolve';

/** One element header, filled in place (one object reused for a whole walk). */
export interface ElementHeader {
  tag: number;
  vr: string;
  /** The value length as written (UNDEFINED_LENGTH for undefined). */
  length: number;
  valueStart: number;
}

export function newElementHeader(): ElementHeader {
  return { tag: 0, vr: '', length: 0, valueStart: 0 };
}

/**
 * Reads the header at `pos` into `out`; false when it is incomplete before `end` (the end of the
 * bytes of `buf` that hold data), an item tag, or (explicit VR) has a VR that is not a known one.
 * Bytes are read one by one and the VR is looked up, not made: this runs for every element a
 * sender looks at, often before V8 has compiled it. `end` is not optional: a default that one
 * caller never takes would send the optimized code back to the interpreter when another does.
 */
export function readElementHeader(buf: Buffer, pos: number, explicit: boolean, out: ElementHeader, end: number): boolean {
  if (end - pos < 8) return false;
  // The group first, and inline: an item tag is refused on it, and this runs ~15 times per file
  // collected, unoptimized (two more calls per header cost ~2 ms per 1,000 files).
  const group = buf[pos] | (buf[pos + 1] << 8);
  if (group === 0xfffe) return false;
  const tag = group * 0x10000 + (buf[pos + 2] | (buf[pos + 3] << 8));
  out.tag = tag;
  if (!explicit) {
    out.vr = implicitVr(tag, {});
    out.length = uint32At(buf, pos + 4, true);
    out.valueStart = pos + 8;
    return true;
  }
  const b0 = buf[pos + 4];
  const b1 = buf[pos + 5];
  const vr = knownVrOfBytes(b0, b1);
  if (vr === undefined) return false;
  out.vr = vr;
  if (hasLongExplicitHeaderBytes(b0, b1)) {
    if (end - pos < 12) return false;
    out.length = uint32At(buf, pos + 8, true);
    out.valueStart = pos + 12;
  } else {
    out.length = buf[pos + 6] | (buf[pos + 7] << 8);
    out.valueStart = pos + 8;
  }
  return true;
}

/**
 * True when `data` (a whole data set) is a run of plain top-level elements (defined lengths, no
 * sequences) that ends exactly at its end: the tokenizer would walk it without complaint. False
 * says nothing: the data set may still be whole (sequences, encapsulated pixel data, big endian).
 */
export function isPlainAndWhole(data: Buffer, transferSyntaxUid: string): boolean {
  const syntax = syntaxOf(transferSyntaxUid);
  if (syntax.deflated || !syntax.little) return false;
  const el = newElementHeader();
  let pos = 0;
  while (pos < data.length) {
    if (!readElementHeader(data, pos, syntax.explicit, el, data.length)) return false;
    if (el.length === UNDEFINED_LENGTH || el.vr === 'SQ') return false;
    pos = el.valueStart + el.length;
  }
  return pos === data.length;
}
