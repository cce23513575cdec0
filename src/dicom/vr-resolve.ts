// Turns a dictionary VR into the VR written in explicit VR encodings. Implicit VR streams do not
// carry VRs, and PS3.6 lists a few as ambiguous ("US or SS", "OB or OW", ...); these are
// resolved from values seen earlier in the same or an enclosing dataset, as DCMTK does.

import { Tag, Tags } from './tag';
import { dictionaryVr } from './dictionary';

/** The few values that decide ambiguous VRs, looked up innermost first. */
export interface VrContext {
  pixelRepresentation?: number;
  bitsAllocated?: number;
  waveformBitsAllocated?: number;
  parent?: VrContext;
}

const WaveformData = 0x54001010;
export const WaveformBitsAllocated = 0x54001004;

function lookup(ctx: VrContext | undefined, key: 'pixelRepresentation' | 'bitsAllocated' | 'waveformBitsAllocated'): number | undefined {
  for (let c = ctx; c; c = c.parent) {
    const v = c[key];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Resolve one of the lower-case ambiguous codes of the dictionary to a real VR. */
export function resolveAmbiguousVr(t: Tag, vr: string, ctx: VrContext | undefined): string {
  switch (vr) {
    case 'ox':
      if (t === Tags.PixelData) return (lookup(ctx, 'bitsAllocated') ?? 16) > 8 ? 'OW' : 'OB';
      if (t === WaveformData) return (lookup(ctx, 'waveformBitsAllocated') ?? 16) > 8 ? 'OW' : 'OB';
      return 'OW';
    case 'xs':
      return lookup(ctx, 'pixelRepresentation') === 1 ? 'SS' : 'US';
    case 'lt':
      return 'OW';
    case 'up':
      return 'UL';
    case 'na':
      return 'UN';
    default:
      return vr;
  }
}

/**
 * VR of a tag read from an implicit VR stream. PS3.5 A.1: in Implicit VR Little Endian, Pixel
 * Data, Overlay Data and Waveform Data are OW whatever Bits Allocated says (DCMTK agrees).
 */
export function implicitVr(t: Tag, ctx: VrContext | undefined): string {
  const vr = dictionaryVr(t);
  if (vr === 'ox') return 'OW';
  return vr.charCodeAt(0) >= 0x61 ? resolveAmbiguousVr(t, vr, ctx) : vr;
}

/** Record a value that may decide later VRs (the caller passes a little-endian US value). */
export function noteContextValue(ctx: VrContext, t: Tag, value: number): void {
  if (t === Tags.PixelRepresentation) ctx.pixelRepresentation = value;
  else if (t === Tags.BitsAllocated) ctx.bitsAllocated = value;
  else if (t === WaveformBitsAllocated) ctx.waveformBitsAllocated = value;
}

export function isContextTag(t: Tag): boolean {
  return t === Tags.PixelRepresentation || t === Tags.BitsAllocated || t === WaveformBitsAllocated;
}
