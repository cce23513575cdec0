// Builders for the archive tests: header elements as a scanner would give them, instance files
// in the archive layout, temporary folders and compiled queries.

import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Dataset, ElementValue, resolveTag } from '../../../src/dicom';
import { dictionaryVr } from '../../../src/dicom/dictionary';
import { charsetEncoder } from '../../../src/dicom/charset';
import { writePart10 } from '../../../src/dicom/part10';
import { ScannedElement } from '../../../src/dicom/header-scanner';
import { Tag } from '../../../src/dicom/tag';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { compileQuery, CompiledQuery, CompileOptions } from '../../../src/services/query';
import { InformationModel, QueryLevel } from '../../../src/services/query/model';
import { IndexInput } from '../../../src/archive/archive-index';

export type Fields = Record<string, ElementValue>;

/** A dataset from keyword → value; text encoded in `charset` (which is also written). */
export function dataset(fields: Fields, charset?: string | string[]): Dataset {
  const ds = new Dataset();
  const encode = charsetEncoder(charset);
  if (charset !== undefined) ds.set('SpecificCharacterSet', 'CS', Array.isArray(charset) ? charset : [charset]);
  for (const [key, value] of Object.entries(fields)) {
    // The VR is given explicitly: a two-letter value such as "CT" would otherwise be taken for one.
    ds.set(key, dictionaryVr(resolveTag(key)), value, encode as never);
  }
  return ds;
}

/** The elements a header scan would report for this dataset. */
export function elementsOf(ds: Dataset): Map<Tag, ScannedElement> {
  const out = new Map<Tag, ScannedElement>();
  for (const el of ds.elements()) {
    if (el.items) out.set(el.tag, { vr: el.vr, length: -1 });
    else out.set(el.tag, { vr: el.vr, length: el.value?.length ?? 0, value: el.value });
  }
  return out;
}

export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE = '1.2.840.10008.5.1.4.1.1.4';
export const SR_DOCUMENT = '1.2.840.10008.5.1.4.1.1.88.11';

let counter = 0;

/** Fields of a typical instance; override any of them. UIDs default to fresh ones. */
export function instanceFields(overrides: Fields = {}): Fields {
  counter++;
  const study = String(overrides.StudyInstanceUID ?? '2.25.100');
  return {
    SOPClassUID: CT_IMAGE, SOPInstanceUID: `2.25.9${counter}`, StudyInstanceUID: study, SeriesInstanceUID: `${study}.1`,
    PatientName: 'DOE^JOHN', PatientID: 'P1', StudyDate: '20240115', StudyTime: '101500', AccessionNumber: 'A1',
    StudyID: 'S1', Modality: 'CT', SeriesNumber: 1, InstanceNumber: counter,
    ...overrides,
  };
}

/** An add() input for an instance at its layout path under `root` (size and mtime given, nothing read). */
export function instanceInput(root: string, fields: Fields, charset?: string | string[]): IndexInput {
  const ds = dataset(fields, charset);
  const f = (k: string) => String(fields[k]);
  return {
    path: path.join(root, f('StudyInstanceUID'), f('SeriesInstanceUID'), `${f('SOPInstanceUID')}.dcm`),
    size: 1000, mtimeMs: 1, datasetOffset: 132, transferSyntaxUid: ExplicitVRLittleEndian, elements: elementsOf(ds),
  };
}

/** Writes an instance file where the archive layout puts it (or at `relativePath`); returns its path. */
export async function writeInstance(root: string, fields: Fields, relativePath?: string, charset?: string): Promise<string> {
  const f = (k: string) => String(fields[k]);
  const file = path.join(root, relativePath ?? path.join(f('StudyInstanceUID'), f('SeriesInstanceUID'), `${f('SOPInstanceUID')}.dcm`));
  mkdirSync(path.dirname(file), { recursive: true });
  await writePart10(file, dataset({ ...fields, PixelData: Buffer.alloc(64) } as Fields, charset), { transferSyntaxUid: ExplicitVRLittleEndian });
  return file;
}

/** A temporary folder removed when the test ends. */
export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'archive-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A compiled C-FIND (or retrieve) identifier from keyword → value (null = return key). */
export function query(model: InformationModel, level: QueryLevel, fields: Fields, options: Partial<CompileOptions> = {}): CompiledQuery {
  const ds = new Dataset();
  if (model.hierarchical) ds.set('QueryRetrieveLevel', 'CS', level);
  for (const [key, value] of Object.entries(fields)) {
    const vr = dictionaryVr(resolveTag(key));
    ds.set(key, vr === 'SQ' ? 'SQ' : vr, value, charsetEncoder(['ISO_IR 192']) as never);
  }
  if (Object.values(fields).some((v) => typeof v === 'string' && /[^\x00-\x7f]/.test(v))) ds.set('SpecificCharacterSet', 'CS', 'ISO_IR 192');
  return compileQuery(ds, { model, level, ...options });
}
