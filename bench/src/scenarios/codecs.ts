// Scenario 9: pixel data conversion. The same frames (CT-like 512 × 512, 16 bits with 12 stored;
// RGB 512 × 512 × 8 bits for JPEG Baseline) encoded and decoded by our codec layer (in-process,
// one codec worker: the native tools run on one core too) and by DCMTK (dcmcjpls/dcmdjpls,
// dcmcrle/dcmdrle, dcmcjpeg/dcmdjpeg, whole processes on a multi-frame file) and OpenJPEG
// (opj_compress/opj_decompress on the frames as raw files, one process for all of them).
// Throughput is MB of native pixel data per second.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Dataset, encodeDataset } from '../../../src/dicom';
import { buildFileMeta } from '../../../src/dicom/file-meta';
import { transcodeFile } from '../../../src/dicom/transcode-file';
import { CodecPool, JPEGLSLossless, RLELossless, JPEG2000Lossless, HTJ2KLossless, JPEGLosslessSV1, JPEGBaseline } from '../../../src/dicom/codecs';
import { Context } from '../peers';
import { Sample, ScenarioResult, summarizeRow } from '../results';
import { hasCommand, runTimed } from '../system';
import { Table, oneLine, runInterleaved } from './common';

const EVLE = '1.2.840.10008.1.2.1';
const SIZE = 512;

interface Source { file: string; bytes: number; frames: number; rawDir?: string }

/** Smooth anatomy-like content with noise, so that the codecs have to work for their ratio. */
function frames(count: number, samples: number): Buffer {
  const bytes = samples === 1 ? 2 : 1;
  const out = Buffer.alloc(SIZE * SIZE * samples * bytes * count);
  let seed = 12345;
  for (let f = 0; f < count; f++) {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const r = Math.hypot(x - SIZE / 2, y - SIZE / 2);
        const body = r < SIZE * 0.42 ? 1000 + 300 * Math.sin((x + f * 3) / 17) * Math.cos(y / 23) : 24;
        const v = Math.max(0, Math.min(4095, Math.round(body + (seed % 61) - 30)));
        const i = ((f * SIZE + y) * SIZE + x) * samples;
        if (samples === 1) out.writeUInt16LE(v, i * 2);
        else for (let s = 0; s < 3; s++) out[i + s] = (v >> 4) ^ (s * 40);
      }
    }
  }
  return out;
}

function writeSource(file: string, pixels: Buffer, count: number, rgb: boolean): void {
  const ds = new Dataset();
  ds.set('SOPClassUID', 'UI', rgb ? '1.2.840.10008.5.1.4.1.1.7' : '1.2.840.10008.5.1.4.1.1.2.1');
  ds.set('SOPInstanceUID', 'UI', `2.25.${Date.now()}${rgb ? 1 : 2}`);
  ds.set('StudyInstanceUID', 'UI', '2.25.1');
  ds.set('SeriesInstanceUID', 'UI', '2.25.2');
  ds.set('SamplesPerPixel', 'US', rgb ? 3 : 1);
  ds.set('PhotometricInterpretation', 'CS', rgb ? 'RGB' : 'MONOCHROME2');
  if (rgb) ds.set('PlanarConfiguration', 'US', 0);
  ds.set('NumberOfFrames', 'IS', String(count));
  ds.set('Rows', 'US', SIZE);
  ds.set('Columns', 'US', SIZE);
  ds.set('BitsAllocated', 'US', rgb ? 8 : 16);
  ds.set('BitsStored', 'US', rgb ? 8 : 12);
  ds.set('HighBit', 'US', rgb ? 7 : 11);
  ds.set('PixelRepresentation', 'US', 0);
  ds.set('PixelData', rgb ? 'OB' : 'OW', pixels);
  const meta = buildFileMeta({ sopClassUid: ds.string('SOPClassUID')!, sopInstanceUid: ds.string('SOPInstanceUID')!, transferSyntaxUid: EVLE });
  writeFileSync(file, Buffer.concat([meta, encodeDataset(ds, EVLE)]));
}

interface Codec {
  id: string;
  label: string;
  ts: string;
  source: 'ct' | 'rgb';
  lossy?: boolean;
  /** DCMTK's encoder and decoder (args before the input file), or OpenJPEG. */
  dcmtk?: { encode?: [string, ...string[]]; decode: [string, ...string[]] };
  opj?: boolean;
}

const CODECS: Codec[] = [
  { id: 'jls', label: 'JPEG-LS lossless', ts: JPEGLSLossless, source: 'ct', dcmtk: { encode: ['dcmcjpls'], decode: ['dcmdjpls'] } },
  { id: 'rle', label: 'RLE', ts: RLELossless, source: 'ct', dcmtk: { encode: ['dcmcrle'], decode: ['dcmdrle'] } },
  { id: 'jpegll', label: 'JPEG lossless SV1', ts: JPEGLosslessSV1, source: 'ct', dcmtk: { encode: ['dcmcjpeg', '+e1'], decode: ['dcmdjpeg'] } },
  { id: 'j2k', label: 'JPEG 2000 lossless', ts: JPEG2000Lossless, source: 'ct', opj: true },
  { id: 'htj2k', label: 'HTJ2K lossless', ts: HTJ2KLossless, source: 'ct', opj: true },
  { id: 'baseline', label: 'JPEG Baseline, RGB (lossy)', ts: JPEGBaseline, source: 'rgb', lossy: true, dcmtk: { encode: ['dcmcjpeg', '+eb'], decode: ['dcmdjpeg'] } },
];

export async function pixelConversion(ctx: Context, result: ScenarioResult): Promise<void> {
  const count = ctx.options.sizes.codecFrames;
  const work = ctx.runDir('codecs');
  const pool = new CodecPool({ size: 1, workerScript: path.join(__dirname, 'codec-worker.js') });
  try {
    const sources: Record<'ct' | 'rgb', Source> = {
      ct: { file: path.join(work, 'ct.dcm'), bytes: SIZE * SIZE * 2 * count, frames: count, rawDir: path.join(work, 'raw') },
      rgb: { file: path.join(work, 'rgb.dcm'), bytes: SIZE * SIZE * 3 * count, frames: count },
    };
    const ct = frames(count, 1);
    writeSource(sources.ct.file, ct, count, false);
    writeSource(sources.rgb.file, frames(count, 3), count, true);
    mkdirSync(sources.ct.rawDir!, { recursive: true });
    for (let f = 0; f < count; f++) writeFileSync(path.join(sources.ct.rawDir!, `f${f}.raw`), ct.subarray(f * SIZE * SIZE * 2, (f + 1) * SIZE * SIZE * 2));
    const haveDcmtk = ['dcmcjpls', 'dcmdjpls', 'dcmcrle', 'dcmdrle', 'dcmcjpeg', 'dcmdjpeg'].every(hasCommand);
    const haveOpj = hasCommand('opj_compress') && hasCommand('opj_decompress');
    if (!haveDcmtk) result.notes.push('DCMTK\'s codec tools are not installed: only our rows are measured.');
    if (!haveOpj) result.notes.push('OpenJPEG\'s tools (Debian libopenjp2-tools) are not installed: JPEG 2000 has no native row.');

    // Each codec's input for the decode rows, encoded once by us.
    const encoded = new Map<string, string>();
    for (const c of CODECS) {
      const out = path.join(work, `${c.id}.dcm`);
      await transcodeFile(sources[c.source].file, out, c.ts, { pool, lossy: c.lossy });
      encoded.set(c.id, out);
    }
    const j2kDir = path.join(work, 'j2k');
    if (haveOpj) {
      const r = await runTimed({ cmd: 'opj_compress', args: ['-ImgDir', sources.ct.rawDir!, '-OutFor', 'J2K', '-F', `${SIZE},${SIZE},1,16,u`, '-quiet'], logFile: path.join(work, 'opj-prep.log'), timeoutMs: ctx.options.runTimeoutMs });
      if (r.code !== 0) throw new Error(`opj_compress failed: ${oneLine(r.output(), 200)}`);
      mkdirSync(j2kDir, { recursive: true });
      for (const f of readdirSync(sources.ct.rawDir!).filter((n) => n.endsWith('.J2K'))) renameSync(path.join(sources.ct.rawDir!, f), path.join(j2kDir, f));
    }

    const encodeTable = new Table(`Encode: native → codec, ${count} frames per run (MB/s of native pixel data)`, 'throughput', 'frames', 'dicomnet', 'encode');
    const decodeTable = new Table(`Decode: codec → Explicit VR LE, ${count} frames per run (MB/s of native pixel data)`, 'throughput', 'frames', 'dicomnet', 'decode');
    let runs = 0;
    const ours = (input: string, ts: string, bytes: number, lossy?: boolean) => async (): Promise<Sample> => {
      const out = path.join(work, `ours-${++runs % 4}.dcm`);
      const t0 = performance.now();
      await transcodeFile(input, out, ts, { pool, lossy });
      return { ms: performance.now() - t0, items: count, bytes };
    };
    const tool = (cmd: string, args: string[], bytes: number, cleanup?: () => void) => async (): Promise<Sample> => {
      cleanup?.();
      const r = await runTimed({ cmd, args, logFile: path.join(work, `run-${++runs % 20}.log`), timeoutMs: ctx.options.runTimeoutMs });
      if (r.timedOut || r.code !== 0) throw new Error(`${cmd} ${r.timedOut ? 'timed out' : `exited with ${r.code}`}: ${oneLine(r.output(), 200)}`);
      return { ms: r.ms, items: count, bytes, rssSenderKb: r.rssKb };
    };
    const removeOutputs = (dir: string, ext: string) => () => {
      for (const f of readdirSync(dir).filter((n) => n.endsWith(ext))) rmSync(path.join(dir, f), { force: true });
    };
    for (const c of CODECS) {
      const src = sources[c.source];
      encodeTable.add({ id: `${c.id}-ours`, label: `${c.label}: dicomnet`, ours: true }, ours(src.file, c.ts, src.bytes, c.lossy));
      if (c.dcmtk?.encode && haveDcmtk) {
        const [cmd, ...args] = c.dcmtk.encode;
        encodeTable.add({ id: `${c.id}-native`, label: `${c.label}: ${cmd}` }, tool(cmd, [...args, src.file, path.join(work, `${c.id}-native.dcm`)], src.bytes));
      }
      if (c.opj && c.id === 'j2k' && haveOpj) {
        encodeTable.add({ id: `${c.id}-native`, label: `${c.label}: opj_compress` },
          tool('opj_compress', ['-ImgDir', src.rawDir!, '-OutFor', 'J2K', '-F', `${SIZE},${SIZE},1,16,u`, '-quiet'], src.bytes, removeOutputs(src.rawDir!, '.J2K')));
      }
      decodeTable.add({ id: `${c.id}-ours`, label: `${c.label}: dicomnet`, ours: true }, ours(encoded.get(c.id)!, EVLE, src.bytes));
      if (c.dcmtk && haveDcmtk) {
        const [cmd, ...args] = c.dcmtk.decode;
        decodeTable.add({ id: `${c.id}-native`, label: `${c.label}: ${cmd}` }, tool(cmd, [...args, encoded.get(c.id)!, path.join(work, `${c.id}-decoded.dcm`)], src.bytes));
      }
      if (c.opj && haveOpj) {
        let dir = j2kDir;
        if (c.id === 'htj2k') {
          // Our HTJ2K codestreams, one file per frame, for opj_decompress.
          dir = path.join(work, 'htj2k');
          mkdirSync(dir, { recursive: true });
          const { readPart10 } = await import('../../../src/dicom/part10');
          const fragments = (await readPart10(encoded.get(c.id)!)).dataset.get('PixelData')!.fragments!.slice(1);
          fragments.forEach((f, i) => writeFileSync(path.join(dir, `f${i}.J2K`), f));
        }
        decodeTable.add({ id: `${c.id}-native`, label: `${c.label}: opj_decompress` },
          tool('opj_decompress', ['-ImgDir', dir, '-OutFor', 'RAWL', '-quiet'], src.bytes, removeOutputs(dir, '.rawl')));
      }
    }
    await runInterleaved(ctx, 's9', [encodeTable, decodeTable], ctx.options.reps);
    encodeTable.note('DCMTK runs as whole processes on one multi-frame file (start-up and file I/O included); opj_compress/opj_decompress as one process over a folder of one raw file per frame; dicomnet in-process (file read, conversion in one codec worker, file written).');
    decodeTable.note('HTJ2K: Debian\'s OpenJPEG 2.5 decodes HT codestreams but does not write them, so HTJ2K encoding has no native row.');
    result.tables.push(encodeTable.result, decodeTable.result);
    for (const [table, what] of [[encodeTable, 'encode'], [decodeTable, 'decode']] as const) {
      for (const c of CODECS) {
        const oursRow = table.result.rows.find((r) => r.id === `${c.id}-ours`);
        const nativeRow = table.result.rows.find((r) => r.id === `${c.id}-native`);
        if (!oursRow || !nativeRow) continue;
        const a = summarizeRow(oursRow, undefined).medianMs;
        const b = summarizeRow(nativeRow, undefined).medianMs;
        const bytes = sources[c.source].bytes;
        const text = `${c.label} ${what}: within 1.5× the time of ${nativeRow.label.split(': ').pop()}`;
        result.targets.push(a === undefined || b === undefined
          ? { text, measured: 'not measured', met: null }
          : { text, measured: `${(a / b).toFixed(2)}× (${(bytes / 1e3 / a).toFixed(1)} vs ${(bytes / 1e3 / b).toFixed(1)} MB/s)`, met: a <= 1.5 * b });
      }
    }
  } finally {
    await pool.close();
  }
}
