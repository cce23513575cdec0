// VOI windowing (PS3.3 C.11.2.1.2) of modality values into 8-bit gray RGBA. Pure and DOM-free:
// the webview runs it on every mouse move, so integer frames go through a lookup table.

import type { VoiFunction } from './frame-data';

export interface WindowInput {
  pixels: ArrayLike<number>;
  min: number;
  max: number;
}

/** The output level (0-255) of value x for a window. */
export function voiLevel(x: number, center: number, width: number, fn: VoiFunction): number {
  if (fn === 'SIGMOID') return 255 / (1 + Math.exp((-4 * (x - center)) / Math.max(width, 1e-9)));
  if (fn === 'LINEAR_EXACT') {
    const w = Math.max(width, 1e-9);
    if (x <= center - w / 2) return 0;
    if (x > center + w / 2) return 255;
    return ((x - center) / w + 0.5) * 255;
  }
  const w = Math.max(width, 1);
  if (x <= center - 0.5 - (w - 1) / 2) return 0;
  if (x > center - 0.5 + (w - 1) / 2) return 255;
  return w === 1 ? 255 : ((x - (center - 0.5)) / (w - 1) + 0.5) * 255;
}

const MAX_LUT = 1 << 20;

/**
 * Writes the windowed frame into `out` (RGBA, 4 bytes per pixel). Returns `out`.
 * `invert` shows MONOCHROME1 (or a user's inversion): low values white.
 */
export function applyWindow(frame: WindowInput, center: number, width: number, fn: VoiFunction, invert: boolean, out: Uint8ClampedArray): Uint8ClampedArray {
  const px = frame.pixels;
  const n = Math.min(px.length, out.length >> 2);
  const span = frame.max - frame.min;
  const integral = Number.isInteger(frame.min) && Number.isInteger(frame.max) && span >= 0 && span < MAX_LUT
    && (px instanceof Int16Array || px instanceof Uint16Array || px instanceof Uint8Array || px instanceof Int32Array);
  if (integral) {
    const lut = new Uint8ClampedArray(span + 1);
    for (let i = 0; i <= span; i++) {
      const level = voiLevel(frame.min + i, center, width, fn);
      lut[i] = invert ? 255 - level : level;
    }
    // Values outside min..max (padding) clamp to the table's ends.
    const lo = frame.min;
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      let k = px[i]! - lo;
      if (k < 0) k = 0;
      else if (k > span) k = span;
      const g = lut[k]!;
      out[o] = g;
      out[o + 1] = g;
      out[o + 2] = g;
      out[o + 3] = 255;
    }
    return out;
  }
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const level = voiLevel(px[i]!, center, width, fn);
    const g = invert ? 255 - level : level;
    out[o] = g;
    out[o + 1] = g;
    out[o + 2] = g;
    out[o + 3] = 255;
  }
  return out;
}

/**
 * Window change for a mouse drag (the usual convention: right widens, down raises the center),
 * scaled so that crossing the canvas spans the frame's value range.
 */
export function dragWindow(start: { center: number; width: number }, dx: number, dy: number, range: number, size: { width: number; height: number }): { center: number; width: number } {
  const perPixelX = Math.max(range, 1) / Math.max(size.width, 1);
  const perPixelY = Math.max(range, 1) / Math.max(size.height, 1);
  return { center: start.center + dy * perPixelY, width: Math.max(1, start.width + dx * perPixelX) };
}
