// QIDO-RS requests (PS3.18 10.6, query parameters 8.3.4) as C-FIND identifiers, and back.
//
// Server side: the resource path gives the query level and the UIDs above it; each
// `{attributeID}={value}` becomes a match key, each includefield a return key, and the default
// return attributes of the level (Tables 10.6.3-3, -4 and -5) are added as return keys. Values
// keep DICOM's matching syntax (wildcards, ranges, UID lists); the matching itself lives in
// src/services. Retrieve URL (0008,1190) is a response attribute the origin server builds; it
// is listed among the defaults but never put in an identifier.
//
// Query strings are read with URLSearchParams, i.e. as application/x-www-form-urlencoded: "+"
// is a space, and a literal plus sign must come as %2B (as URLSearchParams and
// encodeURIComponent write it).

import { Dataset } from '../dicom';
import { dictionaryVr, keywordOf, tagForKeyword } from '../dicom';
import { DicomError } from '../dicom';
import { charsetDecoder } from '../dicom';
import { formatTag, formatTagHex, isGroupLength, type Tag } from '../dicom';
import { isValidUid } from '../dicom';

export type QidoLevel = 'STUDY' | 'SERIES' | 'IMAGE';

/** A QIDO-RS target resource: the level searched and the UIDs the path fixes. */
export interface QidoResource {
  level: QidoLevel;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
}

/** Tags from the top-level dataset down: [sequence, …, attribute]. */
export type AttributePath = Tag[];

/** A QIDO-RS request that cannot be served as given; `status` is the HTTP status to answer with. */
export class QidoParamError extends DicomError {
  constructor(message: string, readonly status: 400 | 404 = 400, readonly parameter?: string) {
    super(message);
  }
}

export interface QidoQuery {
  resource: QidoResource;
  /** Match keys with their values, return keys empty, Query/Retrieve Level and the path's UIDs set. */
  identifier: Dataset;
  /** The includefield attributes as requested (without "all"). */
  includeFields: AttributePath[];
  /** includefield=all was given. */
  includeAll: boolean;
  fuzzyMatching: boolean;
  emptyValueMatching: boolean;
  multipleValueMatching: boolean;
  limit?: number;
  offset: number;
  /** The `accept` and `charset` query parameters (PS3.18 8.3.3), when given. */
  accept?: string;
  charset?: string;
}

export interface ParseQidoOptions {
  /** Add the level's default return attributes to the identifier (default true). */
  includeDefaults?: boolean;
}

const T = {
  SpecificCharacterSet: 0x00080005,
  SOPInstanceUID: 0x00080018,
  QueryRetrieveLevel: 0x00080052,
  RetrieveURL: 0x00081190,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
} as const;

const MAX_VALUE_LENGTH = 4096;
const MAX_PATH_DEPTH = 8;

// --- the default return attributes (PS3.18 Tables 10.6.3-3, 10.6.3-4, 10.6.3-5) --------------

export const QIDO_DEFAULT_ATTRIBUTES: Readonly<Record<QidoLevel, readonly string[]>> = {
  STUDY: [
    'StudyDate', 'StudyTime', 'AccessionNumber', 'InstanceAvailability', 'ModalitiesInStudy',
    'ReferringPhysicianName', 'TimezoneOffsetFromUTC', 'RetrieveURL', 'PatientName', 'PatientID',
    'PatientBirthDate', 'PatientSex', 'StudyInstanceUID', 'StudyID', 'NumberOfStudyRelatedSeries',
    'NumberOfStudyRelatedInstances',
  ],
  SERIES: [
    'Modality', 'TimezoneOffsetFromUTC', 'SeriesDescription', 'RetrieveURL', 'SeriesInstanceUID',
    'SeriesNumber', 'NumberOfSeriesRelatedInstances', 'PerformedProcedureStepStartDate',
    'PerformedProcedureStepStartTime', 'RequestAttributesSequence.ScheduledProcedureStepID',
    'RequestAttributesSequence.RequestedProcedureID',
  ],
  IMAGE: [
    'SOPClassUID', 'SOPInstanceUID', 'InstanceAvailability', 'TimezoneOffsetFromUTC', 'RetrieveURL',
    'InstanceNumber', 'Rows', 'Columns', 'BitsAllocated', 'NumberOfFrames',
  ],
};

/**
 * The attributes a response for this resource carries by default: the level's table, plus the
 * study (and series) tables when the path does not fix the study (series): "all series" and
 * "all instances" responses describe their parents too (PS3.18 10.6.3.3.2 and 10.6.3.3.3).
 */
export function defaultReturnAttributes(resource: QidoResource | QidoLevel): AttributePath[] {
  const r: QidoResource = typeof resource === 'string' ? { level: resource } : resource;
  const names = [...QIDO_DEFAULT_ATTRIBUTES[r.level]];
  if (r.level === 'IMAGE' && r.seriesInstanceUID === undefined) names.push(...QIDO_DEFAULT_ATTRIBUTES.SERIES);
  if (r.level !== 'STUDY' && r.studyInstanceUID === undefined) names.push(...QIDO_DEFAULT_ATTRIBUTES.STUDY);
  const seen = new Set<string>();
  const out: AttributePath[] = [];
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(parseAttributePath(name));
  }
  return out;
}

// --- resource paths ---------------------------------------------------------------------------

function pathUid(segment: string, what: string): string {
  if (!isValidUid(segment)) {
    throw new QidoParamError(`The ${what} ${JSON.stringify(segment.slice(0, 80))} in the path is not a valid UID.`, 400);
  }
  return segment;
}

/**
 * Reads a QIDO-RS resource path relative to the service root: /studies, /series, /instances,
 * /studies/{study}/series, /studies/{study}/instances, /studies/{study}/series/{series}/instances.
 * @throws QidoParamError: 400 for a bad UID or junk segment, 404 for a path that names no search resource.
 */
export function parseQidoPath(path: string): QidoResource {
  if (typeof path !== 'string' || path.length > 512) throw new QidoParamError('The resource path is missing or too long.', 400);
  if (path.includes('?') || path.includes('#')) throw new QidoParamError('The resource path must not hold a query or fragment.', 400);
  let p = path.startsWith('/') ? path.slice(1) : path;
  if (p.endsWith('/')) p = p.slice(0, -1);
  const s = p.split('/');
  for (const segment of s) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new QidoParamError(`The resource path ${JSON.stringify(path.slice(0, 120))} has an empty, "." or ".." segment.`, 400);
    }
  }
  const noSuch = () => new QidoParamError(`The path ${JSON.stringify(path.slice(0, 120))} is not a QIDO-RS search resource.`, 404);
  switch (s.length) {
    case 1:
      if (s[0] === 'studies') return { level: 'STUDY' };
      if (s[0] === 'series') return { level: 'SERIES' };
      if (s[0] === 'instances') return { level: 'IMAGE' };
      throw noSuch();
    case 3:
      if (s[0] !== 'studies' || (s[2] !== 'series' && s[2] !== 'instances')) throw noSuch();
      return { level: s[2] === 'series' ? 'SERIES' : 'IMAGE', studyInstanceUID: pathUid(s[1], 'Study Instance UID') };
    case 5:
      if (s[0] !== 'studies' || s[2] !== 'series' || s[4] !== 'instances') throw noSuch();
      return {
        level: 'IMAGE',
        studyInstanceUID: pathUid(s[1], 'Study Instance UID'),
        seriesInstanceUID: pathUid(s[3], 'Series Instance UID'),
      };
    default:
      throw noSuch();
  }
}

/** The resource path of a search, e.g. `/studies/1.2.3/series`. */
export function qidoPath(resource: QidoResource): string {
  const uid = (u: string) => {
    if (!isValidUid(u)) throw new QidoParamError(`${JSON.stringify(u.slice(0, 80))} is not a valid UID.`, 400);
    return u;
  };
  const { level, studyInstanceUID: study, seriesInstanceUID: series } = resource;
  if (series !== undefined && (level !== 'IMAGE' || study === undefined)) {
    throw new QidoParamError('A series UID in the path needs the study UID and the instance level.', 400);
  }
  if (level === 'STUDY') {
    if (study !== undefined) throw new QidoParamError('A study search cannot be restricted to a study in the path.', 400);
    return '/studies';
  }
  const leaf = level === 'SERIES' ? 'series' : 'instances';
  if (study === undefined) return `/${leaf}`;
  if (series === undefined) return `/studies/${uid(study)}/${leaf}`;
  return `/studies/${uid(study)}/series/${uid(series)}/instances`;
}

// --- attribute paths --------------------------------------------------------------------------

function resolveAttributeId(id: string, whole: string): Tag {
  if (/^[0-9A-Fa-f]{8}$/.test(id)) return parseInt(id, 16) >>> 0;
  if (/^[A-Za-z][A-Za-z0-9]*$/.test(id)) {
    const t = tagForKeyword(id);
    if (t !== undefined) return t;
    throw new QidoParamError(`"${id}" is not a DICOM keyword (in the query parameter ${JSON.stringify(whole.slice(0, 100))}).`, 400, whole);
  }
  throw new QidoParamError(`"${id.slice(0, 60)}" is neither a keyword nor eight hex digits (in the query parameter ${JSON.stringify(whole.slice(0, 100))}).`, 400, whole);
}

/** VR for a query key; the dictionary's ambiguous codes resolved as a query would see them. */
function queryVr(t: Tag): string {
  const vr = dictionaryVr(t);
  switch (vr) {
    case 'xs': return 'US';
    case 'ox': return 'OB';
    case 'lt': return 'OW';
    case 'up': return 'UL';
    default: return vr;
  }
}

function checkQueryable(t: Tag, whole: string): void {
  const group = t >>> 16;
  if (group === 0x0000 || group === 0x0002 || group === 0xfffe || isGroupLength(t) || t === T.QueryRetrieveLevel) {
    throw new QidoParamError(`${formatTag(t)} cannot be a QIDO-RS query key (parameter ${JSON.stringify(whole.slice(0, 100))}).`, 400, whole);
  }
}

/**
 * Reads an attribute ID: a keyword ("PatientName"), eight hex digits ("00100010"), or a dotted
 * path through sequences ("ScheduledProcedureStepSequence.Modality").
 * @throws QidoParamError (400) for an unknown keyword, a bad tag or a non-sequence inside a path.
 */
export function parseAttributePath(text: string): AttributePath {
  if (text.length === 0 || text.length > 512) throw new QidoParamError('An attribute ID is empty or too long.', 400, text);
  const ids = text.split('.');
  if (ids.length > MAX_PATH_DEPTH) throw new QidoParamError(`The attribute path ${JSON.stringify(text.slice(0, 100))} is nested more than ${MAX_PATH_DEPTH} deep.`, 400, text);
  const path = ids.map((id) => resolveAttributeId(id, text));
  path.forEach((t, i) => {
    checkQueryable(t, text);
    if (i < path.length - 1 && queryVr(t) !== 'SQ') {
      throw new QidoParamError(`${formatTag(t)} ${keywordOf(t) ?? ''} in ${JSON.stringify(text.slice(0, 100))} is not a sequence, so it cannot be followed by ".".`.replace('  ', ' '), 400, text);
    }
  });
  return path;
}

/** Writes an attribute path with keywords where the dictionary has them, else eight hex digits. */
export function formatAttributePath(path: AttributePath): string {
  return path.map((t) => keywordOf(t) ?? formatTagHex(t)).join('.');
}

// --- values -----------------------------------------------------------------------------------

const NUMERIC_VRS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV']);
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const CHARSET_VRS = new Set(['PN', 'LO', 'SH', 'LT', 'ST', 'UT', 'UC']);

interface KeyValue {
  vr: string;
  value: string | number[] | null;
}

function matchValue(t: Tag, raw: string, whole: string): KeyValue {
  const vr = queryVr(t);
  const name = keywordOf(t) ?? formatTagHex(t);
  const bad = (why: string) => new QidoParamError(`The value ${JSON.stringify(raw.slice(0, 80))} of ${name} ${why}.`, 400, whole);
  if (raw.length > MAX_VALUE_LENGTH) throw bad(`is longer than ${MAX_VALUE_LENGTH} characters`);
  if (/[\x00-\x1f\x7f]/.test(raw)) throw bad('holds a control character');
  if (raw === '') return { vr, value: null };
  if (vr === 'SQ') throw bad('cannot match a sequence; match its attributes with a dotted path such as Sequence.Keyword=value');
  if (BINARY_VRS.has(vr) || vr === 'na') throw bad(`cannot be matched: ${name} has VR ${vr}`);
  if (NUMERIC_VRS.has(vr)) {
    const numbers = raw.split(/[,\\]/).map((s) => s.trim());
    const integer = vr !== 'FL' && vr !== 'FD';
    if (!numbers.every((s) => (integer ? /^[+-]?\d{1,20}$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/).test(s))) {
      throw bad(`is not ${integer ? 'an integer' : 'a number'} (VR ${vr})`);
    }
    return { vr, value: numbers.map(Number) };
  }
  if (vr === 'UI') {
    const uids = raw.split(/[,\\]/).map((s) => s.trim());
    if (uids.length === 1 && uids[0] === '*') return { vr, value: null };
    const wrong = uids.find((u) => !isValidUid(u));
    if (wrong !== undefined) throw bad(`holds ${JSON.stringify(wrong.slice(0, 70))}, which is not a UID`);
    return { vr, value: uids.join('\\') };
  }
  if (vr === 'DA' || vr === 'TM' || vr === 'DT') {
    if (!/^[0-9.+\- ]*$/.test(raw)) throw bad(`is not a ${vr} value or range`);
  }
  if (vr === 'AT' && !/^[0-9A-Fa-f]{8}(\\[0-9A-Fa-f]{8})*$/.test(raw)) throw bad('is not a list of tags as eight hex digits');
  return { vr, value: raw };
}

const utf8Encoder = (text: string) => Buffer.from(text, 'utf8');

/** The item of the sequence at `tag` in `ds` that a dotted path writes into, created if absent. */
function itemOf(ds: Dataset, tag: Tag): Dataset {
  const items = ds.items(tag);
  if (items && items.length > 0) return items[0];
  const item = new Dataset();
  ds.set(tag, 'SQ', [item]);
  return item;
}

function setAt(identifier: Dataset, path: AttributePath, kv: KeyValue, overwrite: boolean): void {
  let ds = identifier;
  for (const t of path.slice(0, -1)) ds = itemOf(ds, t);
  const leaf = path[path.length - 1];
  if (!overwrite && ds.has(leaf)) return;
  if (kv.vr === 'SQ') {
    if (!ds.has(leaf)) ds.set(leaf, 'SQ', []);
    return;
  }
  const value = kv.value;
  if (value === null) {
    ds.set(leaf, kv.vr, null);
  } else if (typeof value === 'string') {
    const unicode = /[^\x00-\x7f]/.test(value);
    ds.set(leaf, kv.vr, value, unicode && CHARSET_VRS.has(kv.vr) ? utf8Encoder : undefined);
  } else {
    ds.set(leaf, kv.vr, value);
  }
}

// --- parsing a request ------------------------------------------------------------------------

const RESERVED = new Set(['includefield', 'fuzzymatching', 'emptyvaluematching', 'multiplevaluematching', 'limit', 'offset', 'accept', 'charset']);

function flag(name: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new QidoParamError(`The parameter ${name} must be true or false, not ${JSON.stringify(value.slice(0, 40))}.`, 400, name);
}

function count(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) {
    throw new QidoParamError(`The parameter ${name} must be a whole number from 0 to 999999999, not ${JSON.stringify(value.slice(0, 40))}.`, 400, name);
  }
  return Number(value);
}

/**
 * Turns a QIDO-RS request into a C-FIND identifier and the search options.
 * @param path the resource path relative to the service root, e.g. "/studies/1.2.3/series"
 * @param query the query string (with or without "?") or its URLSearchParams
 * @throws QidoParamError (400, or 404 for a path that is no search resource) with one sentence.
 */
export function parseQidoRequest(path: string, query: string | URLSearchParams, opts: ParseQidoOptions = {}): QidoQuery {
  const resource = parseQidoPath(path);
  const params = typeof query === 'string' ? new URLSearchParams(query.startsWith('?') ? query.slice(1) : query) : query;
  const identifier = new Dataset();
  const includeFields: AttributePath[] = [];
  const seenKeys = new Set<string>();
  const seenOptions = new Set<string>();
  const out: Omit<QidoQuery, 'identifier' | 'resource' | 'includeFields'> = {
    includeAll: false, fuzzyMatching: false, emptyValueMatching: false, multipleValueMatching: false, offset: 0,
  };
  let unicode = false;

  let n = 0;
  for (const [rawName, value] of params) {
    if (++n > 1000) throw new QidoParamError('The query has more than 1000 parameters.', 400);
    const lower = rawName.toLowerCase();
    if (RESERVED.has(lower)) {
      if (lower === 'includefield') {
        for (const item of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
          if (item.toLowerCase() === 'all') out.includeAll = true;
          else includeFields.push(parseAttributePath(item));
        }
        continue;
      }
      if (seenOptions.has(lower)) throw new QidoParamError(`The parameter ${lower} is given more than once.`, 400, lower);
      seenOptions.add(lower);
      switch (lower) {
        case 'fuzzymatching': out.fuzzyMatching = flag(lower, value); break;
        case 'emptyvaluematching': out.emptyValueMatching = flag(lower, value); break;
        case 'multiplevaluematching': out.multipleValueMatching = flag(lower, value); break;
        case 'limit': out.limit = count(lower, value); break;
        case 'offset': out.offset = count(lower, value); break;
        case 'accept': out.accept = value; break;
        case 'charset': out.charset = value; break;
      }
      continue;
    }
    const attributePath = parseAttributePath(rawName);
    const key = attributePath.map(formatTagHex).join('.');
    if (seenKeys.has(key)) {
      throw new QidoParamError(`The attribute ${rawName} is given more than once; give a list of UIDs as one comma-separated value.`, 400, rawName);
    }
    seenKeys.add(key);
    const kv = matchValue(attributePath[attributePath.length - 1], value, rawName);
    if (typeof kv.value === 'string' && /[^\x00-\x7f]/.test(kv.value) && CHARSET_VRS.has(kv.vr)) unicode = true;
    setAt(identifier, attributePath, kv, true);
  }

  // The path's UIDs are match keys too; a query that contradicts them cannot match anything.
  const fixed: Array<[Tag, string | undefined, string]> = [
    [T.StudyInstanceUID, resource.studyInstanceUID, 'StudyInstanceUID'],
    [T.SeriesInstanceUID, resource.seriesInstanceUID, 'SeriesInstanceUID'],
  ];
  for (const [tag, uid, name] of fixed) {
    if (uid === undefined) continue;
    const given = identifier.string(tag);
    if (given !== undefined && given !== '' && given !== uid) {
      throw new QidoParamError(`The query parameter ${name}=${given} contradicts the UID ${uid} in the path.`, 400, name);
    }
    identifier.set(tag, 'UI', uid);
  }
  identifier.set(T.QueryRetrieveLevel, 'CS', resource.level);
  if (unicode) identifier.set(T.SpecificCharacterSet, 'CS', 'ISO_IR 192');

  const returnKeys = [...includeFields];
  if (opts.includeDefaults !== false) returnKeys.push(...defaultReturnAttributes(resource));
  const uniqueKey = resource.level === 'STUDY' ? T.StudyInstanceUID : resource.level === 'SERIES' ? T.SeriesInstanceUID : T.SOPInstanceUID;
  returnKeys.push([uniqueKey]);
  for (const p of returnKeys) {
    if (p.length === 1 && p[0] === T.RetrieveURL) continue;
    setAt(identifier, p, { vr: queryVr(p[p.length - 1]), value: null }, false);
  }
  return { resource, identifier, includeFields, ...out };
}

// --- the client side: keys to query parameters -------------------------------------------------

export interface QidoSearchOptions {
  /** Attribute IDs (keywords, hex tags, dotted paths, or tag numbers) to return, or 'all'. */
  includeFields?: ReadonlyArray<string | Tag> | 'all';
  fuzzyMatching?: boolean;
  emptyValueMatching?: boolean;
  multipleValueMatching?: boolean;
  limit?: number;
  offset?: number;
}

/** Keys as a dataset (an identifier) or as attribute IDs to values; empty or null = return key. */
export type QidoKeys = Dataset | Readonly<Record<string, string | null | undefined>>;

function keysFromDataset(ds: Dataset, prefix: string, out: Array<[string, string]>, includes: string[], depth: number): void {
  if (depth > MAX_PATH_DEPTH) throw new QidoParamError(`The keys are nested more than ${MAX_PATH_DEPTH} sequences deep.`, 400);
  const decode = charsetDecoder(ds.strings(T.SpecificCharacterSet) ?? []);
  for (const el of ds.elements()) {
    const t = el.tag;
    if (t === T.QueryRetrieveLevel || t === T.SpecificCharacterSet || isGroupLength(t)) continue;
    const name = prefix + (keywordOf(t) ?? formatTagHex(t));
    if (el.items) {
      if (el.items.length > 1) throw new QidoParamError(`${name} has ${el.items.length} items; a QIDO-RS query can express one.`, 400, name);
      if (el.items.length === 0 || el.items[0].size === 0) includes.push(name);
      else keysFromDataset(el.items[0], `${name}.`, out, includes, depth + 1);
      continue;
    }
    const text = el.vr === 'AT'
      ? (ds.numbers(t) ?? []).map(formatTagHex).join('\\')
      : ds.string(t, (bytes, vr) => decode(bytes, vr)) ?? '';
    if (text === '') includes.push(name);
    else out.push([name, el.vr === 'UI' ? text.split('\\').map((s) => s.trim()).join(',') : text]);
  }
}

/**
 * Query parameters for a QIDO-RS search: each key with a value becomes `{attributeID}={value}`
 * (UID lists comma-separated), each empty key an includefield. Parameter names are keywords
 * where the dictionary has them, else eight hex digits.
 * @throws QidoParamError for an attribute ID that is not valid.
 */
export function qidoSearchParams(keys: QidoKeys, opts: QidoSearchOptions = {}): URLSearchParams {
  const matches: Array<[string, string]> = [];
  const includes: string[] = [];
  if (keys instanceof Dataset) {
    keysFromDataset(keys, '', matches, includes, 0);
  } else {
    for (const [id, value] of Object.entries(keys)) {
      if (value === undefined) continue;
      const name = formatAttributePath(parseAttributePath(id));
      if (value === null || value === '') includes.push(name);
      else matches.push([name, value]);
    }
  }
  if (opts.includeFields === 'all') {
    includes.splice(0, includes.length, 'all');
  } else {
    for (const f of opts.includeFields ?? []) {
      includes.push(typeof f === 'number' ? formatAttributePath([f]) : formatAttributePath(parseAttributePath(f)));
    }
  }
  const params = new URLSearchParams();
  for (const [name, value] of matches) params.append(name, value);
  for (const name of new Set(includes)) params.append('includefield', name);
  if (opts.fuzzyMatching !== undefined) params.append('fuzzymatching', String(opts.fuzzyMatching));
  if (opts.emptyValueMatching !== undefined) params.append('emptyvaluematching', String(opts.emptyValueMatching));
  if (opts.multipleValueMatching !== undefined) params.append('multiplevaluematching', String(opts.multipleValueMatching));
  for (const [name, n] of [['limit', opts.limit], ['offset', opts.offset]] as const) {
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 0 || n > 999_999_999) throw new QidoParamError(`${name} must be a whole number from 0 to 999999999.`, 400, name);
    params.append(name, String(n));
  }
  return params;
}
