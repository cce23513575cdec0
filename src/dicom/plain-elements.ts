// Top-level elements of a little-endian data set in memory, read header by header where nothing
// about them needs the full tokenizer: the fast paths of the sender (a file's identity, the check
// that a data set read for sending is whole). Whatever is not plain is left to the tokenizer.

import { syntaxOf } from './codec';
import { KNOWN_VRS, hasLongExplicitHeader } from './vr';
import { implicitVr } from './vr-resolve';

export const UNDEFINED_LENGTH = 0xffffffff;

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
 * Reads the header at `pos` into `out`; false when it is incomplete in `buf`, an item tag, or
 * (explicit VR) has a VR that is not a known one.
 */
export function readElementHeader(buf: Buffer, pos: number, explicit: boolean, out: ElementHeader): boolean {
  if (buf.length - pos < 8) return false;
  const tag = ((buf.readUInt16LE(pos) << 16) | buf.readUInt16LE(pos + 2)) >>> 0;
  if (tag >>> 16 === 0xfffe) return false;
  out.tag = tag;
  if (!explicit) {
    out.vr = implicitVr(tag, {});
    out.length = buf.readUInt32LE(pos + 4);
    out.valueStart = pos + 8;
    return true;
  }
  const vr = String.fromCharCode(buf[pos + 4], buf[pos + 5]);
  if (!KNOWN_VRS.has(vr)) return false;
  out.vr = vr;
  if (hasLongExplicitHeader(vr)) {
    if (buf.length - pos < 12) return false;
    out.length = buf.readUInt32LE(pos + 8);
    out.valueStart = pos + 12;
  } else {
    out.length = buf.readUInt16LE(pos + 6);
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
    if (!readElementHeader(data, pos, syntax.explicit, el)) return false;
    if (el.length === UNDEFINED_LENGTH || el.vr === 'SQ') return false;
    pos = el.valueStart + el.length;
  }
  return pos === data.length;
}
