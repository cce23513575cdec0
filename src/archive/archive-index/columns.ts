// Which attributes the archive index keeps for each level: the unique, required and most used
// optional keys of PS3.4 C.6 (tables C.6-1 to C.6-4), taken from each instance's header. Each
// entity holds its values in an array in the order of its level's columns; the persisted index
// file names these columns, so changing a list here makes old index files rebuild themselves.

import { Tag, Tags } from '../../dicom';
import { dictionaryVr, tagForKeyword } from '../../dicom';

export type IndexLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export const INDEX_LEVELS: readonly IndexLevel[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];

export interface Column {
  readonly tag: Tag;
  readonly keyword: string;
  /** The dictionary VR, used when a file gives none (or UN). */
  readonly vr: string;
  /** Values repeat across many entities (dates, codes, SOP classes): keep one copy of each. */
  readonly shared: boolean;
}

export interface LevelColumns {
  readonly level: IndexLevel;
  readonly columns: readonly Column[];
  /** Tag to position in `columns`. */
  readonly position: ReadonlyMap<Tag, number>;
}

function columns(level: IndexLevel, spec: string): LevelColumns {
  const list: Column[] = spec.split(/\s+/).filter(Boolean).map((word) => {
    const shared = word.endsWith('*');
    const keyword = shared ? word.slice(0, -1) : word;
    const tag = tagForKeyword(keyword);
    if (tag === undefined) throw new Error(`The archive index names "${keyword}", which the data dictionary does not know.`);
    return { tag, keyword, vr: dictionaryVr(tag), shared };
  });
  return { level, columns: list, position: new Map(list.map((c, i) => [c.tag, i])) };
}

// Pure: a bundle that reaches this folder without the index (dicomnet get's, for FileStore) drops
// these tables, whose keywords would make the dictionary parse its whole table at start-up.
// A trailing "*" marks columns whose values are shared between entities. Columns most files
// have come first: an entity's value array ends at its last present value.
export const PATIENT_COLUMNS = /* @__PURE__ */ columns('PATIENT', `
  PatientName PatientID IssuerOfPatientID PatientBirthDate* PatientSex* PatientBirthTime OtherPatientIDs
  OtherPatientNames TypeOfPatientID* PatientBirthName PatientMotherBirthName EthnicGroup* PatientComments
  PatientSpeciesDescription* PatientBreedDescription* ResponsiblePerson ResponsibleOrganization
  PatientIdentityRemoved*`);

export const STUDY_COLUMNS = /* @__PURE__ */ columns('STUDY', `
  StudyDate* StudyTime AccessionNumber StudyID ReferringPhysicianName* StudyDescription*
  PatientAge* PatientSize* PatientWeight* NameOfPhysiciansReadingStudy* AdmittingDiagnosesDescription
  Occupation* AdditionalPatientHistory OtherStudyNumbers PhysiciansOfRecord* AdmissionID
  StudyStatusID* PregnancyStatus* SmokingStatus* TimezoneOffsetFromUTC*`);

export const SERIES_COLUMNS = /* @__PURE__ */ columns('SERIES', `
  Modality* SeriesNumber SeriesDescription* SeriesDate* SeriesTime BodyPartExamined* Laterality*
  ProtocolName* OperatorsName* PerformingPhysicianName* InstitutionName* InstitutionalDepartmentName*
  StationName* Manufacturer* ManufacturerModelName* FrameOfReferenceUID PatientPosition*
  PerformedProcedureStepStartDate* PerformedProcedureStepStartTime PerformedProcedureStepID
  PerformedProcedureStepDescription* SeriesType*`);

export const IMAGE_COLUMNS = /* @__PURE__ */ columns('IMAGE', `
  SOPClassUID* InstanceNumber ImageType* Rows* Columns* BitsAllocated* SamplesPerPixel*
  PhotometricInterpretation* NumberOfFrames* ContentDate* ContentTime AcquisitionDate* AcquisitionTime
  AcquisitionNumber InstanceCreationDate* InstanceCreationTime AcquisitionDateTime SliceLocation
  WindowCenter* WindowWidth* BurnedInAnnotation* LossyImageCompression* CompletionFlag* VerificationFlag*
  ContentLabel* ContentDescription* DocumentTitle* MIMETypeOfEncapsulatedDocument* ObservationDateTime
  PresentationCreationDate* PresentationCreationTime ContentCreatorName*`);

export const LEVEL_COLUMNS: Readonly<Record<IndexLevel, LevelColumns>> = {
  PATIENT: PATIENT_COLUMNS, STUDY: STUDY_COLUMNS, SERIES: SERIES_COLUMNS, IMAGE: IMAGE_COLUMNS,
};

/** Attributes computed from an entity's children (PS3.4 C.3.4), by the level that answers them. */
export const DERIVED_TAGS: Readonly<Record<IndexLevel, readonly Tag[]>> = {
  PATIENT: [Tags.NumberOfPatientRelatedStudies, Tags.NumberOfPatientRelatedSeries, Tags.NumberOfPatientRelatedInstances],
  STUDY: [Tags.ModalitiesInStudy, Tags.SOPClassesInStudy, Tags.NumberOfStudyRelatedSeries, Tags.NumberOfStudyRelatedInstances],
  SERIES: [Tags.NumberOfSeriesRelatedInstances],
  IMAGE: [/* @__PURE__ */ tagForKeyword('AvailableTransferSyntaxUID')!],
};

/** The entity keys, which are fields of the entities rather than columns. */
export const UID_TAGS: Readonly<Record<IndexLevel, Tag | undefined>> = {
  PATIENT: undefined, STUDY: Tags.StudyInstanceUID, SERIES: Tags.SeriesInstanceUID, IMAGE: Tags.SOPInstanceUID,
};

/** The header values indexing an instance reads: its columns', the character set and the three UIDs. */
export const INDEXED_VALUE_TAGS: readonly Tag[] = /* @__PURE__ */ (() => [
  ...INDEX_LEVELS.flatMap((l) => LEVEL_COLUMNS[l].columns.map((c) => c.tag)),
  Tags.SpecificCharacterSet, Tags.StudyInstanceUID, Tags.SeriesInstanceUID, Tags.SOPInstanceUID,
])();

/** The highest tag any column needs: header scans stop after it (and always before Pixel Data). */
// In a function: esbuild keeps a spread argument (an iterator call) even under @__PURE__, and
// with it every column, in bundles that use none (the get bundle grew 2.6 kB).
export const LAST_INDEXED_TAG: Tag = /* @__PURE__ */ (() => Math.max(...INDEXED_VALUE_TAGS))();

/** Where a header scan for the index can stop: just past the last indexed tag. */
export const SCAN_STOP_TAG: Tag = /* @__PURE__ */ (() => Math.min(LAST_INDEXED_TAG + 1, Tags.PixelData))();

const ANSWERABLE: ReadonlySet<Tag> = /* @__PURE__ */ (() => new Set([
  ...INDEX_LEVELS.flatMap((l) => [...LEVEL_COLUMNS[l].columns.map((c) => c.tag), ...DERIVED_TAGS[l]]),
  Tags.StudyInstanceUID, Tags.SeriesInstanceUID, Tags.SOPInstanceUID, Tags.InstanceAvailability,
]))();

/**
 * Whether the index holds (or computes) an attribute, so that it can match on it. Pass it to
 * `compileQuery` as `isKeySupported` so keys the index cannot match are reported (FF01) rather
 * than matching nothing.
 */
export function indexSupportsKey(tag: Tag): boolean {
  return ANSWERABLE.has(tag);
}

/** The column layout as written in the index file header (keywords per level). */
export function columnSignature(): Record<IndexLevel, string[]> {
  return {
    PATIENT: PATIENT_COLUMNS.columns.map((c) => c.keyword),
    STUDY: STUDY_COLUMNS.columns.map((c) => c.keyword),
    SERIES: SERIES_COLUMNS.columns.map((c) => c.keyword),
    IMAGE: IMAGE_COLUMNS.columns.map((c) => c.keyword),
  };
}
