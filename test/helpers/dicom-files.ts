// Sample files for tests: the pydicom corpus, and generated instances (large, or with bad UIDs).
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { Dataset } from '../../src/dicom/dataset-model';
import { encodeDataset, parseDataset } from '../../src/dicom';
import { buildFileMeta } from '../../src/dicom/file-meta';
import { readPart10Header } from '../../src/dicom/part10';
import { datasetToJson } from '../../src/dicom/json';
import { ExplicitVRLittleEndian } from '../../src/dicom/transfer-syntaxes';
import { scanFileHeader } from '../../src/dicom/header-scanner';
import { Tags } from '../../src/dicom/tag';
import { collectStoreInputs } from '../../src/ae/store-inputs';
import { StoreFile } from '../../src/services/store-file-reading';

export const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
export const PYDICOM_CHARSETS = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';

/** The .dcm files of one of pydicom's sample folders (its test files by default), in name order. */
export function pydicomFiles(folder = PYDICOM_FILES): string[] {
  return readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort().map((f) => path.join(folder, f));
}

/** The data set bytes of a Part 10 file (everything after the file meta). */
export async function datasetBytes(file: string): Promise<Buffer> {
  const header = await readPart10Header(file);
  return readFileSync(file).subarray(header.datasetOffset);
}

/** A syntax-independent view of a file's data set (DICOM JSON with inline binary), for "dataset-equal". */
export async function datasetJson(file: string): Promise<unknown> {
  const header = await readPart10Header(file);
  const ds = parseDataset(readFileSync(file).subarray(header.datasetOffset), header.transferSyntaxUid);
  return datasetToJson(ds);
}

let counter = 0;
export function testUid(): string {
  counter++;
  return `2.25.${BigInt(Date.now()) * 1000000n + BigInt(process.pid % 1000) * 1000n + BigInt(counter)}`;
}

export interface GeneratedInstance {
  path: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

/**
 * Writes a CT-like Part 10 file in Explicit VR LE with `pixelBytes` of pixel data, streamed (a
 * 1 GiB file never sits in memory). UIDs can be overridden (e.g. with invalid ones).
 */
export async function writeSyntheticInstance(file: string, pixelBytes: number, uids: Partial<Omit<GeneratedInstance, 'path'>> = {}): Promise<GeneratedInstance> {
  const sopInstanceUid = uids.sopInstanceUid ?? testUid();
  const studyInstanceUid = uids.studyInstanceUid ?? testUid();
  const seriesInstanceUid = uids.seriesInstanceUid ?? testUid();
  const ds = new Dataset();
  const frameBytes = 512 * 512 * 2;
  const frames = Math.max(1, Math.ceil(pixelBytes / frameBytes));
  ds.set('SOPClassUID', 'UI', '1.2.840.10008.5.1.4.1.1.2');
  ds.set('SOPInstanceUID', 'UI', sopInstanceUid);
  ds.set('StudyDate', 'DA', '20240201');
  ds.set('Modality', 'CS', 'CT');
  ds.set('PatientName', 'PN', 'Synthetic^Large');
  ds.set('PatientID', 'LO', 'SYN-1');
  ds.set('StudyInstanceUID', 'UI', studyInstanceUid);
  ds.set('SeriesInstanceUID', 'UI', seriesInstanceUid);
  ds.set('InstanceNumber', 'IS', '1');
  ds.set('SamplesPerPixel', 'US', 1);
  ds.set('PhotometricInterpretation', 'CS', 'MONOCHROME2');
  ds.set('NumberOfFrames', 'IS', String(frames));
  ds.set('Rows', 'US', 512);
  ds.set('Columns', 'US', 512);
  ds.set('BitsAllocated', 'US', 16);
  ds.set('BitsStored', 'US', 12);
  ds.set('HighBit', 'US', 11);
  ds.set('PixelRepresentation', 'US', 0);
  const head = encodeDataset(ds, ExplicitVRLittleEndian);
  const total = frames * frameBytes;
  const pixelHeader = Buffer.alloc(12);
  pixelHeader.writeUInt16LE(0x7fe0, 0);
  pixelHeader.writeUInt16LE(0x0010, 2);
  pixelHeader.write('OW', 4, 'latin1');
  pixelHeader.writeUInt32LE(total, 8);
  const out = createWriteStream(file);
  out.write(buildFileMeta({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid, transferSyntaxUid: ExplicitVRLittleEndian }));
  out.write(head);
  out.write(pixelHeader);
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i += 2) chunk.writeUInt16LE((i * 7) & 0x0fff, i);
  for (let written = 0; written < total;) {
    const n = Math.min(chunk.length, total - written);
    if (!out.write(n === chunk.length ? chunk : chunk.subarray(0, n))) await once(out, 'drain');
    written += n;
  }
  out.end();
  await once(out, 'close');
  return { path: file, sopInstanceUid, studyInstanceUid, seriesInstanceUid };
}

/** The pydicom samples our store accepts as input (the truncated ones are refused when sent). */
export async function sendableSamples(): Promise<StoreFile[]> {
  const collected = await collectStoreInputs(pydicomFiles());
  return collected.files.filter((f) => !/_truncated/.test(f.path));
}

/**
 * Samples every peer can take: SOP Class/Instance, Study and Series Instance UIDs in the data set
 * as UI (DCMTK-based peers read a UN-encoded SOP Instance UID wrongly, and archives need all four).
 */
export async function wellFormedSamples(): Promise<StoreFile[]> {
  const out: StoreFile[] = [];
  const wanted = [Tags.SOPClassUID, Tags.SOPInstanceUID, Tags.StudyInstanceUID, Tags.SeriesInstanceUID];
  for (const f of await sendableSamples()) {
    const scan = await scanFileHeader(f.path, { wanted });
    if (wanted.every((t) => scan.elements.get(t)?.vr === 'UI')) out.push(f);
  }
  return out;
}
