// The public entry of src/services: what the other folders import from it.

export { NoAcceptedContextError, type ServiceAssociation } from './context';
export { echoScu, type EchoResult } from './echo';
export { FindScp, type FindScpOptions } from './find-scp';
export { findScu, type FindOptions, type FindSummary } from './find-scu';
export {
  MPPS_RETRIEVE_SOP_CLASS, MPPS_SOP_CLASS, MppsStatus, mppsSummary, type MppsViolation,
} from './mpps-rules';
export { mppsScp, type MppsBackend, type MppsEvent, type MppsUpdate } from './mpps-scp';
export {
  createMpps, getMpps, isAccepted, performedSeries, setMpps, withCreateDefaults, withFinalDefaults,
  type MppsCreated, type PerformedInstance,
} from './mpps-scu';
export { NServiceScp, type NHandler, type NOutcome, type NRequest, type NServiceScpOptions } from './n-scp';
export {
  NResponseError, nAction, nCreate, nDelete, nEventReport, nGet, nSet, type NRequestOptions, type NResponse,
} from './n-scu';
export {
  type MatchedEntity, type QueryBackend, type RetrievableInstance, type WorklistBackend,
} from './query-backend';
export {
  QueryKeyError, buildIdentifier, datasetFromKeys, resolveKey, type IdentifierOptions, type QueryLevelName,
} from './query-keys';
export {
  FIND_SOP_CLASSES, GET_SOP_CLASSES, MOVE_SOP_CLASSES, QueryFailedError, type QueryModelName,
} from './query-models';
export {
  QueryIdentifierError, STUDY_ROOT, buildResponseIdentifier, compileQuery, datasetRecord, levelDepth,
  trimValue, type AttributeValue, type CompiledQuery, type QueryRecord,
} from './query';
export { GetScp, MoveScp, type MoveDestination, type RetrieveScpOptions } from './retrieve-scp';
export {
  getScu, moveScu, type RetrieveOptions, type RetrieveProgress, type RetrieveSummary,
} from './retrieve-scu';
export { type ScpService } from './scp-service';
export {
  storageCommitmentScp, type AnsweredCommitment, type CommitmentBackend, type ReportAssociationOpener,
  type StorageCommitmentScpOptions,
} from './storage-commitment-scp';
export {
  CommitmentRefusedError, CommitmentReportRouter, commitmentReportReceiver, requestCommitment,
  type CommitmentRequestOptions, type PendingCommitment,
} from './storage-commitment-scu';
export {
  FailureReason, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE, failureReasonName,
  formatFailureReason, type CommitmentResult, type FailedReference, type SopReference,
} from './storage-commitment';
export {
  type IncomingInstance, type StoreBackend, type StoreOutcome, type StoreTransaction,
} from './storage';
export { type ConversionPolicy } from './store-conversion';
export { StorageScp } from './store-scp';
export { groupForAssociations, proposeStorageContexts } from './store-contexts';
export { type StoreFile } from './store-file-reading';
export {
  MAX_STORE_WINDOW, describeStoreResult, storeDataset, storeFile, storeFiles, type StoreResult,
} from './store-scu';
export { VerificationScp } from './verification-scp';
