// Element header fields read with plain byte arithmetic rather than Buffer's readUInt*: a header is
// read once per element, by code that runs unoptimized for most of a transfer, where each of those
// is a call that validates its offset. The caller has checked that the bytes are there.
import { Tag } from '../tag';

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
