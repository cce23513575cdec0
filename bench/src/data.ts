// The benchmark's data sets, generated on first use with our own Dataset and Part 10 writer and
// cached under bench/data (git-ignored). Each folder carries a stamp; a folder whose stamp does
// not match (another DATA_VERSION or other parameters) is generated anew.
import { createWriteStream, existsSync, linkSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { Dataset } from '../../src/dicom/dataset-model';
import { encodeDataset } from '../../src/dicom';
import { buildFileMeta } from '../../src/dicom/file-meta';
import { ExplicitVRLittleEndian } from '../../src/dicom/transfer-syntaxes';

/** Bump when what is generated changes: every cached set (and the archives built from them) is made anew. */
export const DATA_VERSION = 1;

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const FRAME_BYTES = 512 * 512 * 2;
/** A fixed root for generated UIDs ("2.25." + one integer, as UUID-derived UIDs are written). */
const UID_ROOT = '2.25.31415926535897932384';

function uid(kind: number, a: number, b = 0): string {
  return `${UID_ROOT}${kind}${String(a).padStart(6, '0')}${String(b).padStart(6, '0')}`;
}

interface Stamp {
  version: number;
  key: string;
}

/**
 * Returns the cached folder, or builds it in place. The stamp is written last, so a build that
 * was interrupted leaves no stamp and is redone (in place because some peers, e.g. dcmqrscp,
 * record absolute paths in their index).
 */
async function cached(dir: string, key: string, log: (s: string) => void, build: (dir: string) => Promise<void>): Promise<string> {
  const stampFile = path.join(dir, 'stamp.json');
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
    if (stamp.version === DATA_VERSION && stamp.key === key) return dir;
  } catch {
    // missing or unreadable: build it
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  const name = path.join(path.basename(path.dirname(dir)), path.basename(dir));
  log(`generating ${name} (cached for later runs)…`);
  await build(dir);
  writeFileSync(stampFile, JSON.stringify({ version: DATA_VERSION, key } satisfies Stamp));
  log(`generated ${name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}

function pixelPattern(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i + 1 < bytes; i += 2) b.writeUInt16LE(((i >> 1) * 7 + (i >> 11)) & 0x0fff, i);
  return b;
}

function pixelHeader(length: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16LE(0x7fe0, 0);
  h.writeUInt16LE(0x0010, 2);
  h.write('OW', 4, 'latin1');
  h.writeUInt32LE(length, 8);
  return h;
}

interface CtHeader {
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  seriesNumber: number;
  instanceNumber: number;
  frames: number;
  patientName: string;
  patientId: string;
}

/** The data set of a CT-like instance up to (not including) Pixel Data, in Explicit VR LE. */
function ctHead(h: CtHeader): Buffer {
  const ds = new Dataset();
  ds.set('SOPClassUID', 'UI', CT_IMAGE_STORAGE);
  ds.set('SOPInstanceUID', 'UI', h.sopInstanceUid);
  ds.set('StudyDate', 'DA', '20240201');
  ds.set('SeriesDate', 'DA', '20240201');
  ds.set('StudyTime', 'TM', '101500');
  ds.set('AccessionNumber', 'SH', 'BENCH0001');
  ds.set('Modality', 'CS', 'CT');
  ds.set('Manufacturer', 'LO', 'dicomnet bench');
  ds.set('StudyDescription', 'LO', 'Benchmark CT');
  ds.set('SeriesDescription', 'LO', `Series ${h.seriesNumber}`);
  ds.set('PatientName', 'PN', h.patientName);
  ds.set('PatientID', 'LO', h.patientId);
  ds.set('PatientBirthDate', 'DA', '19700101');
  ds.set('PatientSex', 'CS', 'O');
  ds.set('SliceThickness', 'DS', '1.0');
  ds.set('StudyInstanceUID', 'UI', h.studyInstanceUid);
  ds.set('SeriesInstanceUID', 'UI', h.seriesInstanceUid);
  ds.set('StudyID', 'SH', '1');
  ds.set('SeriesNumber', 'IS', String(h.seriesNumber));
  ds.set('InstanceNumber', 'IS', String(h.instanceNumber));
  ds.set('ImagePositionPatient', 'DS', ['-250', '-250', String(-h.instanceNumber)]);
  ds.set('ImageOrientationPatient', 'DS', ['1', '0', '0', '0', '1', '0']);
  ds.set('FrameOfReferenceUID', 'UI', `${h.studyInstanceUid}.1`);
  ds.set('SamplesPerPixel', 'US', 1);
  ds.set('PhotometricInterpretation', 'CS', 'MONOCHROME2');
  if (h.frames > 1) ds.set('NumberOfFrames', 'IS', String(h.frames));
  ds.set('Rows', 'US', 512);
  ds.set('Columns', 'US', 512);
  ds.set('PixelSpacing', 'DS', ['0.9765625', '0.9765625']);
  ds.set('BitsAllocated', 'US', 16);
  ds.set('BitsStored', 'US', 12);
  ds.set('HighBit', 'US', 11);
  ds.set('PixelRepresentation', 'US', 0);
  ds.set('WindowCenter', 'DS', '40');
  ds.set('WindowWidth', 'DS', '400');
  ds.set('RescaleIntercept', 'DS', '-1024');
  ds.set('RescaleSlope', 'DS', '1');
  return encodeDataset(ds, ExplicitVRLittleEndian);
}

export interface SmallFile {
  path: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  /** File size on disk. */
  size: number;
}

export interface SmallSet {
  dir: string;
  /** The folder holding only the Part 10 files (s1/, s2/, …). */
  filesDir: string;
  studyInstanceUid: string;
  files: SmallFile[];
  totalBytes: number;
}

const SERIES = 4;

/**
 * `count` CT-like instances of 0.53 MB (one 512×512×16-bit frame) in one study of 4 series; the
 * 'second' study is the same again as another study of the same patient (other UIDs, its own folder).
 */
export async function smallSet(dataDir: string, count: number, log: (s: string) => void, study: 'first' | 'second' = 'first'): Promise<SmallSet> {
  const second = study === 'second';
  const dir = path.join(dataDir, `ct-small-${count}${second ? '-second' : ''}`);
  // UID kinds: study, series, instance (4 and 5 are the large instance's and the find archives').
  const [studyKind, seriesKind, instanceKind] = second ? [7, 8, 9] : [1, 2, 3];
  const studyInstanceUid = uid(studyKind, count);
  const plan = Array.from({ length: count }, (_, i) => {
    const series = (i % SERIES) + 1;
    return {
      rel: path.join(`s${series}`, `${String(i + 1).padStart(5, '0')}.dcm`),
      sopInstanceUid: uid(instanceKind, count, i + 1),
      seriesInstanceUid: uid(seriesKind, count, series),
      series,
      instanceNumber: Math.floor(i / SERIES) + 1,
    };
  });
  await cached(dir, `small:${count}${second ? ':second' : ''}`, log, async (out) => {
    const pixels = pixelPattern(FRAME_BYTES);
    const ph = pixelHeader(FRAME_BYTES);
    for (let s = 1; s <= SERIES; s++) mkdirSync(path.join(out, 'files', `s${s}`), { recursive: true });
    for (const p of plan) {
      const meta = buildFileMeta({ sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: p.sopInstanceUid, transferSyntaxUid: ExplicitVRLittleEndian });
      const head = ctHead({ ...p, studyInstanceUid, seriesNumber: p.series, frames: 1, patientName: 'BENCH^CT', patientId: 'BENCH-CT' });
      writeFileSync(path.join(out, 'files', p.rel), Buffer.concat([meta, head, ph, pixels]));
    }
  });
  const filesDir = path.join(dir, 'files');
  const files = plan.map((p) => {
    const file = path.join(filesDir, p.rel);
    return { path: file, sopInstanceUid: p.sopInstanceUid, seriesInstanceUid: p.seriesInstanceUid, size: fileSize(file) };
  });
  return { dir, filesDir, studyInstanceUid, files, totalBytes: files.reduce((n, f) => n + f.size, 0) };
}

function fileSize(file: string): number {
  return statSync(file).size;
}

export interface LargeInstance {
  path: string;
  size: number;
  frames: number;
}

/** One multi-frame CT-like instance with `pixelBytes` of pixel data (rounded up to whole frames), streamed to disk. */
export async function largeInstance(dataDir: string, pixelBytes: number, log: (s: string) => void): Promise<LargeInstance> {
  const frames = Math.max(1, Math.ceil(pixelBytes / FRAME_BYTES));
  const dir = path.join(dataDir, `ct-large-${frames}f`);
  const file = path.join(dir, 'large.dcm');
  // `:series2`: the series UID was once the study's own (uid(kind, a) equals uid(kind, a, 0)).
  await cached(dir, `large:${frames}:series2`, log, async (out) => {
    const sop = uid(4, frames, 1);
    const total = frames * FRAME_BYTES;
    const stream = createWriteStream(path.join(out, 'large.dcm'));
    stream.write(buildFileMeta({ sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: sop, transferSyntaxUid: ExplicitVRLittleEndian }));
    stream.write(ctHead({ sopInstanceUid: sop, studyInstanceUid: uid(4, frames), seriesInstanceUid: uid(4, frames, 2), seriesNumber: 1, instanceNumber: 1, frames, patientName: 'BENCH^LARGE', patientId: 'BENCH-LARGE' }));
    stream.write(pixelHeader(total));
    const chunk = pixelPattern(FRAME_BYTES * 8);
    for (let written = 0; written < total;) {
      const n = Math.min(chunk.length, total - written);
      if (!stream.write(n === chunk.length ? chunk : chunk.subarray(0, n))) await once(stream, 'drain');
      written += n;
    }
    stream.end();
    await once(stream, 'close');
  });
  return { path: file, size: fileSize(file), frames };
}

const SURNAMES = ['SMITH', 'JONES', 'MUELLER', 'DUPONT', 'ROSSI', 'GARCIA', 'NOVAK', 'TANAKA', 'SILVA', 'KOWALSKI', 'JANSEN', 'NIELSEN', 'MURPHY', 'PETROV', 'YILMAZ', 'CHEN'];
const GIVEN = ['ANNA', 'BEN', 'CARLA', 'DAVID', 'EVA', 'FRANK', 'GINA', 'HUGO', 'IRIS', 'JAN', 'KATE', 'LEO', 'MIA', 'NOAH', 'OLGA', 'PAUL'];
const MODALITIES = ['CT', 'MR', 'CR', 'US', 'DX'];

export interface FindArchive {
  dir: string;
  /** Pristine files, <study>/<series>/<sop>.dcm: the input for loading Orthanc and dcmqrscp. */
  filesDir: string;
  studies: number;
  /** A PatientID that matches exactly one study (the selective query). */
  selectivePatientId: string;
}

/** `studies` small studies (one tiny instance each) with varied patients, dates and modalities. */
export async function findArchive(dataDir: string, studies: number, log: (s: string) => void): Promise<FindArchive> {
  const dir = path.join(dataDir, `find-${studies}`);
  await cached(dir, `find:${studies}`, log, async (out) => {
    const pixels = pixelPattern(8 * 8 * 2);
    for (let i = 1; i <= studies; i++) {
      const study = uid(5, studies, i);
      const series = `${study}.1`;
      const sop = `${study}.1.1`;
      const modality = MODALITIES[i % MODALITIES.length];
      const ds = new Dataset();
      ds.set('SOPClassUID', 'UI', CT_IMAGE_STORAGE);
      ds.set('SOPInstanceUID', 'UI', sop);
      const day = new Date(Date.UTC(2020, 0, 1) + (i * 7919 % 1826) * 86_400_000);
      ds.set('StudyDate', 'DA', day.toISOString().slice(0, 10).replace(/-/g, ''));
      ds.set('StudyTime', 'TM', `${String(8 + (i % 10)).padStart(2, '0')}${String(i % 60).padStart(2, '0')}00`);
      ds.set('AccessionNumber', 'SH', `ACC${String(i).padStart(7, '0')}`);
      ds.set('Modality', 'CS', modality);
      ds.set('ReferringPhysicianName', 'PN', 'REFERRER^DOC');
      ds.set('StudyDescription', 'LO', `${modality} study ${i % 50}`);
      ds.set('SeriesDescription', 'LO', 'Series 1');
      ds.set('PatientName', 'PN', `${SURNAMES[i % SURNAMES.length]}^${GIVEN[(i >> 4) % GIVEN.length]}^${i}`);
      ds.set('PatientID', 'LO', `PID${String(i).padStart(6, '0')}`);
      ds.set('PatientBirthDate', 'DA', `19${String(30 + (i % 70)).padStart(2, '0')}0${1 + (i % 9)}1${i % 10}`);
      ds.set('PatientSex', 'CS', i % 2 ? 'F' : 'M');
      ds.set('StudyInstanceUID', 'UI', study);
      ds.set('SeriesInstanceUID', 'UI', series);
      ds.set('StudyID', 'SH', String(i % 100000));
      ds.set('SeriesNumber', 'IS', '1');
      ds.set('InstanceNumber', 'IS', '1');
      ds.set('SamplesPerPixel', 'US', 1);
      ds.set('PhotometricInterpretation', 'CS', 'MONOCHROME2');
      ds.set('Rows', 'US', 8);
      ds.set('Columns', 'US', 8);
      ds.set('BitsAllocated', 'US', 16);
      ds.set('BitsStored', 'US', 12);
      ds.set('HighBit', 'US', 11);
      ds.set('PixelRepresentation', 'US', 0);
      const folder = path.join(out, 'files', study, series);
      mkdirSync(folder, { recursive: true });
      const meta = buildFileMeta({ sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: sop, transferSyntaxUid: ExplicitVRLittleEndian });
      writeFileSync(path.join(folder, `${sop}.dcm`), Buffer.concat([meta, encodeDataset(ds, ExplicitVRLittleEndian), pixelHeader(pixels.length), pixels]));
    }
  });
  return { dir, filesDir: path.join(dir, 'files'), studies, selectivePatientId: `PID${String(Math.ceil(studies * 0.4711)).padStart(6, '0')}` };
}

/** Hard links (or copies, across file systems) of `files` into `dest`, as dest/<name from pathOf>. */
export function linkFiles<T extends { path: string }>(files: readonly T[], dest: string, nameOf: (f: T, i: number) => string): void {
  for (const [i, f] of files.entries()) {
    const target = path.join(dest, nameOf(f, i));
    mkdirSync(path.dirname(target), { recursive: true });
    if (existsSync(target)) continue;
    try {
      linkSync(f.path, target);
    } catch {
      copyFileSync(f.path, target);
    }
  }
}

/** A derived cache (an archive built from a data set): rebuilt when its key changes. */
export function derivedCache(dir: string, key: string, log: (s: string) => void, build: (dir: string) => Promise<void>): Promise<string> {
  return cached(dir, key, log, build);
}
