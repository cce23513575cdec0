// What a file to be sent with C-STORE can be converted to (in our order of preference), and the
// conversion itself when the pixel data changes syntax: done completely before the C-STORE
// request goes out (in memory, or in a temporary file when large), so that a corrupt codestream
// fails that one file and never a half-sent message on the association.

import { createReadStream, createWriteStream, promises as fsp, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createTranscoder, randomBytes, tmpdir } from '../dicom';
import {
  CodecPool, EncodeParams, PixelPlan, canDecode, describePlan, needsPixelWork, syntaxLabel,
  JPEGLSLossless, JPEG2000Lossless, HTJ2KLossless, RLELossless, JPEGLosslessSV1, JPEG2000, HTJ2K, JPEGLSNearLossless, JPEGBaseline,
} from '../dicom';
import {
  DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian, encodingOf,
} from '../dicom';

/** How far conversions for sending may go. */
export interface ConversionPolicy {
  /** Lossy coding may be used when the peer accepts nothing lossless we can make (default false). */
  allowLossy?: boolean;
  /** Lossy coding parameters. */
  params?: EncodeParams;
  /** The codec pool (default: the process-wide one). */
  pool?: CodecPool;
}

/** Uncompressed syntaxes first (every peer reads them, cheapest to make), then lossless codecs. */
const NATIVE_ORDER = [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian];
/** JPEG 2000 and HTJ2K "Image Compression" hold reversible codestreams too: lossless without permission. */
const LOSSLESS_CODECS = [JPEGLSLossless, JPEG2000Lossless, HTJ2KLossless, RLELossless, JPEGLosslessSV1, JPEG2000, HTJ2K];
const LOSSY_CODECS = [JPEGLSNearLossless, JPEGBaseline];

/** Every syntax we convert to, best first. */
export function preferredSyntaxes(allowLossy = false): string[] {
  return [...NATIVE_ORDER, ...LOSSLESS_CODECS, ...(allowLossy ? LOSSY_CODECS : [])];
}

/** The syntaxes a file in `ts` can be converted to, best first (its own excluded). */
export function conversionTargets(ts: string, allowLossy = false): string[] {
  if (encodingOf(ts).encapsulated && !canDecode(ts)) return [];
  return preferredSyntaxes(allowLossy).filter((t) => t !== ts);
}

/** Data converted for sending: in memory, or in a temporary file to read and then remove. */
export interface ConvertedData {
  data?: Buffer;
  file?: { path: string; size: number };
  plan?: PixelPlan;
  /** "converted from JPEG 2000 Image Compression (lossless)". */
  description: string;
  dispose(): Promise<void>;
}

/** Held in memory up to this size, then spooled to a temporary file. */
const MEMORY_LIMIT = 64 * 1024 * 1024;

class Spool extends Writable {
  chunks: Buffer[] = [];
  size = 0;
  path: string | undefined;
  private out: WriteStream | undefined;

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.size += chunk.length;
    if (!this.out && this.size <= MEMORY_LIMIT) {
      this.chunks.push(chunk);
      cb();
      return;
    }
    if (!this.out) {
      this.path = join(tmpdir(), `dicomnet-convert-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
      this.out = createWriteStream(this.path, { flags: 'wx' });
      for (const c of this.chunks) this.out.write(c);
      this.chunks = [];
    }
    if (this.out.write(chunk)) cb();
    else this.out.once('drain', () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (!this.out) return cb();
    this.out.end(() => cb());
    this.out.once('error', cb);
  }
}

/** The description for a file's result line. */
export function describeConversion(from: string, to: string, plan: PixelPlan | undefined): string {
  if (plan) return `converted ${describePlan(plan)}`;
  return `converted ${syntaxLabel(from)} → ${syntaxLabel(to)}`;
}

/**
 * Converts the data set of a file (from `datasetOffset`) to `to` completely before it is sent.
 * @throws the conversion's sentence (corrupt codestream, a layout `to` cannot hold…).
 */
export async function convertForSending(path: string, datasetOffset: number, from: string, to: string, policy: ConversionPolicy): Promise<ConvertedData> {
  const spool = new Spool();
  let plan: PixelPlan | undefined;
  try {
    await pipeline(
      createReadStream(path, { start: datasetOffset, highWaterMark: 1024 * 1024 }),
      createTranscoder(from, to, { ...policy.params, lossy: policy.allowLossy === true, pool: policy.pool, onPlan: (p) => { plan = p; } }),
      spool,
    );
  } catch (error) {
    if (spool.path) await fsp.unlink(spool.path).catch(() => undefined);
    throw error;
  }
  const description = describeConversion(from, to, plan);
  if (spool.path) {
    const file = { path: spool.path, size: spool.size };
    return { file, plan, description, dispose: () => fsp.unlink(file.path).catch(() => undefined) };
  }
  return { data: Buffer.concat(spool.chunks, spool.size), plan, description, dispose: async () => undefined };
}

export { needsPixelWork };
