// The archive index: Patient → Study → Series → Instance tables over the files of an archive
// folder, kept in memory for C-FIND / C-MOVE / C-GET, QIDO-RS / WADO-RS and the extension's
// local archive view, and persisted under <root>/.index so a restart does not read every file.
//
// Identity and conflicts:
// - A patient is Patient ID + Issuer of Patient ID. Instances without a Patient ID are grouped
//   by Patient Name + Birth Date (each such group is a patient whose Patient ID is empty).
// - Studies, series and instances are their UIDs, unique across the archive.
// - Attribute values are those of the most recently indexed instance that has them: an instance
//   that says another Patient Name for the same Patient ID renames the patient (logged), and one
//   that puts a known study under another patient (or a known series under another study) moves
//   it there with everything below it (logged). The attributes of an entity are not recomputed
//   when the instance that set them is removed.
// - A SOP Instance UID is indexed once. add() replaces an earlier instance with the same UID;
//   the folder scan keeps the first file found and remembers the others as duplicates.

import { statSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Tag, Tags } from '../../dicom/tag';
import { ScannedElement, scanFileHeader } from '../../dicom/header-scanner';
import { DicomError } from '../../dicom/errors';
import { CompiledQuery } from '../../services/query/matching';
import { QueryRecord } from '../../services/query/record';
import { MatchedEntity, QueryBackend, RetrievableInstance } from '../../services/query-backend';
import { LEVEL_COLUMNS, SCAN_STOP_TAG, indexSupportsKey } from './columns';
import { InstanceEntry, PatientEntry, SeriesEntry, StudyEntry, canonicalPath, patientIdOf, patientKey } from './entries';
import { ArchiveIndexError, IndexFileError, IndexInputError } from './errors';
import { walkFolder } from './folder-walk';
import { MAX_SCANNED_VALUE, readHeaders } from './header-read';
import { FlushScheduler } from './flush-scheduler';
import { IgnoredFile, INDEX_DIR, INDEX_FILE_NAME, LoadedEntity, LoadedInstance, readIndexFile, writeIndexFile } from './index-file';
import { InstanceRecord } from './records';
import { IndexTables, findEntities, findInstances } from './search';
import { asciiText, characterSetOf, decodeLevels, Interner, sameValue, StoredValues } from './values';

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
  /** Entities moved or renamed because instances disagreed (see the identity rules above). */
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

/** How often a folder scan reports progress (files). */
const PROGRESS_EVERY = 256;
const MAX_CONFLICT_LINES = 20;

interface Placed {
  entry?: InstanceEntry;
  duplicateOf?: InstanceEntry;
  replaced: boolean;
}

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
  private readonly interner = new Interner();
  private readonly patients = new Map<string, PatientEntry>();
  private readonly studies = new Map<string, StudyEntry>();
  private readonly seriesByUid = new Map<string, SeriesEntry>();
  private readonly instances = new Map<string, InstanceEntry>();
  private readonly patientsById = new Map<string, Set<PatientEntry>>();
  private readonly studiesByAccession = new Map<string, Set<StudyEntry>>();
  private readonly ignoredFiles = new Map<string, IgnoredFile>();
  private readonly tables: IndexTables;
  private readonly listeners = new Set<IndexListener>();
  private readonly scheduler: FlushScheduler | undefined;
  private totalBytes = 0;
  /** False while open() loads and compares: changes are then saved once, at its end. */
  private opened = true;
  private unsaved = false;
  private reconciling: Promise<ReconcileReport> | undefined;
  /** SOP Instance UIDs add()ed while a reconcile runs: the folder walk may predate their files. */
  private addedDuringReconcile: Set<string> | undefined;
  private conflicts = 0;
  private report: OpenReport | undefined;
  private lastParents: { p: LoadedEntity; s: LoadedEntity; e: LoadedEntity; series: SeriesEntry } | undefined;

  /**
   * An empty index over `root`. Use `ArchiveIndex.open()` to load the persisted index and
   * compare it with the folder; the constructor alone is for an index filled with add().
   */
  constructor(readonly options: ArchiveIndexOptions) {
    this.root = path.resolve(options.root);
    const persist = options.persist ?? true;
    this.indexFile = persist ? path.resolve(options.indexFile ?? path.join(this.root, INDEX_DIR, INDEX_FILE_NAME)) : undefined;
    this.tables = {
      patients: this.patients, studies: this.studies, series: this.seriesByUid, instances: this.instances,
      patientsById: this.patientsById, studiesByAccession: this.studiesByAccession,
    };
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
    const placed = this.insert(input, 'replace');
    const view = this.view(placed.entry!);
    this.emit({ type: 'added', instance: view, replaced: placed.replaced });
    return view;
  }

  /** Reads a file's header and indexes it. */
  async addFile(file: string): Promise<IndexedInstance> {
    const scan = await scanFileHeader(file, { stopAt: SCAN_STOP_TAG, maxValueBytes: MAX_SCANNED_VALUE });
    return this.add({ ...scan, path: file });
  }

  /** Drops an instance from the index (the file is not touched). */
  remove(sopInstanceUid: string): boolean {
    const entry = this.instances.get(sopInstanceUid);
    if (!entry) return false;
    this.detach(entry);
    this.changed();
    this.emit({ type: 'removed', sopInstanceUid });
    return true;
  }

  get(sopInstanceUid: string): IndexedInstance | undefined {
    const entry = this.instances.get(sopInstanceUid);
    return entry && this.view(entry);
  }

  stats(): IndexStats {
    return {
      patients: this.patients.size, studies: this.studies.size, series: this.seriesByUid.size,
      instances: this.instances.size, bytes: this.totalBytes, ignoredFiles: this.ignoredFiles.size,
    };
  }

  /** Whether the index can match on an attribute (pass as compileQuery's `isKeySupported`). */
  supportsKey(tag: Tag): boolean {
    return indexSupportsKey(tag);
  }

  // --- query and retrieve ----------------------------------------------------------------------

  find(query: CompiledQuery): Iterable<MatchedEntity> {
    return findEntities(this.tables, query);
  }

  retrieve(query: CompiledQuery): RetrievableInstance[] {
    return findInstances(this.tables, query).map((e) => this.retrievable(e));
  }

  /** The instances of a study, a series of it, or one instance (WADO-RS), without a query. */
  instancesOf(studyInstanceUid: string, seriesInstanceUid?: string, sopInstanceUid?: string): RetrievableInstance[] {
    const study = this.studies.get(studyInstanceUid);
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

  // --- building the tables ---------------------------------------------------------------------

  private relativeTo(file: string): string {
    const rel = path.relative(this.root, path.resolve(file));
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      throw new IndexInputError(`${file} is not inside the archive folder ${this.root}.`);
    }
    return rel;
  }

  private insert(input: IndexInput, onDuplicate: 'replace' | 'keep', relative?: string): Placed {
    const rel = relative ?? this.relativeTo(input.path);
    const el = input.elements;
    const uid = (t: Tag, what: string) => {
      const v = asciiText(el.get(t));
      if (!v) throw new IndexInputError(`${rel} has no ${what}.`);
      return v;
    };
    const sop = uid(Tags.SOPInstanceUID, 'SOP Instance UID');
    const studyUid = uid(Tags.StudyInstanceUID, 'Study Instance UID');
    const seriesUid = uid(Tags.SeriesInstanceUID, 'Series Instance UID');
    let size = input.size ?? input.fileSize;
    let mtimeMs = input.mtimeMs;
    if (size === undefined || mtimeMs === undefined) {
      try {
        const s = statSync(path.resolve(input.path));
        size ??= s.size;
        mtimeMs ??= s.mtimeMs;
      } catch {
        size ??= 0;
        mtimeMs ??= 0;
      }
    }
    const charset = this.interner.charset(characterSetOf(el));
    const [patientValues, studyValues, seriesValues, imageValues] = decodeLevels(el, charset, this.interner);
    return this.place(
      { uid: '', values: patientValues!, charset },
      { uid: studyUid, values: studyValues!, charset },
      { uid: seriesUid, values: seriesValues!, charset },
      {
        uid: sop, values: imageValues!, charset,
        storedPath: rel, size, mtimeMs, datasetOffset: input.datasetOffset,
        transferSyntaxUid: this.interner.string(input.transferSyntaxUid),
      },
      onDuplicate,
    );
  }

  private conflict(line: string): void {
    this.conflicts++;
    if (this.conflicts <= MAX_CONFLICT_LINES) this.log(line);
    else if (this.conflicts === MAX_CONFLICT_LINES + 1) this.log('More archive index conflicts follow; they are counted, not logged.');
  }

  /** Puts an instance (and its patient, study and series as it describes them) in the tables. */
  private place(p: LoadedEntity, s: LoadedEntity, e: LoadedEntity, i: LoadedInstance, onDuplicate: 'replace' | 'keep'): Placed {
    let replaced = false;
    const existing = this.instances.get(i.uid);
    if (existing) {
      const samePath = i.storedPath === undefined
        ? existing.relativePath === canonicalPath(s.uid, e.uid, i.uid)
        : existing.relativePath === i.storedPath;
      if (onDuplicate === 'keep' && !samePath) return { duplicateOf: existing, replaced: false };
      this.detach(existing);
      replaced = true;
    }

    // Instances of a series come one after the other from the index file (same entity objects):
    // their parents are already in place.
    const last = this.lastParents;
    let series: SeriesEntry;
    if (last && last.p === p && last.s === s && last.e === e && this.seriesByUid.get(e.uid) === last.series
      && this.studies.get(s.uid) === last.series.study && this.patients.get(last.series.study.patient.key) === last.series.study.patient) {
      series = last.series;
    } else {
      series = this.placeParents(p, s, e, i.uid);
      this.lastParents = { p, s, e, series };
    }
    const study = series.study;

    const storedPath = i.storedPath === undefined || i.storedPath === canonicalPath(study.uid, series.uid, i.uid) ? undefined : i.storedPath;
    const entry = new InstanceEntry(i.uid, series, i.values, i.charset, i.transferSyntaxUid, storedPath, i.size, i.mtimeMs, i.datasetOffset);
    series.instances.add(entry);
    study.instanceCount++;
    study.countSopClass(entry.sopClassUid, 1);
    this.instances.set(i.uid, entry);
    this.totalBytes += i.size;
    this.addedDuringReconcile?.add(i.uid);
    this.changed();
    return { entry, replaced };
  }

  /** The patient, study and series an instance belongs to, created, updated or moved as it says. */
  private placeParents(p: LoadedEntity, s: LoadedEntity, e: LoadedEntity, sop: string): SeriesEntry {
    const key = patientKey(p.values);
    let patient = this.patients.get(key);
    if (!patient) {
      patient = new PatientEntry(key, p.values, p.charset);
      this.patients.set(key, patient);
      const id = patientIdOf(p.values);
      if (id !== '') addTo(this.patientsById, id, patient);
    } else if (patient.values !== p.values) {
      const before = patient.values[PATIENT_NAME];
      if (mergeValues(patient.values, p.values)) {
        patient.charset = p.charset;
        const after = patient.values[PATIENT_NAME];
        if (before !== undefined && before !== '' && !sameValue(before, after)) {
          this.conflict(`Patient ${patientIdOf(patient.values)}: instance ${sop} names it "${String(after)}" instead of "${String(before)}"; the latest name is kept.`);
        }
      }
    }

    let study = this.studies.get(s.uid);
    if (study && study.patient !== patient) {
      this.conflict(`Study ${s.uid} moves from patient "${patientIdOf(study.patient.values)}" to "${patientIdOf(patient.values)}" (${String(patient.values[PATIENT_NAME] ?? '')}), as instance ${sop} says.`);
      this.moveStudy(study, patient);
    }
    if (!study) {
      study = new StudyEntry(s.uid, patient, s.values, s.charset);
      patient.studies.set(s.uid, study);
      this.studies.set(s.uid, study);
      this.indexAccession(study, 1);
    } else if (study.values !== s.values) {
      this.indexAccession(study, -1);
      if (mergeValues(study.values, s.values)) study.charset = s.charset;
      this.indexAccession(study, 1);
    }

    let series = this.seriesByUid.get(e.uid);
    if (series && series.study !== study) {
      this.conflict(`Series ${e.uid} moves from study ${series.study.uid} to ${study.uid}, as instance ${sop} says.`);
      this.moveSeries(series, study);
    }
    if (!series) {
      series = new SeriesEntry(e.uid, study, e.values, e.charset);
      study.series.set(e.uid, series);
      this.seriesByUid.set(e.uid, series);
    } else if (series.values !== e.values) {
      if (mergeValues(series.values, e.values)) series.charset = e.charset;
    }
    return series;
  }

  private indexAccession(study: StudyEntry, delta: 1 | -1): void {
    const v = study.values[ACCESSION];
    if (typeof v !== 'string' || v === '') return;
    if (delta > 0) addTo(this.studiesByAccession, v, study);
    else removeFrom(this.studiesByAccession, v, study);
  }

  private moveStudy(study: StudyEntry, to: PatientEntry): void {
    const from = study.patient;
    from.studies.delete(study.uid);
    if (from.studies.size === 0) this.dropPatient(from);
    study.patient = to;
    to.studies.set(study.uid, study);
  }

  private moveSeries(series: SeriesEntry, to: StudyEntry): void {
    const from = series.study;
    for (const i of series.instances) {
      // The file stays where it is: its path no longer follows from the new study's UID.
      i.storedPath ??= canonicalPath(from.uid, series.uid, i.uid);
      from.countSopClass(i.sopClassUid, -1);
      to.countSopClass(i.sopClassUid, 1);
    }
    from.series.delete(series.uid);
    from.instanceCount -= series.instances.size;
    if (from.series.size === 0) this.dropStudy(from);
    series.study = to;
    to.series.set(series.uid, series);
    to.instanceCount += series.instances.size;
  }

  private detach(entry: InstanceEntry): void {
    const series = entry.series;
    const study = series.study;
    series.instances.delete(entry);
    study.instanceCount--;
    study.countSopClass(entry.sopClassUid, -1);
    this.instances.delete(entry.uid);
    this.totalBytes -= entry.size;
    if (series.instances.size === 0) {
      study.series.delete(series.uid);
      this.seriesByUid.delete(series.uid);
      if (study.series.size === 0) this.dropStudy(study);
    }
  }

  private dropStudy(study: StudyEntry): void {
    study.patient.studies.delete(study.uid);
    this.studies.delete(study.uid);
    this.indexAccession(study, -1);
    if (study.patient.studies.size === 0) this.dropPatient(study.patient);
  }

  private dropPatient(patient: PatientEntry): void {
    this.patients.delete(patient.key);
    const id = patientIdOf(patient.values);
    if (id !== '') removeFrom(this.patientsById, id, patient);
  }

  private clear(): void {
    this.patients.clear();
    this.studies.clear();
    this.seriesByUid.clear();
    this.instances.clear();
    this.patientsById.clear();
    this.studiesByAccession.clear();
    this.ignoredFiles.clear();
    this.totalBytes = 0;
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
        const r = await readIndexFile(this.indexFile, this.interner, {
          instance: (p, s, e, i) => { this.place(p, s, e, i, 'replace'); },
          ignored: (rel, f) => { this.ignoredFiles.set(rel, f); },
        });
        loaded = this.instances.size;
        indexFile = 'loaded';
        // Placing the loaded instances marked the index unsaved; it is saved unless it held duplicates.
        this.unsaved = loaded !== r.instances;
      } catch (error) {
        // Anything but a bad or unreadable file is a bug, not a reason to rebuild.
        if (!(error instanceof IndexFileError) && errorCode(error) === undefined) throw error;
        this.clear();
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
      unchanged: 0, added: 0, removed: 0, reread: 0, ignored: 0, unreadable: 0, filesRead: 0, conflicts: this.conflicts, walkMs: 0, readMs: 0, ms: 0,
    };
    this.opened = true;
    if (this.unsaved && this.scheduler) {
      this.scheduler.touch();
      await this.scheduler.flush();
    }
    this.unsaved = false;
    this.report = { ...r, loaded, indexFile, reason, loadMs, reconciled, conflicts: this.conflicts, ms: performance.now() - started };
    const rep = this.report;
    this.log(`Archive index of ${this.root}: loaded ${rep.loaded}, added ${rep.added}, removed ${rep.removed}, re-read ${rep.reread}, `
      + `ignored ${rep.ignored}${rep.unreadable ? `, unreadable ${rep.unreadable}` : ''} (${this.instances.size} instances, ${Math.round(rep.ms)} ms).`);
  }

  /**
   * Compares the index with the folder: files that are gone are dropped, new and changed ones
   * (by size and modification time) are read. Runs once at a time; a second call joins the first.
   */
  reconcile(): Promise<ReconcileReport> {
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
    const conflictsBefore = this.conflicts;
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
    const handled = new Set<string>();
    const toRead: string[] = [];
    const rereading = new Set<string>();
    let unchanged = 0;
    let removed = 0;
    for (const entry of [...this.instances.values()]) {
      const rel = entry.relativePath;
      const state = onDisk.get(rel);
      if (!state) {
        if (this.addedDuringReconcile.has(entry.uid)) continue;
        this.detach(entry);
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
      this.detach(entry);
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
        const placed = this.insert({ ...result, path: path.join(this.root, rel), size: state.size, mtimeMs: state.mtimeMs }, 'keep', rel);
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
      conflicts: this.conflicts - conflictsBefore,
      walkMs, readMs: performance.now() - readStarted, ms: performance.now() - started,
    };
    this.emit({ type: 'reconciled', report });
    return report;
  }

  private async writeNow(file: string): Promise<void> {
    await writeIndexFile(file, this.patients.values(), this.ignoredFiles);
  }

  /** Writes the index file now if anything changed since the last write. */
  async flush(): Promise<void> {
    await this.scheduler?.flush();
  }

  /** Waits for a running reconcile, then writes what is unsaved. The index stays usable in memory. */
  async close(): Promise<void> {
    await this.reconciling?.catch(() => undefined);
    await this.scheduler?.close();
  }
}

/** An indexed instance as callers see it; paths are worked out only when asked for. */
class InstanceView implements IndexedInstance {
  readonly record: QueryRecord;
  constructor(private readonly root: string, private readonly entry: InstanceEntry) {
    this.record = new InstanceRecord(entry);
  }

  get path(): string { return path.join(this.root, this.entry.relativePath); }
  get relativePath(): string { return this.entry.relativePath; }
  get sopClassUid(): string { return this.entry.sopClassUid; }
  get sopInstanceUid(): string { return this.entry.uid; }
  get transferSyntaxUid(): string { return this.entry.transferSyntaxUid; }
  get datasetOffset(): number { return this.entry.datasetOffset; }
  get fileSize(): number { return this.entry.size; }
  get mtimeMs(): number { return this.entry.mtimeMs; }
  get characterSet(): readonly string[] { return this.entry.charset; }
  get studyInstanceUid(): string { return this.entry.series.study.uid; }
  get seriesInstanceUid(): string { return this.entry.series.uid; }

  toJSON(): Omit<IndexedInstance, 'record'> {
    return {
      path: this.path, relativePath: this.relativePath, sopClassUid: this.sopClassUid, sopInstanceUid: this.sopInstanceUid,
      transferSyntaxUid: this.transferSyntaxUid, datasetOffset: this.datasetOffset, fileSize: this.fileSize, mtimeMs: this.mtimeMs,
      characterSet: this.characterSet, studyInstanceUid: this.studyInstanceUid, seriesInstanceUid: this.seriesInstanceUid,
    };
  }
}

const ACCESSION = LEVEL_COLUMNS.STUDY.position.get(Tags.AccessionNumber)!;
const PATIENT_NAME = LEVEL_COLUMNS.PATIENT.position.get(Tags.PatientName)!;

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

/** Latest wins: copies the present values of `incoming` over `target`; true when something changed. */
function mergeValues(target: StoredValues, incoming: StoredValues): boolean {
  let changed = false;
  for (let i = 0; i < incoming.length; i++) {
    const v = incoming[i];
    if (v === undefined || sameValue(target[i], v)) continue;
    while (target.length < i) target.push(undefined);
    target[i] = v;
    changed = true;
  }
  return changed;
}
