// The query/retrieve information models of PS3.4 Annex C.6 (Patient Root, Study Root and the
// retired Patient/Study Only) and the Modality Worklist information model of PS3.4 K.6: their
// levels, the unique, required and common optional keys of each level (tables C.6-1 to C.6-5
// and K.6-1), and which level an attribute belongs to.

import { Tag, Tags } from '../../dicom';
import { tagForKeyword } from '../../dicom';
import { Uids } from '../../dicom';

export type QueryRetrieveLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
/** The worklist model has no Query/Retrieve Level; its one level is called WORKLIST here. */
export type QueryLevel = QueryRetrieveLevel | 'WORKLIST';

export type ModelName = 'PatientRoot' | 'StudyRoot' | 'PatientStudyOnly' | 'ModalityWorklist';
export type QueryOperation = 'find' | 'move' | 'get';

/** R = required key, U = unique key, O = optional key (PS3.4 C.2.2.1). */
export type KeyType = 'U' | 'R' | 'O';

export interface LevelDefinition {
  readonly level: QueryLevel;
  /** Absent for the worklist level, which has none. */
  readonly uniqueKey?: Tag;
  readonly requiredKeys: readonly Tag[];
  readonly optionalKeys: readonly Tag[];
}

export interface InformationModel {
  readonly name: ModelName;
  /** Top level first. */
  readonly levels: readonly QueryLevel[];
  readonly definitions: ReadonlyMap<QueryLevel, LevelDefinition>;
  /** Whether the model is hierarchical (Query/Retrieve Level present, C.4.1.2.1 rules apply). */
  readonly hierarchical: boolean;
  readonly sopClasses: Partial<Record<QueryOperation, string>>;
  /** Level and key type of every attribute the tables name. */
  readonly attributes: ReadonlyMap<Tag, { level: QueryLevel; type: KeyType }>;
}

/**
 * Runs make once, on first use. The tables below name keywords, and resolving them parses the
 * data dictionary: every process that loads the engine would pay for it at start-up (an echo
 * never queries), so the models resolve their keys when first read.
 */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

function tags(keywords: string): Tag[] {
  return keywords.split(/\s+/).filter(Boolean).map((k) => {
    const t = tagForKeyword(k);
    if (t === undefined) throw new Error(`The query model names "${k}", which the data dictionary does not know.`);
    return t;
  });
}

// Table C.6-1 (Patient Root, PATIENT level); the retired Patient/Study Only model uses it too.
const PATIENT_OPTIONAL = /* @__PURE__ */ once(() => tags(`
  IssuerOfPatientID IssuerOfPatientIDQualifiersSequence TypeOfPatientID OtherPatientIDsSequence
  OtherPatientIDs PatientBirthDate PatientBirthTime PatientSex OtherPatientNames PatientBirthName
  PatientMotherBirthName EthnicGroup PatientComments ReferencedPatientSequence
  PatientSpeciesDescription PatientSpeciesCodeSequence PatientBreedDescription ResponsiblePerson
  ResponsibleOrganization PatientIdentityRemoved MedicalAlerts Allergies
  NumberOfPatientRelatedStudies NumberOfPatientRelatedSeries NumberOfPatientRelatedInstances`));

// Table C.6-2 (Patient Root, STUDY level).
const STUDY_REQUIRED = [Tags.StudyDate, Tags.StudyTime, Tags.AccessionNumber, Tags.StudyID];
const STUDY_OPTIONAL = /* @__PURE__ */ once(() => tags(`
  ModalitiesInStudy SOPClassesInStudy AnatomicRegionsInStudyCodeSequence ReferringPhysicianName
  StudyDescription ProcedureCodeSequence NameOfPhysiciansReadingStudy AdmittingDiagnosesDescription
  ReferencedStudySequence PatientAge PatientSize PatientWeight Occupation AdditionalPatientHistory
  OtherStudyNumbers NumberOfStudyRelatedSeries NumberOfStudyRelatedInstances
  IssuerOfAccessionNumberSequence PhysiciansOfRecord AdmissionID
  ReasonForPerformedProcedureCodeSequence StudyStatusID PregnancyStatus SmokingStatus`));

// Table C.6-3 (SERIES level).
const SERIES_REQUIRED = [Tags.Modality, Tags.SeriesNumber];
const SERIES_OPTIONAL = /* @__PURE__ */ once(() => tags(`
  NumberOfSeriesRelatedInstances SeriesDescription SeriesDate SeriesTime BodyPartExamined Laterality
  ProtocolName OperatorsName PerformingPhysicianName PerformedProcedureStepStartDate
  PerformedProcedureStepStartTime PerformedProcedureStepID PerformedProcedureStepDescription
  RequestAttributesSequence InstitutionName InstitutionalDepartmentName StationName Manufacturer
  ManufacturerModelName FrameOfReferenceUID PatientPosition ReferencedPerformedProcedureStepSequence
  SeriesType`));

// Table C.6-4 (IMAGE level, composite object instances).
const IMAGE_REQUIRED = [Tags.InstanceNumber];
const IMAGE_OPTIONAL = /* @__PURE__ */ once(() => tags(`
  SOPClassUID AlternateRepresentationSequence RelatedGeneralSOPClassUID ConceptNameCodeSequence
  ContentTemplateSequence ContainerIdentifier SpecimenDescriptionSequence AvailableTransferSyntaxUID
  Rows Columns BitsAllocated NumberOfFrames ContentDate ContentTime AcquisitionDate AcquisitionTime
  AcquisitionDateTime AcquisitionNumber InstanceCreationDate InstanceCreationTime ImageType
  CompletionFlag VerificationFlag ObservationDateTime ContentLabel ContentDescription
  PresentationCreationDate PresentationCreationTime ContentCreatorName DocumentTitle
  MIMETypeOfEncapsulatedDocument SliceLocation PhotometricInterpretation SamplesPerPixel
  ImageComments WindowCenter WindowWidth BurnedInAnnotation LossyImageCompression`));

/**
 * Keys that belong to whichever level is queried (C.4.1.1.3: Retrieve AE Title, Instance
 * Availability, Storage Media File-Set ID/UID, Retrieve URL, Timezone Offset From UTC).
 */
export const LEVELLESS_KEYS: ReadonlySet<Tag> = new Set([
  Tags.RetrieveAETitle, Tags.InstanceAvailability, 0x00081190 /* RetrieveURL */, 0x0040e011 /* RetrieveLocationUID */,
  0x00880130 /* StorageMediaFileSetID */, 0x00880140 /* StorageMediaFileSetUID */, Tags.TimezoneOffsetFromUTC,
]);

/** Attributes of an identifier that are never matched (C.2.2.2, C.4.1.1.3.1, C.4.2.1.4.1). */
export const NON_KEY_ATTRIBUTES: ReadonlySet<Tag> = new Set([
  Tags.SpecificCharacterSet, Tags.QueryRetrieveLevel, 0x00080053 /* QueryRetrieveView */,
]);

function level(levelName: QueryLevel, uniqueKey: Tag | undefined, required: Tag[], optional: Tag[]): LevelDefinition {
  return { level: levelName, uniqueKey, requiredKeys: required, optionalKeys: optional };
}

/**
 * A model whose key tables and SOP classes are resolved when first read (see once()). The tables
 * and models are marked pure, and read nothing at load (no Uids.* or keyword): a bundle that never
 * reads a model (dicomnet echo's) leaves them out, and the dictionary they name with them.
 */
function buildModel(
  name: ModelName, levels: QueryLevel[], sopClassesOf: () => Partial<Record<QueryOperation, string>>,
  levelDefinitions: () => LevelDefinition[], hierarchical = true,
): InformationModel {
  const sopClasses = once(sopClassesOf);
  const tables = once(() => {
    const defs = levelDefinitions();
    if (defs.map((d) => d.level).join() !== levels.join()) throw new Error(`The ${name} model's levels do not match its tables.`);
    const attributes = new Map<Tag, { level: QueryLevel; type: KeyType }>();
    for (const def of defs) {
      // A tag named at two levels keeps the first (upper) one.
      const add = (t: Tag, type: KeyType) => { if (!attributes.has(t)) attributes.set(t, { level: def.level, type }); };
      if (def.uniqueKey !== undefined) add(def.uniqueKey, 'U');
      def.requiredKeys.forEach((t) => add(t, 'R'));
      def.optionalKeys.forEach((t) => add(t, 'O'));
    }
    return { definitions: new Map(defs.map((d) => [d.level, d])), attributes };
  });
  return {
    name, levels, hierarchical,
    get sopClasses() { return sopClasses(); },
    get definitions() { return tables().definitions; },
    get attributes() { return tables().attributes; },
  };
}

const patientLevel = /* @__PURE__ */ once(() => level('PATIENT', Tags.PatientID, [Tags.PatientName], PATIENT_OPTIONAL()));
const studyLevel = /* @__PURE__ */ once(() => level('STUDY', Tags.StudyInstanceUID, STUDY_REQUIRED, STUDY_OPTIONAL()));
const seriesLevel = /* @__PURE__ */ once(() => level('SERIES', Tags.SeriesInstanceUID, SERIES_REQUIRED, SERIES_OPTIONAL()));
const imageLevel = /* @__PURE__ */ once(() => level('IMAGE', Tags.SOPInstanceUID, IMAGE_REQUIRED, IMAGE_OPTIONAL()));

export const PATIENT_ROOT: InformationModel = /* @__PURE__ */ buildModel('PatientRoot', ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'],
  () => ({ find: Uids.PatientRootFind, move: Uids.PatientRootMove, get: Uids.PatientRootGet }),
  () => [patientLevel(), studyLevel(), seriesLevel(), imageLevel()]);

/** Table C.6-5: in Study Root the patient attributes are STUDY-level keys (Patient ID required, not unique). */
export const STUDY_ROOT: InformationModel = /* @__PURE__ */ buildModel('StudyRoot', ['STUDY', 'SERIES', 'IMAGE'],
  () => ({ find: Uids.StudyRootFind, move: Uids.StudyRootMove, get: Uids.StudyRootGet }),
  () => [
    level('STUDY', Tags.StudyInstanceUID, [...STUDY_REQUIRED, Tags.PatientName, Tags.PatientID],
      [...PATIENT_OPTIONAL(), ...STUDY_OPTIONAL()]),
    seriesLevel(), imageLevel(),
  ]);

/** Retired (PS3.4 2006), still sent by old equipment: PATIENT and STUDY levels of Patient Root. */
export const PATIENT_STUDY_ONLY: InformationModel = /* @__PURE__ */ buildModel('PatientStudyOnly', ['PATIENT', 'STUDY'],
  () => ({ find: Uids.PatientStudyOnlyFind, move: Uids.PatientStudyOnlyMove, get: Uids.PatientStudyOnlyGet }),
  () => [patientLevel(), studyLevel()]);

export interface WorklistKey {
  readonly tag: Tag;
  /** Matching key type of Table K.6-1: R (SCP must support matching) or O. */
  readonly matching: 'R' | 'O';
  /** Attributes of the items, for sequence keys that are matched item by item. */
  readonly items?: readonly WorklistKey[];
}

function worklistKeys(required: string, optional: string): WorklistKey[] {
  return [
    ...tags(required).map((tag): WorklistKey => ({ tag, matching: 'R' })),
    ...tags(optional).map((tag): WorklistKey => ({ tag, matching: 'O' })),
  ];
}

/** Table K.6-1: the Scheduled Procedure Step Sequence item keys. */
export const scheduledProcedureStepKeys: () => readonly WorklistKey[] = /* @__PURE__ */ once(() => worklistKeys(
  `ScheduledStationAETitle ScheduledProcedureStepStartDate ScheduledProcedureStepStartTime Modality
   ScheduledPerformingPhysicianName`,
  `ScheduledProcedureStepEndDate ScheduledProcedureStepEndTime ScheduledProcedureStepDescription
   ScheduledProtocolCodeSequence ScheduledProcedureStepID ScheduledStationName
   ScheduledProcedureStepLocation PreMedication ScheduledProcedureStepStatus RequestedContrastAgent
   CommentsOnTheScheduledProcedureStep ScheduledPerformingPhysicianIdentificationSequence
   ScheduledStationNameCodeSequence ScheduledStationGeographicLocationCodeSequence`));

/** Table K.6-1: the top-level keys (requested procedure, service request, visit, patient). */
export const worklistKeyTable: () => readonly WorklistKey[] = /* @__PURE__ */ once(() => [
  { tag: Tags.ScheduledProcedureStepSequence, matching: 'R', items: scheduledProcedureStepKeys() },
  ...worklistKeys('PatientName PatientID', `
    RequestedProcedureID RequestedProcedureDescription RequestedProcedureCodeSequence StudyInstanceUID
    StudyDate StudyTime ReferencedStudySequence RequestedProcedurePriority PatientTransportArrangements
    ReasonForTheRequestedProcedure RequestedProcedureComments AccessionNumber
    IssuerOfAccessionNumberSequence RequestingPhysician RequestingService ReferringPhysicianName
    PlacerOrderNumberImagingServiceRequest FillerOrderNumberImagingServiceRequest
    ImagingServiceRequestComments NamesOfIntendedRecipientsOfResults AdmissionID CurrentPatientLocation
    ReferencedPatientSequence IssuerOfPatientID OtherPatientIDsSequence PatientBirthDate PatientSex
    PatientWeight PatientSize ConfidentialityConstraintOnPatientDataDescription PatientState
    PregnancyStatus MedicalAlerts Allergies SpecialNeeds AdmittingDiagnosesDescription`),
]);

export const MODALITY_WORKLIST: InformationModel = /* @__PURE__ */ buildModel('ModalityWorklist', ['WORKLIST'],
  () => ({ find: Uids.ModalityWorklistFind }),
  () => [level('WORKLIST', undefined,
    worklistKeyTable().filter((k) => k.matching === 'R').map((k) => k.tag),
    worklistKeyTable().filter((k) => k.matching === 'O').map((k) => k.tag))],
  false);

export const INFORMATION_MODELS: readonly InformationModel[] = [PATIENT_ROOT, STUDY_ROOT, PATIENT_STUDY_ONLY, MODALITY_WORKLIST];

/** The model and operation a Query/Retrieve or Worklist SOP Class UID stands for. */
export function modelForSopClass(uid: string): { model: InformationModel; operation: QueryOperation } | undefined {
  const u = uid.replace(/[\0 ]+$/, '');
  for (const model of INFORMATION_MODELS) {
    for (const [operation, sopClass] of Object.entries(model.sopClasses) as [QueryOperation, string][]) {
      if (sopClass === u) return { model, operation };
    }
  }
  return undefined;
}

/** Depth of a level in the model (0 = top), or -1 when the model does not have it. */
export function levelDepth(model: InformationModel, lvl: QueryLevel): number {
  return model.levels.indexOf(lvl);
}

/**
 * The level an attribute belongs to in the model, or undefined for attributes the tables do not
 * name ("all other attributes" of some level) and for the level-less keys.
 */
export function attributeLevel(model: InformationModel, t: Tag): QueryLevel | undefined {
  return model.attributes.get(t)?.level;
}

/** The key type (U/R/O) of an attribute at its level, or undefined when the tables do not name it. */
export function keyType(model: InformationModel, t: Tag): KeyType | undefined {
  return model.attributes.get(t)?.type;
}

/** Parses a Query/Retrieve Level value (trimmed, case-insensitive); undefined when not a level of the model. */
export function parseQueryLevel(model: InformationModel, value: string): QueryLevel | undefined {
  const v = value.replace(/[\0 ]+$/, '').trim().toUpperCase();
  return model.hierarchical && (model.levels as readonly string[]).includes(v) ? v as QueryLevel : undefined;
}
