// What the image preview needs from one decoded frame. Pure types: the webview bundle imports them.

/** A VOI window (PS3.3 C.11.2.1.2) in modality units. */
export interface VoiWindow {
  center: number;
  width: number;
  /** Window Center & Width Explanation, or how the window was chosen ("min/max"). */
  explanation?: string;
}

export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

interface FrameBase {
  /** 0-based frame index. */
  frame: number;
  frameCount: number;
  width: number;
  height: number;
  /** Photometric Interpretation as in the file. */
  photometric: string;
}

/**
 * A monochrome frame as modality values (stored values after Rescale Slope/Intercept): Int16 when
 * they are integers that fit, Float32 otherwise. The webview applies the window to these.
 */
export interface GrayFrame extends FrameBase {
  kind: 'gray';
  pixels: Int16Array | Float32Array;
  /** Smallest and largest modality value (Pixel Padding Value excluded). */
  min: number;
  max: number;
  /** The window to show first: the file's first one, else one spanning min..max. */
  window: VoiWindow;
  /** Every window the file proposes for this frame. */
  windows: VoiWindow[];
  voiFunction: VoiFunction;
  /** MONOCHROME1: the lowest values are white. */
  invert: boolean;
  rescale: { slope: number; intercept: number };
}

/** A color frame (RGB, YBR, palette color) converted to RGBA, 8 bits per channel. */
export interface ColorFrame extends FrameBase {
  kind: 'rgba';
  pixels: Uint8ClampedArray;
}

export type FrameData = GrayFrame | ColorFrame;

/** The image attributes of a dataset, or why there is no image to show. */
export type ImageSummary =
  | {
    hasImage: true;
    rows: number;
    columns: number;
    frames: number;
    samplesPerPixel: number;
    photometric: string;
    bitsAllocated: number;
    bitsStored: number;
    transferSyntaxUid: string;
  }
  | { hasImage: false; reason: string };
