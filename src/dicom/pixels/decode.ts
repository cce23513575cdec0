// Decoding one frame for the preview through the codec layer (../codecs: dcmjs-codecs' WebAssembly
// build, the same code the network conversions use), then turning monochrome stored values into
// modality values the webview windows itself, and colour samples into RGBA.

import { Dataset } from '../dataset-model';
import { Tags } from '../tag';
import {
  PixelDescription, decodeFrame, initializeFrameCodecs, resetFrameCodecs, defaultCodecWasmPath, planarToInterleaved, ybr422ToFull,
  FrameDecodeError, UnsupportedConversionError,
} from '../codecs';
import { FrameData, GrayFrame, VoiWindow } from './frame-data';
import { ImageInfo, readImageInfo, frameTransforms } from './image-info';
import { frameBytes, isEncapsulated } from './frame-bytes';
import { colorToRgba, paletteToRgba, sampleArray } from './color';
import { PixelDecodeError, UnsupportedImageError } from './errors';

let ready = false;

/** Where the codecs' WebAssembly module is: in node_modules (bundles ship it beside them). */
export function defaultWasmPath(): string {
  return defaultCodecWasmPath();
}

/** Loads the codec layer's WebAssembly codecs once per thread. */
export async function initializeCodecs(wasmPath: string = defaultWasmPath()): Promise<void> {
  await initializeFrameCodecs(wasmPath);
  ready = true;
}

type Samples = ArrayLike<number> & { length: number };

/** Stored values (masked to Bits Stored, sign-extended when signed) → modality values. */
function toModality(samples: Samples, isFloat: boolean, info: ImageInfo, count: number, slope: number, intercept: number) {
  const bits = info.bitsStored;
  const signed = info.pixelRepresentation === 1;
  const padding = info.pixelPaddingValue;
  const stored = new Float64Array(count);
  if (isFloat) {
    for (let i = 0; i < count; i++) stored[i] = samples[i]!;
  } else if (bits >= 32) {
    for (let i = 0; i < count; i++) stored[i] = signed ? samples[i]! | 0 : samples[i]! >>> 0;
  } else {
    const range = 2 ** bits;
    const half = range / 2;
    const mask = range - 1;
    for (let i = 0; i < count; i++) {
      const u = (samples[i]! & mask) >>> 0;
      stored[i] = signed && u >= half ? u - range : u;
    }
  }
  let min = Infinity;
  let max = -Infinity;
  let integral = !isFloat && Number.isInteger(slope) && Number.isInteger(intercept);
  for (let i = 0; i < count; i++) {
    const s = stored[i]!;
    if (s === padding) continue;
    const v = s * slope + intercept;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) {
    min = 0;
    max = 0;
  }
  const lo = Math.min(min, (padding ?? 0) * slope + intercept);
  const hi = Math.max(max, (padding ?? 0) * slope + intercept);
  integral = integral && lo >= -32768 && hi <= 32767;
  const pixels = integral ? new Int16Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) pixels[i] = stored[i]! * slope + intercept;
  return { pixels, min, max };
}

function grayFrame(ds: Dataset, info: ImageInfo, frame: number, samples: Samples, isFloat: boolean): GrayFrame {
  const count = info.rows * info.columns;
  if (samples.length < count) throw new PixelDecodeError(`The codec returned ${samples.length} samples for a ${info.columns} × ${info.rows} frame.`);
  const t = frameTransforms(ds, frame);
  const { pixels, min, max } = toModality(samples, isFloat, info, count, t.slope, t.intercept);
  const computed: VoiWindow = { center: (min + max) / 2, width: Math.max(1, max - min), explanation: 'min/max' };
  return {
    kind: 'gray', frame, frameCount: info.frames, width: info.columns, height: info.rows, photometric: info.photometric,
    pixels, min, max, window: t.windows[0] ?? computed, windows: t.windows, voiFunction: t.voiFunction,
    invert: info.photometric === 'MONOCHROME1', rescale: { slope: t.slope, intercept: t.intercept },
  };
}

export function pixelDescription(info: ImageInfo): PixelDescription {
  return {
    rows: info.rows, columns: info.columns, samplesPerPixel: info.samplesPerPixel, bitsAllocated: info.bitsAllocated,
    bitsStored: info.bitsStored, highBit: info.highBit, pixelRepresentation: info.pixelRepresentation,
    photometricInterpretation: info.photometric, planarConfiguration: info.planarConfiguration,
  };
}

/** Bit-packed 1-bit pixels (least significant bit first) to one byte each. */
function unpackBits(packed: Buffer, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (packed[i >> 3]! >> (i & 7)) & 1;
  return out;
}

/** A native frame in the codec layer's layout: colour-by-pixel, YBR_FULL_422 expanded. */
export function nativeSamples(bytes: Buffer, info: ImageInfo): { samples: Uint8Array; photometric: string } {
  const d = pixelDescription(info);
  if (info.bitsAllocated === 1) return { samples: unpackBits(bytes, info.rows * info.columns * info.samplesPerPixel), photometric: info.photometric };
  if (info.samplesPerPixel > 1 && info.photometric === 'YBR_FULL_422') return { samples: ybr422ToFull(bytes, d), photometric: 'YBR_FULL' };
  if (info.samplesPerPixel > 1 && info.planarConfiguration === 1) {
    return { samples: planarToInterleaved(bytes, info.rows * info.columns, info.samplesPerPixel, Math.max(1, info.bitsAllocated >> 3)), photometric: info.photometric };
  }
  return { samples: bytes, photometric: info.photometric };
}

/**
 * What the preview shows of a decoded frame (`samples` in the codec layer's layout, Photometric
 * Interpretation `photometric` after decoding): modality values for monochrome, RGBA for colour.
 */
export function frameFromSamples(ds: Dataset, info: ImageInfo, frame: number, samples: Uint8Array, photometric: string): FrameData {
  const base = { frame, frameCount: info.frames, width: info.columns, height: info.rows, photometric: info.photometric };
  if (info.samplesPerPixel === 1 && photometric === 'PALETTE COLOR') {
    return { kind: 'rgba', ...base, pixels: paletteToRgba(ds, samples, info, info.pixelRepresentation === 1) };
  }
  if (info.samplesPerPixel === 1) {
    if (info.pixelTag === Tags.FloatPixelData) {
      const aligned = samples.byteOffset % 4 === 0 ? samples : new Uint8Array(samples);
      return grayFrame(ds, info, frame, new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2), true);
    }
    const bits = info.bitsAllocated === 1 ? 8 : info.bitsAllocated;
    return grayFrame(ds, info, frame, sampleArray(samples, bits, false), false);
  }
  if (info.samplesPerPixel !== 3) throw new UnsupportedImageError(`${info.samplesPerPixel} samples per pixel (${info.photometric}) cannot be previewed.`);
  return { kind: 'rgba', ...base, pixels: colorToRgba(samples, info, photometric) };
}

/**
 * Decodes frame `frame` (0-based) of a dataset whose Pixel Data is in `transferSyntaxUid`.
 * Call initializeCodecs() first.
 * @throws NoImageError, UnsupportedImageError, PixelDecodeError.
 */
export function decodeFrameSync(ds: Dataset, transferSyntaxUid: string, frame: number): FrameData {
  if (!ready) throw new PixelDecodeError('The image codecs are not initialized.');
  const info = readImageInfo(ds, transferSyntaxUid);
  const bytes = frameBytes(ds, info, frame);
  // Native values in a Dataset are little endian whatever the file's syntax was.
  if (!isEncapsulated(ds, info)) {
    const { samples, photometric } = nativeSamples(bytes, info);
    return frameFromSamples(ds, info, frame, samples, photometric);
  }
  try {
    const decoded = decodeFrame(transferSyntaxUid, bytes, pixelDescription(info));
    return frameFromSamples(ds, info, frame, decoded.samples, decoded.description.photometricInterpretation);
  } catch (e) {
    // A codec that throws leaves what it allocated behind: the next frame starts on a fresh instance.
    resetFrameCodecs();
    ready = false;
    if (e instanceof UnsupportedConversionError) throw new UnsupportedImageError(e.message);
    if (e instanceof FrameDecodeError) throw new PixelDecodeError(e.message);
    throw e;
  }
}
