// Tags are unsigned 32-bit numbers: (group << 16 | element) >>> 0.

export type Tag = number;

export function tag(group: number, element: number): Tag {
  return ((group & 0xffff) << 16 | (element & 0xffff)) >>> 0;
}

export function tagGroup(t: Tag): number {
  return t >>> 16;
}

export function tagElement(t: Tag): number {
  return t & 0xffff;
}

const HEX = '0123456789ABCDEF';
function hex4(n: number): string {
  return HEX[(n >>> 12) & 15] + HEX[(n >>> 8) & 15] + HEX[(n >>> 4) & 15] + HEX[n & 15];
}

/** `(0010,0010)` */
export function formatTag(t: Tag): string {
  return '(' + hex4(t >>> 16) + ',' + hex4(t & 0xffff) + ')';
}

/** `00100010`, the form used by the DICOM JSON model. */
export function formatTagHex(t: Tag): string {
  return hex4(t >>> 16) + hex4(t & 0xffff);
}

const TAG_PATTERN = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/;

/** Accepts `0010,0010`, `00100010` and `(0010,0010)`; returns undefined for anything else. */
export function parseTag(text: string): Tag | undefined {
  const s = text.trim();
  const m = TAG_PATTERN.exec(s);
  if (!m) return undefined;
  // Parentheses must come as a pair.
  if ((s[0] === '(') !== (s[s.length - 1] === ')')) return undefined;
  return tag(parseInt(m[1], 16), parseInt(m[2], 16));
}

export function isPrivateTag(t: Tag): boolean {
  return ((t >>> 16) & 1) === 1;
}

/** (gggg,0010)-(gggg,00FF) in an odd group. */
export function isPrivateCreator(t: Tag): boolean {
  const e = t & 0xffff;
  return isPrivateTag(t) && e >= 0x0010 && e <= 0x00ff;
}

export function isGroupLength(t: Tag): boolean {
  return (t & 0xffff) === 0;
}

export const Tags = {
  // File meta (group 0002)
  FileMetaInformationGroupLength: 0x00020000,
  FileMetaInformationVersion: 0x00020001,
  MediaStorageSOPClassUID: 0x00020002,
  MediaStorageSOPInstanceUID: 0x00020003,
  TransferSyntaxUID: 0x00020010,
  ImplementationClassUID: 0x00020012,
  ImplementationVersionName: 0x00020013,
  SourceApplicationEntityTitle: 0x00020016,
  SendingApplicationEntityTitle: 0x00020017,
  ReceivingApplicationEntityTitle: 0x00020018,
  PrivateInformationCreatorUID: 0x00020100,
  PrivateInformation: 0x00020102,

  // Command set (group 0000) tags the DIMSE layer reads
  CommandGroupLength: 0x00000000,
  AffectedSOPClassUID: 0x00000002,
  RequestedSOPClassUID: 0x00000003,
  CommandField: 0x00000100,
  MessageID: 0x00000110,
  MessageIDBeingRespondedTo: 0x00000120,
  MoveDestination: 0x00000600,
  Priority: 0x00000700,
  CommandDataSetType: 0x00000800,
  Status: 0x00000900,
  OffendingElement: 0x00000901,
  ErrorComment: 0x00000902,
  ErrorID: 0x00000903,
  AffectedSOPInstanceUID: 0x00001000,
  RequestedSOPInstanceUID: 0x00001001,
  NumberOfRemainingSuboperations: 0x00001020,
  NumberOfCompletedSuboperations: 0x00001021,
  NumberOfFailedSuboperations: 0x00001022,
  NumberOfWarningSuboperations: 0x00001023,
  MoveOriginatorApplicationEntityTitle: 0x00001030,
  MoveOriginatorMessageID: 0x00001031,

  // Dataset
  SpecificCharacterSet: 0x00080005,
  ImageType: 0x00080008,
  InstanceCreationDate: 0x00080012,
  InstanceCreationTime: 0x00080013,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  SeriesDate: 0x00080021,
  StudyTime: 0x00080030,
  SeriesTime: 0x00080031,
  AccessionNumber: 0x00080050,
  QueryRetrieveLevel: 0x00080052,
  RetrieveAETitle: 0x00080054,
  InstanceAvailability: 0x00080056,
  FailedSOPInstanceUIDList: 0x00080058,
  Modality: 0x00080060,
  ModalitiesInStudy: 0x00080061,
  SOPClassesInStudy: 0x00080062,
  ReferringPhysicianName: 0x00080090,
  TimezoneOffsetFromUTC: 0x00080201,
  StudyDescription: 0x00081030,
  SeriesDescription: 0x0008103e,
  ReferencedSOPSequence: 0x00081199,
  FailedSOPSequence: 0x00081198,
  ReferencedSOPClassUID: 0x00081150,
  ReferencedSOPInstanceUID: 0x00081155,
  FailureReason: 0x00081197,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  IssuerOfPatientID: 0x00100021,
  PatientBirthDate: 0x00100030,
  PatientSex: 0x00100040,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  StudyID: 0x00200010,
  SeriesNumber: 0x00200011,
  InstanceNumber: 0x00200013,
  NumberOfPatientRelatedStudies: 0x00201200,
  NumberOfPatientRelatedSeries: 0x00201202,
  NumberOfPatientRelatedInstances: 0x00201204,
  NumberOfStudyRelatedSeries: 0x00201206,
  NumberOfStudyRelatedInstances: 0x00201208,
  NumberOfSeriesRelatedInstances: 0x00201209,
  SamplesPerPixel: 0x00280002,
  PhotometricInterpretation: 0x00280004,
  PlanarConfiguration: 0x00280006,
  NumberOfFrames: 0x00280008,
  Rows: 0x00280010,
  Columns: 0x00280011,
  BitsAllocated: 0x00280100,
  BitsStored: 0x00280101,
  HighBit: 0x00280102,
  PixelRepresentation: 0x00280103,
  RequestedProcedureID: 0x00401001,
  ScheduledProcedureStepSequence: 0x00400100,
  ScheduledStationAETitle: 0x00400001,
  ScheduledProcedureStepStartDate: 0x00400002,
  ScheduledProcedureStepStartTime: 0x00400003,
  FloatPixelData: 0x7fe00008,
  DoubleFloatPixelData: 0x7fe00009,
  PixelData: 0x7fe00010,
  DataSetTrailingPadding: 0xfffcfffc,
  Item: 0xfffee000,
  ItemDelimitationItem: 0xfffee00d,
  SequenceDelimitationItem: 0xfffee0dd,
} as const;

// Short aliases used throughout the codec.
export const ITEM = Tags.Item;
export const ITEM_DELIMITATION = Tags.ItemDelimitationItem;
export const SEQUENCE_DELIMITATION = Tags.SequenceDelimitationItem;
/** 0xFFFFFFFF: the length value meaning "undefined length". */
export const UNDEFINED_LENGTH = 0xffffffff;
