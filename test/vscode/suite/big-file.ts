// A large multi-frame Part 10 file for the viewer tests, written here byte by byte (Explicit VR
// Little Endian, uncompressed 16-bit frames) so the suite needs none of the engine's code.
import { closeSync, openSync, writeSync } from 'node:fs';

const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
const MULTIFRAME_GRAYSCALE_WORD_SC = '1.2.840.10008.5.1.4.1.1.7.3';
const ROOT = '2.25.271828182845904523536';
/** VRs whose length takes 4 bytes after two reserved ones. */
const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function padded(value: string, vr: string): Buffer {
  const b = Buffer.from(value, 'latin1');
  if (b.length % 2 === 0) return b;
  return Buffer.concat([b, Buffer.from(vr === 'UI' ? [0] : [0x20])]);
}

function element(group: number, elem: number, vr: string, value: Buffer): Buffer {
  const long = LONG_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elem, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

const text = (g: number, e: number, vr: string, v: string) => element(g, e, vr, padded(v, vr));
const us = (g: number, e: number, v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return element(g, e, 'US', b);
};

export interface MultiframeOptions {
  rows: number;
  columns: number;
  frames: number;
}

/** Writes the file; every frame differs (a ramp shifted by the frame number). Returns its size. */
export function writeMultiframeFile(file: string, o: MultiframeOptions): { bytes: number; frames: number } {
  const sop = `${ROOT}.${o.frames}.${o.rows}`;
  const metaBody = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    text(0x0002, 0x0002, 'UI', MULTIFRAME_GRAYSCALE_WORD_SC),
    text(0x0002, 0x0003, 'UI', sop),
    text(0x0002, 0x0010, 'UI', EXPLICIT_VR_LE),
    text(0x0002, 0x0012, 'UI', `${ROOT}.1`),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(metaBody.length);
  const frameBytes = o.rows * o.columns * 2;
  const pixelBytes = frameBytes * o.frames;
  const pixelHeader = Buffer.alloc(12);
  pixelHeader.writeUInt16LE(0x7fe0, 0);
  pixelHeader.writeUInt16LE(0x0010, 2);
  pixelHeader.write('OW', 4, 'latin1');
  pixelHeader.writeUInt32LE(pixelBytes, 8);
  const head = Buffer.concat([
    Buffer.alloc(128), Buffer.from('DICM', 'latin1'),
    element(0x0002, 0x0000, 'UL', groupLength), metaBody,
    text(0x0008, 0x0016, 'UI', MULTIFRAME_GRAYSCALE_WORD_SC),
    text(0x0008, 0x0018, 'UI', sop),
    text(0x0008, 0x0060, 'CS', 'OT'),
    text(0x0010, 0x0010, 'PN', 'Big^Multiframe'),
    text(0x0010, 0x0020, 'LO', 'BIG-001'),
    text(0x0020, 0x000d, 'UI', `${ROOT}.2`),
    text(0x0020, 0x000e, 'UI', `${ROOT}.3`),
    us(0x0028, 0x0002, 1),
    text(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    text(0x0028, 0x0008, 'IS', String(o.frames)),
    us(0x0028, 0x0010, o.rows),
    us(0x0028, 0x0011, o.columns),
    us(0x0028, 0x0100, 16),
    us(0x0028, 0x0101, 12),
    us(0x0028, 0x0102, 11),
    us(0x0028, 0x0103, 0),
    pixelHeader,
  ]);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    const frame = Buffer.alloc(frameBytes);
    for (let f = 0; f < o.frames; f++) {
      for (let y = 0, i = 0; y < o.rows; y++) {
        for (let x = 0; x < o.columns; x++, i += 2) frame.writeUInt16LE((x * 4 + y * 3 + f * 97) & 0x0fff, i);
      }
      writeSync(fd, frame);
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: head.length + pixelBytes, frames: o.frames };
}
