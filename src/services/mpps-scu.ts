// Modality Performed Procedure Step SCU (PS3.4 F.7.2.1.2, F.7.2.2.2): N-CREATE an IN PROGRESS
// step, N-SET it to COMPLETED or DISCONTINUED, N-GET it back; and the attributes a modality
// would fill in itself, for callers that give only some of them.
import { Dataset, TextEncoderFn, latin1Encoder } from '../dicom';
import { dictionaryVr, tagForKeyword } from '../dicom';
import { VR } from '../dicom';
import { generateUid } from '../dicom';
import { Status, statusClass } from '../dimse';
import { ServiceAssociation } from './context';
import { MPPS_RETRIEVE_SOP_CLASS, MPPS_SOP_CLASS, MppsStatus } from './mpps-rules';
import { NResponse, nCreate, nGet, nSet } from './n-scu';

export interface MppsCreated extends NResponse {
  /** The instance's UID: ours, or the one the SCP assigned. */
  sopInstanceUid: string;
}

/** N-CREATE of an MPPS instance (we name it, as F.7.2.1.2 asks, unless `sopInstanceUid` is null). */
export async function createMpps(sa: ServiceAssociation, attributes: Dataset, sopInstanceUid: string | null = generateUid()): Promise<MppsCreated> {
  const response = await nCreate(sa, MPPS_SOP_CLASS, attributes, sopInstanceUid ?? undefined);
  return { ...response, sopInstanceUid: response.command.affectedSopInstanceUid ?? sopInstanceUid ?? '' };
}

export function setMpps(sa: ServiceAssociation, sopInstanceUid: string, modifications: Dataset): Promise<NResponse> {
  return nSet(sa, MPPS_SOP_CLASS, sopInstanceUid, modifications);
}

export function getMpps(sa: ServiceAssociation, sopInstanceUid: string, attributes?: readonly number[]): Promise<NResponse> {
  return nGet(sa, MPPS_RETRIEVE_SOP_CLASS, sopInstanceUid, attributes);
}

export function isAccepted(response: NResponse): boolean {
  const kind = statusClass(response.status);
  return kind === 'success' || (kind === 'warning' && response.status !== Status.AttributeListError);
}

function dicomDate(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

function dicomTime(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}${String(d.getMinutes()).padStart(2, '0')}${String(d.getSeconds()).padStart(2, '0')}`;
}

function fill(ds: Dataset, keyword: string, value: string | Dataset[] | null): void {
  if (!ds.has(keyword)) ds.set(keyword, value);
}

/**
 * Completes an N-CREATE Attribute List with what Table F.7.2-1 requires and the caller left
 * out: status IN PROGRESS, a step ID, our AE title, the start now, one Scheduled Step Attributes
 * item (with a new Study Instance UID when none is known), and the type 2 attributes empty.
 */
export function withCreateDefaults(given: Dataset, options: { stationAeTitle: string; now?: Date }): Dataset {
  const ds = given;
  const now = options.now ?? new Date();
  fill(ds, 'PerformedProcedureStepStatus', MppsStatus.InProgress);
  fill(ds, 'PerformedProcedureStepID', `PPS${dicomDate(now).slice(2)}${dicomTime(now)}`.slice(0, 16));
  fill(ds, 'PerformedStationAETitle', options.stationAeTitle);
  fill(ds, 'PerformedProcedureStepStartDate', dicomDate(now));
  fill(ds, 'PerformedProcedureStepStartTime', dicomTime(now));
  fill(ds, 'Modality', 'OT');
  if (!ds.items('ScheduledStepAttributesSequence')?.length) ds.set('ScheduledStepAttributesSequence', [new Dataset()]);
  for (const item of ds.items('ScheduledStepAttributesSequence')!) {
    fill(item, 'StudyInstanceUID', generateUid());
    for (const k of ['AccessionNumber', 'RequestedProcedureID', 'RequestedProcedureDescription', 'ScheduledProcedureStepID', 'ScheduledProcedureStepDescription']) fill(item, k, null);
    for (const k of ['ReferencedStudySequence', 'ScheduledProtocolCodeSequence']) fill(item, k, []);
  }
  for (const k of ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'PerformedStationName', 'PerformedLocation',
    'PerformedProcedureStepDescription', 'PerformedProcedureTypeDescription', 'PerformedProcedureStepEndDate', 'PerformedProcedureStepEndTime', 'StudyID']) {
    fill(ds, k, null);
  }
  for (const k of ['ReferencedPatientSequence', 'ProcedureCodeSequence', 'PerformedProtocolCodeSequence', 'PerformedSeriesSequence']) fill(ds, k, []);
  return ds;
}

/** Completes an N-SET that ends the step: the status, and the end date and time now when not given. */
export function withFinalDefaults(given: Dataset, status: typeof MppsStatus.Completed | typeof MppsStatus.Discontinued, now = new Date()): Dataset {
  given.set('PerformedProcedureStepStatus', status);
  if (!given.string('PerformedProcedureStepEndDate')?.trim()) given.set('PerformedProcedureStepEndDate', dicomDate(now));
  if (!given.string('PerformedProcedureStepEndTime')?.trim()) given.set('PerformedProcedureStepEndTime', dicomTime(now));
  return given;
}

export interface PerformedInstance {
  seriesInstanceUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  /** Image or not (Referenced Image Sequence or Referenced Non-Image Composite SOP Instance Sequence). */
  image: boolean;
  protocolName?: string;
  seriesDescription?: string;
  operatorsName?: string;
  performingPhysicianName?: string;
}

/**
 * A Performed Series Sequence listing `instances` by series (PS3.4 F.7.2.2.2). Text is written
 * with `encode` (default Latin-1): pass a UTF-8 encoder, and set Specific Character Set ISO_IR 192
 * on the N-SET, when names are not ASCII.
 */
export function performedSeries(instances: readonly PerformedInstance[], options: { retrieveAeTitle?: string; encode?: TextEncoderFn } = {}): Dataset[] {
  const bySeries = new Map<string, PerformedInstance[]>();
  for (const i of instances) bySeries.set(i.seriesInstanceUid, [...(bySeries.get(i.seriesInstanceUid) ?? []), i]);
  const encode = options.encode ?? latin1Encoder;
  const text = (ds: Dataset, keyword: string, value: string | undefined) => ds.set(keyword, dictionaryVr(tagForKeyword(keyword)!) as VR, value || null, encode);
  return [...bySeries.entries()].map(([seriesUid, members]) => {
    const first = members[0]!;
    const ref = (i: PerformedInstance) => new Dataset().set('ReferencedSOPClassUID', i.sopClassUid).set('ReferencedSOPInstanceUID', i.sopInstanceUid);
    const item = new Dataset()
      .set('RetrieveAETitle', options.retrieveAeTitle || null)
      .set('ReferencedImageSequence', members.filter((i) => i.image).map(ref))
      .set('SeriesInstanceUID', seriesUid)
      .set('ReferencedNonImageCompositeSOPInstanceSequence', members.filter((i) => !i.image).map(ref));
    text(item, 'PerformingPhysicianName', first.performingPhysicianName);
    text(item, 'ProtocolName', first.protocolName || first.seriesDescription || 'UNKNOWN');
    text(item, 'OperatorsName', first.operatorsName);
    text(item, 'SeriesDescription', first.seriesDescription);
    return item;
  });
}
