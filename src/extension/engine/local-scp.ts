// The extension's local SCP: an archive over the workspace's storage folder (storage with atomic
// writes, Q/R FIND/MOVE/GET over its index) served by a DicomServer on the configured port.
import * as net from 'node:net';
import { DicomServer, ListenError } from '../../ae';
import { formatRefusal, openFilesNote } from '../../ae';
import { traceServer } from '../../ae';
import { ArchiveServices } from '../../archive';
import { StoredInstance } from '../../archive';
import { resolveTransferSyntax } from '../../dicom';
import { formatStatus } from '../../dimse';
import { CommitmentReportRouter } from '../../services';
import { archiveRecords } from './archive-records';
import { traceSinkOf } from './association';
import { associationRecorder } from './recorder';
import { ArchiveRecords, EngineLog, LocalScpSettings, LocalScpStats, StoredNotice } from './types';

/** The port is taken by another program (or another window's SCP). */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(readonly port: number, readonly host: string) {
    super(`port ${port} on ${host} is already in use`);
  }
}

function notice(i: StoredInstance): StoredNotice {
  return {
    path: i.path, studyInstanceUid: i.studyInstanceUid, seriesInstanceUid: i.seriesInstanceUid,
    sopInstanceUid: i.sopInstanceUid, callingAeTitle: i.callingAeTitle,
  };
}

export class LocalScp {
  private received = 0;
  private readonly storedListeners = new Set<(n: StoredNotice) => void>();
  private readonly changeListeners = new Set<() => void>();
  private server: DicomServer | undefined;
  private archive: ArchiveServices | undefined;

  private constructor(readonly settings: LocalScpSettings, private readonly log: EngineLog) {}

  /** Opens the archive folder (building or loading its index) and listens. Rejects with PortInUseError. */
  static async start(settings: LocalScpSettings, log: EngineLog): Promise<LocalScp> {
    const scp = new LocalScp(settings, log);
    await scp.open();
    return scp;
  }

  private async open(): Promise<void> {
    const { settings, log } = this;
    this.archive = await ArchiveServices.open({
      dir: settings.folder,
      aeTitle: settings.aeTitle,
      storeAs: settings.storeAs ? { transferSyntaxUid: resolveTransferSyntax(settings.storeAs) } : undefined,
      log: (line) => log.info(`local SCP: ${line}`),
      recorder: associationRecorder(),
      onStored: (instance) => {
        this.received++;
        log.debug(`local SCP: stored ${instance.relativePath} from ${instance.callingAeTitle}${instance.conversion ? ` (${instance.conversion})` : ''}`);
        const n = notice(instance);
        for (const l of this.storedListeners) l(n);
      },
      refused: (uid, aet, status, detail) => log.warn(`local SCP: refused ${uid || '(no UID)'} from ${aet}: ${formatStatus(status, 'store')} ${detail}`),
      find: (f) => log.info(`local SCP: C-FIND ${f.level} from ${f.peer}: ${f.matches} match${f.matches === 1 ? '' : 'es'}${f.cancelled ? ' (cancelled)' : ''}`),
      retrieve: (r) => log.info(`local SCP: C-${r.operation.toUpperCase()}${r.destination ? ` to ${r.destination}` : ''} from ${r.peer}: ${r.completed} completed, ${r.failed} failed${r.cancelled ? ' (cancelled)' : ''}`),
      mpps: (e) => {
        const line = `local SCP: MPPS ${e.operation} ${e.sopInstanceUid} from ${e.callingAeTitle}: ${formatStatus(e.status, e.operation === 'N-CREATE' ? 'n-create' : e.operation === 'N-SET' ? 'n-set' : 'n-get')}`
          + `${e.stepStatus ? `, ${e.stepStatus}` : ''}${e.comment ? ` (${e.comment})` : ''}`;
        if (e.status === 0) log.info(line); else log.warn(line);
        if (e.operation !== 'N-GET') this.changed();
      },
      commitment: (a) => {
        log.info(`local SCP: storage commitment ${a.transactionUid} from ${a.requestedBy}: ${a.committed.length} committed, ${a.failed.length} failed; `
          + `report ${a.delivery === 'undelivered' ? `not delivered (${a.error ?? 'unknown reason'})` : `sent on ${a.delivery === 'same-association' ? 'the same' : 'a new'} association`}`);
        this.changed();
      },
      commitmentReport: (r, awaited) => {
        if (!awaited) log.warn(`local SCP: storage commitment report ${r.transactionUid} from ${r.reportedBy}, which no request here waits for`);
      },
    });
    this.archive.index.onChange(() => this.changed());
    const server = new DicomServer({
      aeTitle: settings.aeTitle,
      port: settings.port,
      host: settings.bindAddress,
      maxAssociations: 16,
      services: this.archive.services,
      recorder: associationRecorder(),
      ...(settings.idleTimeoutSeconds !== undefined ? { timeouts: { idleMs: settings.idleTimeoutSeconds * 1000 } } : {}),
    });
    const who = (i: { id: number; callingAeTitle: string; remoteAddress: string }) => `local SCP: association ${i.id} from ${i.callingAeTitle || '?'}@${i.remoteAddress}`;
    server.on('accepted', (i, a) => log.info(`${who(i)} accepted (${[...a.contexts.values()].filter((c) => c.result === 0).length} of ${a.contexts.size} presentation contexts)`));
    server.on('refused', (r) => log.warn(`local SCP: ${formatRefusal(r)}`));
    server.on('released', (i) => log.info(`${who(i)} released`));
    server.on('aborted', (i, e) => log.warn(`${who(i)} ended: ${e.message}`));
    server.on('serviceError', (i, e) => log.error(`${who(i)} failed: ${e.message}`));
    const sink = traceSinkOf(log);
    if (sink) traceServer(server, sink, { pdus: true, requests: true, prefix: (i) => `[local SCP ${i.id}] ` });
    try {
      await server.listen();
    } catch (error) {
      await this.archive.close();
      this.archive = undefined;
      if (error instanceof ListenError && error.code === 'EADDRINUSE') throw new PortInUseError(settings.port, settings.bindAddress);
      throw error;
    }
    this.server = server;
    const stats = this.archive.index.stats();
    const lowered = server.waitingLimits && openFilesNote(server.waitingLimits);
    if (lowered) log.warn(`local SCP: ${lowered}`);
    log.info(`local SCP ${settings.aeTitle} listening on ${settings.bindAddress}:${server.port}, storing into ${settings.folder} (${stats.studies} studies, ${stats.instances} instances)`);
  }

  get port(): number {
    return this.server?.port ?? this.settings.port;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** The archive's storage backend (for C-GET into the same folder and index). */
  get storeBackend(): ArchiveServices['store'] | undefined {
    return this.archive?.store;
  }

  /** Where storage commitment reports for our requests go when a peer opens an association to deliver them. */
  get commitmentReports(): CommitmentReportRouter | undefined {
    return this.archive?.commitmentReports;
  }

  /** The MPPS instances received and the storage commitment requests answered. */
  async records(): Promise<ArchiveRecords> {
    return this.archive ? archiveRecords(this.archive) : { mpps: [], commitments: [], problems: [] };
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }

  stats(): LocalScpStats {
    const s = this.archive?.index.stats();
    return { studies: s?.studies ?? 0, series: s?.series ?? 0, instances: s?.instances ?? 0, received: this.received };
  }

  /** Indexes files written into the folder by someone else (WADO-RS retrievals). */
  async indexFiles(paths: readonly string[]): Promise<void> {
    const index = this.archive?.index;
    if (!index) return;
    for (const p of paths) {
      try {
        await index.addFile(p);
      } catch (error) {
        this.log.warn(`local SCP: ${p} could not be indexed: ${(error as Error).message}`);
      }
    }
  }

  onStored(listener: (n: StoredNotice) => void): () => void {
    this.storedListeners.add(listener);
    return () => { this.storedListeners.delete(listener); };
  }

  /** Called when the archive changes: instances added or removed, an MPPS instance created or set, a commitment request answered. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => { this.changeListeners.delete(listener); };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close(2000);
    await this.archive?.close();
    this.archive = undefined;
    this.storedListeners.clear();
    this.changeListeners.clear();
    this.log.info(`local SCP ${this.settings.aeTitle} stopped`);
  }
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** The first port after `port` that can be listened on at `host` (up to 200 tried), or undefined. */
export async function nextFreePort(port: number, host: string): Promise<number | undefined> {
  for (let p = port + 1; p <= Math.min(65535, port + 200); p++) {
    if (await portFree(p, host)) return p;
  }
  return undefined;
}
