// Planning a pixel data conversion before any frame is touched: what the frames will look like
// in the target syntax (Photometric Interpretation, Planar Configuration), whether the result is
// lossy, and why a conversion is impossible, from the source's Image Pixel attributes.

import { encodingOf } from '../transfer-syntaxes';
import { codecSyntax, syntaxLabel } from './syntaxes';
import { PixelAttributes, PixelDescription, describePixels } from './pixel-description';
import { EncodeParams, encodeRefusal, encodesLossy } from './frame-codec';
import { UnsupportedConversionError } from './errors';

export type PixelWork = 'copy' | 'decode' | 'encode' | 'transcode';

export interface PixelPlan {
  from: string;
  to: string;
  work: PixelWork;
  frames: number;
  /** The frames as stored in the source. */
  source: PixelDescription;
  /** The frames as decoded (native samples; equals source when the source is native). */
  decoded: PixelDescription;
  /** The frames as written in the target (what the output's attributes say). */
  target: PixelDescription;
  /** Our conversion loses information (lossy coding was allowed and is used). */
  lossy: boolean;
  /** Lossy Image Compression Method (0028,2114) when lossy. */
  method?: string;
  params: EncodeParams;
}

/** Whether a data set in `from` needs its pixel data converted to be written in `to`. */
export function needsPixelWork(from: string, to: string): boolean {
  return from !== to && (encodingOf(from).encapsulated || encodingOf(to).encapsulated);
}

/** How decoding changes the description (colour transforms undone, colour-by-pixel). */
function decodedDescription(from: string, d: PixelDescription): PixelDescription {
  const cs = codecSyntax(from);
  if (!cs) return d;
  let photometric = d.photometricInterpretation;
  if (cs.family === 'jpeg' && cs.encode !== 'lossless' && d.samplesPerPixel === 3 && photometric.startsWith('YBR_FULL')) photometric = 'RGB';
  if ((cs.family === 'j2k' || cs.family === 'htj2k') && (photometric === 'YBR_RCT' || photometric === 'YBR_ICT')) photometric = 'RGB';
  // Decoded chroma is full resolution whatever the codestream subsampled.
  if (photometric === 'YBR_FULL_422') photometric = 'YBR_FULL';
  return { ...d, photometricInterpretation: photometric, planarConfiguration: 0 };
}

/** How encoding changes the description (native YBR_FULL_422 expanded, colour transforms applied). */
function encodedDescription(to: string, d: PixelDescription, lossy: boolean): PixelDescription {
  const cs = codecSyntax(to)!;
  let photometric = d.photometricInterpretation === 'YBR_FULL_422' ? 'YBR_FULL' : d.photometricInterpretation;
  if (d.samplesPerPixel > 1 && photometric === 'RGB') {
    if (cs.family === 'jpeg' && lossy) photometric = 'YBR_FULL_422';
    if (cs.family === 'j2k' || cs.family === 'htj2k') photometric = lossy ? 'YBR_ICT' : 'YBR_RCT';
  }
  return { ...d, photometricInterpretation: photometric, planarConfiguration: 0 };
}

/**
 * The plan for this image, or an UnsupportedConversionError saying why it cannot be made
 * (a syntax without codec, a layout the codec cannot take, lossy coding not allowed).
 */
export function planPixelConversion(from: string, to: string, attrs: PixelAttributes, options: EncodeParams = {}): PixelPlan {
  // Only the coding parameters travel to the workers (the options may hold callbacks and a pool).
  const params: EncodeParams = {};
  if (options.lossy !== undefined) params.lossy = options.lossy;
  if (options.quality !== undefined) params.quality = options.quality;
  if (options.nearLossless !== undefined) params.nearLossless = options.nearLossless;
  if (options.ratio !== undefined) params.ratio = options.ratio;
  const { description: source, frames } = describePixels(attrs);
  const srcEncapsulated = encodingOf(from).encapsulated;
  const dstEncapsulated = encodingOf(to).encapsulated;
  if (srcEncapsulated && !codecSyntax(from) && from !== to) {
    throw new UnsupportedConversionError(`Pixel data in ${syntaxLabel(from)} cannot be decoded here.`);
  }
  if (dstEncapsulated && from !== to && codecSyntax(to)?.encode === undefined) {
    throw new UnsupportedConversionError(`Pixel data cannot be written in ${syntaxLabel(to)}.`);
  }
  const work: PixelWork = !needsPixelWork(from, to) ? 'copy' : srcEncapsulated && dstEncapsulated ? 'transcode' : srcEncapsulated ? 'decode' : 'encode';
  if (srcEncapsulated && work !== 'copy' && source.bitsAllocated > 16 && codecSyntax(from)?.family !== 'rle') {
    throw new UnsupportedConversionError(`${syntaxLabel(from)} data with Bits Allocated ${source.bitsAllocated} cannot be decoded.`);
  }
  const decoded = srcEncapsulated && work !== 'copy' ? decodedDescription(from, source) : source;
  if (!dstEncapsulated || work === 'copy') {
    return { from, to, work, frames, source, decoded, target: work === 'copy' ? source : decoded, lossy: false, params };
  }
  const refusal = encodeRefusal(to, decoded, params);
  if (refusal) throw new UnsupportedConversionError(`${refusal[0]!.toUpperCase()}${refusal.slice(1)}.`);
  const lossy = encodesLossy(to, params);
  const plan: PixelPlan = { from, to, work, frames, source, decoded, target: encodedDescription(to, decoded, lossy), lossy, params };
  if (lossy) plan.method = codecSyntax(to)!.method;
  return plan;
}

/** A one-line account of a planned conversion, for result lines and logs. */
export function describePlan(plan: PixelPlan): string {
  const how = plan.lossy ? 'lossy' : 'lossless';
  const colour = plan.source.photometricInterpretation !== plan.target.photometricInterpretation
    ? `, ${plan.source.photometricInterpretation} → ${plan.target.photometricInterpretation}` : '';
  return `${syntaxLabel(plan.from)} → ${syntaxLabel(plan.to)} (${how}${colour})`;
}

