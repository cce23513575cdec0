// The services of a small PACS over a folder, ready to hand to a DicomServer: storage into the
// folder (streamed, atomic), C-FIND / C-MOVE / C-GET over its index, Modality Worklist from a
// folder of items. Used by `dicomnet scp --dir`, the extension's local SCP and the demo PACS.
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationEntity } from '../ae';
import { reportAssociationOpener } from '../ae';
import { DestinationAddress, MoveDestinations } from '../ae';
import { Uids } from '../dicom';
import { FindScp, FindScpOptions } from '../services';
import { GetScp, MoveScp, RetrieveScpOptions } from '../services';
import { ScpService } from '../services';
import { StorageScp } from '../services';
import { DuplicatePolicy, FileStore, StoredInstance } from './file-store';
import { ConvertingFileStore, StoreAs } from './converting-file-store';
import { ArchiveIndex, INDEXED_VALUE_TAGS, OpenReport } from './archive-index';
import { WorklistStore } from './worklist';
import { MppsEvent, mppsScp } from '../services';
import { AnsweredCommitment, storageCommitmentScp } from '../services';
import { CommitmentReportRouter, commitmentReportReceiver } from '../services';
import { CommitmentResult } from '../services';
import { COMMITMENT_DIR, CommitmentLog, archiveCommitmentBackend } from './commitment';
import { MPPS_DIR, MppsStore } from './mpps';
import { AssociationRecorder } from '../ae';

export interface ArchiveServicesOptions {
  /** The archive folder. */
  dir: string;
  /** Our AE title: the calling AE of C-MOVE sub-operations. */
  aeTitle: string;
  onDuplicate?: DuplicatePolicy;
  fsync?: boolean;
  /** Store received instances in this transfer syntax (default: as received). */
  storeAs?: StoreAs;
  promiscuous?: boolean;
  /** C-MOVE destinations: AE title → address. */
  destinations?: Iterable<[string, DestinationAddress]>;
  /** A folder of worklist items (Part 10, .wl, DICOM JSON). */
  worklistDir?: string;
  caseInsensitivePersonNames?: boolean;
  /** Notable events, one line each (stored/refused instances, queries, retrievals, index reports). */
  log?: (line: string) => void;
  /** Records the associations C-MOVE sub-operations open (the server's own recorder, usually). */
  recorder?: AssociationRecorder;
  /**
   * Each instance stored, once its C-STORE-RSP is on its way; any read of the index from then on
   * finds it. Its `elements` hold the values the index reads (its columns and the UIDs), no others.
   */
  onStored?: (instance: StoredInstance) => void;
  find?: FindScpOptions['onFind'];
  retrieve?: RetrieveScpOptions['onRetrieve'];
  refused?: (sopInstanceUid: string, callingAeTitle: string, status: number, detail: string) => void;
  /** MPPS instances live here (default <dir>/.mpps). */
  mppsDir?: string;
  /** Each MPPS N-CREATE, N-SET and N-GET, accepted or refused. */
  mpps?: (event: MppsEvent) => void;
  /** Where storage commitment reports go: see StorageCommitmentScpOptions.reportOn. */
  commitmentReportOn?: 'same' | 'new';
  /** Each storage commitment request answered (its report delivered or not). */
  commitment?: (answer: AnsweredCommitment) => void;
  /** Each storage commitment report received for a request of ours (awaited: someone was waiting for it). */
  commitmentReport?: (result: CommitmentResult, awaited: boolean) => void;
}

const QR_FIND = [Uids.PatientRootFind, Uids.StudyRootFind, Uids.PatientStudyOnlyFind];
const QR_MOVE = [Uids.PatientRootMove, Uids.StudyRootMove, Uids.PatientStudyOnlyMove];
const QR_GET = [Uids.PatientRootGet, Uids.StudyRootGet, Uids.PatientStudyOnlyGet];

export class ArchiveServices {
  private constructor(
    readonly index: ArchiveIndex,
    readonly store: FileStore,
    readonly destinations: MoveDestinations,
    readonly worklist: WorklistStore | undefined,
    readonly services: ScpService[],
    readonly openReport: OpenReport | undefined,
    /** MPPS instances received. */
    readonly mpps: MppsStore,
    /** Storage commitment requests answered. */
    readonly commitments: CommitmentLog,
    /** Storage commitment reports for our own requests, delivered on associations the archive accepts. */
    readonly commitmentReports: CommitmentReportRouter,
  ) {}

  /** Opens (or builds) the index of the folder, then assembles the services. */
  static async open(options: ArchiveServicesOptions): Promise<ArchiveServices> {
    await mkdir(options.dir, { recursive: true });
    const index = await ArchiveIndex.open({ root: options.dir, log: options.log });
    const store = new ConvertingFileStore({
      root: options.dir,
      aeTitle: options.aeTitle,
      onDuplicate: options.onDuplicate,
      fsync: options.fsync,
      locate: (sopInstanceUid) => index.get(sopInstanceUid)?.path,
      storeAs: options.storeAs,
      // The index reads these values of each instance; nothing else here reads any.
      keepValues: INDEXED_VALUE_TAGS,
      // After the C-STORE-RSP: indexing and the log line are the largest part of our per-instance
      // work after the rename, and a sender sending one instance at a time waits for the response.
      // Indexed with the next few (addSoon): anything that reads the index sees it all the same, so
      // onStored is told at once (a retrieve collects what it received by the time its final
      // response arrives); only the index's change listeners hear of it a few milliseconds later.
      onAnswered: (instance) => {
        if (instance.droppedMetaElements > 0) {
          options.log?.(`${instance.relativePath}: the data set from ${instance.callingAeTitle} held ${instance.droppedMetaElements} file meta elements (group 0002); they were dropped.`);
        }
        // The file is in place whatever happens here: an index problem must not fail the C-STORE.
        if (!instance.kept) {
          index.addSoon(instance, (result) => {
            if (result instanceof Error) options.log?.(`${instance.relativePath} is stored but could not be indexed: ${result.message}`);
          });
        }
        options.onStored?.(instance);
      },
      onRefused: (incoming, outcome, detail) => options.refused?.(incoming.sopInstanceUid, incoming.callingAeTitle, outcome.status, detail),
    });
    const ae = new ApplicationEntity({ aeTitle: options.aeTitle, recorder: options.recorder });
    const destinations = new MoveDestinations(ae, options.destinations ?? []);
    const mpps = await new MppsStore(options.mppsDir ?? path.join(options.dir, MPPS_DIR)).open();
    const commitments = await CommitmentLog.open(path.join(options.dir, COMMITMENT_DIR));
    const commitmentReports = new CommitmentReportRouter();
    const logError = (what: string) => (error: Error) => options.log?.(`${what} failed: ${error.message}`);
    const queryOptions = { caseInsensitivePersonNames: options.caseInsensitivePersonNames, isKeySupported: (tag: number) => index.supportsKey(tag) };
    const onFind: FindScpOptions['onFind'] = (info) => {
      for (const warning of info.warnings) options.log?.(`C-FIND from ${info.peer}: ${warning}`);
      options.find?.(info);
    };
    const retrieve = (q: Parameters<ArchiveIndex['retrieve']>[0]) => index.retrieve(q);
    const services: ScpService[] = [
      new StorageScp(store, { promiscuous: options.promiscuous }),
      new FindScp(QR_FIND, (q) => index.find(q), { ...queryOptions, onFind }),
      new MoveScp(QR_MOVE, retrieve, (aet) => destinations.lookup(aet), { ...queryOptions, onRetrieve: options.retrieve }),
      new GetScp(QR_GET, retrieve, { ...queryOptions, onRetrieve: options.retrieve }),
      storageCommitmentScp({
        backend: archiveCommitmentBackend(index, commitments, { promiscuous: options.promiscuous }),
        openReportAssociation: reportAssociationOpener(ae, destinations),
        retrieveAeTitle: options.aeTitle,
        reportOn: options.commitmentReportOn,
        onAnswered: (answer) => {
          // Told once on disk, so whoever hears of it can list it.
          void commitments.record(answer).catch(logError(`recording storage commitment ${answer.transactionUid}`))
            .finally(() => options.commitment?.(answer));
        },
        onError: logError('a storage commitment request'),
      }),
      commitmentReportReceiver({ router: commitmentReports, onReport: options.commitmentReport }),
      mppsScp({ backend: mpps, onEvent: options.mpps, onError: logError('an MPPS request') }),
    ];
    let worklist: WorklistStore | undefined;
    if (options.worklistDir) {
      worklist = new WorklistStore({ dir: options.worklistDir, log: options.log });
      const items = worklist;
      services.push(new FindScp([Uids.ModalityWorklistFind], (q) => items.find(q), { ...queryOptions, onFind }, 'worklist'));
    }
    return new ArchiveServices(index, store, destinations, worklist, services, index.openReport, mpps, commitments, commitmentReports);
  }

  /** Removes the store's files opened ahead and writes the index; call when the server stops. */
  async close(): Promise<void> {
    await this.store.close();
    await this.index.close();
  }
}
