// The storage backend behind the SCP (and C-GET SCU): each incoming instance is streamed to a
// temporary file with its file meta in front, its identifying UIDs are read from the received
// bytes on the way, and only a complete, valid instance is renamed to its place in the archive.
import { closeSync, existsSync, mkdirSync, open, readdirSync, renameSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { DatasetHeaderScanner, ScannedElement } from '../dicom';
import { LeadingMetaStripper } from '../dicom';
import { Tags, Tag } from '../dicom';
import { Status } from '../dimse';
import { IncomingInstance, StoreBackend, StoreOutcome, StoreTransaction } from '../services';
import { FileMetaMemo } from './file-meta-memo';
import { InstanceWriter } from './instance-writer';
import { CREATES_WATCH, DiskWatch, WRITES_WATCH } from './disk-watch';
import { INCOMING_DIR, InvalidUidError, instanceRelativePath } from './layout';

interface OpenedFile {
  path: string;
  fd: number;
}

interface OpenedAhead {
  ready?: OpenedFile;
  /** The open under way; a session that ended meanwhile stays known until it has finished. */
  opening?: Promise<void>;
  ended: boolean;
}

function discardOpened(file: OpenedFile): void {
  try { closeSync(file.fd); } catch { /* closed already */ }
  try { unlinkSync(file.path); } catch { /* gone already */ }
}

export type DuplicatePolicy = 'overwrite' | 'keep' | 'reject';

export interface StoredInstance {
  /** Absolute path of the stored file. */
  path: string;
  /** Path relative to the archive root. */
  relativePath: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  transferSyntaxUid: string;
  /** File size in bytes (file meta included). */
  size: number;
  /** Where the data set starts in the file (the file meta's length). */
  datasetOffset: number;
  callingAeTitle: string;
  /**
   * The data set's top-level elements, as received: every one with its VR and length, and the
   * values up to 64 KiB of the tags FileStoreOptions.keepValues names (default: all of them).
   */
  elements: Map<Tag, ScannedElement>;
  /** An instance with the same SOP Instance UID was replaced. */
  replaced: boolean;
  /** The instance already existed and was kept (policy "keep"); nothing was written. */
  kept: boolean;
  /** File meta elements (group 0002) the sender put in the data set, dropped before writing. */
  droppedMetaElements: number;
  /** The syntax it arrived in, when it was stored in another one (see ConvertingFileStore). */
  receivedTransferSyntaxUid?: string;
  /** How it was converted, or why it was kept as received; absent when no conversion was asked for. */
  conversion?: string;
}

/** A received file converted before it is put in place: its path (none: kept as received), and what changes in the record. */
export interface Conversion {
  path?: string;
  stored: Partial<StoredInstance>;
}

export interface FileStoreOptions {
  root: string;
  /**
   * Our AE title, written as Source Application Entity Title (0002,0016): PS3.10 7.1 makes it
   * the AE that wrote the file. Default: the AE title the sender called us by.
   */
  aeTitle?: string;
  onDuplicate?: DuplicatePolicy;
  /**
   * The top-level values StoredInstance.elements keeps, besides the UIDs the store reads itself
   * (SOP Class, SOP Instance, Study and Series Instance UID). Default: every value up to 64 KiB.
   * Copying the values nobody reads was most of the header scan of each received instance.
   */
  keepValues?: Iterable<Tag>;
  /** fsync each file before it is renamed into place (slower; survives power loss). */
  fsync?: boolean;
  /**
   * close() removes the store's working folder (`.incoming`) when it is empty: for a folder that
   * receives files once (`dicomnet get --output`), not an archive that keeps receiving.
   */
  removeWorkingFolderOnClose?: boolean;
  /**
   * Where an instance with this SOP Instance UID is already stored, if anywhere (the archive's
   * index). Duplicates are found by SOP Instance UID, so one re-sent under a corrected Study or
   * Series UID is a duplicate too; without it, only a file at the same path is.
   */
  locate?: (sopInstanceUid: string) => string | undefined;
  /** Called for each instance put in place, before the C-STORE-RSP is sent. */
  onStored?: (instance: StoredInstance) => void | Promise<void>;
  /**
   * Called for each instance put in place once its C-STORE-RSP has been handed to the association
   * (StoreOutcome.afterResponse), for bookkeeping the sender need not wait for (the archive's
   * index): a request the peer sends after reading the response still sees its effect. Should
   * nobody run afterResponse (an association that ended first, a response waiting for a full
   * socket), it is called all the same: for an instance of a session, when the next instance
   * begins, when its session ends or when the store closes, whichever comes first; for one
   * without, on the next turn of the event loop. Must not throw (what it throws is dropped: the
   * instance is stored and answered).
   */
  onAnswered?: (instance: StoredInstance) => void;
  /** Called for each instance refused (the failure status it is answered with). */
  onRefused?: (incoming: IncomingInstance, outcome: StoreOutcome, detail: string) => void;
  /**
   * How creating the temporary files has gone: while it is slow, a session's next file is opened
   * ahead on the thread pool. Default: a watch with CREATES_WATCH (three creates in a row of 0.2 ms
   * or more make it slow, for a minute).
   */
  creates?: DiskWatch;
}

/** The values the store reads itself. */
const STORE_VALUES: readonly Tag[] = [Tags.SOPClassUID, Tags.SOPInstanceUID, Tags.StudyInstanceUID, Tags.SeriesInstanceUID];

function text(elements: Map<Tag, ScannedElement>, tag: Tag): string | undefined {
  const value = elements.get(tag)?.value;
  if (!value) return undefined;
  let end = value.length;
  while (end > 0 && (value[end - 1] === 0x20 || value[end - 1] === 0)) end--;
  let start = 0;
  while (start < end && value[start] === 0x20) start++;
  return value.toString('latin1', start, end);
}

/** A refusal: `comment` goes into the C-STORE-RSP (at most 64 characters), `message` into logs. */
export class Failure extends Error {
  constructor(readonly status: number, readonly comment: string, detail?: string) {
    super(detail ?? comment);
  }
}

export class FileStore implements StoreBackend {
  readonly root: string;
  readonly incomingDir: string;
  /** The root and the incoming folder with one trailing separator (both resolved: names are appended as they are). */
  private readonly rootPrefix: string;
  private readonly incomingPrefix: string;
  private readonly knownDirs = new Set<string>();
  /**
   * Temporary names: a prefix per store, then a count. The process id and a random number keep
   * another store on the same folder (another process, or this one) from picking the same names;
   * the files are created exclusively, so a clash would fail a write, never mix two. Not
   * node:crypto's randomBytes: loading that module was ~3 ms of every `dicomnet get` for 6 bytes
   * nobody needs to be unguessable.
   */
  private readonly tempPrefix = `${process.pid.toString(36)}-${Math.floor(Math.random() * 0x100000000).toString(36)}-`;
  private tempCount = 0;
  private readonly fileMeta = new FileMetaMemo();
  /** Per session (association) with an instance: what is opened ahead for its next one, if anything. */
  private readonly ahead = new Map<object, OpenedAhead>();
  /** The disk as the writes into this store found it: after a slow one, every writer takes the thread pool for a while. */
  private readonly writes = new DiskWatch(WRITES_WATCH);
  /** The disk as creating this store's files found it: while slow, files are opened ahead. */
  private readonly creates: DiskWatch;
  /** Instances of a session stored and not yet answered: their onAnswered, run once each. */
  private unanswered = new Set<() => void>();
  /** The scan's options: the values to keep (all when the owner names none). */
  private readonly scan: { values?: ReadonlySet<Tag> };

  constructor(readonly options: FileStoreOptions) {
    this.root = path.resolve(options.root);
    this.incomingDir = path.join(this.root, INCOMING_DIR);
    this.rootPrefix = this.root.endsWith(path.sep) ? this.root : this.root + path.sep;
    this.incomingPrefix = this.incomingDir + path.sep;
    this.scan = options.keepValues ? { values: new Set([...STORE_VALUES, ...options.keepValues]) } : {};
    this.creates = options.creates ?? new DiskWatch(CREATES_WATCH);
    mkdirSync(this.incomingDir, { recursive: true });
    // Leftovers of a previous run that stopped mid-transfer are never complete instances.
    for (const name of readdirSync(this.incomingDir)) rmSync(path.join(this.incomingDir, name), { force: true });
  }

  private nextTempPath(): string {
    return `${this.incomingPrefix}${this.tempPrefix}${++this.tempCount}.part`;
  }

  /**
   * Opens the next instance's temporary file on the thread pool, while this one arrives, when
   * creating files has been slow (on ext4 over a millisecond of kernel time each when inodes freed
   * shortly before must be skipped), as the main thread is what a one-at-a-time sender waits for.
   * Only from a session's second instance on (a session of one instance opens nothing it does not
   * use); what is left is removed when it ends.
   */
  private openAhead(session: object, state: OpenedAhead): void {
    if (!this.creates.slow || state.opening || state.ready || state.ended) return;
    const temp = this.nextTempPath();
    state.opening = new Promise<void>((resolve) => open(temp, 'wx', (error, fd) => {
      state.opening = undefined;
      // On error the next instance opens its own file, and reports what goes wrong.
      if (!error && state.ended) discardOpened({ path: temp, fd });
      else if (!error) state.ready = { path: temp, fd };
      if (state.ended) this.ahead.delete(session);
      resolve();
    }));
  }

  /** The session's next instance's temporary file: being opened ahead, open and waiting, or neither. */
  aheadFor(session: object): 'none' | 'opening' | 'ready' {
    const state = this.ahead.get(session);
    return state?.ready ? 'ready' : state?.opening ? 'opening' : 'none';
  }

  /** Runs onAnswered for every stored instance nobody answered yet. */
  private answerPending(): void {
    if (this.unanswered.size === 0) return;
    const pending = this.unanswered;
    this.unanswered = new Set();
    for (const afterResponse of pending) afterResponse();
  }

  /** Removes the file opened ahead for the session; resolves once one still being opened is removed too. */
  sessionEnded(session: object): Promise<void> {
    this.answerPending();
    const state = this.ahead.get(session);
    if (!state) return Promise.resolve();
    state.ended = true;
    if (state.ready) discardOpened(state.ready);
    state.ready = undefined;
    if (!state.opening) this.ahead.delete(session);
    return state.opening ?? Promise.resolve();
  }

  /**
   * Ends every session and resolves once every file opened ahead is removed, those still being
   * opened included: a process that exits without this can leave an empty temporary file behind.
   */
  async close(): Promise<void> {
    this.answerPending();
    await Promise.all([...this.ahead.keys()].map((session) => this.sessionEnded(session)));
    if (!this.options.removeWorkingFolderOnClose) return;
    try {
      rmdirSync(this.incomingDir);
    } catch {
      // Not empty (an instance of another store on the folder), or gone already.
    }
  }

  /** The temporary file of an instance: one opened ahead for its session when there is one. */
  private writerFor(session: object | undefined): InstanceWriter {
    if (!session) return this.writer();
    const state = this.ahead.get(session);
    if (!state) {
      this.ahead.set(session, { ended: false });
      return this.writer();
    }
    const opened = state.ready;
    state.ready = undefined;
    this.openAhead(session, state);
    return this.writer(opened);
  }

  /** A writer into a file opened ahead, or into a new temporary file; every writer of the store shares its DiskWatches. */
  private writer(opened?: OpenedFile): InstanceWriter {
    return opened
      ? new InstanceWriter(opened.path, { writes: this.writes, fd: opened.fd })
      : new InstanceWriter(this.nextTempPath(), { writes: this.writes, creates: this.creates });
  }

  begin(incoming: IncomingInstance): StoreTransaction {
    this.answerPending();
    const writer = this.writerFor(incoming.session);
    // The whole data set is walked (large values are skipped by counting), so a truncated one is caught.
    const scanner = new DatasetHeaderScanner(incoming.transferSyntaxUid, this.scan);
    let failure: Failure | undefined;
    let datasetOffset = 0;
    try {
      const meta = this.fileMeta.build({
        sopClassUid: incoming.sopClassUid, sopInstanceUid: incoming.sopInstanceUid,
        transferSyntaxUid: incoming.transferSyntaxUid, sourceAeTitle: this.options.aeTitle ?? incoming.calledAeTitle,
      });
      datasetOffset = meta.length;
      void writer.writeOwned(meta);
    } catch (error) {
      failure = new Failure(Status.InvalidObjectInstance, 'the command holds an invalid UID', (error as Error).message);
    }
    let scanning = true;
    const meta = new LeadingMetaStripper(incoming.transferSyntaxUid);
    const accept = (data: Buffer): void | Promise<void> => {
      if (failure || data.length === 0) return;
      if (scanning) {
        try {
          if (scanner.push(data)) scanning = false;
        } catch (error) {
          failure = new Failure(Status.CannotUnderstand, 'the data set cannot be parsed', `the data set cannot be parsed: ${(error as Error).message}`);
          return;
        }
      }
      return writer.write(data);
    };
    return {
      write: (fragment) => accept(meta.push(fragment)),
      // The writer holds views until this (the scanner and the meta stripper copy what they keep).
      release: () => writer.release(),
      commit: () => {
        void accept(meta.end());
        return this.commit(incoming, writer, scanner, scanning, failure, datasetOffset, meta.dropped);
      },
      abort: () => writer.discard(),
    };
  }

  /** Removes a replaced file, and its series and study folders when that left them empty. */
  private removeReplaced(file: string): void {
    rmSync(file, { force: true });
    for (let dir = path.dirname(file); dir.startsWith(this.root + path.sep) && dir !== this.incomingDir; dir = path.dirname(dir)) {
      try {
        rmdirSync(dir);
        this.knownDirs.delete(dir);
      } catch {
        return; // not empty (or gone): the folders above are not empty either
      }
    }
  }

  private async commit(incoming: IncomingInstance, writer: InstanceWriter, scanner: DatasetHeaderScanner,
    scanning: boolean, failure: Failure | undefined, datasetOffset: number, droppedMetaElements: number): Promise<StoreOutcome> {
    try {
      if (failure) throw failure;
      if (scanning) {
        try {
          scanner.end();
        } catch (error) {
          throw new Failure(Status.CannotUnderstand, 'the data set is incomplete', `the data set is incomplete: ${(error as Error).message}`);
        }
      }
      const elements = scanner.result();
      // Only a deflated data set gets here with file meta elements still in it (it cannot be cut unread).
      for (const tag of elements.keys()) {
        if (tag >>> 16 === 0x0002) throw new Failure(Status.CannotUnderstand, 'the data set holds file meta elements (group 0002)');
      }
      const sopInstanceUid = text(elements, Tags.SOPInstanceUID);
      const sopClassUid = text(elements, Tags.SOPClassUID);
      let relativePath: string;
      try {
        relativePath = instanceRelativePath(text(elements, Tags.StudyInstanceUID), text(elements, Tags.SeriesInstanceUID), sopInstanceUid);
      } catch (error) {
        if (error instanceof InvalidUidError) throw new Failure(Status.InvalidObjectInstance, error.comment, error.message);
        throw error;
      }
      if (sopInstanceUid !== incoming.sopInstanceUid) {
        throw new Failure(Status.DataSetDoesNotMatchSopClass, 'SOP Instance UID differs from the command',
          `SOP Instance UID ${sopInstanceUid} in the data set differs from ${incoming.sopInstanceUid} in the command`);
      }
      if (sopClassUid !== undefined && sopClassUid !== incoming.sopClassUid) {
        throw new Failure(Status.DataSetDoesNotMatchSopClass, 'SOP Class UID differs from the command',
          `SOP Class UID ${sopClassUid} in the data set differs from ${incoming.sopClassUid} in the command`);
      }
      try {
        await writer.finish({ fsync: this.options.fsync });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Failure(Status.OutOfResources, code === 'ENOSPC' ? 'the disk is full' : `the instance could not be written (${code ?? 'error'})`,
          code === 'ENOSPC' ? undefined : `the instance could not be written: ${(error as Error).message}`);
      }
      const converted = await this.convert(incoming, writer.path, elements);
      const finalPath = this.rootPrefix + relativePath;
      const directory = path.dirname(finalPath);
      // Metadata operations are synchronous: each is a single cheap system call, and awaiting the
      // thread pool for them would add to every C-STORE's response time.
      if (!this.knownDirs.has(directory)) {
        mkdirSync(directory, { recursive: true });
        this.knownDirs.add(directory);
      }
      const existing = this.options.locate?.(incoming.sopInstanceUid) ?? (existsSync(finalPath) ? finalPath : undefined);
      const exists = existing !== undefined;
      const policy = this.options.onDuplicate ?? 'overwrite';
      if (exists && policy === 'reject') throw new Failure(Status.DuplicateSopInstance, 'the instance is already stored', `instance ${sopInstanceUid} is already stored (${path.relative(this.root, existing)})`);
      const stored: StoredInstance = {
        path: finalPath, relativePath, sopClassUid: incoming.sopClassUid, sopInstanceUid: incoming.sopInstanceUid,
        studyInstanceUid: text(elements, Tags.StudyInstanceUID)!, seriesInstanceUid: text(elements, Tags.SeriesInstanceUID)!,
        transferSyntaxUid: incoming.transferSyntaxUid, size: writer.bytesWritten, datasetOffset,
        callingAeTitle: incoming.callingAeTitle, elements, replaced: exists && policy === 'overwrite', kept: exists && policy === 'keep',
        droppedMetaElements,
        ...converted?.stored,
      };
      const source = converted?.path ?? writer.path;
      if (stored.kept) {
        await writer.discard();
        if (converted?.path) rmSync(converted.path, { force: true });
      } else {
        try {
          renameSync(source, finalPath);
        } catch (error) {
          // The directory may have been removed by someone else: recreate it once.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          this.knownDirs.delete(directory);
          mkdirSync(directory, { recursive: true });
          renameSync(source, finalPath);
        }
        // The replaced copy was elsewhere (another study or series): it must not stay behind.
        if (existing !== undefined && existing !== finalPath) this.removeReplaced(existing);
        if (converted?.path) await writer.discard();
      }
      await this.options.onStored?.(stored);
      const onAnswered = this.options.onAnswered;
      if (!onAnswered) return { status: Status.Success };
      let answered = false;
      const afterResponse = (): void => {
        if (answered) return;
        answered = true;
        this.unanswered.delete(afterResponse);
        try { onAnswered(stored); } catch { /* stored and answered: nothing to undo */ }
      };
      // Whoever answers runs it as soon as the response is handed over; should nobody, the file is
      // in place all the same and is indexed by the next instance's begin, the session's end or
      // close() (no timer per instance: a setImmediate each was ~2 % of a receiver's main thread).
      if (incoming.session) this.unanswered.add(afterResponse);
      else setImmediate(afterResponse);
      return { status: Status.Success, afterResponse };
    } catch (error) {
      await writer.discard();
      const code = (error as NodeJS.ErrnoException).code;
      const outcome: StoreOutcome = error instanceof Failure
        ? { status: error.status, comment: error.comment }
        : { status: code === 'ENOSPC' ? Status.OutOfResources : Status.ProcessingFailure, comment: 'the instance could not be stored' };
      this.options.onRefused?.(incoming, outcome, (error as Error).message);
      return outcome;
    }
  }

  /**
   * The received file converted before it is put in place (ConvertingFileStore, converting-file-store.ts):
   * its path in the incoming folder and what changes in the record. This store keeps what it receives.
   */
  protected async convert(_incoming: IncomingInstance, _received: string, _elements: Map<Tag, ScannedElement>): Promise<Conversion | undefined> {
    return undefined;
  }
}
