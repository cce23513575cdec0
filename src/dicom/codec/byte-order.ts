// Byte order: in-place and copying byte swaps used when converting between little and big endian,
// and element header fields read in either order.
// Node's swap16/32/64 are native; they require a multiple of the unit, so a trailing partial
// unit (odd-length, malformed values) is left as it is.
import { Tag } from '../tag';

export function swapInPlace(buf: Buffer, unit: number): Buffer {
  if (unit <= 1) return buf;
  const whole = buf.length - (buf.length % unit);
  if (whole === 0) return buf;
  const body = whole === buf.length ? buf : buf.subarray(0, whole);
  if (unit === 2) body.swap16();
  else if (unit === 4) body.swap32();
  else body.swap64();
  return buf;
}

/** A swapped copy (the input is left untouched, it may be a view of a caller's buffer). */
export function swapped(buf: Buffer, unit: number): Buffer {
  if (unit <= 1 || buf.length < unit) return buf;
  return swapInPlace(Buffer.from(buf), unit);
}

// Header fields are read with plain byte arithmetic rather than Buffer's readUInt*: a header is read
// once per element, by code that runs unoptimized for most of a transfer, where each of those is a
// call that validates its offset. The caller has checked that the bytes are there.
export function uint16At(b: Buffer, o: number, little: boolean): number {
  return little ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
}

export function uint32At(b: Buffer, o: number, little: boolean): number {
  return (little
    ? b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)
    : (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** The tag (group << 16 | element) at `o`. */
export function tagAt(b: Buffer, o: number, little: boolean): Tag {
  return (little
    ? (b[o + 1] << 24) | (b[o] << 16) | (b[o + 3] << 8) | b[o + 2]
    : (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
