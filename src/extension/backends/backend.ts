// What the commands and the tree do with a node, whatever it speaks: a DIMSE peer, a DICOMweb
// service or the local archive each answer the same interface. Everything that depends on the kind
// of a node lives behind it.
import type * as vscode from 'vscode';
import type { AnyNode, RemoteNode, RetrieveMethod, StudyFilter } from '../config';
import type { Listing, OnMatch } from '../engine';
import type {
  ArchiveRecords, CommitmentOutcome, InstanceSummary, QueryLevel, QueryModel, QueryTable, RetrieveCounts, RetrieveOutcome, RetrieveScope, SendOutcome, SendProgress,
  SeriesSummary, StudySummary,
} from '../engine';
import type { EchoStatus } from '../state';

/** What a command may ask of a node. */
export type Capability = 'echo' | 'find' | 'patientLevel' | 'worklist' | 'retrieve' | 'send' | 'commit' | 'edit';

export type RetrieveMethodChoice = RetrieveMethod | 'WADO-RS';

export interface EchoResult {
  ok: boolean;
  /** The notification. */
  message: string;
  /** The node's mark in the tree: "success in 3 ms", or the status. */
  status: string;
  /** The record of the association (DIMSE nodes). */
  associationId?: string;
}

/** Find… at a level of a query model, or Worklist… (where supported); keys are "Key=value" pairs, an empty value asks for the key. */
export type FindQuery =
  | { model: QueryModel; level: QueryLevel; keys: readonly string[] }
  | { model: 'worklist'; keys: readonly string[] };

/** A retrieve method as the Retrieve… picker offers it. */
export interface RetrieveChoice {
  label: string;
  description: string;
  value: RetrieveMethodChoice;
}

export interface RetrieveRun {
  onProgress: (counts: RetrieveCounts) => void;
  signal?: AbortSignal;
  /** Instances expected, when the listing said (for progress where the protocol does not tell). */
  expected?: number;
}

export interface SendRun {
  onProgress: (progress: SendProgress) => void;
  signal?: AbortSignal;
}

export interface CommitRun {
  /** How long to wait for the report once the request was accepted. */
  waitSeconds: number;
  signal?: AbortSignal;
  /** The request was accepted: the wait for the report begins. */
  onAccepted?: (transactionUid: string, instances: number) => void;
}

/** How the Nodes view shows a node. */
export interface NodeView {
  contextValue: string;
  description: string;
  icon: vscode.ThemeIcon;
  /** Appends the node's part of the tooltip (its name and study filter are added around it). */
  describe(tip: vscode.MarkdownString): void;
}

export interface NodeBackend {
  readonly node: AnyNode;
  /** The settings entry behind the node; undefined for the built-in local archive. */
  readonly settings: RemoteNode | undefined;
  /** "a DIMSE node", "a DICOMweb node", "the local archive". */
  readonly kindLabel: string;
  /** Built into the extension: always listed, never picked without asking. */
  readonly builtIn: boolean;
  /** Its instances are files of the storage folder already: there is nothing to retrieve. */
  readonly inStorageFolder: boolean;
  /** The protocols used, for titles and messages: C-ECHO / QIDO-RS, C-FIND / QIDO-RS, C-STORE / STOW-RS. */
  readonly protocols: { echo: string; find: string; send: string };
  /** What a results panel of this node adds to its title, e.g. " (QIDO-RS)". */
  readonly resultsTitleSuffix: string;

  supports(capability: Capability): boolean;
  /** Usable now (the local archive only while its SCP runs). */
  available(): boolean;
  /** "PACS@10.0.0.5:104 (TLS)", the URL, or the local SCP's AE title and port. */
  address(): string;
  view(echo: EchoStatus | undefined): NodeView;

  listStudies(filter: StudyFilter, signal?: AbortSignal): Promise<Listing<StudySummary>>;
  listSeries(studyInstanceUid: string, signal?: AbortSignal): Promise<Listing<SeriesSummary>>;
  listInstances(studyInstanceUid: string, seriesInstanceUid: string, signal?: AbortSignal): Promise<Listing<InstanceSummary>>;

  /** C-ECHO, or the check that stands for it. Rejects when the node cannot be reached. */
  echo(signal?: AbortSignal): Promise<EchoResult>;
  /** The notification for an echo that failed for `reason`. */
  echoFailure(reason: string): string;
  find(query: FindQuery, signal: AbortSignal, onMatch?: OnMatch): Promise<QueryTable>;
  /** The retrieve methods, the node's preferred one first; none when there is nothing to retrieve. */
  retrieveChoices(): RetrieveChoice[];
  retrieve(scope: RetrieveScope, method: RetrieveMethodChoice, run: RetrieveRun): Promise<RetrieveOutcome>;
  send(paths: readonly string[], run: SendRun): Promise<SendOutcome>;
  /** Storage Commitment of the instances of `paths`; the report may come on a new association to the local SCP. */
  requestCommitment(paths: readonly string[], run: CommitRun): Promise<CommitmentOutcome>;
  /** What the node keeps beside its instances, listed under it (the local archive's MPPS and commitment records). */
  records?(): Promise<ArchiveRecords>;
  /** One sentence (no final full stop) for any error an operation of this node threw. */
  describeError(error: unknown): string;
}
