// Hierarchical search over the index (PS3.4 C.4.1.3.1): walk the model's levels from the top,
// keep the entities whose level keys match, and yield the ones at the query level. When the
// query holds exact values for indexed attributes (Study/Series/SOP Instance UID, Patient ID,
// Accession Number) the walk starts from those entities instead of from every patient.

import { Tag, Tags } from '../../dicom';
import { CompiledQuery } from '../../services';
import { MatchedEntity } from '../../services';
import { QueryRecord } from '../../services';
import { IndexLevel } from './columns';
import { InstanceEntry, PatientEntry, SeriesEntry, StudyEntry, patientIdOf, patientIdentity } from './entries';
import { AnyEntry, PatientGroupRecord, recordOf } from './records';
import { ArchiveIndexError } from './errors';

/** What the search needs from the index: its entities and lookup tables. */
export interface IndexTables {
  readonly patients: ReadonlyMap<string, PatientEntry>;
  readonly studies: ReadonlyMap<string, StudyEntry>;
  readonly series: ReadonlyMap<string, SeriesEntry>;
  readonly instances: ReadonlyMap<string, InstanceEntry>;
  readonly patientsById: ReadonlyMap<string, ReadonlySet<PatientEntry>>;
  readonly studiesByAccession: ReadonlyMap<string, ReadonlySet<StudyEntry>>;
}

function children(level: IndexLevel, e: AnyEntry): Iterable<AnyEntry> {
  switch (level) {
    case 'PATIENT': return (e as PatientEntry).studies.values();
    case 'STUDY': return (e as StudyEntry).series.values();
    case 'SERIES': return (e as SeriesEntry).instances;
    case 'IMAGE': return [];
  }
}

function parent(level: IndexLevel, e: AnyEntry): AnyEntry | undefined {
  switch (level) {
    case 'PATIENT': return undefined;
    case 'STUDY': return (e as StudyEntry).patient;
    case 'SERIES': return (e as SeriesEntry).study;
    case 'IMAGE': return (e as InstanceEntry).series;
  }
}

function top(tables: IndexTables, level: IndexLevel): Iterable<AnyEntry> {
  switch (level) {
    case 'PATIENT': return tables.patients.values();
    case 'STUDY': return tables.studies.values();
    default: throw new ArchiveIndexError(`An information model cannot start at the ${level} level.`);
  }
}

interface Start {
  depth: number;
  entries: AnyEntry[];
}

function lookup<T>(values: readonly string[], get: (v: string) => T | undefined): T[] {
  const out: T[] = [];
  for (const v of new Set(values)) {
    const hit = get(v);
    if (hit !== undefined) out.push(hit);
  }
  return out;
}

function lookupMany<T>(values: readonly string[], get: (v: string) => ReadonlySet<T> | undefined): T[] {
  const out = new Set<T>();
  for (const v of new Set(values)) for (const hit of get(v) ?? []) out.add(hit);
  return [...out];
}

/** The narrowest set of entities the query's exact values point at, if any. */
function indexedStart(tables: IndexTables, query: CompiledQuery, levels: readonly IndexLevel[], target: number): Start | undefined {
  let best: Start | undefined;
  const consider = (level: IndexLevel, entries: AnyEntry[]) => {
    const depth = levels.indexOf(level);
    if (depth < 0 || depth > target) return;
    if (!best || depth > best.depth || (depth === best.depth && entries.length < best.entries.length)) best = { depth, entries };
  };
  for (const [tag, values] of query.indexKeys as ReadonlyMap<Tag, readonly string[]>) {
    switch (tag) {
      case Tags.SOPInstanceUID: consider('IMAGE', lookup(values, (v) => tables.instances.get(v))); break;
      case Tags.SeriesInstanceUID: consider('SERIES', lookup(values, (v) => tables.series.get(v))); break;
      case Tags.StudyInstanceUID: consider('STUDY', lookup(values, (v) => tables.studies.get(v))); break;
      case Tags.AccessionNumber: consider('STUDY', lookupMany(values, (v) => tables.studiesByAccession.get(v))); break;
      case Tags.PatientID: {
        const patients = lookupMany(values, (v) => tables.patientsById.get(v));
        // Study Root has no PATIENT level: start from the patients' studies.
        if (levels.includes('PATIENT')) consider('PATIENT', patients);
        else consider('STUDY', patients.flatMap((p) => [...p.studies.values()]));
        break;
      }
    }
  }
  return best;
}

function modelLevels(query: CompiledQuery): { levels: IndexLevel[]; target: number } {
  if (!query.model.hierarchical) {
    throw new ArchiveIndexError(`The archive index answers Query/Retrieve queries, not ${query.model.name} ones.`);
  }
  const levels = query.model.levels as IndexLevel[];
  return { levels, target: levels.indexOf(query.level as IndexLevel) };
}

interface Hit {
  entry: AnyEntry;
  level: IndexLevel;
  record: QueryRecord;
}

/** The entries at the query level that match, in index order, produced lazily. */
function* walk(tables: IndexTables, query: CompiledQuery): Generator<Hit> {
  const { levels, target } = modelLevels(query);
  if (target < 0) throw new ArchiveIndexError(`The ${query.model.name} model has no ${query.level} level.`);
  // When every matching key belongs to a level on the path, matching level by level is complete.
  const onPath = new Set(levels.slice(0, target + 1));
  const complete = query.matchingKeys.every((k) => onPath.has((k.level ?? query.level) as IndexLevel));

  function* descend(depth: number, entries: Iterable<AnyEntry>): Generator<Hit> {
    const level = levels[depth]!;
    for (const entry of entries) {
      const record = recordOf(level, entry);
      if (!query.matchesLevel(level, record)) continue;
      if (depth === target) {
        if (!complete && !query.matches(record)) continue;
        yield { entry, level, record };
      } else {
        yield* descend(depth + 1, children(level, entry));
      }
    }
  }

  const start = indexedStart(tables, query, levels, target);
  if (!start) {
    yield* descend(0, top(tables, levels[0]!));
    return;
  }
  // Entities found through a lookup still need their ancestors to match.
  const verified = start.entries.filter((entry) => {
    let e: AnyEntry | undefined = entry;
    for (let d = start.depth; d > 0; d--) {
      e = parent(levels[d]!, e!);
      if (!e || !query.matchesLevel(levels[d - 1]!, recordOf(levels[d - 1]!, e))) return false;
    }
    return true;
  });
  yield* descend(start.depth, verified);
}

/**
 * The matching entities at the query level, with the character set each was stored in. At the
 * PATIENT level each Patient ID (with its issuer) is answered once, as dcmqrscp and Orthanc do.
 */
export function* findEntities(tables: IndexTables, query: CompiledQuery): Generator<MatchedEntity> {
  const answered = new Set<string>();
  for (const { entry, level, record } of walk(tables, query)) {
    if (level !== 'PATIENT') {
      yield { record, characterSet: entry.charset };
      continue;
    }
    const patient = entry as PatientEntry;
    const identity = patientIdentity(patient.values);
    if (answered.has(identity)) continue;
    answered.add(identity);
    // Patients with an ID are one entry each; those without one are several.
    const grouped = patientIdOf(patient.values) === ''
      ? new PatientGroupRecord(patient, () => [...tables.patients.values()].filter((p) => patientIdentity(p.values) === identity))
      : record;
    yield { record: grouped, characterSet: entry.charset };
  }
}

function collectInstances(level: IndexLevel, entry: AnyEntry, out: InstanceEntry[]): void {
  switch (level) {
    case 'IMAGE': out.push(entry as InstanceEntry); return;
    case 'SERIES': for (const i of (entry as SeriesEntry).instances) out.push(i); return;
    case 'STUDY': for (const s of (entry as StudyEntry).series.values()) collectInstances('SERIES', s, out); return;
    case 'PATIENT': for (const s of (entry as PatientEntry).studies.values()) collectInstances('STUDY', s, out); return;
  }
}

/** Every instance under the entities that match (C-MOVE / C-GET). */
export function findInstances(tables: IndexTables, query: CompiledQuery): InstanceEntry[] {
  const out: InstanceEntry[] = [];
  for (const { entry, level } of walk(tables, query)) collectInstances(level, entry, out);
  return out;
}
