// The association record: what the inspector keeps of one association, as plain JSON. This shape
// is a contract (the CLI's --record files, `dicomnet inspect`, the extension's Associations view);
// docs/association-record.md documents it. Change it only by adding optional fields, or bump
// RECORD_VERSION.

export const RECORD_VERSION = 1;

/** We call (we are the association requestor), or we are called (we are the acceptor). */
export type AssociationDirection = 'outbound' | 'inbound';

export type OutcomeKind = 'released' | 'rejected' | 'aborted' | 'timed-out' | 'connection-lost' | 'connection-failed';

export interface RecordedRejection {
  result: number;
  source: number;
  reason: number;
  /** 'permanent' / 'transient'. */
  resultText: string;
  sourceText: string;
  reasonText: string;
  /** Who sent the A-ASSOCIATE-RJ. */
  by: 'us' | 'peer';
}

export interface RecordedAbort {
  /** Who sent the A-ABORT (or, without one, who ended the connection). */
  by: 'us' | 'peer';
  source?: number;
  reason?: number;
  sourceText?: string;
  reasonText?: string;
}

export interface RecordedOutcome {
  kind: OutcomeKind;
  /** One sentence a person reads, e.g. "rejected permanently by the service user: calling AE title not recognised". */
  description: string;
  /** Who asked to release (kind 'released'). */
  releasedBy?: 'us' | 'peer';
  rejection?: RecordedRejection;
  /** An A-ABORT sent or received (kind 'aborted', and 'timed-out' when the wait ended with one). */
  abort?: RecordedAbort;
}

export interface RecordedSyntax {
  uid: string;
  /** The standard's name, when the UID is a known one. */
  name?: string;
}

export interface RecordedContext {
  id: number;
  abstractSyntax: RecordedSyntax;
  /** What the requestor proposed, in its order. */
  proposedTransferSyntaxes: RecordedSyntax[];
  /** 0 accepted, 1 user rejection, 2 no reason, 3 abstract syntax not supported, 4 transfer syntaxes not supported; absent before the answer. */
  result?: number;
  resultText?: string;
  /** The accepted transfer syntax. */
  transferSyntax?: RecordedSyntax;
}

export interface RecordedRole {
  sopClass: RecordedSyntax;
  /** Proposed by the requestor. */
  proposedScu: boolean;
  proposedScp: boolean;
  /** The acceptor's answer (absent when it sent no role selection item for this class). */
  acceptedScu?: boolean;
  acceptedScp?: boolean;
}

export interface RecordedExtendedNegotiation {
  sopClass: RecordedSyntax;
  /** Service-class application information in hex (at most 64 bytes shown). */
  requestorInfo?: string;
  acceptorInfo?: string;
}

/** What one side said about itself in its A-ASSOCIATE PDU's user information. */
export interface RecordedSide {
  aeTitle: string;
  /** Maximum length of P-DATA-TF PDUs this side receives (0 = unlimited). */
  maxPdu?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  asyncOperationsWindow?: { maxOperationsInvoked: number; maxOperationsPerformed: number };
}

export interface RecordedNegotiation {
  applicationContext: string;
  requestor: RecordedSide;
  /** Absent until the acceptor answered with an A-ASSOCIATE-AC. */
  acceptor?: RecordedSide;
  contexts: RecordedContext[];
  roles: RecordedRole[];
  extendedNegotiation: RecordedExtendedNegotiation[];
  /** SOP class common extended negotiation (requestor only). */
  commonExtendedNegotiation: { sopClass: RecordedSyntax; serviceClass: RecordedSyntax; relatedGeneralSopClasses: string[] }[];
  /** User identity: its type only, never the username, passcode or token. */
  userIdentity?: { type: number; typeText: string; positiveResponseRequested: boolean; serverResponded: boolean };
}

export interface RecordedStatus {
  code: number;
  /** "0xFF00". */
  hex: string;
  class: 'success' | 'warning' | 'failure' | 'cancel' | 'pending';
  /** The meaning from the PS3.4 / PS3.7 tables for the service, e.g. "Refused: move destination unknown". */
  meaning: string;
}

export interface IdentifierKey {
  /** "0010,0010". */
  tag: string;
  keyword?: string;
  /** The value asked ('' = return key), cut to 64 characters; sequences as "(n items)". */
  value: string;
}

/** A C-FIND / C-MOVE / C-GET request's identifier, summarised. */
export interface IdentifierSummary {
  level?: string;
  keys: IdentifierKey[];
  /** Keys beyond the first 32 are counted, not listed. */
  moreKeys?: number;
  /** The identifier could not be read (the reason). */
  error?: string;
}

export interface RecordedMessage {
  /** Milliseconds since the association started. */
  at: number;
  direction: 'sent' | 'received';
  contextId: number;
  /** "C-FIND-RQ". */
  command: string;
  commandField: number;
  messageId?: number;
  respondingTo?: number;
  sopClass?: RecordedSyntax;
  sopInstanceUid?: string;
  moveDestination?: string;
  status?: RecordedStatus;
  errorComment?: string;
  suboperations?: { remaining?: number; completed?: number; failed?: number; warning?: number };
  /** Bytes of the data set (none for a message without one, or one that never went or came whole). */
  datasetBytes?: number;
  /** The association ended before this message's data set was all sent or received (an abort mid-C-STORE). */
  datasetIncomplete?: boolean;
  /** For a response: milliseconds since its request. */
  responseMs?: number;
  /** For a C-FIND / C-MOVE / C-GET request. */
  identifier?: IdentifierSummary;
  /** For a C-FIND request: the pending responses with a match so far. */
  matches?: number;
}

export interface RecordedPdu {
  at: number;
  direction: 'sent' | 'received';
  /** "A-ASSOCIATE-RQ", "P-DATA-TF", … */
  type: string;
  typeCode: number;
  /** The PDU length from its header (bytes after the 6-byte header). */
  length: number;
  /** The first bytes of the PDU, header included, in hex. */
  head: string;
}

export interface AssociationRecord {
  version: typeof RECORD_VERSION;
  /** "<process id>-<n>": unique within the recorder that made it, and across the runs that append to one file. */
  id: string;
  direction: AssociationDirection;
  /** The peer's address: "host:port". */
  peerAddress: string;
  callingAeTitle: string;
  calledAeTitle: string;
  /** ISO 8601. */
  startedAt: string;
  /** Milliseconds from start to end; absent while the association is open. */
  durationMs?: number;
  /** Absent while the association is open. */
  outcome?: RecordedOutcome;
  /** Absent when no A-ASSOCIATE-RQ was sent or received. */
  negotiation?: RecordedNegotiation;
  messages: RecordedMessage[];
  /** Messages beyond the recorder's per-association limit: counted, not listed. */
  messagesOmitted?: number;
  /** Only when the recorder was asked to keep PDUs. */
  pdus?: RecordedPdu[];
  pdusOmitted?: number;
}
