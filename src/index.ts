// The public API of the engine: what the `dicomnet` npm package exports (packaging/engine/README.md
// documents it). Only names re-exported here are public; the modules behind them are internals
// that may change between releases. The CLI and the extension use the modules directly.

export { VERSION } from './dicom/version';

// --- The DIMSE engine: SCU and SCP (src/ae) -------------------------------------------------------
export {
  ApplicationEntity, ClientAssociation, verificationContext,
  type AssociateOptions, type ProposedContext,
} from './ae/client';
export {
  DicomServer,
  type ServerOptions, type ServerEvents, type AssociationInfo, type IdentityDecision,
} from './ae/server';
export { DEFAULT_MAX_PDU, DEFAULT_TIMEOUTS, type AeOptions, type Timeouts, type TlsOptions } from './ae/options';
export { storeInputs, storeFileList, type StoreBatchOptions, type StoreBatchSummary } from './ae/store';
export { collectStoreInputs, type CollectedInputs, type SkippedInput } from './ae/store-inputs';
export { COMMON_STORAGE_CLASSES, echoContext, findContexts, getContexts, moveContexts } from './ae/retrieve-contexts';
export { MoveDestinations, parseDestination, type DestinationAddress } from './ae/move-destinations';
export { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, validateAeTitle } from './ae/identity';
export { mppsContexts, reportAssociationOpener, storageCommitmentContext } from './ae/commitment-contexts';
export type { PresentedIdentity, UserIdentity } from './ae/user-identity';

// The association inspector: records of associations (their JSON shape is docs/association-record.md).
export {
  AssociationRecorder, DEFAULT_RECORDER_CAPACITY, RECORD_VERSION, STORE_FILES_PLACEHOLDER, dcmtkCommand, formatRecord, summariseIdentifier,
  type AssociationDirection, type AssociationRecord, type DcmtkCommand, type IdentifierKey, type IdentifierSummary, type OutcomeKind,
  type RecordedAbort, type RecordedContext, type RecordedExtendedNegotiation, type RecordedMessage, type RecordedNegotiation,
  type RecordedOutcome, type RecordedPdu, type RecordedRejection, type RecordedRole, type RecordedSide, type RecordedStatus,
  type RecordedSyntax, type RecorderEvents, type RecorderOptions,
} from './ae/recording';

// What the services take and give back.
export type { EchoResult } from './services/echo';
export type { FindOptions, FindSummary } from './services/find-scu';
export type { RetrieveOptions, RetrieveProgress, RetrieveSummary } from './services/retrieve-scu';
export type { StoreFile, StoreResult } from './services/store-scu';
export type { IncomingInstance, StoreBackend, StoreOutcome, StoreTransaction } from './services/storage';
export type { ScpService } from './services/scp-service';
export { NoAcceptedContextError } from './services/context';
export { QueryFailedError, type QueryModelName } from './services/query-models';
export { buildIdentifier, QueryKeyError, type IdentifierOptions, type QueryLevelName } from './services/query-keys';
export { Status, formatStatus, statusClass, statusName, type ServiceName, type StatusClass } from './dimse/status';
export { N_STATUS_CODES, type NServiceName } from './dimse/n-status';

// DIMSE-N, Storage Commitment (PS3.4 Annex J) and MPPS (PS3.4 Annex F).
export { nAction, nCreate, nDelete, nEventReport, nGet, nSet, NResponseError, type NResponse, type NRequestOptions } from './services/n-scu';
export { NServiceScp, type NHandler, type NOutcome, type NRequest, type NServiceScpOptions } from './services/n-scp';
export {
  FailureReason, failureReasonName, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE,
  type CommitmentResult, type FailedReference, type SopReference,
} from './services/storage-commitment';
export {
  CommitmentRefusedError, CommitmentReportRouter, commitmentReportReceiver,
  type CommitmentRequestOptions, type PendingCommitment,
} from './services/storage-commitment-scu';
export { storageCommitmentScp, type AnsweredCommitment, type CommitmentBackend, type StorageCommitmentScpOptions } from './services/storage-commitment-scp';
export { MPPS_RETRIEVE_SOP_CLASS, MPPS_SOP_CLASS, MppsStatus } from './services/mpps-rules';
export { mppsScp, type MppsBackend, type MppsEvent } from './services/mpps-scp';
export { performedSeries, withCreateDefaults, withFinalDefaults, type MppsCreated, type PerformedInstance } from './services/mpps-scu';
export {
  AssociationAbortedError, AssociationRejectedError, NetworkError, OperationAbortedError, PduDecodeError, TimeoutError,
  isNetworkFailure,
} from './net/errors';

// --- A small PACS over a folder (src/archive) ----------------------------------------------------
export { ArchiveServices, type ArchiveServicesOptions } from './archive/archive-services';
export type { DuplicatePolicy, StoredInstance } from './archive/file-store';
export { MppsStore, type MppsRecord } from './archive/mpps';
export { CommitmentLog } from './archive/commitment';

// --- The dataset layer (src/dicom) ---------------------------------------------------------------
export {
  Dataset, encodeDataset, parseDataset,
  type DataElement, type ElementValue, type EncodeOptions, type ParseOptions,
} from './dicom/dataset';
export {
  parsePart10, readPart10, readPart10Header, writePart10,
  type Part10File, type Part10Header, type WritePart10Options,
} from './dicom/part10';
export {
  datasetFromJson, datasetToJson, DicomJsonError,
  type DicomJsonAttribute, type DicomJsonObject, type DicomJsonValue, type FromJsonOptions, type ToJsonOptions,
} from './dicom/json';
export { Tags, formatTag, parseTag, tag, type Tag } from './dicom/tag';
export { describeTag, keywordOf, lookupTag, tagForKeyword, type DictionaryEntry } from './dicom/dictionary';
export {
  ExplicitVRBigEndian, ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ImplicitVRLittleEndian,
  Uids, isValidUid, sopClassName, transferSyntaxName, uidName,
} from './dicom/uids';
export {
  DicomError, DicomParseError, MissingTransferSyntaxError, NotDicomError, TruncatedFileError, UnsupportedTransferSyntaxError,
} from './dicom/errors';

// --- DICOMweb: client and server (src/dicomweb) ---------------------------------------------------
export {
  DicomwebClient, DicomwebError,
  type DicomwebAuth, type DicomwebClientOptions, type QidoPage, type RenderedImage, type RenderedOptions,
  type RetrieveOptions as WebRetrieveOptions, type RetrieveSummary as WebRetrieveSummary, type RetrieveTarget,
  type RetrieveToDiskOptions, type RetrievedInstance, type SearchAllOptions, type SearchOptions,
  type StoreOptions as StowOptions, type StowFileResult,
} from './dicomweb/client';
export { DicomwebServer, type DicomwebServerOptions } from './dicomweb/server';
export type { QidoKeys, QidoResource } from './dicomweb/qido-params';
