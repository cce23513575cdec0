// Modality Performed Procedure Step (PS3.4 Annex F): the SOP classes, and the attribute rules of
// Table F.7.2-1 an SCP holds N-CREATE and N-SET to (what must be there at create, what may be
// set afterwards, what the final state needs), with the status each violation is answered with.
import { DataElement, Dataset } from '../dicom';
import { keywordOf, tagForKeyword } from '../dicom';
import { formatTag } from '../dicom';
import { Uids, isValidUid } from '../dicom';
import { Status } from '../dimse';

export const MPPS_SOP_CLASS = Uids.ModalityPerformedProcedureStep;
export const MPPS_RETRIEVE_SOP_CLASS = '1.2.840.10008.3.1.2.3.4';

export const MppsStatus = { InProgress: 'IN PROGRESS', Completed: 'COMPLETED', Discontinued: 'DISCONTINUED' } as const;
export type MppsStatusValue = typeof MppsStatus[keyof typeof MppsStatus];
const STATUS_VALUES: readonly string[] = Object.values(MppsStatus);

export function isFinalStatus(status: string | undefined): boolean {
  return status === MppsStatus.Completed || status === MppsStatus.Discontinued;
}

/** The N-SET refusal on a final instance (Table F.7.2-2). */
export const NO_LONGER_UPDATABLE = { status: Status.ProcessingFailure, errorComment: 'Performed Procedure Step Object may no longer be updated', errorId: 0xa710 } as const;

type Requirement = '1' | '2';
type Rule = readonly [keyword: string, requirement: Requirement];

/** Top-level attributes N-CREATE must carry (type 1: with a value; type 2: present, may be empty). */
const CREATE_ATTRIBUTES: readonly Rule[] = [
  ['ScheduledStepAttributesSequence', '1'],
  ['PatientName', '2'], ['PatientID', '2'], ['PatientBirthDate', '2'], ['PatientSex', '2'], ['ReferencedPatientSequence', '2'],
  ['PerformedProcedureStepID', '1'], ['PerformedStationAETitle', '1'], ['PerformedStationName', '2'], ['PerformedLocation', '2'],
  ['PerformedProcedureStepStartDate', '1'], ['PerformedProcedureStepStartTime', '1'], ['PerformedProcedureStepStatus', '1'],
  ['PerformedProcedureStepDescription', '2'], ['PerformedProcedureTypeDescription', '2'], ['ProcedureCodeSequence', '2'],
  ['PerformedProcedureStepEndDate', '2'], ['PerformedProcedureStepEndTime', '2'],
  ['Modality', '1'], ['StudyID', '2'], ['PerformedProtocolCodeSequence', '2'], ['PerformedSeriesSequence', '2'],
];

const SCHEDULED_STEP_ITEM: readonly Rule[] = [
  ['StudyInstanceUID', '1'], ['ReferencedStudySequence', '2'], ['AccessionNumber', '2'], ['RequestedProcedureID', '2'],
  ['RequestedProcedureDescription', '2'], ['ScheduledProcedureStepID', '2'], ['ScheduledProcedureStepDescription', '2'],
  ['ScheduledProtocolCodeSequence', '2'],
];

const REFERENCE_ITEM: readonly Rule[] = [['ReferencedSOPClassUID', '1'], ['ReferencedSOPInstanceUID', '1']];

const PERFORMED_SERIES_ITEM: readonly Rule[] = [
  ['PerformingPhysicianName', '2'], ['ProtocolName', '1'], ['OperatorsName', '2'], ['SeriesInstanceUID', '1'], ['SeriesDescription', '2'],
  ['RetrieveAETitle', '2'], ['ReferencedImageSequence', '2'], ['ReferencedNonImageCompositeSOPInstanceSequence', '2'],
];

/** Sequences whose items have their own rules, wherever they appear. */
const ITEM_RULES: ReadonlyMap<string, readonly Rule[]> = new Map([
  ['ScheduledStepAttributesSequence', SCHEDULED_STEP_ITEM],
  ['PerformedSeriesSequence', PERFORMED_SERIES_ITEM],
  ['ReferencedStudySequence', REFERENCE_ITEM],
  ['ReferencedPatientSequence', REFERENCE_ITEM],
  ['ReferencedImageSequence', REFERENCE_ITEM],
  ['ReferencedNonImageCompositeSOPInstanceSequence', REFERENCE_ITEM],
]);

/** Attributes Table F.7.2-1 marks "Not allowed" for N-SET (everything else may be set). */
const NOT_SETTABLE: ReadonlySet<string> = new Set([
  'SOPClassUID', 'SOPInstanceUID',
  'ScheduledStepAttributesSequence', 'PatientName', 'PatientID', 'IssuerOfPatientID', 'IssuerOfPatientIDQualifiersSequence',
  'OtherPatientIDsSequence', 'PatientBirthDate', 'PatientSex', 'ReferencedPatientSequence', 'AdmissionID', 'IssuerOfAdmissionIDSequence',
  'ServiceEpisodeID', 'IssuerOfServiceEpisodeIDSequence', 'ServiceEpisodeDescription',
  'PerformedProcedureStepID', 'PerformedStationAETitle', 'PerformedStationName', 'PerformedLocation',
  'PerformedProcedureStepStartDate', 'PerformedProcedureStepStartTime', 'Modality', 'StudyID',
]);

/** Attributes that must have a value once the step is COMPLETED or DISCONTINUED ("Final State" 1). */
const FINAL_STATE: readonly string[] = ['PerformedProcedureStepEndDate', 'PerformedProcedureStepEndTime', 'PerformedSeriesSequence'];

/** Largest value (characters) of the VRs checked for 0116 (PS3.5 Table 6.2-1). */
const MAX_LENGTH: Readonly<Record<string, number>> = { AE: 16, CS: 16, SH: 16, LO: 64, ST: 1024 };

export interface MppsViolation {
  status: number;
  errorComment: string;
  errorId?: number;
  /** Attribute Identifier List (0120, 0105): top-level tags. */
  attributeIdentifierList?: number[];
  /** The response data set (0106/0116: the values concerned; 0121: the attributes missing a value). */
  dataset?: Dataset;
}

export interface MppsCheck {
  /** The request is refused with this. */
  failure?: MppsViolation;
  /** The request is carried out, answered with this warning (0116). */
  warning?: MppsViolation;
}

function tagOf(keyword: string): number {
  return tagForKeyword(keyword)!;
}

function hasValue(ds: Dataset, keyword: string): boolean {
  const el = ds.get(keyword);
  if (!el) return false;
  if (el.items) return el.items.length > 0;
  if (!el.value) return false;
  // Padding alone is no value.
  return el.value.some((b) => b !== 0x20 && b !== 0x00);
}

function text(ds: Dataset, keyword: string): string | undefined {
  return ds.string(keyword)?.trim();
}

interface Finding {
  kind: 'missing' | 'empty';
  /** The top-level attribute the finding is under. */
  top: string;
  /** Where, as the command line writes keys: "ScheduledStepAttributesSequence[1].AccessionNumber". */
  path: string;
}

/** Missing and empty attributes of `ds` against `rules`, items of known sequences included. */
function findGaps(ds: Dataset, rules: readonly Rule[], top: string | undefined, prefix: string, out: Finding[], depth = 0): void {
  for (const [keyword, requirement] of rules) {
    const at = top ?? keyword;
    if (!ds.has(keyword)) out.push({ kind: 'missing', top: at, path: prefix + keyword });
    else if (requirement === '1' && !hasValue(ds, keyword)) out.push({ kind: 'empty', top: at, path: prefix + keyword });
  }
  if (depth < 4) findItemGaps(ds, top, prefix, out, depth);
}

function findItemGaps(ds: Dataset, top: string | undefined, prefix: string, out: Finding[], depth: number): void {
  for (const [sequence, itemRules] of ITEM_RULES) {
    ds.items(sequence)?.forEach((item, i) => findGaps(item, itemRules, top ?? sequence, `${prefix}${sequence}[${i + 1}].`, out, depth + 1));
  }
}

/** 0120 (N-CREATE only) for missing attributes, 0121 for attributes without the value they need. */
function gapViolation(gaps: Finding[], missingStatus: number, lead = ''): MppsViolation | undefined {
  const missing = gaps.filter((g) => g.kind === 'missing');
  const list = missing.length > 0 ? missing : gaps;
  if (list.length === 0) return undefined;
  const status = missing.length > 0 ? missingStatus : Status.MissingAttributeValue;
  const tops = [...new Set(list.map((g) => tagOf(g.top)))];
  const errorComment = `${lead || (missing.length > 0 ? 'missing ' : 'no value in ')}${list.map((g) => g.path).join(', ')}`;
  if (status !== Status.MissingAttributeValue) return { status, errorComment, attributeIdentifierList: tops };
  const dataset = new Dataset();
  for (const t of tops) dataset.set(t, null);
  return { status, errorComment, dataset };
}

const DA = /^\d{8}$/;
const TM = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;

/** Values that are not what their attribute allows: 0106 with them in the data set. */
function invalidValues(ds: Dataset, creating: boolean): MppsViolation | undefined {
  const bad: { keyword: string; reason: string }[] = [];
  const status = text(ds, 'PerformedProcedureStepStatus');
  if (ds.has('PerformedProcedureStepStatus')) {
    if (creating && status !== MppsStatus.InProgress) bad.push({ keyword: 'PerformedProcedureStepStatus', reason: `N-CREATE needs IN PROGRESS, not "${status ?? ''}"` });
    else if (!creating && !STATUS_VALUES.includes(status ?? '')) bad.push({ keyword: 'PerformedProcedureStepStatus', reason: `status "${status ?? ''}" is not IN PROGRESS, COMPLETED or DISCONTINUED` });
  }
  for (const keyword of ['PerformedProcedureStepStartDate', 'PerformedProcedureStepEndDate']) {
    const v = text(ds, keyword);
    if (v && !DA.test(v)) bad.push({ keyword, reason: `${keyword} "${v}" is not a date (YYYYMMDD)` });
  }
  for (const keyword of ['PerformedProcedureStepStartTime', 'PerformedProcedureStepEndTime']) {
    const v = text(ds, keyword);
    if (v && !TM.test(v)) bad.push({ keyword, reason: `${keyword} "${v}" is not a time (HHMMSS.FFFFFF)` });
  }
  const uidChecks: [string, string][] = [['ScheduledStepAttributesSequence', 'StudyInstanceUID'], ['PerformedSeriesSequence', 'SeriesInstanceUID']];
  for (const [sequence, keyword] of uidChecks) {
    ds.items(sequence)?.forEach((item, i) => {
      const v = text(item, keyword);
      if (v && !isValidUid(v)) bad.push({ keyword: sequence, reason: `${sequence}[${i + 1}].${keyword} "${v.slice(0, 70)}" is not a valid UID` });
    });
  }
  if (bad.length === 0) return undefined;
  const dataset = new Dataset();
  for (const b of bad) {
    const el = ds.get(b.keyword);
    if (el) dataset.add(el);
  }
  return { status: Status.InvalidAttributeValue, errorComment: bad.map((b) => b.reason).join('; '), dataset };
}

/** Values longer than their VR allows: accepted, answered with the warning 0116. */
function outOfRange(ds: Dataset): MppsViolation | undefined {
  const long: DataElement[] = [];
  for (const el of ds.elements()) {
    const max = MAX_LENGTH[el.vr];
    if (!max || !el.value) continue;
    const values = el.vr === 'ST' ? [el.value.toString('latin1')] : el.value.toString('latin1').split('\\');
    if (values.some((v) => v.replace(/[ \0]+$/, '').length > max)) long.push(el);
  }
  if (long.length === 0) return undefined;
  const dataset = new Dataset();
  for (const el of long) dataset.add(el);
  return {
    status: Status.AttributeValueOutOfRange,
    errorComment: `longer than the VR allows: ${long.map((el) => keywordOf(el.tag) ?? formatTag(el.tag)).join(', ')}`,
    dataset,
  };
}

/** Table F.7.2-1 and F.7.2.1.3 for an N-CREATE Attribute List. */
export function checkCreate(ds: Dataset | undefined): MppsCheck {
  if (!ds) {
    return { failure: { status: Status.MissingAttribute, errorComment: 'the N-CREATE-RQ has no Attribute List', attributeIdentifierList: CREATE_ATTRIBUTES.map(([k]) => tagOf(k)) } };
  }
  const gaps: Finding[] = [];
  findGaps(ds, CREATE_ATTRIBUTES, undefined, '', gaps);
  const failure = gapViolation(gaps, Status.MissingAttribute) ?? invalidValues(ds, true);
  return failure ? { failure } : { warning: outOfRange(ds) };
}

/** Table F.7.2-1 for an N-SET Modification List (the stored instance is IN PROGRESS). */
export function checkSet(ds: Dataset): MppsCheck {
  const notSettable = [...ds.elements()].filter((el) => NOT_SETTABLE.has(keywordOf(el.tag) ?? ''));
  if (notSettable.length > 0) {
    const dataset = new Dataset();
    for (const el of notSettable) dataset.add(el);
    return { failure: {
      status: Status.InvalidAttributeValue,
      errorComment: `may not be set by N-SET (PS3.4 Table F.7.2-1): ${notSettable.map((el) => keywordOf(el.tag)).join(', ')}`,
      dataset,
    } };
  }
  const gaps: Finding[] = [];
  findItemGaps(ds, undefined, '', gaps, 0);
  if (ds.has('PerformedProcedureStepStatus') && !hasValue(ds, 'PerformedProcedureStepStatus')) {
    gaps.push({ kind: 'empty', top: 'PerformedProcedureStepStatus', path: 'PerformedProcedureStepStatus' });
  }
  // N-SET has no "Missing Attribute" (0120): anything missing is a missing value (0121).
  const failure = gapViolation(gaps.map((g) => ({ ...g, kind: 'empty' as const })), Status.MissingAttributeValue) ?? invalidValues(ds, false);
  return failure ? { failure } : { warning: outOfRange(ds) };
}

/** What a COMPLETED or DISCONTINUED step must have ("Final State" column, note 2): 0121 when it lacks it. */
export function checkFinalState(merged: Dataset): MppsViolation | undefined {
  const gaps: Finding[] = FINAL_STATE.filter((k) => !hasValue(merged, k)).map((k) => ({ kind: 'empty', top: k, path: k }));
  return gapViolation(gaps, Status.MissingAttributeValue, `${text(merged, 'PerformedProcedureStepStatus') ?? 'a final state'} needs a value in `);
}

/** The keywords of Table F.7.2-1 a person may want to see in a listing. */
export function mppsSummary(ds: Dataset): { status?: string; patientName?: string; patientId?: string; modality?: string; start?: string; end?: string; series: number; instances: number } {
  const series = ds.items('PerformedSeriesSequence') ?? [];
  const instances = series.reduce((n, s) => n + (s.items('ReferencedImageSequence')?.length ?? 0) + (s.items('ReferencedNonImageCompositeSOPInstanceSequence')?.length ?? 0), 0);
  const join = (d?: string, t?: string) => (d ? `${d}${t ? ` ${t}` : ''}` : undefined);
  return {
    status: text(ds, 'PerformedProcedureStepStatus'), patientName: text(ds, 'PatientName'), patientId: text(ds, 'PatientID'),
    modality: text(ds, 'Modality'),
    start: join(text(ds, 'PerformedProcedureStepStartDate'), text(ds, 'PerformedProcedureStepStartTime')),
    end: join(text(ds, 'PerformedProcedureStepEndDate'), text(ds, 'PerformedProcedureStepEndTime')),
    series: series.length, instances,
  };
}
