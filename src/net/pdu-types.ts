// PDU structures of the DICOM upper layer (PS3.8 §9.3) and the user-information
// sub-items of PS3.7 Annex D. Field names follow the standard.

/** Every PDU starts with its type, a reserved byte and its length (PS3.8 9.3.1). */
export const PDU_HEADER_LENGTH = 6;

export const PDU_ASSOCIATE_RQ = 0x01;
export const PDU_ASSOCIATE_AC = 0x02;
export const PDU_ASSOCIATE_RJ = 0x03;
export const PDU_P_DATA_TF = 0x04;
export const PDU_RELEASE_RQ = 0x05;
export const PDU_RELEASE_RP = 0x06;
export const PDU_ABORT = 0x07;

export const ITEM_APPLICATION_CONTEXT = 0x10;
export const ITEM_PRESENTATION_CONTEXT_RQ = 0x20;
export const ITEM_PRESENTATION_CONTEXT_AC = 0x21;
export const ITEM_ABSTRACT_SYNTAX = 0x30;
export const ITEM_TRANSFER_SYNTAX = 0x40;
export const ITEM_USER_INFORMATION = 0x50;
export const SUB_MAXIMUM_LENGTH = 0x51;
export const SUB_IMPLEMENTATION_CLASS_UID = 0x52;
export const SUB_ASYNC_OPERATIONS_WINDOW = 0x53;
export const SUB_ROLE_SELECTION = 0x54;
export const SUB_IMPLEMENTATION_VERSION_NAME = 0x55;
export const SUB_SOP_CLASS_EXTENDED = 0x56;
export const SUB_SOP_CLASS_COMMON_EXTENDED = 0x57;
export const SUB_USER_IDENTITY_RQ = 0x58;
export const SUB_USER_IDENTITY_AC = 0x59;

export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** Presentation context result/reason (PS3.8 §9.3.3.2). */
export const enum ContextResult {
  Acceptance = 0,
  UserRejection = 1,
  NoReason = 2,
  AbstractSyntaxNotSupported = 3,
  TransferSyntaxesNotSupported = 4,
}

export interface PresentationContextRq {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
  /** The three reserved bytes after the ID, kept only when a peer sent them non-zero (DCMTK sends 00 FF 00). */
  reserved?: Buffer;
}

export interface PresentationContextAc {
  id: number;
  result: number;
  /** Accepted transfer syntax; not significant (often empty) when rejected. */
  transferSyntax: string;
}

export interface RoleSelection {
  sopClassUid: string;
  /** 0 = non-support of the SCU role, 1 = support (RQ) / acceptance (AC). */
  scuRole: number;
  scpRole: number;
}

export interface SopClassExtendedNegotiation {
  sopClassUid: string;
  serviceClassApplicationInformation: Buffer;
}

export interface SopClassCommonExtendedNegotiation {
  sopClassUid: string;
  serviceClassUid: string;
  relatedGeneralSopClassUids: string[];
}

/** User identity types of PS3.7 D.3.3.7. */
export const enum UserIdentityType {
  Username = 1,
  UsernameAndPasscode = 2,
  Kerberos = 3,
  Saml = 4,
  Jwt = 5,
}

export interface UserIdentityRq {
  type: number;
  positiveResponseRequested: boolean;
  primaryField: Buffer;
  secondaryField: Buffer;
}

export interface UserIdentityAc {
  serverResponse: Buffer;
}

export interface AsyncOperationsWindow {
  maxOperationsInvoked: number;
  maxOperationsPerformed: number;
}

export interface UnknownSubItem {
  type: number;
  data: Buffer;
}

export interface UserInformation {
  maximumLength?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  asyncOperationsWindow?: AsyncOperationsWindow;
  roleSelections: RoleSelection[];
  sopClassExtended: SopClassExtendedNegotiation[];
  sopClassCommonExtended: SopClassCommonExtendedNegotiation[];
  userIdentityRq?: UserIdentityRq;
  userIdentityAc?: UserIdentityAc;
  /** Sub-items we do not know; kept so a trace can show them. */
  unknown: UnknownSubItem[];
  /** Sub-item types in the order they were received (used to re-encode byte-exactly). */
  order?: number[];
}

export interface AAssociateRq {
  type: typeof PDU_ASSOCIATE_RQ;
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  presentationContexts: PresentationContextRq[];
  userInformation: UserInformation;
}

export interface AAssociateAc {
  type: typeof PDU_ASSOCIATE_AC;
  protocolVersion: number;
  /** Echoed from the request; "not tested" by the standard. */
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  presentationContexts: PresentationContextAc[];
  userInformation: UserInformation;
}

export interface AAssociateRj {
  type: typeof PDU_ASSOCIATE_RJ;
  result: number;
  source: number;
  reason: number;
}

export interface Pdv {
  contextId: number;
  /** Message control header bit 0. */
  isCommand: boolean;
  /** Message control header bit 1. */
  isLast: boolean;
  data: Buffer;
}

export interface PDataTf {
  type: typeof PDU_P_DATA_TF;
  pdvs: Pdv[];
}

export interface AReleaseRq {
  type: typeof PDU_RELEASE_RQ;
}

export interface AReleaseRp {
  type: typeof PDU_RELEASE_RP;
}

export interface AAbort {
  type: typeof PDU_ABORT;
  source: number;
  reason: number;
}

export type Pdu = AAssociateRq | AAssociateAc | AAssociateRj | PDataTf | AReleaseRq | AReleaseRp | AAbort;

export function emptyUserInformation(): UserInformation {
  return { roleSelections: [], sopClassExtended: [], sopClassCommonExtended: [], unknown: [] };
}
