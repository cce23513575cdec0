// The in-memory tables of the archive index and their upkeep: instances placed under their
// patient, study and series (created, updated or moved as each instance says), and entities
// dropped when their last instance goes. The identity and conflict rules are in archive-index.ts.

import { statSync } from 'node:fs';
import * as path from 'node:path';
import { Tag, Tags } from '../../dicom';
import { IndexInput } from './archive-index-types';
import { LEVEL_COLUMNS } from './columns';
import { InstanceEntry, PatientEntry, SeriesEntry, StudyEntry, canonicalPath, patientIdOf, patientKey } from './entries';
import { IndexInputError } from './errors';
import { LoadedEntity, LoadedInstance } from './index-file';
import { IndexTables } from './search';
import { asciiText, characterSetOf, decodeLevels, Interner, LevelMemo, sameValue, StoredValues } from './values';

const MAX_CONFLICT_LINES = 20;

export interface Placed {
  entry?: InstanceEntry;
  duplicateOf?: InstanceEntry;
  replaced: boolean;
}

export interface IndexTreeHooks {
  /** An instance was put in the tables. */
  onPlaced: (sopInstanceUid: string) => void;
  /** Logs the first conflicts (the rest are only counted). */
  log: (line: string) => void;
}

/** Patient → Study → Series → Instance, with the lookups by UID, Patient ID and Accession Number. */
export class IndexTree {
  readonly interner = new Interner();
  private readonly decoded = new LevelMemo();
  readonly patients = new Map<string, PatientEntry>();
  readonly studies = new Map<string, StudyEntry>();
  readonly seriesByUid = new Map<string, SeriesEntry>();
  readonly instances = new Map<string, InstanceEntry>();
  readonly patientsById = new Map<string, Set<PatientEntry>>();
  readonly studiesByAccession = new Map<string, Set<StudyEntry>>();
  readonly tables: IndexTables;
  /** Sum of the indexed files' sizes. */
  totalBytes = 0;
  /** Entities moved or renamed because instances disagreed. */
  conflicts = 0;
  private lastParents: { p: LoadedEntity; s: LoadedEntity; e: LoadedEntity; series: SeriesEntry } | undefined;
  /** The root with one trailing separator. */
  private readonly rootPrefix: string;

  constructor(private readonly root: string, private readonly hooks: IndexTreeHooks) {
    this.rootPrefix = root.endsWith(path.sep) ? root : root + path.sep;
    this.tables = {
      patients: this.patients, studies: this.studies, series: this.seriesByUid, instances: this.instances,
      patientsById: this.patientsById, studiesByAccession: this.studiesByAccession,
    };
  }

  private relativeTo(file: string, relative: string | undefined): string {
    // What the file store hands over (an absolute, normalized path under the root, and that path
    // relative to the root) needs no resolving: path.relative resolves both sides again, and
    // path.normalize walks it, for every received instance.
    if (relative !== undefined && relative !== '' && file.length === this.rootPrefix.length + relative.length
      && file.startsWith(this.rootPrefix) && file.endsWith(relative)) {
      return relative;
    }
    if (file.length > this.rootPrefix.length && file.startsWith(this.rootPrefix) && path.normalize(file) === file) {
      return file.slice(this.rootPrefix.length);
    }
    const rel = path.relative(this.root, path.resolve(file));
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      throw new IndexInputError(`${file} is not inside the archive folder ${this.root}.`);
    }
    return rel;
  }

  insert(input: IndexInput, onDuplicate: 'replace' | 'keep', relative?: string): Placed {
    const rel = relative ?? this.relativeTo(input.path, input.relativePath);
    const el = input.elements;
    const uid = (t: Tag, what: string) => {
      const v = asciiText(el.get(t));
      if (!v) throw new IndexInputError(`${rel} has no ${what}.`);
      return v;
    };
    const sop = uid(Tags.SOPInstanceUID, 'SOP Instance UID');
    const studyUid = uid(Tags.StudyInstanceUID, 'Study Instance UID');
    const seriesUid = uid(Tags.SeriesInstanceUID, 'Series Instance UID');
    let size = input.size ?? input.fileSize;
    let mtimeMs = input.mtimeMs;
    if (size === undefined || mtimeMs === undefined) {
      try {
        const s = statSync(path.isAbsolute(input.path) ? input.path : path.resolve(input.path));
        size ??= s.size;
        mtimeMs ??= s.mtimeMs;
      } catch {
        size ??= 0;
        mtimeMs ??= 0;
      }
    }
    const charset = this.interner.charset(characterSetOf(el));
    const [patientValues, studyValues, seriesValues, imageValues] = decodeLevels(el, charset, this.interner, this.decoded);
    return this.place(
      { uid: '', values: patientValues!, charset },
      { uid: studyUid, values: studyValues!, charset },
      { uid: seriesUid, values: seriesValues!, charset },
      {
        uid: sop, values: imageValues!, charset,
        storedPath: rel, size, mtimeMs, datasetOffset: input.datasetOffset,
        transferSyntaxUid: this.interner.string(input.transferSyntaxUid),
      },
      onDuplicate,
    );
  }

  private conflict(line: string): void {
    this.conflicts++;
    if (this.conflicts <= MAX_CONFLICT_LINES) this.hooks.log(line);
    else if (this.conflicts === MAX_CONFLICT_LINES + 1) this.hooks.log('More archive index conflicts follow; they are counted, not logged.');
  }

  /** Puts an instance (and its patient, study and series as it describes them) in the tables. */
  place(p: LoadedEntity, s: LoadedEntity, e: LoadedEntity, i: LoadedInstance, onDuplicate: 'replace' | 'keep'): Placed {
    let replaced = false;
    const existing = this.instances.get(i.uid);
    if (existing) {
      const samePath = i.storedPath === undefined
        ? existing.relativePath === canonicalPath(s.uid, e.uid, i.uid)
        : existing.relativePath === i.storedPath;
      if (onDuplicate === 'keep' && !samePath) return { duplicateOf: existing, replaced: false };
      this.detach(existing);
      replaced = true;
    }

    // Instances of a series come one after the other from the index file (same entity objects):
    // their parents are already in place.
    const last = this.lastParents;
    let series: SeriesEntry;
    if (last && last.p === p && last.s === s && last.e === e && this.seriesByUid.get(e.uid) === last.series
      && this.studies.get(s.uid) === last.series.study && this.patients.get(last.series.study.patient.key) === last.series.study.patient) {
      series = last.series;
    } else {
      series = this.placeParents(p, s, e, i.uid);
      this.lastParents = { p, s, e, series };
    }
    const study = series.study;

    const storedPath = i.storedPath === undefined || i.storedPath === canonicalPath(study.uid, series.uid, i.uid) ? undefined : i.storedPath;
    const entry = new InstanceEntry(i.uid, series, i.values, i.charset, i.transferSyntaxUid, storedPath, i.size, i.mtimeMs, i.datasetOffset);
    series.instances.add(entry);
    study.instanceCount++;
    study.countSopClass(entry.sopClassUid, 1);
    this.instances.set(i.uid, entry);
    this.totalBytes += i.size;
    this.hooks.onPlaced(i.uid);
    return { entry, replaced };
  }

  /** The patient, study and series an instance belongs to, created, updated or moved as it says. */
  private placeParents(p: LoadedEntity, s: LoadedEntity, e: LoadedEntity, sop: string): SeriesEntry {
    const key = patientKey(p.values);
    let patient = this.patients.get(key);
    if (!patient) {
      patient = new PatientEntry(key, p.values, p.charset);
      this.patients.set(key, patient);
      const id = patientIdOf(p.values);
      if (id !== '') addTo(this.patientsById, id, patient);
    } else if (patient.values !== p.values) {
      const before = patient.values[PATIENT_NAME];
      if (mergeValues(patient.values, p.values)) {
        patient.charset = p.charset;
        const after = patient.values[PATIENT_NAME];
        if (before !== undefined && before !== '' && !sameValue(before, after)) {
          this.conflict(`Patient ${patientIdOf(patient.values)}: instance ${sop} names it "${String(after)}" instead of "${String(before)}"; the latest name is kept.`);
        }
      }
    }

    let study = this.studies.get(s.uid);
    if (study && study.patient !== patient) {
      this.conflict(`Study ${s.uid} moves from patient "${patientIdOf(study.patient.values)}" to "${patientIdOf(patient.values)}" (${String(patient.values[PATIENT_NAME] ?? '')}), as instance ${sop} says.`);
      this.moveStudy(study, patient);
    }
    if (!study) {
      study = new StudyEntry(s.uid, patient, s.values, s.charset);
      patient.studies.set(s.uid, study);
      this.studies.set(s.uid, study);
      this.indexAccession(study, 1);
    } else if (study.values !== s.values) {
      this.indexAccession(study, -1);
      if (mergeValues(study.values, s.values)) study.charset = s.charset;
      this.indexAccession(study, 1);
    }

    let series = this.seriesByUid.get(e.uid);
    if (series && series.study !== study) {
      this.conflict(`Series ${e.uid} moves from study ${series.study.uid} to ${study.uid}, as instance ${sop} says.`);
      this.moveSeries(series, study);
    }
    if (!series) {
      series = new SeriesEntry(e.uid, study, e.values, e.charset);
      study.series.set(e.uid, series);
      this.seriesByUid.set(e.uid, series);
    } else if (series.values !== e.values) {
      if (mergeValues(series.values, e.values)) series.charset = e.charset;
    }
    return series;
  }

  private indexAccession(study: StudyEntry, delta: 1 | -1): void {
    const v = study.values[ACCESSION];
    if (typeof v !== 'string' || v === '') return;
    if (delta > 0) addTo(this.studiesByAccession, v, study);
    else removeFrom(this.studiesByAccession, v, study);
  }

  private moveStudy(study: StudyEntry, to: PatientEntry): void {
    const from = study.patient;
    from.studies.delete(study.uid);
    if (from.studies.size === 0) this.dropPatient(from);
    study.patient = to;
    to.studies.set(study.uid, study);
  }

  private moveSeries(series: SeriesEntry, to: StudyEntry): void {
    const from = series.study;
    for (const i of series.instances) {
      // The file stays where it is: its path no longer follows from the new study's UID.
      i.storedPath ??= canonicalPath(from.uid, series.uid, i.uid);
      from.countSopClass(i.sopClassUid, -1);
      to.countSopClass(i.sopClassUid, 1);
    }
    from.series.delete(series.uid);
    from.instanceCount -= series.instances.size;
    if (from.series.size === 0) this.dropStudy(from);
    series.study = to;
    to.series.set(series.uid, series);
    to.instanceCount += series.instances.size;
  }

  detach(entry: InstanceEntry): void {
    const series = entry.series;
    const study = series.study;
    series.instances.delete(entry);
    study.instanceCount--;
    study.countSopClass(entry.sopClassUid, -1);
    this.instances.delete(entry.uid);
    this.totalBytes -= entry.size;
    if (series.instances.size === 0) {
      study.series.delete(series.uid);
      this.seriesByUid.delete(series.uid);
      if (study.series.size === 0) this.dropStudy(study);
    }
  }

  private dropStudy(study: StudyEntry): void {
    study.patient.studies.delete(study.uid);
    this.studies.delete(study.uid);
    this.indexAccession(study, -1);
    if (study.patient.studies.size === 0) this.dropPatient(study.patient);
  }

  private dropPatient(patient: PatientEntry): void {
    this.patients.delete(patient.key);
    const id = patientIdOf(patient.values);
    if (id !== '') removeFrom(this.patientsById, id, patient);
  }

  clear(): void {
    this.patients.clear();
    this.studies.clear();
    this.seriesByUid.clear();
    this.instances.clear();
    this.patientsById.clear();
    this.studiesByAccession.clear();
    this.totalBytes = 0;
  }
}

const ACCESSION = /* @__PURE__ */ (() => LEVEL_COLUMNS.STUDY.position.get(Tags.AccessionNumber)!)();
const PATIENT_NAME = /* @__PURE__ */ (() => LEVEL_COLUMNS.PATIENT.position.get(Tags.PatientName)!)();

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

/** Latest wins: copies the present values of `incoming` over `target`; true when something changed. */
function mergeValues(target: StoredValues, incoming: StoredValues): boolean {
  let changed = false;
  for (let i = 0; i < incoming.length; i++) {
    const v = incoming[i];
    if (v === undefined || sameValue(target[i], v)) continue;
    while (target.length < i) target.push(undefined);
    target[i] = v;
    changed = true;
  }
  return changed;
}
