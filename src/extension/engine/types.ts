// Plain data crossing between the thin extension bundle and the engine facade bundle. Types only:
// nothing here may pull engine code into dist/extension.js.
import type { PeerProfile } from '../../ae';

/** Where and how to open an association: a DIMSE node's peer profile, its secrets resolved. */
export interface DimseTarget extends PeerProfile {
  /** The node's name, for messages. */
  name: string;
}

/** Where log lines go: info for one line per association and operation, trace for PDUs and DIMSE messages. */
export interface EngineLog {
  info(line: string): void;
  debug(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  trace(line: string): void;
  /** Whether trace lines are wanted (attaching the PDU tracer costs time). */
  traceEnabled(): boolean;
}

export interface StudySummary {
  studyInstanceUid: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  studyTime: string;
  accessionNumber: string;
  modalities: string[];
  description: string;
  numberOfSeries?: number;
  numberOfInstances?: number;
}

export interface SeriesSummary {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string;
  seriesNumber?: number;
  description: string;
  numberOfInstances?: number;
}

export interface InstanceSummary {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  /** e.g. "CT Image Storage", when the class is known. */
  sopClassName?: string;
  instanceNumber?: number;
}

export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
export type QueryModel = 'patient' | 'study';

/** A C-FIND or worklist answer as a table (column keys, one row of text per match) and as DICOM JSON. */
export interface QueryTable {
  columns: string[];
  rows: string[][];
  json: unknown[];
  /** The final status was a warning, or the query was cancelled. */
  warning: boolean;
  cancelled: boolean;
}

/** What to retrieve: a study, a series of it, or one instance. */
export interface RetrieveScope {
  studyInstanceUid: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
}

export interface RetrieveCounts {
  /** Sub-operations left, when the peer says. */
  remaining?: number;
  completed: number;
  failed: number;
  warning: number;
}

export interface RetrieveOutcome extends RetrieveCounts {
  /** Final status class. */
  ok: boolean;
  cancelled: boolean;
  /** e.g. "Success (0000H)". */
  statusText: string;
  comment?: string;
  /** Files written into the archive folder during the retrieval (C-GET: by us; C-MOVE: by the local SCP). */
  files: string[];
  /** The record of the C-MOVE / C-GET association (DICOM Associations view). */
  associationId?: string;
}

export interface SendProgress {
  done: number;
  total: number;
  failed: number;
  /** The file that was just answered. */
  path?: string;
}

export interface SendOutcome {
  total: number;
  sent: number;
  warning: number;
  failed: { path: string; reason: string }[];
  skipped: { path: string; reason: string }[];
  cancelled: boolean;
  bytes: number;
  /** The files the peer took (success or warning), for a storage commitment request after. */
  sentFiles: string[];
  /** The record of the last association the send opened (DICOM Associations view). */
  associationId?: string;
}

/** One instance of a storage commitment request, named by its file when it came from one. */
export interface CommitmentItem {
  sopClassUid: string;
  sopInstanceUid: string;
  path?: string;
}

export interface CommitmentFailure extends CommitmentItem {
  failureReason: number;
  /** In words, e.g. "no such object instance (0x0112)". */
  reason: string;
}

/** What came of a storage commitment request whose N-ACTION the peer accepted. */
export interface CommitmentOutcome {
  transactionUid: string;
  requested: number;
  /** Inputs that are not DICOM instances (not requested). */
  skipped: { path: string; reason: string }[];
  /** The report, when it came in time. */
  report?: {
    committed: CommitmentItem[];
    failed: CommitmentFailure[];
    /** Requested but in neither list of the report. */
    unreported: CommitmentItem[];
    reportedBy: string;
    sameAssociation: boolean;
  };
  /** No report within the wait. */
  timedOut: boolean;
  cancelled: boolean;
  /** How long the wait was, in seconds. */
  waitedSeconds: number;
}

/** An MPPS instance the local SCP received, as the Nodes view lists it. */
export interface MppsSummary {
  sopInstanceUid: string;
  status: string;
  patientName: string;
  patientId: string;
  procedureStepId: string;
  description: string;
  modality: string;
  /** DICOM date and time of the step's start and end ("YYYYMMDD HHMMSS"). */
  start: string;
  end: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  series: number;
  instances: number;
  /** "N-CREATE from MODALITY at …: IN PROGRESS" per operation. */
  history: string[];
}

/** A storage commitment request the local SCP answered. */
export interface AnsweredCommitmentSummary {
  transactionUid: string;
  requestedBy: string;
  receivedAt: string;
  committed: number;
  failed: { sopInstanceUid: string; reason: string }[];
  /** "on the same association", "on a new association", "not delivered (why)". */
  delivery: string;
}

/** What the local archive keeps beside its instances. */
export interface ArchiveRecords {
  mpps: MppsSummary[];
  commitments: AnsweredCommitmentSummary[];
  /** Records that could not be read, one sentence each. */
  problems: string[];
}

export interface LocalScpSettings {
  aeTitle: string;
  port: number;
  bindAddress: string;
  /** Absolute storage folder. */
  folder: string;
  /** Abort an association idle this long (0 = never; default: the engine's server default). */
  idleTimeoutSeconds?: number;
  /** Transfer syntax to store received instances in (name or UID); empty or absent = as received. */
  storeAs?: string;
}

export interface LocalScpStats {
  studies: number;
  series: number;
  instances: number;
  /** Instances received since start. */
  received: number;
}

export interface StoredNotice {
  path: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  callingAeTitle: string;
}
