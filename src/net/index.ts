// The public entry of src/net: what the other folders import from it.

export { type TransportConnection } from './association-types';
export { Association } from './association';
export {
  AbortReason, AssociationAbortedError, AssociationRejectedError, NetworkError, OperationAbortedError,
  PduDecodeError, TimeoutError, isNetworkFailure,
} from './errors';
export { type NegotiatedContext } from './negotiated';
export { answerContexts, answerRoles } from './negotiation';
export {
  DICOM_APPLICATION_CONTEXT, PDU_ASSOCIATE_AC, PDU_HEADER_LENGTH, PDU_ASSOCIATE_RJ, PDU_ASSOCIATE_RQ, emptyUserInformation,
  type AAssociateAc, type AAssociateRq, type Pdu, type Pdv, type PresentationContextRq, type RoleSelection,
  type SopClassCommonExtendedNegotiation, type SopClassExtendedNegotiation, type UserIdentityRq,
} from './pdu-types';
export { RejectReason, RejectResult, RejectSource, describeContextResult } from './reasons';
export { formatPdu } from './trace';
export { adoptWithSharedReads, connectWithSharedReads, onReceived, readsShared } from './shared-reads';
export { type UnreadConnection, acceptLazily } from './lazy-accept';
export { encodePdu } from './pdu-encode';
export { keepTimerList } from './timer-lists';
export { type AAssociateRj, type UserInformation } from './pdu-types';
export { abortWords, describeReject, rejectWords } from './reasons';
