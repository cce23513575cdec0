// Query matches (DICOM JSON, PS3.18 F.2) → the rows of the results panel, the UIDs they name, and
// their export as CSV. No vscode here: the logic is tested in plain Node.

import type { ColumnKind, QueryColumn, QueryLevelName } from '../../shared';

/** One match in the DICOM JSON model. */
export type DicomJsonObject = Record<string, { vr?: string; Value?: unknown[]; InlineBinary?: string; BulkDataURI?: string } | undefined>;

const col = (key: string, label: string, kind: ColumnKind = 'text'): QueryColumn => ({ key, label, kind });

const PATIENT_NAME = col('00100010', 'Patient Name');
const PATIENT_ID = col('00100020', 'Patient ID');
const BIRTH_DATE = col('00100030', 'Birth Date', 'date');
const STUDY_DATE = col('00080020', 'Study Date', 'date');
const STUDY_TIME = col('00080030', 'Study Time', 'time');
const ACCESSION = col('00080050', 'Accession');
const STUDY_UID = col('0020000D', 'Study Instance UID', 'uid');
const SERIES_UID = col('0020000E', 'Series Instance UID', 'uid');

export const DEFAULT_COLUMNS: Readonly<Record<QueryLevelName, readonly QueryColumn[]>> = {
  PATIENT: [PATIENT_NAME, PATIENT_ID, BIRTH_DATE, col('00100040', 'Sex'), col('00201200', 'Studies', 'number'), col('00201202', 'Series', 'number'), col('00201204', 'Instances', 'number')],
  STUDY: [
    PATIENT_NAME, PATIENT_ID, BIRTH_DATE, STUDY_DATE, STUDY_TIME, ACCESSION, col('00080061', 'Modalities'),
    col('00081030', 'Description'), col('00201206', 'Series', 'number'), col('00201208', 'Instances', 'number'), STUDY_UID,
  ],
  SERIES: [
    col('00080060', 'Modality'), col('00200011', 'Number', 'number'), col('0008103E', 'Description'), col('00080021', 'Series Date', 'date'),
    col('00201209', 'Instances', 'number'), SERIES_UID, STUDY_UID,
  ],
  IMAGE: [col('00200013', 'Number', 'number'), col('00080016', 'SOP Class', 'uid'), col('00080018', 'SOP Instance UID', 'uid'), SERIES_UID, STUDY_UID],
  WORKLIST: [
    PATIENT_NAME, PATIENT_ID, BIRTH_DATE, ACCESSION, col('00400100.00080060', 'Modality'), col('00400100.00400001', 'Station AE'),
    col('00400100.00400002', 'Scheduled Date', 'date'), col('00400100.00400003', 'Scheduled Time', 'time'),
    col('00321060', 'Requested Procedure'), STUDY_UID,
  ],
};

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    // Person names: the alphabetic group, else the ideographic or phonetic one.
    const pn = v as Record<string, unknown>;
    const text = pn.Alphabetic ?? pn.Ideographic ?? pn.Phonetic;
    return typeof text === 'string' ? text : '';
  }
  return String(v);
}

function attributeAt(match: DicomJsonObject, key: string): { vr?: string; Value?: unknown[] } | undefined {
  const path = key.split('.');
  let obj: DicomJsonObject | undefined = match;
  for (let i = 0; i < path.length; i++) {
    const attr: { vr?: string; Value?: unknown[] } | undefined = obj?.[path[i]!];
    if (!attr) return undefined;
    if (i === path.length - 1) return attr;
    const first: unknown = attr.Value?.[0];
    obj = first && typeof first === 'object' ? first as DicomJsonObject : undefined;
  }
  return undefined;
}

/** The raw text of an attribute: values joined with "\" (DICOM's separator). */
export function rawText(match: DicomJsonObject, key: string): string {
  return (attributeAt(match, key)?.Value ?? []).map(valueText).join('\\');
}

/** "20240131" → "2024-01-31"; "143015.123" → "14:30:15.123"; anything else unchanged. */
export function displayText(raw: string, kind: ColumnKind): string {
  if (kind === 'date' && /^\d{8}$/.test(raw)) return `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6)}`;
  if (kind === 'time') {
    const m = /^(\d{2})(\d{2})?(\d{2})?(\.\d+)?$/.exec(raw.trim());
    if (m) return [m[1], m[2], m[3]].filter(Boolean).join(':') + (m[4] ?? '');
  }
  return raw.replace(/\\/g, kind === 'text' ? ', ' : '\\');
}

export function cellsOf(match: DicomJsonObject, columns: readonly QueryColumn[]): string[] {
  return columns.map((c) => displayText(rawText(match, c.key), c.kind));
}

/** What a row names, for Retrieve / Open / Copy UIDs. */
export interface RowScope {
  level: QueryLevelName;
  studyInstanceUid: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  patientId?: string;
}

export function scopeOf(match: DicomJsonObject, level: QueryLevelName): RowScope {
  const scope: RowScope = { level, studyInstanceUid: rawText(match, '0020000D') };
  const series = rawText(match, '0020000E');
  const sop = rawText(match, '00080018');
  const patient = rawText(match, '00100020');
  if (series && (level === 'SERIES' || level === 'IMAGE')) scope.seriesInstanceUid = series;
  if (sop && level === 'IMAGE') scope.sopInstanceUid = sop;
  if (patient) scope.patientId = patient;
  return scope;
}

/** The identifying UID of each row (instance, series or study), one per line. */
export function uidsText(scopes: readonly RowScope[]): string {
  return scopes.map((s) => s.sopInstanceUid ?? s.seriesInstanceUid ?? (s.studyInstanceUid || s.patientId || '')).filter(Boolean).join('\n');
}

function csvField(s: string): string {
  // Quote when needed; a leading =, +, - or @ would be a formula in a spreadsheet, so it gets a quote mark.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV with a header of column labels; raw DICOM values (dates as YYYYMMDD). */
export function toCsv(columns: readonly QueryColumn[], matches: readonly DicomJsonObject[]): string {
  const lines = [columns.map((c) => csvField(c.label)).join(',')];
  for (const m of matches) lines.push(columns.map((c) => csvField(rawText(m, c.key))).join(','));
  return lines.join('\r\n') + '\r\n';
}
