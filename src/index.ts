// The public API of the engine: what the `dicomnet` npm package exports (packaging/engine/README.md
// documents it). Only names re-exported here are public; the modules behind them are internals
// that may change between releases. The CLI and the extension use the modules directly.

export { VERSION } from './dicom';

// --- The DIMSE engine: SCU and SCP (src/ae) -------------------------------------------------------
export {
  ApplicationEntity, ClientAssociation, verificationContext,
  type AssociateOptions, type ProposedContext,
} from './ae';
export {
  DicomServer,
  type ServerOptions, type ServerEvents, type AssociationInfo, type IdentityDecision,
} from './ae';
export { DEFAULT_MAX_PDU, DEFAULT_TIMEOUTS, type AeOptions, type Timeouts, type TlsOptions } from './ae';
export { storeInputs, storeFileList, type StoreBatchOptions, type StoreBatchSummary } from './ae';
export { collectStoreInputs, type CollectedInputs, type SkippedInput } from './ae';
export { COMMON_STORAGE_CLASSES, echoContext, findContexts, getContexts, moveContexts } from './ae';
export { MoveDestinations, parseDestination, type DestinationAddress } from './ae';
export { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, validateAeTitle } from './ae';
export { mppsContexts, reportAssociationOpener, storageCommitmentContext } from './ae';
export type { PresentedIdentity, UserIdentity } from './ae';

// The association inspector: records of associations (their JSON shape is docs/association-record.md).
export {
  AssociationRecorder, DEFAULT_RECORDER_CAPACITY, RECORD_VERSION, STORE_FILES_PLACEHOLDER, dcmtkCommand, formatRecord, summariseIdentifier,
  type AssociationDirection, type AssociationRecord, type DcmtkCommand, type IdentifierKey, type IdentifierSummary, type OutcomeKind,
  type RecordedAbort, type RecordedContext, type RecordedExtendedNegotiation, type RecordedMessage, type RecordedNegotiation,
  type RecordedOutcome, type RecordedPdu, type RecordedRejection, type RecordedRole, type RecordedSide, type RecordedStatus,
  type RecordedSyntax, type RecorderEvents, type RecorderOptions,
} from './ae';

// What the services take and give back.
export type { EchoResult } from './services';
export type { FindOptions, FindSummary } from './services';
export type { RetrieveOptions, RetrieveProgress, RetrieveSummary } from './services';
export type { StoreFile, StoreResult } from './services';
export type { IncomingInstance, StoreBackend, StoreOutcome, StoreTransaction } from './services';
export type { ScpService } from './services';
export { NoAcceptedContextError } from './services';
export { QueryFailedError, type QueryModelName } from './services';
export { buildIdentifier, QueryKeyError, type IdentifierOptions, type QueryLevelName } from './services';
export { Status, formatStatus, statusClass, statusName, type ServiceName, type StatusClass } from './dimse';
export { N_STATUS_CODES, type NServiceName } from './dimse';

// DIMSE-N, Storage Commitment (PS3.4 Annex J) and MPPS (PS3.4 Annex F).
export { nAction, nCreate, nDelete, nEventReport, nGet, nSet, NResponseError, type NResponse, type NRequestOptions } from './services';
export { NServiceScp, type NHandler, type NOutcome, type NRequest, type NServiceScpOptions } from './services';
export {
  FailureReason, failureReasonName, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE,
  type CommitmentResult, type FailedReference, type SopReference,
} from './services';
export {
  CommitmentRefusedError, CommitmentReportRouter, commitmentReportReceiver,
  type CommitmentRequestOptions, type PendingCommitment,
} from './services';
export { storageCommitmentScp, type AnsweredCommitment, type CommitmentBackend, type StorageCommitmentScpOptions } from './services';
export { MPPS_RETRIEVE_SOP_CLASS, MPPS_SOP_CLASS, MppsStatus } from './services';
export { mppsScp, type MppsBackend, type MppsEvent } from './services';
export { performedSeries, withCreateDefaults, withFinalDefaults, type MppsCreated, type PerformedInstance } from './services';
export {
  AssociationAbortedError, AssociationRejectedError, NetworkError, OperationAbortedError, PduDecodeError, TimeoutError,
  isNetworkFailure,
} from './net';
export { UnfinishedMessageError } from './dimse';

// --- A small PACS over a folder (src/archive) ----------------------------------------------------
export { ArchiveServices, type ArchiveServicesOptions } from './archive';
export type { DuplicatePolicy, StoredInstance } from './archive';
export { MppsStore, type MppsRecord } from './archive';
export { CommitmentLog } from './archive';

// --- The dataset layer (src/dicom) ---------------------------------------------------------------
export {
  Dataset, encodeDataset, parseDataset,
  type DataElement, type ElementValue, type EncodeOptions, type ParseOptions,
} from './dicom';
export {
  parsePart10, readPart10, readPart10Header, writePart10,
  type Part10File, type Part10Header, type WritePart10Options,
} from './dicom';
export {
  datasetFromJson, datasetToJson, DicomJsonError,
  type DicomJsonAttribute, type DicomJsonObject, type DicomJsonValue, type FromJsonOptions, type ToJsonOptions,
} from './dicom';
export { Tags, formatTag, parseTag, tag, type Tag } from './dicom';
export { describeTag, keywordOf, lookupTag, tagForKeyword, type DictionaryEntry } from './dicom';
export {
  ExplicitVRBigEndian, ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ImplicitVRLittleEndian,
  Uids, isValidUid, sopClassName, transferSyntaxName, uidName,
} from './dicom';
export {
  DicomError, DicomParseError, MissingTransferSyntaxError, NotDicomError, TruncatedFileError, UnsupportedTransferSyntaxError,
} from './dicom';

// --- DICOMweb: client and server (src/dicomweb) ---------------------------------------------------
export {
  DicomwebClient, DicomwebError,
  type DicomwebAuth, type DicomwebClientOptions, type QidoPage, type RenderedImage, type RenderedOptions,
  type RetrieveOptions as WebRetrieveOptions, type RetrieveSummary as WebRetrieveSummary, type RetrieveTarget,
  type RetrieveToDiskOptions, type RetrievedInstance, type SearchAllOptions, type SearchOptions,
  type StoreOptions as StowOptions, type StowFileResult,
} from './dicomweb';
export { DicomwebServer, type DicomwebServerOptions } from './dicomweb';
export type { QidoKeys, QidoResource } from './dicomweb';
