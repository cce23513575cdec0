// Layout changes of native samples (little endian) around the codecs: colour-by-plane to
// colour-by-pixel, wider sample containers, sign extension and masking to Bits Stored, and
// native YBR_FULL_422 to YBR_FULL. None of these code or decode anything.

import type { PixelDescription } from './pixel-description';

export function bytesPerSample(d: PixelDescription): number {
  return Math.max(1, d.bitsAllocated >> 3);
}

/** Colour-by-plane (RRR…GGG…BBB…) to colour-by-pixel (RGBRGB…). */
export function planarToInterleaved(data: Uint8Array, pixels: number, samples: number, bytes: number): Uint8Array {
  const out = new Uint8Array(pixels * samples * bytes);
  const plane = pixels * bytes;
  for (let s = 0; s < samples; s++) {
    for (let p = 0; p < pixels; p++) {
      const from = s * plane + p * bytes;
      const to = (p * samples + s) * bytes;
      for (let b = 0; b < bytes; b++) out[to + b] = data[from + b]!;
    }
  }
  return out;
}

/** Samples of `from` bytes each widened to `to` bytes (sign-extended when signed). */
export function widenSamples(data: Uint8Array, from: number, to: number, signed: boolean): Uint8Array {
  const count = Math.floor(data.length / from);
  const out = new Uint8Array(count * to);
  for (let i = 0; i < count; i++) {
    const src = i * from;
    let negative = false;
    for (let b = 0; b < from; b++) out[i * to + b] = data[src + b]!;
    if (signed) negative = (data[src + from - 1]! & 0x80) !== 0;
    if (negative) for (let b = from; b < to; b++) out[i * to + b] = 0xff;
  }
  return out;
}

function view(data: Uint8Array, bytes: number): Uint16Array | Uint32Array | undefined {
  if (data.byteOffset % bytes !== 0) return undefined;
  if (bytes === 2) return new Uint16Array(data.buffer, data.byteOffset, data.length >> 1);
  if (bytes === 4) return new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
  return undefined;
}

/**
 * Signed samples with Bits Stored < Bits Allocated: bits above the high bit become copies of
 * the sign bit (codecs return P-bit values; DICOM's signed samples are two's complement).
 */
export function signExtend(data: Uint8Array, d: PixelDescription): void {
  const bytes = bytesPerSample(d);
  if (d.pixelRepresentation !== 1 || d.bitsStored >= d.bitsAllocated || bytes > 4) return;
  const shift = 32 - d.bitsStored;
  if (bytes === 1) {
    for (let i = 0; i < data.length; i++) data[i] = ((data[i]! << shift) >> shift) & 0xff;
    return;
  }
  const v = view(data, bytes);
  if (!v) return;
  const mask = bytes === 2 ? 0xffff : 0xffffffff;
  for (let i = 0; i < v.length; i++) v[i] = (((v[i]! << shift) >> shift) & mask) >>> 0;
}

/** Keeps only the low Bits Stored bits of every sample (the form JPEG codes signed samples in). */
export function maskToBitsStored(data: Uint8Array, d: PixelDescription): void {
  const bytes = bytesPerSample(d);
  if (d.bitsStored >= d.bitsAllocated || bytes > 4) return;
  const mask = d.bitsStored >= 32 ? 0xffffffff : 2 ** d.bitsStored - 1;
  if (bytes === 1) {
    for (let i = 0; i < data.length; i++) data[i] = data[i]! & mask;
    return;
  }
  const v = view(data, bytes);
  if (v) for (let i = 0; i < v.length; i++) v[i] = (v[i]! & mask) >>> 0;
}

/**
 * The first sample that does not fit Bits Stored (unsigned: below 2^BitsStored; signed: in the
 * two's complement range), as [index, value], or undefined when every sample fits.
 */
export function sampleOutOfRange(data: Uint8Array, d: PixelDescription): [number, number] | undefined {
  const bytes = bytesPerSample(d);
  if (d.bitsStored >= d.bitsAllocated || bytes > 4) return undefined;
  const count = Math.floor(data.length / bytes);
  const dv = new DataView(data.buffer, data.byteOffset, data.length);
  const signed = d.pixelRepresentation === 1;
  const lo = signed ? -(2 ** (d.bitsStored - 1)) : 0;
  const hi = signed ? 2 ** (d.bitsStored - 1) - 1 : 2 ** d.bitsStored - 1;
  for (let i = 0; i < count; i++) {
    const at = i * bytes;
    const v = bytes === 1 ? (signed ? dv.getInt8(at) : dv.getUint8(at))
      : bytes === 2 ? (signed ? dv.getInt16(at, true) : dv.getUint16(at, true))
        : (signed ? dv.getInt32(at, true) : dv.getUint32(at, true));
    if (v < lo || v > hi) return [i, v];
  }
  return undefined;
}

/**
 * Native YBR_FULL_422 (Y1 Y2 Cb Cr per two pixels, PS3.3 C.7.6.3.1.2) to YBR_FULL colour-by-pixel:
 * each chroma pair serves both pixels, so nothing is lost and the result codes like any YBR_FULL image.
 */
export function ybr422ToFull(data: Uint8Array, d: PixelDescription): Uint8Array {
  const bytes = bytesPerSample(d);
  const out = new Uint8Array(d.rows * d.columns * 3 * bytes);
  let src = 0;
  let dst = 0;
  const copy = (from: number) => {
    for (let b = 0; b < bytes; b++) out[dst++] = data[from + b]!;
  };
  for (let row = 0; row < d.rows; row++) {
    for (let col = 0; col < d.columns; col += 2) {
      const y1 = src;
      const y2 = src + bytes;
      const cb = src + 2 * bytes;
      const cr = src + 3 * bytes;
      copy(y1); copy(cb); copy(cr);
      if (col + 1 < d.columns) {
        copy(y2); copy(cb); copy(cr);
      }
      src += 4 * bytes;
    }
  }
  return out;
}
