// Sample files from Debian's python3-pydicom package and the expectations pydicom computed for
// them (test/fixtures/dicom/pydicom-expectations.json, made by make-pydicom-expectations.py).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export const SAMPLES_DIR = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

export interface PydicomExpectation {
  error?: string;
  hasMeta?: boolean;
  transferSyntaxUid?: string | null;
  sopClassUid?: string | null;
  sopInstanceUid?: string | null;
  studyInstanceUid?: string | null;
  seriesInstanceUid?: string | null;
  mediaStorageSopClassUid?: string | null;
  mediaStorageSopInstanceUid?: string | null;
  topLevelTags?: string[];
  vrs?: Record<string, string>;
}

/** Files that are broken on purpose (or by accident), with what we expect instead of success. */
export const BROKEN: Record<string, { reason: string; error: string; header?: 'ok' | 'error' }> = {
  'MR_truncated.dcm': { reason: 'Pixel Data claims 8192 bytes, the file ends 62 bytes early', error: 'TruncatedFileError', header: 'ok' },
  'rtplan_truncated.dcm': { reason: 'the file ends inside a sequence', error: 'TruncatedFileError', header: 'ok' },
  'no_meta.dcm': { reason: 'the Debian copy is shifted by one byte (DCMTK and pydicom read garbage too)', error: 'NotDicomError', header: 'error' },
  'SC_rgb_jpeg.dcm': { reason: 'the meta says JPEG Baseline but the dataset is Implicit VR (DCMTK rejects it too)', error: 'DicomParseError', header: 'error' },
  'meta_missing_tsyntax.dcm': { reason: 'no (0002,0010) in the file meta', error: 'MissingTransferSyntaxError', header: 'error' },
};

/** Files whose values have odd lengths, which DCMTK pads when it writes (so bytes differ). */
export const ODD_LENGTH_VALUES = new Set(['nested_priv_SQ.dcm']);

export function samplesAvailable(): boolean {
  return existsSync(SAMPLES_DIR);
}

export function sampleNames(): string[] {
  if (!samplesAvailable()) return [];
  return readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.dcm')).sort();
}

export function samplePath(name: string): string {
  return join(SAMPLES_DIR, name);
}

export function readSample(name: string): Buffer {
  return readFileSync(samplePath(name));
}

let expectations: Record<string, PydicomExpectation> | undefined;

export function pydicomExpectations(): Record<string, PydicomExpectation> {
  if (!expectations) {
    const path = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'dicom', 'pydicom-expectations.json');
    expectations = (JSON.parse(readFileSync(path, 'utf8')) as { files: Record<string, PydicomExpectation> }).files;
  }
  return expectations;
}

export function hasTool(name: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0;
}

/** A small deterministic PRNG (mulberry32) for reproducible random splits. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits a buffer into pieces of random sizes in [1, maxPiece]. */
export function randomSplit(buf: Buffer, rnd: () => number, maxPiece: number): Buffer[] {
  const out: Buffer[] = [];
  let p = 0;
  while (p < buf.length) {
    const n = 1 + Math.floor(rnd() * maxPiece);
    out.push(buf.subarray(p, p + n));
    p += n;
  }
  return out;
}
