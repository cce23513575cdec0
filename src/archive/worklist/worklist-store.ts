// The Modality Worklist SCP's items (`dicomnet scp --worklist DIR`): every DICOM, DCMTK .wl or
// DICOM JSON file in a folder (and its subfolders, as DCMTK keeps one per AE title), matched
// with the query layer's Modality Worklist model, Scheduled Procedure Step Sequence included.
//
// The folder is checked on each query (or at most every `checkIntervalMs`): a file is read again
// when its size or modification time changed, and forgotten when it is gone. A file that cannot
// be read is logged once (per version of it) and skipped; the other items are served.

import { Dirent, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../../dicom';
import { normalizeCharsetTerms } from '../../dicom';
import { Tags } from '../../dicom';
import { CompiledQuery } from '../../services';
import { datasetRecord, QueryRecord } from '../../services';
import { MatchedEntity, WorklistBackend } from '../../services';
import { parseWorklistFile } from './worklist-files';

export interface WorklistStoreOptions {
  /** The worklist folder. */
  dir: string;
  /** Look in subfolders too (default true). Entries whose name starts with a dot are skipped. */
  recursive?: boolean;
  /** Larger files are skipped (default 16 MiB). */
  maxFileBytes?: number;
  /** Look for changes at most this often (default 0: before every query). */
  checkIntervalMs?: number;
  /** One line per file that cannot be read, and when the folder is missing. */
  log?: (line: string) => void;
}

export interface WorklistItem {
  /** The file, relative to the folder. */
  file: string;
  /** Position of the item in its file (JSON arrays hold several). */
  index: number;
  dataset: Dataset;
  record: QueryRecord;
  /** Specific Character Set terms of the item ([] = default repertoire). */
  characterSet: readonly string[];
}

export interface WorklistRefresh {
  files: number;
  items: number;
  /** Files read this time (new or changed). */
  read: number;
  /** Files that could not be read (logged). */
  failed: number;
  /** Files gone since the last check. */
  removed: number;
}

interface CachedFile {
  size: number;
  mtimeMs: number;
  items: WorklistItem[];
}

const MAX_DEPTH = 8;
/** DCMTK's wlmscpfs locks its folders with this (empty) file. */
const LOCK_FILE = 'lockfile';

export class WorklistStore implements WorklistBackend {
  readonly dir: string;
  private readonly cache = new Map<string, CachedFile>();
  private list: WorklistItem[] = [];
  private lastCheck = -Infinity;
  private missingLogged = false;

  constructor(readonly options: WorklistStoreOptions) {
    this.dir = path.resolve(options.dir);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** The items as of the last check, ordered by file then position. */
  items(): readonly WorklistItem[] {
    return this.list;
  }

  /** Re-reads what changed in the folder. */
  refresh(): WorklistRefresh {
    this.lastCheck = Date.now();
    const found = new Map<string, { size: number; mtimeMs: number }>();
    try {
      this.walk('', 0, found);
      this.missingLogged = false;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      if (!this.missingLogged) this.log(`The worklist folder ${this.dir} does not exist; no worklist items are served.`);
      this.missingLogged = true;
    }
    let read = 0;
    let failed = 0;
    let removed = 0;
    let changed = false;
    for (const rel of [...this.cache.keys()]) {
      if (!found.has(rel)) {
        this.cache.delete(rel);
        removed++;
        changed = true;
      }
    }
    const maxBytes = this.options.maxFileBytes ?? 16 * 1024 * 1024;
    for (const [rel, state] of found) {
      const cached = this.cache.get(rel);
      if (cached && cached.size === state.size && cached.mtimeMs === state.mtimeMs) continue;
      changed = true;
      read++;
      let items: WorklistItem[] = [];
      try {
        if (state.size > maxBytes) throw new Error(`${rel} is larger than ${maxBytes} bytes`);
        const parsed = parseWorklistFile(readFileSync(path.join(this.dir, rel)), rel);
        for (const problem of parsed.problems) this.log(`Worklist: ${problem}`);
        items = parsed.items.map((dataset, index) => ({
          file: rel, index, dataset, record: datasetRecord(dataset),
          characterSet: normalizeCharsetTerms(dataset.strings(Tags.SpecificCharacterSet) ?? undefined),
        }));
      } catch (error) {
        failed++;
        this.log(`Worklist file ${rel} is skipped: ${(error as Error).message}`);
      }
      // Remembered even when unreadable, so the same version is not read (and logged) again.
      this.cache.set(rel, { ...state, items });
    }
    if (changed) {
      this.list = [...this.cache.keys()].sort().flatMap((rel) => this.cache.get(rel)!.items);
    }
    return { files: found.size, items: this.list.length, read, failed, removed };
  }

  private walk(relativeDir: string, depth: number, out: Map<string, { size: number; mtimeMs: number }>): void {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(this.dir, relativeDir), { withFileTypes: true });
    } catch (error) {
      if (depth > 0) return;
      throw error;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === LOCK_FILE) continue;
      const rel = relativeDir === '' ? e.name : path.join(relativeDir, e.name);
      if (e.isDirectory()) {
        if ((this.options.recursive ?? true) && depth < MAX_DEPTH) this.walk(rel, depth + 1, out);
      } else if (e.isFile()) {
        try {
          const s = statSync(path.join(this.dir, rel));
          out.set(rel, { size: s.size, mtimeMs: s.mtimeMs });
        } catch {
          // Gone between the listing and the stat: it is not there.
        }
      }
    }
  }

  /** The worklist items matching a Modality Worklist query (the folder is checked first). */
  *find(query: CompiledQuery): Iterable<MatchedEntity> {
    if (query.model.name !== 'ModalityWorklist') {
      throw new Error(`The worklist answers Modality Worklist queries, not ${query.model.name} ones.`);
    }
    if (Date.now() - this.lastCheck >= (this.options.checkIntervalMs ?? 0)) this.refresh();
    for (const item of this.list) {
      if (query.matches(item.record)) yield { record: item.record, characterSet: item.characterSet };
    }
  }
}
