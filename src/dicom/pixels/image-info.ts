// The Image Pixel module (PS3.3 C.7.6.3) of a dataset, checked before any byte is decoded, and
// the per-frame values (rescale, VOI window) of enhanced multi-frame images (C.7.6.16).

import { Dataset } from '../dataset-model';
import { Tags } from '../tag';
import { sopClassName } from '../sop-classes';
import { ImageSummary, VoiFunction, VoiWindow } from './frame-data';
import { NoImageError, UnsupportedImageError } from './errors';

export interface ImageInfo {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  photometric: string;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 1 = two's complement. */
  pixelRepresentation: number;
  planarConfiguration: number;
  transferSyntaxUid: string;
  /** Which element holds the pixels. */
  pixelTag: number;
  pixelPaddingValue?: number;
}

const MAX_DIMENSION = 65535;
const MAX_FRAMES = 1_000_000;

const SHARED_FUNCTIONAL_GROUPS = 0x52009229;
const PER_FRAME_FUNCTIONAL_GROUPS = 0x52009230;
const PIXEL_VALUE_TRANSFORMATION = 0x00289145;
const FRAME_VOI_LUT = 0x00289132;
const WINDOW_CENTER = 0x00281050;
const WINDOW_WIDTH = 0x00281051;
const WINDOW_EXPLANATION = 0x00281055;
const VOI_LUT_FUNCTION = 0x00281056;
const RESCALE_INTERCEPT = 0x00281052;
const RESCALE_SLOPE = 0x00281053;
const PIXEL_PADDING_VALUE = 0x00280120;

function whyNoImage(ds: Dataset): string {
  const sop = ds.string(Tags.SOPClassUID) ?? '';
  const name = sopClassName(sop);
  return name ? `${name} instances have no image to show.` : 'This dataset has no Pixel Data to show.';
}

/** The image attributes, or why there is no image; never throws. */
export function summarizeImage(ds: Dataset, transferSyntaxUid: string): ImageSummary {
  try {
    const info = readImageInfo(ds, transferSyntaxUid);
    return {
      hasImage: true, rows: info.rows, columns: info.columns, frames: info.frames, samplesPerPixel: info.samplesPerPixel,
      photometric: info.photometric, bitsAllocated: info.bitsAllocated, bitsStored: info.bitsStored, transferSyntaxUid,
    };
  } catch (e) {
    return { hasImage: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

function int(ds: Dataset, t: number): number | undefined {
  const n = ds.number(t);
  return n !== undefined && Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/**
 * Reads and checks the Image Pixel attributes.
 * @throws NoImageError when there is no pixel data; UnsupportedImageError when the attributes are
 * missing, inconsistent or beyond what the preview shows.
 */
export function readImageInfo(ds: Dataset, transferSyntaxUid: string): ImageInfo {
  const pixelTag = [Tags.PixelData, Tags.FloatPixelData, Tags.DoubleFloatPixelData].find((t) => ds.has(t));
  if (pixelTag === undefined) throw new NoImageError(whyNoImage(ds));
  if (pixelTag === Tags.DoubleFloatPixelData) throw new UnsupportedImageError('Double Float Pixel Data cannot be previewed.');
  const rows = int(ds, Tags.Rows);
  const columns = int(ds, Tags.Columns);
  if (!rows || !columns || rows < 1 || columns < 1 || rows > MAX_DIMENSION || columns > MAX_DIMENSION) {
    throw new UnsupportedImageError(`The image size ${rows ?? '?'} × ${columns ?? '?'} (Rows × Columns) is not valid.`);
  }
  const framesText = ds.string(Tags.NumberOfFrames);
  const frames = framesText ? Number(framesText) : 1;
  if (!Number.isInteger(frames) || frames < 1 || frames > MAX_FRAMES) {
    throw new UnsupportedImageError(`Number of Frames "${framesText}" is not a valid frame count.`);
  }
  const samplesPerPixel = int(ds, Tags.SamplesPerPixel) ?? 1;
  if (![1, 3, 4].includes(samplesPerPixel)) throw new UnsupportedImageError(`${samplesPerPixel} samples per pixel cannot be previewed.`);
  const bitsAllocated = int(ds, Tags.BitsAllocated) ?? (pixelTag === Tags.FloatPixelData ? 32 : 0);
  if (![1, 8, 16, 32].includes(bitsAllocated)) throw new UnsupportedImageError(`Bits Allocated ${bitsAllocated} cannot be previewed.`);
  const bitsStored = int(ds, Tags.BitsStored) ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) throw new UnsupportedImageError(`Bits Stored ${bitsStored} does not fit in Bits Allocated ${bitsAllocated}.`);
  const highBit = int(ds, Tags.HighBit) ?? bitsStored - 1;
  const pixelRepresentation = int(ds, Tags.PixelRepresentation) ?? 0;
  const planarConfiguration = int(ds, Tags.PlanarConfiguration) ?? 0;
  let photometric = (ds.string(Tags.PhotometricInterpretation) ?? '').trim().toUpperCase();
  if (!photometric) photometric = samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB';
  if (samplesPerPixel === 1 && !['MONOCHROME1', 'MONOCHROME2', 'PALETTE COLOR'].includes(photometric)) {
    throw new UnsupportedImageError(`Photometric Interpretation ${photometric} with one sample per pixel cannot be previewed.`);
  }
  const info: ImageInfo = {
    rows, columns, frames, samplesPerPixel, photometric, bitsAllocated, bitsStored, highBit,
    pixelRepresentation, planarConfiguration, transferSyntaxUid, pixelTag,
  };
  const padding = ds.number(PIXEL_PADDING_VALUE);
  if (padding !== undefined && Number.isFinite(padding)) info.pixelPaddingValue = padding;
  return info;
}

/** The functional group item for a frame: its per-frame item's, else the shared one's. */
function functionalGroup(ds: Dataset, frame: number, sequence: number): Dataset | undefined {
  const perFrame = ds.items(PER_FRAME_FUNCTIONAL_GROUPS)?.[frame]?.items(sequence)?.[0];
  if (perFrame) return perFrame;
  return ds.items(SHARED_FUNCTIONAL_GROUPS)?.[0]?.items(sequence)?.[0];
}

export interface FrameTransforms {
  slope: number;
  intercept: number;
  windows: VoiWindow[];
  voiFunction: VoiFunction;
}

/** Rescale and VOI windows of one frame, from the functional groups or the top-level attributes. */
export function frameTransforms(ds: Dataset, frame: number): FrameTransforms {
  const rescale = functionalGroup(ds, frame, PIXEL_VALUE_TRANSFORMATION) ?? ds;
  const voi = functionalGroup(ds, frame, FRAME_VOI_LUT) ?? ds;
  const slopeRaw = rescale.number(RESCALE_SLOPE) ?? ds.number(RESCALE_SLOPE);
  const interceptRaw = rescale.number(RESCALE_INTERCEPT) ?? ds.number(RESCALE_INTERCEPT);
  const slope = slopeRaw !== undefined && Number.isFinite(slopeRaw) && slopeRaw !== 0 ? slopeRaw : 1;
  const intercept = interceptRaw !== undefined && Number.isFinite(interceptRaw) ? interceptRaw : 0;
  const centers = voi.numbers(WINDOW_CENTER) ?? [];
  const widths = voi.numbers(WINDOW_WIDTH) ?? [];
  const explanations = voi.strings(WINDOW_EXPLANATION) ?? [];
  const windows: VoiWindow[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    const center = centers[i]!;
    const width = widths[i]!;
    if (!Number.isFinite(center) || !Number.isFinite(width) || width <= 0) continue;
    const w: VoiWindow = { center, width };
    if (explanations[i]) w.explanation = explanations[i];
    windows.push(w);
  }
  const fn = (voi.string(VOI_LUT_FUNCTION) ?? ds.string(VOI_LUT_FUNCTION) ?? 'LINEAR').trim().toUpperCase();
  const voiFunction: VoiFunction = fn === 'SIGMOID' || fn === 'LINEAR_EXACT' ? fn : 'LINEAR';
  return { slope, intercept, windows, voiFunction };
}
