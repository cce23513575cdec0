// What registerWebviews() needs from the rest of the extension.
import type { ViewerEngine } from '../engine';
import type { QueryLevelName } from '../../shared';
import type { DicomJsonObject, RowScope } from './query-rows';
import type * as vscode from 'vscode';
import type { AssociationRecord, DcmtkCommand } from '../../ae';

export interface WebviewLog {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

/** Rows a query results action applies to, with the opaque `source` given to showQueryResults(). */
export interface QueryRowsRequest {
  source: unknown;
  level: QueryLevelName;
  rows: RowScope[];
  /** The matches behind `rows`, in the same order (for labels). */
  matches: DicomJsonObject[];
}

/** Where association records come from: the extension's association store has this shape. */
export interface AssociationSource {
  get(id: string): AssociationRecord | undefined;
  /** Oldest first. */
  all(): AssociationRecord[];
  /** Fires when an association opened, changed or closed. */
  readonly onDidChange: vscode.Event<AssociationRecord>;
  /** Fires when the kept associations were cleared. */
  readonly onDidClear: vscode.Event<void>;
}

/** The engine's functions on records (from the engine bundle, loaded on first use). */
export interface RecordTools {
  formatRecord(record: AssociationRecord): string;
  dcmtkCommand(record: AssociationRecord): DcmtkCommand | undefined;
}

export interface WebviewDeps {
  log: WebviewLog;
  /** The DICOM code (parser, view model, frame decoder), loaded when a viewer first opens. */
  viewerEngine(): ViewerEngine;
  /** "Retrieve to workspace" on query results; the action is hidden when absent. */
  retrieve?(request: QueryRowsRequest): Promise<void>;
  /** "Open" on query results (e.g. reveal the study in the Nodes view, or open the retrieved instance). */
  open?(request: QueryRowsRequest): Promise<void>;
  /** The kept association records, for the detail panel (it follows them live). */
  associations: AssociationSource;
  /** formatRecord and dcmtkCommand (the engine bundle, loaded when first used). */
  recordTools(): RecordTools;
  /** The decoding worker bundle (default: <extension>/dist/pixel-worker.js). */
  workerScript?: string;
  /** dcmjs-codecs' WebAssembly module (default: <extension>/dist/dcmjs-native-codecs.wasm when present, else node_modules). */
  wasmPath?: string;
}
