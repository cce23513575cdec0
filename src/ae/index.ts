// The public entry of src/ae: what the other folders import from it.

export { WaitingRoom, type WaitingSlot } from './admission';
export { ApplicationEntity, ClientAssociation } from './client';
export {
  AssociationRequestor, BasicClientAssociation, verificationContext, type AssociateOptions, type OpenedAssociation,
  type ProposedContext,
} from './requestor';
export { mppsContexts, reportAssociationOpener, storageCommitmentContext } from './commitment-contexts';
export { cellText, columnsOf } from './identifier-text';
export { limitedFind, type LimitedFindOptions, type LimitedFindSummary } from './limited-find';
export { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, validateAeTitle } from './identity';
export { MoveDestinations, parseDestination, type DestinationAddress } from './move-destinations';
export { openFilesNote, type FittedLimits } from './open-files';
export { DEFAULT_MAX_PDU, DEFAULT_TIMEOUTS, type AeOptions, type Timeouts, type TlsOptions } from './options';
export {
  PemFileError, aeOptionsOf, applicationEntityOf, associateOptionsOf, connectionOptionsOf, describePeer,
  tlsOptionsOf, type AssociationRequest, type IdentityProfile, type PeerProfile, type TlsProfile,
} from './peer-profile';
export { RefusalDigest, formatRefusal } from './refusal-log';
export {
  COMMON_STORAGE_CLASSES, echoContext, findContexts, getContexts, moveContexts,
} from './retrieve-contexts';
export { sopClassesToGet } from './get-classes';
export {
  DEFAULT_ASYNC_OPERATIONS, DEFAULT_FAIR_SHARE, DEFAULT_FAIR_SHARE_BUSY_ABOVE, DEFAULT_FAIR_SHARE_WAIT_MS, DEFAULT_MAX_WAITING, DEFAULT_MAX_WAITING_PER_SOURCE, DEFAULT_PER_AE_WAIT_MS, DicomServer, ListenError, SERVER_DEFAULT_IDLE_MS,
  type AssociationInfo, type IdentityDecision, type ServerEvents, type ServerOptions,
} from './server';
export { collectStoreInputs, type CollectedInputs, type SkippedInput } from './store-inputs';
export { storeFileList, storeInputs, type StoreBatchOptions, type StoreBatchSummary } from './store';
export { traceMessages, tracePdus, traceServer, type TraceSink } from './trace';
export { type PresentedIdentity, type UserIdentity } from './user-identity';
export {
  AssociationRecorder, DEFAULT_RECORDER_CAPACITY, RECORD_VERSION, STORE_FILES_PLACEHOLDER, dcmtkCommand,
  formatRecord, summariseIdentifier, type AssociationDirection, type AssociationRecord, type DcmtkCommand,
  type IdentifierKey, type IdentifierSummary, type OutcomeKind, type RecordedAbort, type RecordedContext,
  type RecordedExtendedNegotiation, type RecordedMessage, type RecordedNegotiation, type RecordedOutcome,
  type RecordedPdu, type RecordedRejection, type RecordedRole, type RecordedSide, type RecordedStatus,
  type RecordedSyntax, type RecorderEvents, type RecorderOptions,
} from './recording';
