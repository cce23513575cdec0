// Element and item headers in a transfer syntax, built before they are written: `at` is where the
// length field sits, so a length known only later (a held sequence, a group) can be patched in.
import { Syntax } from './codec';
import { Tag } from './tag';
import { hasLongExplicitHeader } from './vr';

export interface HeaderBytes {
  buf: Buffer;
  /** Offset of the length field in `buf`. */
  at: number;
}

export function writeU16(to: Syntax, buf: Buffer, at: number, v: number): void {
  if (to.little) buf.writeUInt16LE(v, at); else buf.writeUInt16BE(v, at);
}

export function writeU32(to: Syntax, buf: Buffer, at: number, v: number): void {
  if (to.little) buf.writeUInt32LE(v, at); else buf.writeUInt32BE(v, at);
}

/** An element header in the syntax `to`, not yet written. */
export function headerBytes(to: Syntax, tag: Tag, vr: string, len: number): HeaderBytes {
  if (!to.explicit) return plainHeaderBytes(to, tag, len);
  const long = hasLongExplicitHeader(vr);
  const b = Buffer.allocUnsafe(long ? 12 : 8);
  writeU16(to, b, 0, tag >>> 16);
  writeU16(to, b, 2, tag & 0xffff);
  b.write(vr, 4, 'latin1');
  if (long) {
    b.writeUInt16LE(0, 6);
    writeU32(to, b, 8, len);
  } else {
    writeU16(to, b, 6, len);
  }
  return { buf: b, at: long ? 8 : 6 };
}

/** Tag + 32-bit length (items, delimiters, implicit VR elements). */
export function plainHeaderBytes(to: Syntax, tag: Tag, len: number): HeaderBytes {
  const b = Buffer.allocUnsafe(8);
  writeU16(to, b, 0, tag >>> 16);
  writeU16(to, b, 2, tag & 0xffff);
  writeU32(to, b, 4, len);
  return { buf: b, at: 4 };
}
