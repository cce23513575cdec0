// Query records over the index entities. A record answers its own level's attributes, the ones
// computed from its children, and (by asking its parent) every attribute of the levels above:
// a SERIES record gives StudyInstanceUID, StudyDate and PatientName too.

import { Tag, Tags } from '../../dicom';
import { AttributeValue, QueryRecord } from '../../services';
import { DERIVED_TAGS, IndexLevel, LEVEL_COLUMNS, LevelColumns, UID_TAGS } from './columns';
import { InstanceEntry, PatientEntry, SeriesEntry, StudyEntry } from './entries';
import { StoredValues } from './values';

export type AnyEntry = PatientEntry | StudyEntry | SeriesEntry | InstanceEntry;

const AVAILABLE_TRANSFER_SYNTAX = /* @__PURE__ */ (() => DERIVED_TAGS.IMAGE[0]!)();

function column(layout: LevelColumns, values: StoredValues, t: Tag): AttributeValue | undefined {
  const i = layout.position.get(t);
  return i === undefined ? undefined : values[i];
}

function patientValue(p: PatientEntry, t: Tag): AttributeValue | undefined {
  if (LEVEL_COLUMNS.PATIENT.position.has(t)) return column(LEVEL_COLUMNS.PATIENT, p.values, t);
  switch (t) {
    case Tags.NumberOfPatientRelatedStudies: return p.studies.size;
    case Tags.NumberOfPatientRelatedSeries: return p.seriesCount;
    case Tags.NumberOfPatientRelatedInstances: return p.instanceCount;
    case Tags.InstanceAvailability: return 'ONLINE';
    case Tags.SpecificCharacterSet: return p.charset.length ? p.charset : undefined;
    default: return undefined;
  }
}

function studyValue(s: StudyEntry, t: Tag): AttributeValue | undefined {
  if (LEVEL_COLUMNS.STUDY.position.has(t)) return column(LEVEL_COLUMNS.STUDY, s.values, t);
  switch (t) {
    case Tags.StudyInstanceUID: return s.uid;
    case Tags.ModalitiesInStudy: return s.modalities();
    case Tags.SOPClassesInStudy: return [...s.sopClasses.keys()];
    case Tags.NumberOfStudyRelatedSeries: return s.series.size;
    case Tags.NumberOfStudyRelatedInstances: return s.instanceCount;
    case Tags.SpecificCharacterSet: return s.charset.length ? s.charset : undefined;
    default: return patientValue(s.patient, t);
  }
}

function seriesValue(s: SeriesEntry, t: Tag): AttributeValue | undefined {
  if (LEVEL_COLUMNS.SERIES.position.has(t)) return column(LEVEL_COLUMNS.SERIES, s.values, t);
  switch (t) {
    case Tags.SeriesInstanceUID: return s.uid;
    case Tags.NumberOfSeriesRelatedInstances: return s.instances.size;
    case Tags.SpecificCharacterSet: return s.charset.length ? s.charset : undefined;
    default: return studyValue(s.study, t);
  }
}

function instanceValue(i: InstanceEntry, t: Tag): AttributeValue | undefined {
  if (LEVEL_COLUMNS.IMAGE.position.has(t)) return column(LEVEL_COLUMNS.IMAGE, i.values, t);
  switch (t) {
    case Tags.SOPInstanceUID: return i.uid;
    case AVAILABLE_TRANSFER_SYNTAX: return i.transferSyntaxUid;
    case Tags.SpecificCharacterSet: return i.charset.length ? i.charset : undefined;
    default: return seriesValue(i.series, t);
  }
}

const LEVELS_FROM: Readonly<Record<IndexLevel, readonly IndexLevel[]>> = {
  PATIENT: ['PATIENT'],
  STUDY: ['STUDY', 'PATIENT'],
  SERIES: ['SERIES', 'STUDY', 'PATIENT'],
  IMAGE: ['IMAGE', 'SERIES', 'STUDY', 'PATIENT'],
};

abstract class EntryRecord<E extends AnyEntry> implements QueryRecord {
  constructor(readonly entry: E, readonly level: IndexLevel) {}

  abstract value(t: Tag): AttributeValue | undefined;

  /** Every attribute the record has a value for (its own level first, then the levels above). */
  *tags(): Iterable<Tag> {
    const seen = new Set<Tag>();
    for (const level of LEVELS_FROM[this.level]) {
      const candidates: Tag[] = [...LEVEL_COLUMNS[level].columns.map((c) => c.tag), ...DERIVED_TAGS[level]];
      const uid = UID_TAGS[level];
      if (uid !== undefined) candidates.unshift(uid);
      for (const t of candidates) {
        if (seen.has(t)) continue;
        seen.add(t);
        if (this.value(t) !== undefined) yield t;
      }
    }
  }
}

export class PatientRecord extends EntryRecord<PatientEntry> {
  constructor(entry: PatientEntry) { super(entry, 'PATIENT'); }
  value(t: Tag): AttributeValue | undefined { return patientValue(this.entry, t); }
}

/**
 * The patients that share one Patient ID and issuer (those without an ID: the index keeps them
 * apart by name and birth date) answered as one PATIENT-level record: the attributes of the
 * first that matched, the counts of all of them.
 */
export class PatientGroupRecord extends EntryRecord<PatientEntry> {
  constructor(first: PatientEntry, private readonly members: () => readonly PatientEntry[]) { super(first, 'PATIENT'); }
  value(t: Tag): AttributeValue | undefined {
    switch (t) {
      case Tags.NumberOfPatientRelatedStudies: return this.sum((p) => p.studies.size);
      case Tags.NumberOfPatientRelatedSeries: return this.sum((p) => p.seriesCount);
      case Tags.NumberOfPatientRelatedInstances: return this.sum((p) => p.instanceCount);
      default: return patientValue(this.entry, t);
    }
  }

  private sum(count: (p: PatientEntry) => number): number {
    let n = 0;
    for (const p of this.members()) n += count(p);
    return n;
  }
}

export class StudyRecord extends EntryRecord<StudyEntry> {
  constructor(entry: StudyEntry) { super(entry, 'STUDY'); }
  value(t: Tag): AttributeValue | undefined { return studyValue(this.entry, t); }
}

export class SeriesRecord extends EntryRecord<SeriesEntry> {
  constructor(entry: SeriesEntry) { super(entry, 'SERIES'); }
  value(t: Tag): AttributeValue | undefined { return seriesValue(this.entry, t); }
}

export class InstanceRecord extends EntryRecord<InstanceEntry> {
  constructor(entry: InstanceEntry) { super(entry, 'IMAGE'); }
  value(t: Tag): AttributeValue | undefined { return instanceValue(this.entry, t); }
}

export function recordOf(level: IndexLevel, entry: AnyEntry): EntryRecord<AnyEntry> {
  switch (level) {
    case 'PATIENT': return new PatientRecord(entry as PatientEntry);
    case 'STUDY': return new StudyRecord(entry as StudyEntry);
    case 'SERIES': return new SeriesRecord(entry as SeriesEntry);
    case 'IMAGE': return new InstanceRecord(entry as InstanceEntry);
  }
}
