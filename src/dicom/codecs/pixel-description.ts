// The Image Pixel attributes (PS3.3 C.7.6.3) that say how one frame's samples are laid out, and
// the size of a native frame. Validated before any byte is allocated for a frame.

import { UnsupportedConversionError } from './errors';

export interface PixelDescription {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 1 = two's complement. */
  pixelRepresentation: number;
  photometricInterpretation: string;
  /** 0 = colour-by-pixel (interleaved), 1 = colour-by-plane. */
  planarConfiguration: number;
}

/** The attribute values as read from a data set (absent ones undefined). */
export interface PixelAttributes {
  rows?: number;
  columns?: number;
  samplesPerPixel?: number;
  bitsAllocated?: number;
  bitsStored?: number;
  highBit?: number;
  pixelRepresentation?: number;
  photometricInterpretation?: string;
  planarConfiguration?: number;
  numberOfFrames?: string | number;
}

const MAX_DIMENSION = 65535;
const MAX_FRAMES = 10_000_000;

function whole(n: number | undefined, what: string, ok: (v: number) => boolean): number {
  if (n === undefined || !Number.isInteger(n) || !ok(n)) throw new UnsupportedConversionError(`${what} ${n ?? '(absent)'} is not valid for pixel data.`);
  return n;
}

/**
 * The frame layout and frame count from the attributes.
 * @throws UnsupportedConversionError when an attribute is missing or out of range.
 */
export function describePixels(a: PixelAttributes): { description: PixelDescription; frames: number } {
  const rows = whole(a.rows, 'Rows', (v) => v >= 1 && v <= MAX_DIMENSION);
  const columns = whole(a.columns, 'Columns', (v) => v >= 1 && v <= MAX_DIMENSION);
  const samplesPerPixel = whole(a.samplesPerPixel ?? 1, 'Samples per Pixel', (v) => v === 1 || v === 3 || v === 4);
  const bitsAllocated = whole(a.bitsAllocated, 'Bits Allocated', (v) => v === 1 || (v % 8 === 0 && v >= 8 && v <= 64));
  const bitsStored = whole(a.bitsStored ?? bitsAllocated, 'Bits Stored', (v) => v >= 1 && v <= bitsAllocated);
  const highBit = whole(a.highBit ?? bitsStored - 1, 'High Bit', (v) => v >= bitsStored - 1 && v < bitsAllocated);
  const pixelRepresentation = whole(a.pixelRepresentation ?? 0, 'Pixel Representation', (v) => v === 0 || v === 1);
  const planarConfiguration = samplesPerPixel > 1 ? whole(a.planarConfiguration ?? 0, 'Planar Configuration', (v) => v === 0 || v === 1) : 0;
  const photometric = (a.photometricInterpretation ?? '').trim().toUpperCase() || (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB');
  const framesText = a.numberOfFrames === undefined || a.numberOfFrames === '' ? '1' : String(a.numberOfFrames).trim();
  const frames = Number(framesText);
  if (!Number.isInteger(frames) || frames < 1 || frames > MAX_FRAMES) {
    throw new UnsupportedConversionError(`Number of Frames "${framesText}" is not a valid frame count.`);
  }
  return {
    description: { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, highBit, pixelRepresentation, photometricInterpretation: photometric, planarConfiguration },
    frames,
  };
}

/** Bytes of one native frame (1-bit frames are rounded up to whole bytes). */
export function nativeFrameLength(d: PixelDescription): number {
  const pixels = d.rows * d.columns;
  // Native YBR_FULL_422 keeps two luminance and one pair of chroma samples per two pixels (PS3.3 C.7.6.3.1.2).
  if (d.photometricInterpretation === 'YBR_FULL_422' && d.samplesPerPixel === 3) return pixels * 2 * (d.bitsAllocated / 8);
  if (d.bitsAllocated === 1) return Math.ceil((pixels * d.samplesPerPixel) / 8);
  return pixels * d.samplesPerPixel * (d.bitsAllocated / 8);
}

/** Bytes of all frames of native pixel data (1-bit frames follow each other without padding). */
export function nativePixelDataLength(d: PixelDescription, frames: number): number {
  if (d.bitsAllocated === 1) return Math.ceil((d.rows * d.columns * d.samplesPerPixel * frames) / 8);
  return nativeFrameLength(d) * frames;
}

export function describeLayout(d: PixelDescription): string {
  return `${d.columns} × ${d.rows}, ${d.samplesPerPixel} sample${d.samplesPerPixel === 1 ? '' : 's'} of ${d.bitsStored}/${d.bitsAllocated} bits, ${d.photometricInterpretation}`;
}
