// Decoding and encoding one frame with dcmjs-codecs' WebAssembly build (DCMTK's IJG JPEG 8/12/16
// bit, CharLS, OpenJPEG, OpenJPH), synchronously, in the calling thread: it runs inside the codec
// workers. Around each call: the codestream header is checked against the image attributes, and
// the samples are brought to one layout (colour-by-pixel, little endian, Bits Allocated wide,
// signed values sign-extended).

import { codecSyntax, CodecFamily, syntaxLabel } from './syntaxes';
import { PixelDescription, describeLayout } from './pixel-description';
import { readCodestreamHeader, CodestreamInfo } from './codestream-header';
import {
  bytesPerSample, maskToBitsStored, planarToInterleaved, sampleOutOfRange, signExtend, widenSamples, ybr422ToFull,
} from './pixel-format';
import { FrameDecodeError, FrameEncodeError, UnsupportedConversionError } from './errors';

type DcmjsCodecs = typeof import('dcmjs-codecs');
type Context = InstanceType<DcmjsCodecs['Context']>;

let codecs: DcmjsCodecs | undefined;
let loading: Promise<DcmjsCodecs> | undefined;
let wasmFile: string | undefined;

/** Where dcmjs-codecs' WebAssembly module is: given, else in node_modules. */
export function defaultCodecWasmPath(): string {
  // Built at run time so that bundlers leave the lookup to Node (bundles ship the file beside them).
  return require.resolve(['dcmjs-codecs', 'build', 'dcmjs-native-codecs.wasm'].join('/'));
}

/** Loads the codecs once per thread (again after reset()). */
export function initializeFrameCodecs(wasmPath: string = wasmFile ?? defaultCodecWasmPath()): Promise<DcmjsCodecs> {
  if (codecs) return Promise.resolve(codecs);
  wasmFile = wasmPath;
  if (!loading) {
    loading = (async () => {
      const lib = require('dcmjs-codecs') as DcmjsCodecs;
      lib.log.setLevel('silent');
      await lib.NativeCodecs.initializeAsync({ webAssemblyModulePathOrUrl: wasmPath });
      codecs = lib;
      return lib;
    })();
    loading.catch(() => { loading = undefined; });
  }
  return loading;
}

/**
 * Drops the WebAssembly instance: a codec that throws unwinds through C++ without freeing what
 * it allocated, so the worker starts from a fresh instance after a failure.
 */
export function resetFrameCodecs(): void {
  codecs?.NativeCodecs.release();
  codecs = undefined;
  loading = undefined;
}

function lib(): DcmjsCodecs {
  if (!codecs) throw new FrameDecodeError('The image codecs are not initialized.');
  return codecs;
}

export interface DecodedFrame {
  /** Native samples: colour-by-pixel, little endian, Bits Allocated wide. */
  samples: Uint8Array;
  description: PixelDescription;
}

export interface EncodeParams {
  /** Lossy coding is allowed (and used by syntaxes that can be lossy). */
  lossy?: boolean;
  /** JPEG Baseline quality, 1-100 (default 90). */
  quality?: number;
  /** JPEG-LS near-lossless: the largest error per sample (default 2). */
  nearLossless?: number;
  /** JPEG 2000 lossy: the compression ratio of the first quality layer (default 10). */
  ratio?: number;
}

export interface EncodedFrame {
  data: Uint8Array;
  description: PixelDescription;
  lossy: boolean;
}

function makeContext(d: PixelDescription, buffers: { encodedBuffer?: Uint8Array; decodedBuffer?: Uint8Array }): Context {
  return new (lib().Context)({
    width: d.columns, height: d.rows, bitsAllocated: d.bitsAllocated, bitsStored: d.bitsStored,
    samplesPerPixel: d.samplesPerPixel, pixelRepresentation: d.pixelRepresentation,
    planarConfiguration: d.planarConfiguration, photometricInterpretation: d.photometricInterpretation, ...buffers,
  });
}

function codecMessage(e: unknown): string {
  // A trap inside the WebAssembly code (abort on data it cannot take) has no message of its own.
  if (e instanceof Error && e.name === 'RuntimeError') return 'the codec stopped on data it cannot read';
  const raw = e instanceof Error ? e.message : String(e);
  // dcmjs-codecs prefixes its messages with Class::Method:: paths; keep the library's own words.
  const words = raw.split('::').map((s) => s.trim()).filter(Boolean);
  return (words[words.length - 1] ?? raw).replace(/[.\s]+$/, '');
}

function checkHeader(info: CodestreamInfo, d: PixelDescription, label: string): void {
  const heightKnown = info.height !== 0;
  if (info.width !== d.columns || (heightKnown && info.height !== d.rows)) {
    throw new FrameDecodeError(`The ${label} codestream is ${info.width} × ${info.height} but the image is ${d.columns} × ${d.rows} (Columns × Rows).`);
  }
  if (info.components !== d.samplesPerPixel) {
    throw new FrameDecodeError(`The ${label} codestream has ${info.components} component${info.components === 1 ? '' : 's'} but the image has ${d.samplesPerPixel} samples per pixel.`);
  }
  if (info.precision > 16 || (info.precision > d.bitsAllocated && !(d.bitsAllocated === 8 && info.precision <= 8))) {
    throw new FrameDecodeError(`The ${label} codestream has ${info.precision}-bit samples, more than Bits Allocated ${d.bitsAllocated}.`);
  }
}

/** The photometric interpretation of what a JPEG decode returns, and whether to ask for RGB. */
function jpegColour(info: CodestreamInfo, d: PixelDescription): boolean {
  if (d.samplesPerPixel !== 3 || info.jpegProcess === 'lossless') return false;
  if (d.photometricInterpretation.startsWith('YBR_FULL')) return true;
  // RGB: colour-transformed only when an Adobe marker says so (otherwise the samples are taken as they are, as pydicom does).
  return d.photometricInterpretation === 'RGB' && info.adobeTransform !== undefined;
}

function decodeWith(family: CodecFamily, info: CodestreamInfo | undefined, ctx: Context, d: PixelDescription): Context {
  const native = lib().NativeCodecs;
  switch (family) {
    case 'rle': return native.decodeRle(ctx);
    case 'jpeg': return native.decodeJpeg(ctx, { convertColorspaceToRgb: jpegColour(info!, d) });
    case 'jpeg-ls': return native.decodeJpegLs(ctx);
    case 'j2k': return native.decodeJpeg2000(ctx);
    case 'htj2k':
      // OpenJPH's path in dcmjs-codecs takes colour lines as transformed and clamps 8-bit samples
      // unsigned; OpenJPEG (which reads HT code blocks too) takes the other cases.
      if ((d.samplesPerPixel > 1 && !info!.mct) || (info!.signed && info!.precision <= 8)) return native.decodeJpeg2000(ctx);
      return native.decodeHtJpeg2000(ctx);
  }
}

/**
 * Decodes one frame's codestream.
 * @throws FrameDecodeError (corrupt or inconsistent codestream), UnsupportedConversionError.
 */
export function decodeFrame(syntax: string, data: Uint8Array, d: PixelDescription): DecodedFrame {
  const cs = codecSyntax(syntax);
  if (!cs) throw new UnsupportedConversionError(`${syntaxLabel(syntax)} cannot be decoded.`);
  const label = syntaxLabel(syntax);
  if (d.bitsAllocated > 16 && cs.family !== 'rle') throw new UnsupportedConversionError(`${label} data with Bits Allocated ${d.bitsAllocated} cannot be decoded.`);
  if ((cs.family === 'j2k' || cs.family === 'htj2k') && d.samplesPerPixel > 1 && d.bitsAllocated > 8) {
    throw new UnsupportedConversionError(`Colour ${label} data of more than 8 bits per sample cannot be decoded.`);
  }
  const info = cs.family === 'rle' ? undefined : readCodestreamHeader(cs.family, data);
  if (info) checkHeader(info, d, label);
  // RLE decodes straight into colour-by-pixel order when asked for planar configuration 0.
  const ctx = makeContext({ ...d, planarConfiguration: 0 }, { encodedBuffer: data });
  let out: Context;
  try {
    out = decodeWith(cs.family, info, ctx, d);
  } catch (e) {
    throw new FrameDecodeError(`The ${label} codestream could not be decoded (${codecMessage(e)}).`);
  }
  let samples = out.getDecodedBuffer() ?? new Uint8Array(0);
  const pixels = d.rows * d.columns;
  const bytes = bytesPerSample(d);
  const expected = pixels * d.samplesPerPixel * bytes;
  // Codestreams of 8 bits or fewer decode to bytes, also when the image allocates 16 bits.
  if (bytes > 1 && samples.length === pixels * d.samplesPerPixel) samples = widenSamples(samples, 1, bytes, d.pixelRepresentation === 1);
  if (samples.length !== expected) {
    throw new FrameDecodeError(`The ${label} codestream decoded to ${samples.length} bytes where the image (${describeLayout(d)}) needs ${expected}.`);
  }
  if (cs.family === 'jpeg-ls' && d.samplesPerPixel > 1 && info!.interleave === 0) samples = planarToInterleaved(samples, pixels, d.samplesPerPixel, bytes);
  signExtend(samples, d);
  let photometric = d.photometricInterpretation;
  if (cs.family === 'jpeg' && jpegColour(info!, d)) photometric = 'RGB';
  if ((cs.family === 'j2k' || cs.family === 'htj2k') && info!.mct) photometric = 'RGB';
  return { samples, description: { ...d, photometricInterpretation: photometric, planarConfiguration: 0 } };
}

/** Whether lossy coding will be used for this syntax with these parameters. */
export function encodesLossy(syntax: string, params: EncodeParams): boolean {
  const mode = codecSyntax(syntax)?.encode;
  return mode === 'lossy' || (mode === 'either' && params.lossy === true);
}

/** Why a frame of this layout cannot be written in this syntax, or undefined when it can. */
export function encodeRefusal(syntax: string, d: PixelDescription, params: EncodeParams): string | undefined {
  const cs = codecSyntax(syntax);
  const label = syntaxLabel(syntax);
  if (!cs || cs.encode === 'none') return `${label} cannot be written`;
  if (cs.encode === 'lossy' && !params.lossy) return `${label} is lossy and lossy compression was not allowed`;
  if (d.bitsAllocated === 1) return `1-bit images cannot be compressed with ${label}`;
  const colour = d.samplesPerPixel > 1;
  // Native YBR_FULL_422 is expanded to YBR_FULL before coding.
  const photometric = d.photometricInterpretation === 'YBR_FULL_422' ? 'YBR_FULL' : d.photometricInterpretation;
  const ybr = photometric.startsWith('YBR_');
  switch (cs.family) {
    case 'rle':
      if (d.samplesPerPixel * bytesPerSample(d) > 15) return `RLE holds at most 15 byte segments, too few for ${d.samplesPerPixel} samples of ${d.bitsAllocated} bits`;
      return undefined;
    case 'jpeg':
      if (cs.encode === 'lossy') {
        if (d.bitsAllocated !== 8 || d.bitsStored !== 8 || d.pixelRepresentation !== 0) return `${label} takes 8-bit unsigned samples only`;
        if (colour && photometric !== 'RGB') return `${label} compresses colour only from RGB (this image is ${d.photometricInterpretation})`;
        return undefined;
      }
      if (d.bitsAllocated > 16) return `${label} takes at most 16-bit samples`;
      return undefined;
    case 'jpeg-ls':
      if (d.bitsAllocated > 16) return `${label} takes at most 16-bit samples`;
      return undefined;
    case 'j2k':
    case 'htj2k':
      if (d.bitsAllocated > 16) return `${label} takes at most 16-bit samples here`;
      if (colour && d.bitsAllocated > 8) return `colour ${label} is written for 8-bit samples only`;
      if (colour && (ybr || d.samplesPerPixel !== 3) && (cs.family === 'htj2k' || photometric !== 'YBR_FULL')) {
        return `colour ${label} is written from RGB only (this image is ${d.photometricInterpretation})`;
      }
      if (cs.family === 'htj2k' && d.bitsAllocated === 8 && d.pixelRepresentation === 1) return `${label} is not written for signed 8-bit samples`;
      return undefined;
  }
}

/** The layout the codec takes: colour-by-pixel, native YBR_FULL_422 expanded to YBR_FULL. */
function codecInput(samples: Uint8Array, d: PixelDescription): { samples: Uint8Array; d: PixelDescription } {
  if (d.photometricInterpretation === 'YBR_FULL_422' && d.samplesPerPixel === 3) {
    return { samples: ybr422ToFull(samples, d), d: { ...d, photometricInterpretation: 'YBR_FULL', planarConfiguration: 0 } };
  }
  if (d.samplesPerPixel > 1 && d.planarConfiguration === 1) {
    const pixels = d.rows * d.columns;
    const bytes = bytesPerSample(d);
    // Colour-by-plane viewed as `bytes`-wide samples of `samples` planes.
    return { samples: planarToInterleaved(samples, pixels, d.samplesPerPixel, bytes), d: { ...d, planarConfiguration: 0 } };
  }
  return { samples, d };
}

/**
 * Encodes one native frame (little endian, as the description lays it out).
 * @throws UnsupportedConversionError (layout not writable in this syntax), FrameEncodeError.
 */
export function encodeFrame(syntax: string, native: Uint8Array, description: PixelDescription, params: EncodeParams = {}): EncodedFrame {
  const refusal = encodeRefusal(syntax, description, params);
  if (refusal) throw new UnsupportedConversionError(`${refusal[0]!.toUpperCase()}${refusal.slice(1)}.`);
  const cs = codecSyntax(syntax)!;
  const label = syntaxLabel(syntax);
  const lossy = encodesLossy(syntax, params);
  const { samples: input, d } = codecInput(native, description);
  let samples = input;
  if ((cs.family === 'jpeg' && !lossy) || cs.family === 'j2k') {
    const bad = sampleOutOfRange(samples, d);
    if (bad) {
      throw new FrameEncodeError(`Sample ${bad[0]} has the value ${bad[1]}, outside Bits Stored ${d.bitsStored}${d.pixelRepresentation === 1 ? ' (signed)' : ''}, so ${label} cannot hold the frame without loss.`);
    }
    // JPEG codes P-bit samples: signed ones go in as their low Bits Stored bits (decoding sign-extends them).
    if (cs.family === 'jpeg' && d.pixelRepresentation === 1 && d.bitsStored < d.bitsAllocated) {
      samples = Uint8Array.from(samples);
      maskToBitsStored(samples, d);
    }
  }
  const native_ = lib().NativeCodecs;
  const ctx = makeContext(d, { decodedBuffer: samples });
  const j2kColour = d.samplesPerPixel > 1 && d.photometricInterpretation === 'RGB';
  let photometric = d.photometricInterpretation;
  let out: Context;
  try {
    switch (cs.family) {
      case 'rle':
        out = native_.encodeRle(ctx);
        break;
      case 'jpeg':
        if (lossy) {
          out = native_.encodeJpeg(ctx, { lossy: true, quality: params.quality ?? 90, sampleFactor: 1 /* 4:2:2 */ });
          if (d.samplesPerPixel > 1) photometric = 'YBR_FULL_422';
        } else {
          out = native_.encodeJpeg(ctx, { lossy: false, predictor: 1, pointTransform: 0 });
        }
        break;
      case 'jpeg-ls':
        out = native_.encodeJpegLs(ctx, { lossy, allowedLossyError: lossy ? params.nearLossless ?? 2 : 0 });
        break;
      case 'j2k':
        out = native_.encodeJpeg2000(ctx, { lossy, rate: lossy ? params.ratio ?? 10 : 20, ...({ allowMct: j2kColour ? 1 : 0 } as object) });
        if (j2kColour) photometric = lossy ? 'YBR_ICT' : 'YBR_RCT';
        break;
      case 'htj2k':
        out = native_.encodeHtJpeg2000(ctx, { lossy, progressionOrder: syntax.endsWith('.202') ? 2 : 0 });
        if (j2kColour) photometric = lossy ? 'YBR_ICT' : 'YBR_RCT';
        break;
    }
  } catch (e) {
    throw new FrameEncodeError(`The frame could not be encoded as ${label} (${codecMessage(e)}).`);
  }
  const data = out.getEncodedBuffer();
  if (!data || data.length === 0) throw new FrameEncodeError(`The ${label} encoder produced no data.`);
  return { data, lossy, description: { ...d, photometricInterpretation: photometric, planarConfiguration: 0 } };
}
