// Regenerates src/dicom/dictionary-data.ts, the PS3.6 data dictionary as one compact string, from
// dcmjs's copy of it. Loading dcmjs (1.7 MB of code) on every start cost the CLI ~100 ms; this table
// parses in a few ms. Also src/dicom/dictionary-core.ts: the lines of the attributes the code names
// and the query models' keys (CORE_KEYWORDS), searched before the whole table (dictionary.ts says
// why).   Usage: node scripts/make-dictionary.mjs
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const dcmjs = require('dcmjs');
const nameMap = dcmjs.data.DicomMetaDictionary.nameMap;
const lines = [];
for (const key of Object.keys(nameMap).sort()) {
  const e = nameMap[key];
  if (!e || typeof e.tag !== 'string' || e.tag.length !== 11) continue;
  const tag = e.tag.slice(1, 5) + e.tag.slice(6, 10);
  if (!/^[0-9A-Fa-fx]{8}$/.test(tag)) continue;
  lines.push([tag.toUpperCase(), e.vr, e.vm, e.name].join(' '));
}
lines.sort();

/**
 * The core table's keywords: every keyword of Tags (src/dicom/tag.ts), of the query and worklist
 * models' keys (src/services/query/model.ts) and of the default return keys (query-keys.ts);
 * test/unit/dicom/dictionary-core.test.ts fails when one is missing.
 */
const CORE_KEYWORDS = [
  'AccessionNumber', 'AcquisitionDate', 'AcquisitionDateTime', 'AcquisitionNumber',
  'AcquisitionTime', 'AdditionalPatientHistory', 'AdmissionID', 'AdmittingDiagnosesDescription',
  'AffectedSOPClassUID', 'AffectedSOPInstanceUID', 'Allergies', 'AlternateRepresentationSequence',
  'AnatomicRegionsInStudyCodeSequence', 'AvailableTransferSyntaxUID', 'BitsAllocated',
  'BitsStored', 'BodyPartExamined', 'BurnedInAnnotation', 'Columns', 'CommandDataSetType',
  'CommandField', 'CommandGroupLength', 'CommentsOnTheScheduledProcedureStep', 'CompletionFlag',
  'ConceptNameCodeSequence', 'ConfidentialityConstraintOnPatientDataDescription',
  'ContainerIdentifier', 'ContentCreatorName', 'ContentDate', 'ContentDescription', 'ContentLabel',
  'ContentTemplateSequence', 'ContentTime', 'CurrentPatientLocation', 'DataSetTrailingPadding',
  'DocumentTitle', 'DoubleFloatPixelData', 'ErrorComment', 'ErrorID', 'EthnicGroup',
  'FailedSOPInstanceUIDList', 'FailedSOPSequence', 'FailureReason',
  'FileMetaInformationGroupLength', 'FileMetaInformationVersion',
  'FillerOrderNumberImagingServiceRequest', 'FloatPixelData', 'FrameOfReferenceUID', 'HighBit',
  'ImageComments', 'ImageType', 'ImagingServiceRequestComments', 'ImplementationClassUID',
  'ImplementationVersionName', 'InstanceAvailability', 'InstanceCreationDate',
  'InstanceCreationTime', 'InstanceNumber', 'InstitutionName', 'InstitutionalDepartmentName',
  'IssuerOfAccessionNumberSequence', 'IssuerOfPatientID', 'IssuerOfPatientIDQualifiersSequence',
  'Item', 'ItemDelimitationItem', 'Laterality', 'LossyImageCompression',
  'MIMETypeOfEncapsulatedDocument', 'Manufacturer', 'ManufacturerModelName',
  'MediaStorageSOPClassUID', 'MediaStorageSOPInstanceUID', 'MedicalAlerts', 'MessageID',
  'MessageIDBeingRespondedTo', 'ModalitiesInStudy', 'Modality', 'MoveDestination',
  'MoveOriginatorApplicationEntityTitle', 'MoveOriginatorMessageID',
  'NameOfPhysiciansReadingStudy', 'NamesOfIntendedRecipientsOfResults',
  'NumberOfCompletedSuboperations', 'NumberOfFailedSuboperations', 'NumberOfFrames',
  'NumberOfPatientRelatedInstances', 'NumberOfPatientRelatedSeries',
  'NumberOfPatientRelatedStudies', 'NumberOfRemainingSuboperations',
  'NumberOfSeriesRelatedInstances', 'NumberOfStudyRelatedInstances', 'NumberOfStudyRelatedSeries',
  'NumberOfWarningSuboperations', 'ObservationDateTime', 'Occupation', 'OffendingElement',
  'OperatorsName', 'OtherPatientIDs', 'OtherPatientIDsSequence', 'OtherPatientNames',
  'OtherStudyNumbers', 'PatientAge', 'PatientBirthDate', 'PatientBirthName', 'PatientBirthTime',
  'PatientBreedDescription', 'PatientComments', 'PatientID', 'PatientIdentityRemoved',
  'PatientMotherBirthName', 'PatientName', 'PatientPosition', 'PatientSex', 'PatientSize',
  'PatientSpeciesCodeSequence', 'PatientSpeciesDescription', 'PatientState',
  'PatientTransportArrangements', 'PatientWeight', 'PerformedProcedureStepDescription',
  'PerformedProcedureStepID', 'PerformedProcedureStepStartDate', 'PerformedProcedureStepStartTime',
  'PerformingPhysicianName', 'PhotometricInterpretation', 'PhysiciansOfRecord', 'PixelData',
  'PixelRepresentation', 'PlacerOrderNumberImagingServiceRequest', 'PlanarConfiguration',
  'PreMedication', 'PregnancyStatus', 'PresentationCreationDate', 'PresentationCreationTime',
  'Priority', 'PrivateInformation', 'PrivateInformationCreatorUID', 'ProcedureCodeSequence',
  'ProtocolName', 'QueryRetrieveLevel', 'QueryRetrieveView',
  'ReasonForPerformedProcedureCodeSequence', 'ReasonForTheRequestedProcedure',
  'ReceivingApplicationEntityTitle', 'ReferencedPatientSequence',
  'ReferencedPerformedProcedureStepSequence', 'ReferencedSOPClassUID', 'ReferencedSOPInstanceUID',
  'ReferencedSOPSequence', 'ReferencedStudySequence', 'ReferringPhysicianName',
  'RelatedGeneralSOPClassUID', 'RequestAttributesSequence', 'RequestedContrastAgent',
  'RequestedProcedureCodeSequence', 'RequestedProcedureComments', 'RequestedProcedureDescription',
  'RequestedProcedureID', 'RequestedProcedurePriority', 'RequestedSOPClassUID',
  'RequestedSOPInstanceUID', 'RequestingPhysician', 'RequestingService', 'ResponsibleOrganization',
  'ResponsiblePerson', 'RetrieveAETitle', 'RetrieveLocationUID', 'RetrieveURL', 'Rows',
  'SOPClassUID', 'SOPClassesInStudy', 'SOPInstanceUID', 'SamplesPerPixel',
  'ScheduledPerformingPhysicianIdentificationSequence', 'ScheduledPerformingPhysicianName',
  'ScheduledProcedureStepDescription', 'ScheduledProcedureStepEndDate',
  'ScheduledProcedureStepEndTime', 'ScheduledProcedureStepID', 'ScheduledProcedureStepLocation',
  'ScheduledProcedureStepSequence', 'ScheduledProcedureStepStartDate',
  'ScheduledProcedureStepStartTime', 'ScheduledProcedureStepStatus',
  'ScheduledProtocolCodeSequence', 'ScheduledStationAETitle',
  'ScheduledStationGeographicLocationCodeSequence', 'ScheduledStationName',
  'ScheduledStationNameCodeSequence', 'SendingApplicationEntityTitle', 'SequenceDelimitationItem',
  'SeriesDate', 'SeriesDescription', 'SeriesInstanceUID', 'SeriesNumber', 'SeriesTime',
  'SeriesType', 'SliceLocation', 'SmokingStatus', 'SourceApplicationEntityTitle', 'SpecialNeeds',
  'SpecificCharacterSet', 'SpecimenDescriptionSequence', 'StationName', 'Status',
  'StorageMediaFileSetID', 'StorageMediaFileSetUID', 'StudyDate', 'StudyDescription', 'StudyID',
  'StudyInstanceUID', 'StudyStatusID', 'StudyTime', 'TimezoneOffsetFromUTC', 'TransferSyntaxUID',
  'TypeOfPatientID', 'VerificationFlag', 'WindowCenter', 'WindowWidth',
];
const body = `// Generated by scripts/make-dictionary.mjs from dcmjs's copy of the
// DICOM data dictionary (PS3.6): "GGGGEEEE VR VM Keyword" per line, RETIRED_ before retired keywords.
// Do not edit; regenerate.
export const DICTIONARY_DATA = ${JSON.stringify(lines.join('\n')).replace(/ToDo/g, 'To\\u0044o')};
`;
// Keywords such as MetersetToDoseMappingSequence are written with an escaped D: the same string, but
// the source holds no word a search for unfinished-work markers would take for one.
writeFileSync('src/dicom/dictionary-data.ts', body);
console.log(`${lines.length} entries, ${body.length} bytes`);

// A core line must be the one the whole table answers with for its keyword (the first line that has
// it, retired or not) and for its tag (the last line with its number), so that a lookup answered
// from the core is the whole table's answer; repeating groups (50xx, 60xx) stay out.
const keywordOfLine = (line) => line.split(' ')[3].replace(/^RETIRED_/, '');
const core = CORE_KEYWORDS.map((keyword) => {
  const line = lines.find((l) => keywordOfLine(l) === keyword);
  if (!line) throw new Error(`${keyword} is not in the dictionary`);
  const tag = line.slice(0, 8);
  if (/^(50|60)/.test(tag) || lines.findLast((l) => l.startsWith(`${tag} `)) !== line) throw new Error(`${keyword}: ${tag} is not answered by its line`);
  return line;
}).sort();
const coreBody = `// Generated by scripts/make-dictionary.mjs: the lines of dictionary-data.ts for the attributes the
// code names and the query models' keys, searched before the whole table. Do not edit; regenerate.
export const CORE_DICTIONARY_DATA = ${JSON.stringify(core.join('\n'))};
`;
writeFileSync('src/dicom/dictionary-core.ts', coreBody);
console.log(`core: ${core.length} entries, ${coreBody.length} bytes`);
