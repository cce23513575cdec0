// The bytes of one frame: a slice of native Pixel Data, or the fragments of encapsulated Pixel
// Data that make up the frame (PS3.5 A.4), found through the Extended Offset Table, the Basic
// Offset Table, one fragment per frame, or the codec's start marker at the head of fragments.

import { Dataset } from '../dataset-model';
import { isUncompressed } from '../transfer-syntaxes';
import { ImageInfo } from './image-info';
import { UnsupportedImageError } from './errors';

const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;
const ITEM_HEADER = 8;

/** Bytes of one native frame (bit-packed frames for Bits Allocated 1 are rounded up to bytes). */
export function nativeFrameSize(info: ImageInfo): number {
  // Uncompressed YBR_FULL_422 keeps two luminance samples and one pair of chroma samples per two pixels.
  if (info.photometric === 'YBR_FULL_422' && info.samplesPerPixel === 3) return info.rows * info.columns * 2 * (info.bitsAllocated / 8);
  const samples = info.rows * info.columns * info.samplesPerPixel;
  return info.bitsAllocated === 1 ? Math.ceil(samples / 8) : samples * (info.bitsAllocated / 8);
}

export function isEncapsulated(ds: Dataset, info: ImageInfo): boolean {
  return ds.get(info.pixelTag)?.fragments !== undefined;
}

function nativeFrame(value: Buffer, info: ImageInfo, frame: number): Buffer {
  if (info.bitsAllocated === 1) {
    // Frames of 1-bit data follow each other without padding: frame n starts at bit n × rows × columns.
    const bits = info.rows * info.columns * info.samplesPerPixel;
    const startBit = frame * bits;
    const size = Math.ceil(bits / 8);
    if (Math.ceil((startBit + bits) / 8) > value.length) throw shortData(info, frame, value.length);
    if (startBit % 8 === 0) return value.subarray(startBit / 8, startBit / 8 + size);
    const out = Buffer.alloc(size);
    for (let i = 0; i < bits; i++) {
      const b = startBit + i;
      if ((value[b >> 3]! >> (b & 7)) & 1) out[i >> 3] |= 1 << (i & 7);
    }
    return out;
  }
  const size = nativeFrameSize(info);
  const start = frame * size;
  if (start + size > value.length) throw shortData(info, frame, value.length);
  return value.subarray(start, start + size);
}

function shortData(info: ImageInfo, frame: number, length: number): UnsupportedImageError {
  return new UnsupportedImageError(`Pixel Data holds ${length} bytes, too few for frame ${frame + 1} of ${info.frames} (${info.rows} × ${info.columns}, ${info.samplesPerPixel} samples of ${info.bitsAllocated} bits).`);
}

/** Start of each fragment's item, counted from the first fragment's item tag (what offset tables count). */
function itemPositions(fragments: readonly Buffer[]): number[] {
  const out: number[] = [];
  let pos = 0;
  for (const f of fragments) {
    out.push(pos);
    pos += ITEM_HEADER + f.length;
  }
  return out;
}

/** Fragment index ranges [start, end) of every frame, from frame offsets into the items. */
function rangesFromOffsets(offsets: readonly number[], fragments: readonly Buffer[]): Array<[number, number]> | undefined {
  const positions = itemPositions(fragments);
  const index = new Map(positions.map((p, i) => [p, i]));
  const starts: number[] = [];
  for (const o of offsets) {
    const i = index.get(o);
    if (i === undefined) return undefined;
    starts.push(i);
  }
  for (let i = 1; i < starts.length; i++) if (starts[i]! <= starts[i - 1]!) return undefined;
  return starts.map((s, i) => [s, i + 1 < starts.length ? starts[i + 1]! : fragments.length]);
}

function startsFrame(f: Buffer): boolean {
  // JPEG, JPEG-LS and JPEG XL codestreams (FFD8 / FF0A), JPEG 2000 codestream (FF4F FF51) or JP2 file (0000000C 6A502020).
  if (f.length < 4) return false;
  if (f[0] === 0xff && (f[1] === 0xd8 || f[1] === 0x0a)) return true;
  if (f[0] === 0xff && f[1] === 0x4f && f[2] === 0xff && f[3] === 0x51) return true;
  return f.length >= 8 && f.readUInt32BE(0) === 12 && f.readUInt32BE(4) === 0x6a502020;
}

function frameRanges(ds: Dataset, info: ImageInfo, fragments: readonly Buffer[], bot: Buffer): Array<[number, number]> {
  const frames = info.frames;
  if (frames === 1) return [[0, fragments.length]];
  const eot = ds.get(EXTENDED_OFFSET_TABLE)?.value;
  const eotLengths = ds.get(EXTENDED_OFFSET_TABLE_LENGTHS)?.value;
  if (eot && eot.length === frames * 8 && (!eotLengths || eotLengths.length === frames * 8)) {
    const offsets: number[] = [];
    for (let i = 0; i < frames; i++) offsets.push(Number(eot.readBigUInt64LE(i * 8)));
    const r = rangesFromOffsets(offsets, fragments);
    if (r) return r;
  }
  if (bot.length >= frames * 4) {
    const offsets: number[] = [];
    for (let i = 0; i < frames; i++) offsets.push(bot.readUInt32LE(i * 4));
    const r = rangesFromOffsets(offsets, fragments);
    if (r) return r;
  }
  if (fragments.length === frames) return fragments.map((_, i) => [i, i + 1]);
  const starts = fragments.map((f, i) => (startsFrame(f) ? i : -1)).filter((i) => i >= 0);
  if (starts.length === frames && starts[0] === 0) {
    return starts.map((s, i) => [s, i + 1 < starts.length ? starts[i + 1]! : fragments.length]);
  }
  throw new UnsupportedImageError(`Cannot tell which of the ${fragments.length} fragments belong to which of the ${frames} frames (no usable offset table).`);
}

/**
 * The bytes of frame `frame` (0-based): native pixels as stored (little endian), or the frame's
 * compressed codestream.
 * @throws UnsupportedImageError when the pixel data is too short or its fragments cannot be assigned to frames.
 */
export function frameBytes(ds: Dataset, info: ImageInfo, frame: number): Buffer {
  if (!Number.isInteger(frame) || frame < 0 || frame >= info.frames) {
    throw new UnsupportedImageError(`Frame ${frame + 1} does not exist: the image has ${info.frames} frame${info.frames === 1 ? '' : 's'}.`);
  }
  const el = ds.get(info.pixelTag);
  if (!el) throw new UnsupportedImageError('The dataset has no Pixel Data.');
  if (el.fragments) {
    if (isUncompressed(info.transferSyntaxUid)) throw new UnsupportedImageError('Pixel Data is encapsulated but the transfer syntax is not.');
    const [bot = Buffer.alloc(0), ...fragments] = el.fragments;
    if (fragments.length === 0) throw new UnsupportedImageError('Encapsulated Pixel Data has no fragments.');
    const [start, end] = frameRanges(ds, info, fragments, bot)[frame]!;
    return end - start === 1 ? fragments[start]! : Buffer.concat(fragments.slice(start, end));
  }
  if (!el.value) throw new UnsupportedImageError('The Pixel Data element is empty.');
  return nativeFrame(el.value, info, frame);
}
