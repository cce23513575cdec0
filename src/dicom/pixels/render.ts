// A decoded frame made into a picture for people: monochrome through a VOI window (the one asked
// for, else the frame's own, else its value range) and, for MONOCHROME1, inverted; colour as it
// is; then scaled to fit a viewport, keeping the aspect ratio (PS3.18 8.3.5.1).

import type { FrameData, VoiFunction } from './frame-data';
import { applyWindow } from './window-level';

export interface RenderOptions {
  window?: { center: number; width: number; fn: VoiFunction };
  /** The largest size of the picture; it is never enlarged. */
  viewport?: { width: number; height: number };
}

export interface Picture {
  width: number;
  height: number;
  /** 8-bit RGBA. */
  rgba: Uint8ClampedArray;
}

/** Area-averaging reduction of RGBA to fit `w` × `h`. */
function reduce(p: Picture, w: number, h: number): Picture {
  const out = new Uint8ClampedArray(w * h * 4);
  const sx = p.width / w;
  const sy = p.height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0, g = 0, b = 0, n = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * p.width + xx) * 4;
          r += p.rgba[i]!; g += p.rgba[i + 1]!; b += p.rgba[i + 2]!; n++;
        }
      }
      const o = (y * w + x) * 4;
      out[o] = r / n; out[o + 1] = g / n; out[o + 2] = b / n; out[o + 3] = 255;
    }
  }
  return { width: w, height: h, rgba: out };
}

/** The size that fits the viewport with the frame's aspect ratio (never larger than the frame). */
export function fittedSize(width: number, height: number, viewport?: { width: number; height: number }): { width: number; height: number } {
  if (!viewport) return { width, height };
  const scale = Math.min(1, viewport.width / width, viewport.height / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export function renderFrame(frame: FrameData, o: RenderOptions = {}): Picture {
  let rgba: Uint8ClampedArray;
  if (frame.kind === 'gray') {
    const w = o.window ?? { center: frame.window.center, width: frame.window.width, fn: frame.voiFunction };
    rgba = applyWindow(frame, w.center, w.width, w.fn, frame.invert, new Uint8ClampedArray(frame.width * frame.height * 4));
  } else {
    rgba = frame.pixels;
  }
  const picture = { width: frame.width, height: frame.height, rgba };
  const size = fittedSize(frame.width, frame.height, o.viewport);
  return size.width === frame.width && size.height === frame.height ? picture : reduce(picture, size.width, size.height);
}

/** Whether every pixel is gray (then an encoder may write one channel). */
export function isGray(p: Picture): boolean {
  const px = p.rgba;
  for (let i = 0; i < px.length; i += 4) if (px[i] !== px[i + 1] || px[i] !== px[i + 2]) return false;
  return true;
}
