// The entities of the index: Patient → Study → Series → Instance, linked both ways. Each holds
// its own attributes (values in the order of its level's columns) and the character set they
// were stored in; counts and lists over children are computed from the links.

import * as path from 'node:path';
import { CharacterSet, StoredValue, StoredValues } from './values';
import { PATIENT_COLUMNS, SERIES_COLUMNS, IMAGE_COLUMNS } from './columns';
import { Tags } from '../../dicom';

const PATIENT_ID = /* @__PURE__ */ (() => PATIENT_COLUMNS.position.get(Tags.PatientID)!)();
const ISSUER = /* @__PURE__ */ (() => PATIENT_COLUMNS.position.get(Tags.IssuerOfPatientID)!)();
const PATIENT_NAME = /* @__PURE__ */ (() => PATIENT_COLUMNS.position.get(Tags.PatientName)!)();
const BIRTH_DATE = /* @__PURE__ */ (() => PATIENT_COLUMNS.position.get(Tags.PatientBirthDate)!)();
const MODALITY = /* @__PURE__ */ (() => SERIES_COLUMNS.position.get(Tags.Modality)!)();
const SOP_CLASS = /* @__PURE__ */ (() => IMAGE_COLUMNS.position.get(Tags.SOPClassUID)!)();

function text(v: StoredValue | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'object' ? v.join('\\') : String(v);
}

/**
 * A patient's identity: Patient ID with its Issuer. Instances without a Patient ID cannot be told
 * apart by it, so they are grouped by Patient Name and Birth Date instead (the key starts with
 * U+0001 so it can never equal one made from an ID).
 */
export function patientKey(values: StoredValues): string {
  const id = text(values[PATIENT_ID]);
  if (id !== '') return `${id}\u0000${text(values[ISSUER])}`;
  return `\u0001${text(values[PATIENT_NAME])}\u0000${text(values[BIRTH_DATE])}`;
}

/**
 * Who a patient is for Query/Retrieve: Patient ID and Issuer of Patient ID, the unique key of
 * the PATIENT level (PS3.4 C.2.2.1.1). Unlike patientKey, all patients without an ID share it:
 * an empty Patient ID identifies no one, so a PATIENT-level answer has one record for them.
 */
export function patientIdentity(values: StoredValues): string {
  return `${text(values[PATIENT_ID])}\u0000${text(values[ISSUER])}`;
}

/** The Patient ID a patient is found under ('' when it has none). */
export function patientIdOf(values: StoredValues): string {
  return text(values[PATIENT_ID]);
}

export class PatientEntry {
  readonly studies = new Map<string, StudyEntry>();
  constructor(readonly key: string, public values: StoredValues, public charset: CharacterSet) {}

  get seriesCount(): number {
    let n = 0;
    for (const s of this.studies.values()) n += s.series.size;
    return n;
  }

  get instanceCount(): number {
    let n = 0;
    for (const s of this.studies.values()) n += s.instanceCount;
    return n;
  }
}

export class StudyEntry {
  readonly series = new Map<string, SeriesEntry>();
  instanceCount = 0;
  /** SOP Class UID → number of instances of that class (SOPClassesInStudy is its keys). */
  readonly sopClasses = new Map<string, number>();
  constructor(readonly uid: string, public patient: PatientEntry, public values: StoredValues, public charset: CharacterSet) {}

  /** ModalitiesInStudy: each series' modality once, in the order the series came. */
  modalities(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      const m = s.values[MODALITY];
      const list = m === undefined || m === '' ? [] : typeof m === 'object' ? m.map(String) : [String(m)];
      for (const x of list) if (x !== '' && !out.includes(x)) out.push(x);
    }
    return out;
  }

  countSopClass(uid: string, delta: 1 | -1): void {
    if (!uid) return;
    const n = (this.sopClasses.get(uid) ?? 0) + delta;
    if (n > 0) this.sopClasses.set(uid, n);
    else this.sopClasses.delete(uid);
  }
}

export class SeriesEntry {
  readonly instances = new Set<InstanceEntry>();
  constructor(readonly uid: string, public study: StudyEntry, public values: StoredValues, public charset: CharacterSet) {}
}

export class InstanceEntry {
  constructor(
    readonly uid: string,
    public series: SeriesEntry,
    public values: StoredValues,
    public charset: CharacterSet,
    readonly transferSyntaxUid: string,
    /** Path relative to the archive root; undefined when it is <study>/<series>/<sop>.dcm (saves memory). */
    public storedPath: string | undefined,
    readonly size: number,
    /** Modification time of the file when it was indexed (0 when unknown). */
    readonly mtimeMs: number,
    readonly datasetOffset: number,
  ) {}

  get sopClassUid(): string {
    const v = this.values[SOP_CLASS];
    return typeof v === 'string' ? v : '';
  }

  get relativePath(): string {
    return this.storedPath ?? canonicalPath(this.series.study.uid, this.series.uid, this.uid);
  }
}

/** Digits and dots, and not a "." or ".." segment: joins with path.join's result without normalizing. */
function plainSegment(s: string): boolean {
  if (s.length === 0 || s === '.' || s === '..') return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x30 || c > 0x39) && c !== 0x2e) return false;
  }
  return true;
}

/** The archive layout's path of an instance, relative to the root. */
export function canonicalPath(studyUid: string, seriesUid: string, sopUid: string): string {
  // UIDs are joined as they are (placing each received instance asks for this); anything else
  // goes through path.join's normalizing.
  if (plainSegment(studyUid) && plainSegment(seriesUid) && plainSegment(sopUid)) return `${studyUid}${path.sep}${seriesUid}${path.sep}${sopUid}.dcm`;
  return path.join(studyUid, seriesUid, `${sopUid}.dcm`);
}
