// Decoding one frame for the preview with dcmjs-imaging (its WebAssembly codecs and its pixel
// pipeline: RLE, JPEG, JPEG-LS, JPEG 2000, HTJ2K, YBR/planar/palette conversion), then turning
// monochrome stored values into modality values the webview windows itself.

import { Dataset } from '../dataset-model';
import { Tags } from '../tag';
import { ExplicitVRLittleEndian } from '../transfer-syntaxes';
import { FrameData, GrayFrame, VoiWindow } from './frame-data';
import { ImageInfo, readImageInfo, frameTransforms } from './image-info';
import { frameBytes, isEncapsulated } from './frame-bytes';
import { PixelDecodeError, UnsupportedImageError } from './errors';

type Imaging = typeof import('dcmjs-imaging');

const RLE_LOSSLESS = '1.2.840.10008.1.2.5';

let imaging: Imaging | undefined;
let initializing: Promise<Imaging> | undefined;

/** Where dcmjs-imaging's codecs are: next to a bundle (dist/), else in node_modules. */
export function defaultWasmPath(): string {
  // Built at run time so that bundlers leave the lookup to Node (bundles ship the file beside them).
  const specifier = ['dcmjs-imaging', 'build', 'dcmjs-native-codecs.wasm'].join('/');
  return require.resolve(specifier);
}

/** Loads dcmjs-imaging and its WebAssembly codecs once per thread. */
export function initializeCodecs(wasmPath: string = defaultWasmPath()): Promise<Imaging> {
  if (imaging) return Promise.resolve(imaging);
  if (!initializing) {
    initializing = (async () => {
      const lib = require('dcmjs-imaging') as Imaging;
      lib.log.setLevel('error');
      await lib.NativePixelDecoder.initializeAsync({ webAssemblyModulePathOrUrl: wasmPath });
      imaging = lib;
      return lib;
    })();
    initializing.catch(() => { initializing = undefined; });
  }
  return initializing;
}

function arrayBufferOf(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

function paletteElements(ds: Dataset): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [color, descriptor, data] of [
    ['Red', 0x00281101, 0x00281201], ['Green', 0x00281102, 0x00281202], ['Blue', 0x00281103, 0x00281203],
  ] as const) {
    const d = ds.numbers(descriptor);
    const v = ds.bytes(data);
    if (d) out[`${color}PaletteColorLookupTableDescriptor`] = d;
    if (v) out[`${color}PaletteColorLookupTableData`] = [arrayBufferOf(v)];
  }
  return out;
}

/** A one-frame dataset for dcmjs-imaging holding only this frame's bytes (no whole-file parse there). */
function oneFrameElements(ds: Dataset, info: ImageInfo, bytes: Buffer, photometric: string, samplesPerPixel: number): Record<string, unknown> {
  const elements: Record<string, unknown> = {
    Rows: info.rows,
    Columns: info.columns,
    NumberOfFrames: 1,
    SamplesPerPixel: samplesPerPixel,
    PhotometricInterpretation: photometric,
    BitsAllocated: info.bitsAllocated,
    BitsStored: info.bitsStored,
    HighBit: info.highBit,
    PixelRepresentation: info.pixelRepresentation,
    PlanarConfiguration: info.planarConfiguration,
    ...(photometric === 'PALETTE COLOR' ? paletteElements(ds) : {}),
  };
  elements[info.pixelTag === Tags.FloatPixelData ? 'FloatPixelData' : 'PixelData'] = [arrayBufferOf(bytes)];
  return elements;
}

interface PipelineLike {
  data?: unknown;
  getComponents?: () => number;
}

type IntegerArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** The decoded samples dcmjs-imaging's pixel pipeline holds after rendering frame 0. */
function pipelineSamples(image: InstanceType<Imaging['DicomImage']>): IntegerArray | Float32Array {
  const cache = (image as unknown as { pixelPipelineCache?: { cache?: Map<number, PipelineLike> } }).pixelPipelineCache?.cache;
  const data = cache?.get(0)?.data;
  if (!data || !ArrayBuffer.isView(data) || data instanceof DataView) {
    throw new PixelDecodeError('The installed dcmjs-imaging does not expose decoded samples in the expected form.');
  }
  return data as IntegerArray | Float32Array;
}

function renderWith(lib: Imaging, elements: Record<string, unknown>, transferSyntaxUid: string): { image: InstanceType<Imaging['DicomImage']>; rgba: ArrayBuffer } {
  const image = new lib.DicomImage(elements, transferSyntaxUid);
  try {
    const r = image.render({ frame: 0, renderOverlays: false, calculateHistograms: false });
    return { image, rgba: r.pixels };
  } catch (e) {
    throw new PixelDecodeError(`The frame could not be decoded: ${e instanceof Error ? e.message : String(e)}.`);
  }
}

/** Stored values (masked to Bits Stored, sign-extended when signed) → modality values. */
function toModality(samples: IntegerArray | Float32Array, info: ImageInfo, count: number, slope: number, intercept: number) {
  const isFloat = samples instanceof Float32Array;
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

function grayFrame(ds: Dataset, info: ImageInfo, frame: number, samples: IntegerArray | Float32Array): GrayFrame {
  const count = info.rows * info.columns;
  if (samples.length < count) throw new PixelDecodeError(`The codec returned ${samples.length} samples for a ${info.columns} × ${info.rows} frame.`);
  const t = frameTransforms(ds, frame);
  const { pixels, min, max } = toModality(samples, info, count, t.slope, t.intercept);
  const computed: VoiWindow = { center: (min + max) / 2, width: Math.max(1, max - min), explanation: 'min/max' };
  return {
    kind: 'gray', frame, frameCount: info.frames, width: info.columns, height: info.rows, photometric: info.photometric,
    pixels, min, max, window: t.windows[0] ?? computed, windows: t.windows, voiFunction: t.voiFunction,
    invert: info.photometric === 'MONOCHROME1', rescale: { slope: t.slope, intercept: t.intercept },
  };
}

/** RGB from the decoded samples (read as one gray plane of 3 × width × height), scaled to 8 bits. */
function wideColorFrame(lib: Imaging, info: ImageInfo, frame: number, bytes: Buffer, syntax: string): FrameData {
  if (info.photometric !== 'RGB') throw new UnsupportedImageError(`${info.bitsAllocated}-bit ${info.photometric} images cannot be previewed.`);
  const elements = oneFrameElements(new Dataset(), info, bytes, 'MONOCHROME2', 3);
  elements.PixelRepresentation = 0;
  const { image } = renderWith(lib, elements, syntax);
  const samples = pipelineSamples(image);
  const count = info.rows * info.columns;
  if (samples.length < count * 3) throw new PixelDecodeError(`The codec returned ${samples.length} samples for a ${info.columns} × ${info.rows} color frame.`);
  const shift = Math.max(0, info.bitsStored - 8);
  // RLE decodes to one plane per sample (PS3.5 G.2); native data says so in Planar Configuration.
  const planar = syntax === RLE_LOSSLESS || (info.planarConfiguration === 1 && syntax === ExplicitVRLittleEndian);
  const out = new Uint8ClampedArray(count * 4);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < 3; c++) {
      const s = planar ? samples[c * count + i]! : samples[i * 3 + c]!;
      out[i * 4 + c] = s >>> shift;
    }
    out[i * 4 + 3] = 255;
  }
  return { kind: 'rgba', frame, frameCount: info.frames, width: info.columns, height: info.rows, photometric: info.photometric, pixels: out };
}

/**
 * Decodes frame `frame` (0-based) of a dataset whose Pixel Data is in `transferSyntaxUid`.
 * Call initializeCodecs() first.
 * @throws NoImageError, UnsupportedImageError, PixelDecodeError.
 */
export function decodeFrameSync(ds: Dataset, transferSyntaxUid: string, frame: number): FrameData {
  if (!imaging) throw new PixelDecodeError('The image codecs are not initialized.');
  const lib = imaging;
  const info = readImageInfo(ds, transferSyntaxUid);
  const bytes = frameBytes(ds, info, frame);
  // Native values in a Dataset are little endian whatever the file's syntax was.
  const syntax = isEncapsulated(ds, info) ? transferSyntaxUid : ExplicitVRLittleEndian;
  // dcmjs-imaging's color pipeline is 8-bit and takes RLE's decoded planes for interleaved samples,
  // so those frames are assembled here from the samples it decodes.
  if (info.samplesPerPixel > 1 && (info.bitsAllocated > 8 || syntax === RLE_LOSSLESS)) return wideColorFrame(lib, info, frame, bytes, syntax);
  const { image, rgba } = renderWith(lib, oneFrameElements(ds, info, bytes, info.photometric, info.samplesPerPixel), syntax);
  if (info.samplesPerPixel === 1 && info.photometric !== 'PALETTE COLOR') return grayFrame(ds, info, frame, pipelineSamples(image));
  return {
    kind: 'rgba', frame, frameCount: info.frames, width: info.columns, height: info.rows, photometric: info.photometric,
    pixels: new Uint8ClampedArray(rgba),
  };
}
