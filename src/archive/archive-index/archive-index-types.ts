// The option, input, report and change types of the archive index.

import { Tag } from '../../dicom';
import { ScannedElement } from '../../dicom';
import { QueryRecord } from '../../services';
import { RetrievableInstance } from '../../services';

export interface ArchiveIndexOptions {
  /** The archive folder (<root>/<Study>/<Series>/<SOP>.dcm, though any layout below it is indexed). */
  root: string;
  /** Keep the index in <root>/.index (default true). */
  persist?: boolean;
  /** Where to keep it (default <root>/.index/archive-index.jsonl). */
  indexFile?: string;
  /** open(): compare the loaded index with the folder (default true). Without it, call reconcile() later. */
  reconcile?: boolean;
  /** Write the index this long after the last change (default 1000 ms)… */
  flushDelayMs?: number;
  /** …but no later than this after the first unsaved change (default 10000 ms). */
  maxFlushDelayMs?: number;
  /** One line per notable event: the open report, a rebuild, a conflict, a failed write. */
  log?: (line: string) => void;
  /** Scan progress while reading files: files read so far and how many there are to read. */
  onProgress?: (done: number, total: number) => void;
}

/** What can be indexed: a FileStore `StoredInstance`, or a `scanFileHeader` result with its path. */
export interface IndexInput {
  /** Absolute path (or relative to the working directory); must be inside the archive root. */
  path: string;
  /** `path` relative to the archive root, normalized, when the caller has it (a FileStore `StoredInstance`). */
  relativePath?: string;
  /** File size; `fileSize` is accepted too (scanFileHeader's name). Read from disk when neither is given. */
  size?: number;
  fileSize?: number;
  /** Modification time; read from disk when not given (it tells a changed file on the next start). */
  mtimeMs?: number;
  datasetOffset: number;
  transferSyntaxUid: string;
  /** Top-level elements before the pixel data, values raw (little endian). */
  elements: ReadonlyMap<Tag, ScannedElement>;
}

/** An indexed instance, as get() and add() return it. */
export interface IndexedInstance extends RetrievableInstance {
  relativePath: string;
  mtimeMs: number;
  /** Specific Character Set terms the instance's text was stored in ([] = default repertoire). */
  characterSet: readonly string[];
  /** The instance as a query record (answers the attributes of its series, study and patient too). */
  record: QueryRecord;
}

export interface IndexStats {
  patients: number;
  studies: number;
  series: number;
  instances: number;
  /** Sum of the indexed files' sizes. */
  bytes: number;
  /** Files in the folder that are not indexed (not DICOM, no UIDs, duplicates). */
  ignoredFiles: number;
}

export interface ReconcileReport {
  /** Indexed files found unchanged. */
  unchanged: number;
  /** New files indexed. */
  added: number;
  /** Entries dropped because their file is gone. */
  removed: number;
  /** Changed files read again. */
  reread: number;
  /** Files found this time that cannot be indexed (not DICOM, no UIDs, duplicates). */
  ignored: number;
  /** Files that could not be read (permissions, vanished); tried again next time. */
  unreadable: number;
  /** Files whose header was read. */
  filesRead: number;
  /** Entities moved or renamed because instances disagreed (see the identity rules in archive-index.ts). */
  conflicts: number;
  walkMs: number;
  readMs: number;
  ms: number;
}

export interface OpenReport extends ReconcileReport {
  /** Instances taken from the index file. */
  loaded: number;
  /** What happened to the index file: loaded, missing (first start), rebuilt (unusable), or not persisted. */
  indexFile: 'loaded' | 'missing' | 'rebuilt' | 'not-persisted';
  /** Why the file was rebuilt. */
  reason?: string;
  loadMs: number;
  /** Whether the folder was compared (false with `reconcile: false`). */
  reconciled: boolean;
}

export type IndexChange =
  | { type: 'added'; instance: IndexedInstance; replaced: boolean }
  | { type: 'removed'; sopInstanceUid: string }
  | { type: 'reconciled'; report: ReconcileReport };

export type IndexListener = (change: IndexChange, stats: IndexStats) => void;
