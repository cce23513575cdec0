// A Part 10 file converted to another transfer syntax: a new file meta naming the target syntax,
// the data set streamed through the transcoder into a temporary file next to the output, renamed
// into place only when complete (a failed conversion leaves nothing behind).

import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from './lazy-builtins';
import { buildFileMeta } from './file-meta';
import { readPart10Header } from './part10';
import { createTranscoder } from './transcode';
import { TranscodeOptions } from './transcode-engine';
import { PixelPlan, describePlan, syntaxLabel } from './codecs';

export interface FileTranscodeResult {
  input: string;
  output: string;
  from: string;
  to: string;
  /** How the pixel data was converted (absent when there was none to convert). */
  plan?: PixelPlan;
  /** The file was in the target syntax already and was copied as it is. */
  unchanged: boolean;
  /** Size of the written file. */
  bytes: number;
  /** Where the data set starts in the written file (the file meta's length). */
  datasetOffset: number;
}

/** A temporary name next to `path`, hidden from folder walks (they skip dot-entries). */
export function temporaryNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `input` converted to `toTs` as `output` (which may be `input` itself).
 * @throws the conversion's one-sentence error (UnsupportedConversionError, FrameDecodeError…); nothing is written then.
 */
export async function transcodeFile(input: string, output: string, toTs: string, opts: TranscodeOptions = {}): Promise<FileTranscodeResult> {
  const header = await readPart10Header(input);
  const from = header.transferSyntaxUid;
  const tmp = temporaryNameFor(output);
  let plan: PixelPlan | undefined;
  let datasetOffset = header.datasetOffset;
  try {
    if (from === toTs && header.hasMeta) {
      await fsp.copyFile(input, tmp);
    } else {
      const metaText = (k: string) => (typeof header.meta[k] === 'string' ? header.meta[k] as string : undefined);
      const meta = buildFileMeta({
        sopClassUid: header.sopClassUid, sopInstanceUid: header.sopInstanceUid, transferSyntaxUid: toTs,
        sourceAeTitle: metaText('SourceApplicationEntityTitle'),
      });
      datasetOffset = meta.length;
      const out = createWriteStream(tmp, { flags: 'wx' });
      out.write(meta);
      await pipeline(
        createReadStream(input, { start: header.datasetOffset, highWaterMark: 1024 * 1024 }),
        createTranscoder(from, toTs, { ...opts, onPlan: (p) => { plan = p; opts.onPlan?.(p); } }),
        out,
      );
    }
    await fsp.rename(tmp, output);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
  const result: FileTranscodeResult = { input, output, from, to: toTs, unchanged: from === toTs, bytes: (await fsp.stat(output)).size, datasetOffset };
  if (plan && plan.work !== 'copy') result.plan = plan;
  return result;
}

/** "JPEG 2000 Image Compression → Explicit VR Little Endian (lossless, YBR_RCT → RGB)". */
export function describeFileTranscode(r: Pick<FileTranscodeResult, 'from' | 'to' | 'plan' | 'unchanged'>): string {
  if (r.unchanged) return `already ${syntaxLabel(r.to)}`;
  if (r.plan) return describePlan(r.plan);
  return `${syntaxLabel(r.from)} → ${syntaxLabel(r.to)}`;
}
