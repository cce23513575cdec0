// Decoded colour samples (colour-by-pixel, little endian, Bits Allocated wide, as the codec layer
// returns them) to 8-bit RGBA for display: RGB as it is, YBR_FULL through the PS3.3 C.7.6.3.1.2
// equations, palette colour through its lookup tables. Samples wider than 8 bits keep their top 8.

import { Dataset } from '../dataset-model';
import { UnsupportedImageError } from './errors';

export interface SampleLayout {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
}

/** The samples as numbers (a copy when the bytes are not aligned for a typed view). */
export function sampleArray(samples: Uint8Array, bitsAllocated: number, signed: boolean): Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array {
  const bytes = bitsAllocated <= 8 ? 1 : bitsAllocated <= 16 ? 2 : 4;
  const aligned = samples.byteOffset % bytes === 0 ? samples : new Uint8Array(samples);
  const n = Math.floor(aligned.byteLength / bytes);
  const { buffer, byteOffset } = aligned;
  if (bytes === 1) return signed ? new Int8Array(buffer, byteOffset, n) : new Uint8Array(buffer, byteOffset, n);
  if (bytes === 2) return signed ? new Int16Array(buffer, byteOffset, n) : new Uint16Array(buffer, byteOffset, n);
  return signed ? new Int32Array(buffer, byteOffset, n) : new Uint32Array(buffer, byteOffset, n);
}

function clamp8(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Three samples per pixel (RGB or YBR_FULL) to RGBA. */
export function colorToRgba(samples: Uint8Array, layout: SampleLayout, photometric: string): Uint8ClampedArray {
  const count = layout.rows * layout.columns;
  const values = sampleArray(samples, layout.bitsAllocated, false);
  if (values.length < count * 3) throw new UnsupportedImageError(`The frame holds ${values.length} samples, too few for ${count} pixels of 3.`);
  const shift = Math.max(0, layout.bitsStored - 8);
  const mask = layout.bitsStored >= 32 ? 0xffffffff : 2 ** layout.bitsStored - 1;
  const out = new Uint8ClampedArray(count * 4);
  const ybr = photometric.startsWith('YBR_');
  if (ybr && photometric !== 'YBR_FULL' && photometric !== 'YBR_FULL_422') {
    throw new UnsupportedImageError(`Photometric Interpretation ${photometric} cannot be shown.`);
  }
  for (let i = 0; i < count; i++) {
    const a = ((values[i * 3]! & mask) >>> shift);
    const b = ((values[i * 3 + 1]! & mask) >>> shift);
    const c = ((values[i * 3 + 2]! & mask) >>> shift);
    const o = i * 4;
    if (ybr) {
      out[o] = clamp8(a + 1.402 * (c - 128));
      out[o + 1] = clamp8(a - 0.344136 * (b - 128) - 0.714136 * (c - 128));
      out[o + 2] = clamp8(a + 1.772 * (b - 128));
    } else {
      out[o] = a;
      out[o + 1] = b;
      out[o + 2] = c;
    }
    out[o + 3] = 255;
  }
  return out;
}

const PALETTES = [
  [0x00281101, 0x00281201], [0x00281102, 0x00281202], [0x00281103, 0x00281203],
] as const;

/** One sample per pixel mapped through the Red, Green and Blue Palette Color Lookup Tables (PS3.3 C.7.6.3.1.5). */
export function paletteToRgba(ds: Dataset, samples: Uint8Array, layout: SampleLayout, signed: boolean): Uint8ClampedArray {
  const count = layout.rows * layout.columns;
  const values = sampleArray(samples, layout.bitsAllocated, signed);
  if (values.length < count) throw new UnsupportedImageError(`The frame holds ${values.length} samples, too few for ${count} pixels.`);
  const tables = PALETTES.map(([descriptorTag, dataTag]) => {
    const d = ds.numbers(descriptorTag);
    const data = ds.bytes(dataTag);
    if (!d || d.length < 3 || !data) throw new UnsupportedImageError('Palette color images need the Red, Green and Blue Palette Color Lookup Table Descriptor and Data.');
    const entries = d[0] === 0 ? 65536 : d[0]!;
    const first = d[1]!;
    const bits = d[2]!;
    const wide = data.length >= entries * 2;
    const entry = (k: number) => (wide ? data.readUInt16LE(k * 2) : data[k]!);
    // 16-bit entries keep their top byte; 8-bit ones stored in 16-bit words keep their value.
    const to8 = (v: number) => (bits > 8 ? v >>> 8 : v & 0xff);
    return { entries: Math.min(entries, wide ? data.length >> 1 : data.length), first, entry, to8 };
  });
  const out = new Uint8ClampedArray(count * 4);
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    for (let c = 0; c < 3; c++) {
      const t = tables[c]!;
      let k = v - t.first;
      if (k < 0) k = 0;
      else if (k >= t.entries) k = t.entries - 1;
      out[i * 4 + c] = t.to8(t.entry(k));
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}
