// Building C-FIND / C-MOVE / C-GET / worklist identifiers from "Keyword=value" pairs, the way the
// command line and the editor take them: keywords or gggg,eeee tags, dotted paths into
// sequences, Scheduled Procedure Step keys at top level for worklists, default return keys.
import { Dataset } from '../dicom';
import { dictionaryVr, keywordOf, tagForKeyword } from '../dicom';
import { charsetEncoder } from '../dicom';
import { Tag, Tags, parseTag, formatTag } from '../dicom';
import { VR } from '../dicom';
import { scheduledProcedureStepKeys } from './query';
import { QueryModelName } from './query-models';

export type QueryLevelName = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export class QueryKeyError extends Error {
  override name = 'QueryKeyError';
}

/** Return keys asked for by default at each level, so a plain query shows something useful. */
export const DEFAULT_RETURN_KEYS: Record<QueryLevelName | 'WORKLIST', readonly string[]> = {
  PATIENT: ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'NumberOfPatientRelatedStudies'],
  STUDY: ['PatientName', 'PatientID', 'PatientBirthDate', 'StudyDate', 'StudyTime', 'AccessionNumber', 'ModalitiesInStudy',
    'StudyDescription', 'StudyInstanceUID', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances'],
  SERIES: ['StudyInstanceUID', 'Modality', 'SeriesNumber', 'SeriesDescription', 'SeriesInstanceUID', 'NumberOfSeriesRelatedInstances'],
  IMAGE: ['StudyInstanceUID', 'SeriesInstanceUID', 'InstanceNumber', 'SOPClassUID', 'SOPInstanceUID'],
  WORKLIST: ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'AccessionNumber', 'RequestedProcedureID',
    'RequestedProcedureDescription', 'StudyInstanceUID',
    'ScheduledProcedureStepSequence.Modality', 'ScheduledProcedureStepSequence.ScheduledStationAETitle',
    'ScheduledProcedureStepSequence.ScheduledProcedureStepStartDate', 'ScheduledProcedureStepSequence.ScheduledProcedureStepStartTime',
    'ScheduledProcedureStepSequence.ScheduledPerformingPhysicianName', 'ScheduledProcedureStepSequence.ScheduledProcedureStepDescription',
    'ScheduledProcedureStepSequence.ScheduledProcedureStepID'],
};

// Built on first use: naming the keywords reads the dictionary, which start-up should not pay for.
let spsKeywords: Set<string | undefined> | undefined;
const scheduledStepKeywords = () => (spsKeywords ??= new Set(scheduledProcedureStepKeys().map((k) => keywordOf(k.tag))));

export function resolveKey(name: string): Tag {
  const t = tagForKeyword(name) ?? parseTag(name);
  if (t === undefined) throw new QueryKeyError(`"${name}" is neither a DICOM keyword nor a tag like 0010,0010`);
  return t;
}

/** Parses "Key=value" (value may be empty: a return key). */
export function parseKeyValue(text: string): { path: string; value: string } {
  const eq = text.indexOf('=');
  if (eq === 0) throw new QueryKeyError(`"${text}" has no key before "="`);
  return eq < 0 ? { path: text.trim(), value: '' } : { path: text.slice(0, eq).trim(), value: text.slice(eq + 1) };
}

function vrOf(t: Tag): VR {
  const vr = dictionaryVr(t) as VR | undefined;
  if (!vr) throw new QueryKeyError(`the VR of ${formatTag(t)} is unknown (private tags cannot be query keys here)`);
  return vr.includes(' or ') ? (vr.split(' or ')[0] as VR) : vr;
}

function setKey(ds: Dataset, path: string[], value: string, encode: ReturnType<typeof charsetEncoder>): void {
  const t = resolveKey(path[0]);
  const vr = vrOf(t);
  if (path.length === 1) {
    if (vr === 'SQ') {
      if (value) throw new QueryKeyError(`${path[0]} is a sequence: give keys inside it as ${path[0]}.Keyword=value`);
      if (!ds.has(t)) ds.set(t, 'SQ', [new Dataset()]);
      return;
    }
    ds.set(t, vr, value === '' ? null : value.includes('\\') && vr !== 'LT' && vr !== 'ST' && vr !== 'UT' ? value.split('\\') : value, encode);
    return;
  }
  if (vr !== 'SQ') throw new QueryKeyError(`${path[0]} is not a sequence`);
  let item = ds.items(t)?.[0];
  if (!item) {
    item = new Dataset();
    ds.set(t, 'SQ', [item]);
  }
  setKey(item, path.slice(1), value, encode);
}

export interface IdentifierOptions {
  model: QueryModelName;
  /** Not for worklists. */
  level?: QueryLevelName;
  /** Add the default return keys of the level (default true). */
  defaultKeys?: boolean;
}

/**
 * An identifier from "Key=value" pairs. Text that is not plain ASCII makes the identifier UTF-8
 * (Specific Character Set ISO_IR 192).
 */
export function buildIdentifier(pairs: readonly string[] | Record<string, string>, options: IdentifierOptions): Dataset {
  const list = Array.isArray(pairs) ? pairs.map(parseKeyValue) : Object.entries(pairs).map(([path, value]) => ({ path, value }));
  const worklist = options.model === 'worklist';
  const level = worklist ? 'WORKLIST' : options.level ?? 'STUDY';
  const defaults = options.defaultKeys === false ? [] : DEFAULT_RETURN_KEYS[level];
  const nonAscii = list.some((p) => /[^\x00-\x7f]/.test(p.value));
  const charset = nonAscii ? ['ISO_IR 192'] : undefined;
  const encode = charsetEncoder(charset);
  const ds = new Dataset();
  if (charset) ds.set(Tags.SpecificCharacterSet, 'CS', charset[0]);
  if (!worklist) ds.set(Tags.QueryRetrieveLevel, 'CS', level);
  const all = [...defaults.map((path) => ({ path, value: '' })), ...list];
  const explicit = new Set(list.map((p) => p.path));
  for (const { path, value } of all) {
    if (!explicit.has(path) && value === '' && defaults.includes(path) && list.some((p) => normalise(p.path, worklist) === normalise(path, worklist))) continue;
    setKey(ds, normalise(path, worklist).split('.'), value, encode);
  }
  return ds;
}

/** Worklist Scheduled Procedure Step keys given at top level go inside the sequence. */
function normalise(path: string, worklist: boolean): string {
  return worklist && scheduledStepKeywords().has(path) ? `ScheduledProcedureStepSequence.${path}` : path;
}

/**
 * A data set from "Key=value" pairs as they are (no query level, no return keys): the attribute
 * lists of N-CREATE and N-SET. Text that is not plain ASCII makes it UTF-8 (ISO_IR 192).
 */
export function datasetFromKeys(pairs: readonly string[]): Dataset {
  const list = pairs.map(parseKeyValue);
  const charset = list.some((p) => /[^\x00-\x7f]/.test(p.value)) ? ['ISO_IR 192'] : undefined;
  const encode = charsetEncoder(charset);
  const ds = new Dataset();
  if (charset) ds.set(Tags.SpecificCharacterSet, 'CS', charset[0]);
  for (const { path, value } of list) {
    const parts = path.split('.');
    // "Sequence=" is an empty sequence here, not a return key asking for one item.
    if (parts.length === 1 && value === '' && vrOf(resolveKey(parts[0])) === 'SQ') ds.set(resolveKey(parts[0]), 'SQ', []);
    else setKey(ds, parts, value, encode);
  }
  return ds;
}
