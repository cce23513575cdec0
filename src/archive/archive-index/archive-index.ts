// The archive index: Patient → Study → Series → Instance tables over the files of an archive
// folder, kept in memory for C-FIND / C-MOVE / C-GET, QIDO-RS / WADO-RS and the extension's
// local archive view, and persisted under <root>/.index so a restart does not read every file.
//
// Identity and conflicts:
// - A patient is Patient ID + Issuer of Patient ID. Instances without a Patient ID are grouped
//   by Patient Name + Birth Date (each such group is a patient whose Patient ID is empty), but a
//   PATIENT-level query answers all of those as one patient: Patient ID is the level's unique key.
// - Studies, series and instances are their UIDs, unique across the archive.
// - Attribute values are those of the most recently indexed instance that has them: an instance
//   that says another Patient Name for the same Patient ID renames the patient (logged), and one
//   that puts a known study under another patient (or a known series under another study) moves
//   it there with everything below it (logged). The attributes of an entity are not recomputed
//   when the instance that set them is removed.
// - A SOP Instance UID is indexed once. add() replaces an earlier instance with the same UID;
//   the folder scan keeps the first file found and remembers the others as duplicates.

import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Tag } from '../../dicom';
import { scanFileHeader } from '../../dicom';
import { DicomError } from '../../dicom';
import { CompiledQuery } from '../../services';
import { MatchedEntity, QueryBackend, RetrievableInstance } from '../../services';
import {
  ArchiveIndexOptions, IndexChange, IndexedInstance, IndexInput, IndexListener, IndexStats, OpenReport, ReconcileReport,
} from './archive-index-types';
import { AddQueue } from './add-queue';
import { SCAN_STOP_TAG, indexSupportsKey } from './columns';
import { InstanceEntry } from './entries';
import { ArchiveIndexError, IndexFileError } from './errors';
import { walkFolder } from './folder-walk';
import { MAX_SCANNED_VALUE, readHeaders } from './header-read';
import { FlushScheduler } from './flush-scheduler';
import { IgnoredFile, INDEX_DIR, INDEX_FILE_NAME, readIndexFile, writeIndexFile } from './index-file';
import { IndexTree } from './index-tree';
import { InstanceView } from './instance-view';
import { findEntities, findInstances } from './search';

/** How often a folder scan reports progress (files). */
const PROGRESS_EVERY = 256;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 300 ? `${message.slice(0, 297)}...` : message;
}

export class ArchiveIndex implements QueryBackend {
  readonly root: string;
  readonly indexFile: string | undefined;
  private readonly tree: IndexTree;
  private readonly ignoredFiles = new Map<string, IgnoredFile>();
  private readonly listeners = new Set<IndexListener>();
  private readonly scheduler: FlushScheduler | undefined;
  /** False while open() loads and compares: changes are then saved once, at its end. */
  private opened = true;
  private unsaved = false;
  private reconciling: Promise<ReconcileReport> | undefined;
  /** SOP Instance UIDs add()ed while a reconcile runs: the folder walk may predate their files. */
  private addedDuringReconcile: Set<string> | undefined;
  private report: OpenReport | undefined;
  private readonly queue = new AddQueue(() => this.indexQueued());

  /**
   * An empty index over `root`. Use `ArchiveIndex.open()` to load the persisted index and
   * compare it with the folder; the constructor alone is for an index filled with add().
   */
  constructor(readonly options: ArchiveIndexOptions) {
    this.root = path.resolve(options.root);
    const persist = options.persist ?? true;
    this.indexFile = persist ? path.resolve(options.indexFile ?? path.join(this.root, INDEX_DIR, INDEX_FILE_NAME)) : undefined;
    this.tree = new IndexTree(this.root, {
      onPlaced: (sop) => {
        this.addedDuringReconcile?.add(sop);
        this.changed();
      },
      log: (line) => this.log(line),
    });
    if (this.indexFile) {
      const file = this.indexFile;
      this.scheduler = new FlushScheduler(() => this.writeNow(file), {
        delayMs: options.flushDelayMs ?? 1000,
        maxDelayMs: options.maxFlushDelayMs ?? 10_000,
        onError: (error) => this.log(`The archive index could not be saved to ${file}: ${describeError(error)}`),
      });
    }
  }

  /** Loads the persisted index (rebuilding it when unusable) and brings it in line with the folder. */
  static async open(options: ArchiveIndexOptions): Promise<ArchiveIndex> {
    const index = new ArchiveIndex(options);
    await index.load();
    return index;
  }

  /** What open() did. */
  get openReport(): OpenReport | undefined {
    return this.report;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  // --- changes -----------------------------------------------------------------------------

  onChange(listener: IndexListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  private emit(change: IndexChange): void {
    if (this.listeners.size === 0) return;
    const stats = this.stats();
    for (const l of this.listeners) {
      try {
        l(change, stats);
      } catch (error) {
        this.log(`An archive index listener failed: ${describeError(error)}`);
      }
    }
  }

  private changed(): void {
    if (this.opened && this.scheduler) this.scheduler.touch();
    else this.unsaved = true;
  }

  /**
   * Indexes an instance (replacing one with the same SOP Instance UID).
   * @throws IndexInputError when it lacks a Study, Series or SOP Instance UID or lies outside the root.
   */
  add(input: IndexInput): IndexedInstance {
    this.indexQueued();
    const placed = this.tree.insert(input, 'replace');
    const view = this.view(placed.entry!);
    this.emit({ type: 'added', instance: view, replaced: placed.replaced });
    return view;
  }

  /**
   * Indexes an instance soon rather than now: queued instances are indexed together, after a few
   * milliseconds (add-queue.ts), which costs a receiver's main thread less than one at a time
   * between the arrivals of large instances. Nobody can tell the difference: every read of the
   * index (find, retrieve, instancesOf, stats, get of a queued instance), every change and
   * flush() and close() index what is queued first. `done` gets the indexed instance, or the
   * error add() threw.
   */
  addSoon(input: IndexInput, done?: (result: IndexedInstance | Error) => void): void {
    this.queue.push({ input, done });
  }

  /** Indexes what addSoon() queued, in order, now. */
  indexQueued(): void {
    if (this.queue.size === 0) return;
    const queued = this.queue.take();
    // All of them first, then the callbacks: one that reads the index sees the whole batch.
    const results = queued.map(({ input, done }): IndexedInstance | Error => {
      try {
        return this.add(input);
      } catch (error) {
        if (!done) this.log(`${input.path} could not be indexed: ${describeError(error)}`);
        return error instanceof Error ? error : new Error(String(error));
      }
    });
    queued.forEach(({ done }, i) => {
      try {
        done?.(results[i]!);
      } catch (error) {
        this.log(`An archive index callback failed: ${describeError(error)}`);
      }
    });
  }

  /** Reads a file's header and indexes it. */
  async addFile(file: string): Promise<IndexedInstance> {
    this.indexQueued();
    const scan = await scanFileHeader(file, { stopAt: SCAN_STOP_TAG, maxValueBytes: MAX_SCANNED_VALUE });
    return this.add({ ...scan, path: file });
  }

  /** Drops an instance from the index (the file is not touched). */
  remove(sopInstanceUid: string): boolean {
    this.indexQueued();
    const entry = this.tree.instances.get(sopInstanceUid);
    if (!entry) return false;
    this.tree.detach(entry);
    this.changed();
    this.emit({ type: 'removed', sopInstanceUid });
    return true;
  }

  get(sopInstanceUid: string): IndexedInstance | undefined {
    // Only a queued instance with this UID can change the answer (the file store asks for every
    // instance it receives: that must not index the queue each time).
    if (this.queue.has(sopInstanceUid)) this.indexQueued();
    const entry = this.tree.instances.get(sopInstanceUid);
    return entry && this.view(entry);
  }

  stats(): IndexStats {
    this.indexQueued();
    return {
      patients: this.tree.patients.size, studies: this.tree.studies.size, series: this.tree.seriesByUid.size,
      instances: this.tree.instances.size, bytes: this.tree.totalBytes, ignoredFiles: this.ignoredFiles.size,
    };
  }

  /** Whether the index can match on an attribute (pass as compileQuery's `isKeySupported`). */
  supportsKey(tag: Tag): boolean {
    return indexSupportsKey(tag);
  }

  // --- query and retrieve ----------------------------------------------------------------------

  find(query: CompiledQuery): Iterable<MatchedEntity> {
    this.indexQueued();
    return findEntities(this.tree.tables, query);
  }

  retrieve(query: CompiledQuery): RetrievableInstance[] {
    this.indexQueued();
    return findInstances(this.tree.tables, query).map((e) => this.retrievable(e));
  }

  /** The instances of a study, a series of it, or one instance (WADO-RS), without a query. */
  instancesOf(studyInstanceUid: string, seriesInstanceUid?: string, sopInstanceUid?: string): RetrievableInstance[] {
    this.indexQueued();
    const study = this.tree.studies.get(studyInstanceUid);
    if (!study) return [];
    const out: RetrievableInstance[] = [];
    for (const series of study.series.values()) {
      if (seriesInstanceUid !== undefined && series.uid !== seriesInstanceUid) continue;
      for (const i of series.instances) if (sopInstanceUid === undefined || i.uid === sopInstanceUid) out.push(this.retrievable(i));
    }
    return out;
  }

  private retrievable(e: InstanceEntry): RetrievableInstance {
    return {
      path: path.join(this.root, e.relativePath), sopClassUid: e.sopClassUid, sopInstanceUid: e.uid,
      transferSyntaxUid: e.transferSyntaxUid, datasetOffset: e.datasetOffset, fileSize: e.size,
      studyInstanceUid: e.series.study.uid, seriesInstanceUid: e.series.uid,
    };
  }

  private view(e: InstanceEntry): IndexedInstance {
    return new InstanceView(this.root, e);
  }

  // --- persistence and the folder -------------------------------------------------------------

  private async load(): Promise<void> {
    const started = performance.now();
    this.opened = false;
    let indexFile: OpenReport['indexFile'] = 'not-persisted';
    let reason: string | undefined;
    let loaded = 0;
    if (this.indexFile) {
      try {
        const r = await readIndexFile(this.indexFile, this.tree.interner, {
          instance: (p, s, e, i) => { this.tree.place(p, s, e, i, 'replace'); },
          ignored: (rel, f) => { this.ignoredFiles.set(rel, f); },
        });
        loaded = this.tree.instances.size;
        indexFile = 'loaded';
        // Placing the loaded instances marked the index unsaved; it is saved unless it held duplicates.
        this.unsaved = loaded !== r.instances;
      } catch (error) {
        // Anything but a bad or unreadable file is a bug, not a reason to rebuild.
        if (!(error instanceof IndexFileError) && errorCode(error) === undefined) throw error;
        this.tree.clear();
        this.ignoredFiles.clear();
        if (errorCode(error) === 'ENOENT') {
          indexFile = 'missing';
        } else {
          indexFile = 'rebuilt';
          reason = describeError(error);
          this.log(`The archive index ${this.indexFile} cannot be used (${reason}); rebuilding it from the folder.`);
        }
        this.unsaved = true;
      }
    }
    const loadMs = performance.now() - started;
    const reconciled = this.options.reconcile ?? true;
    const r: ReconcileReport = reconciled ? await this.reconcile() : {
      unchanged: 0, added: 0, removed: 0, reread: 0, ignored: 0, unreadable: 0, filesRead: 0, conflicts: this.tree.conflicts, walkMs: 0, readMs: 0, ms: 0,
    };
    this.opened = true;
    if (this.unsaved && this.scheduler) {
      this.scheduler.touch();
      await this.scheduler.flush();
    }
    this.unsaved = false;
    this.report = { ...r, loaded, indexFile, reason, loadMs, reconciled, conflicts: this.tree.conflicts, ms: performance.now() - started };
    const rep = this.report;
    this.log(`Archive index of ${this.root}: loaded ${rep.loaded}, added ${rep.added}, removed ${rep.removed}, re-read ${rep.reread}, `
      + `ignored ${rep.ignored}${rep.unreadable ? `, unreadable ${rep.unreadable}` : ''} (${this.tree.instances.size} instances, ${Math.round(rep.ms)} ms).`);
  }

  /**
   * Compares the index with the folder: files that are gone are dropped, new and changed ones
   * (by size and modification time) are read. Runs once at a time; a second call joins the first.
   */
  reconcile(): Promise<ReconcileReport> {
    this.indexQueued();
    if (!this.reconciling) {
      this.reconciling = this.runReconcile().finally(() => {
        this.reconciling = undefined;
        this.addedDuringReconcile = undefined;
      });
    }
    return this.reconciling;
  }

  private async runReconcile(): Promise<ReconcileReport> {
    const started = performance.now();
    const conflictsBefore = this.tree.conflicts;
    this.addedDuringReconcile = new Set();
    let onDisk: Map<string, { size: number; mtimeMs: number }>;
    try {
      onDisk = await walkFolder(this.root);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new ArchiveIndexError(`The archive folder ${this.root} does not exist.`);
      throw error;
    }
    const walkMs = performance.now() - started;
    // Instances queued during the walk are compared like the others.
    this.indexQueued();
    const handled = new Set<string>();
    const toRead: string[] = [];
    const rereading = new Set<string>();
    let unchanged = 0;
    let removed = 0;
    for (const entry of [...this.tree.instances.values()]) {
      const rel = entry.relativePath;
      const state = onDisk.get(rel);
      if (!state) {
        if (this.addedDuringReconcile.has(entry.uid)) continue;
        this.tree.detach(entry);
        this.changed();
        removed++;
        this.emit({ type: 'removed', sopInstanceUid: entry.uid });
        continue;
      }
      handled.add(rel);
      if (state.size === entry.size && state.mtimeMs === entry.mtimeMs) {
        unchanged++;
        continue;
      }
      this.tree.detach(entry);
      this.changed();
      rereading.add(rel);
      toRead.push(rel);
    }
    for (const [rel, ignored] of [...this.ignoredFiles]) {
      const state = onDisk.get(rel);
      if (!state) {
        this.ignoredFiles.delete(rel);
        this.changed();
        continue;
      }
      handled.add(rel);
      // A duplicate may now be the only copy of its instance.
      const retry = removed > 0 && ignored.reason.startsWith('duplicate');
      if (!retry && state.size === ignored.size && state.mtimeMs === ignored.mtimeMs) continue;
      this.ignoredFiles.delete(rel);
      this.changed();
      toRead.push(rel);
    }
    for (const rel of onDisk.keys()) if (!handled.has(rel)) toRead.push(rel);

    const readStarted = performance.now();
    let added = 0;
    let reread = 0;
    let ignored = 0;
    let unreadable = 0;
    const ignore = (rel: string, reason: string) => {
      const state = onDisk.get(rel)!;
      this.ignoredFiles.set(rel, { size: state.size, mtimeMs: state.mtimeMs, reason });
      this.changed();
      ignored++;
    };
    await readHeaders(toRead.map((rel) => path.join(this.root, rel)), (k, result) => {
      const rel = toRead[k]!;
      const state = onDisk.get(rel)!;
      if ((k + 1) % PROGRESS_EVERY === 0 || k + 1 === toRead.length) this.options.onProgress?.(k + 1, toRead.length);
      if (result instanceof Error) {
        if (result instanceof DicomError) ignore(rel, `not indexable: ${describeError(result)}`);
        else unreadable++;
        return;
      }
      try {
        const placed = this.tree.insert({ ...result, path: path.join(this.root, rel), size: state.size, mtimeMs: state.mtimeMs }, 'keep', rel);
        if (placed.duplicateOf) {
          ignore(rel, `duplicate of SOP Instance ${placed.duplicateOf.uid} in ${placed.duplicateOf.relativePath}`);
          return;
        }
        if (rereading.has(rel)) reread++;
        else added++;
        if (this.listeners.size) this.emit({ type: 'added', instance: this.view(placed.entry!), replaced: placed.replaced });
      } catch (error) {
        if (!(error instanceof ArchiveIndexError)) throw error;
        ignore(rel, describeError(error));
      }
    });
    // Entries re-read into nothing are gone from the index too.
    for (const rel of rereading) if (this.ignoredFiles.has(rel)) removed++;
    const report: ReconcileReport = {
      unchanged, added, removed, reread, ignored, unreadable, filesRead: toRead.length - unreadable,
      conflicts: this.tree.conflicts - conflictsBefore,
      walkMs, readMs: performance.now() - readStarted, ms: performance.now() - started,
    };
    this.emit({ type: 'reconciled', report });
    return report;
  }

  private async writeNow(file: string): Promise<void> {
    await writeIndexFile(file, this.tree.patients.values(), this.ignoredFiles);
  }

  /** Writes the index file now if anything changed since the last write. */
  async flush(): Promise<void> {
    this.indexQueued();
    await this.scheduler?.flush();
  }

  /** Waits for a running reconcile, then writes what is unsaved. The index stays usable in memory. */
  async close(): Promise<void> {
    await this.reconciling?.catch(() => undefined);
    this.indexQueued();
    await this.scheduler?.close();
  }
}
