// In-process peers for the protocol conformance tests (issue 14): our own SCP on a port from the
// OS, our own SCU, a storage backend that keeps what arrives in memory, and bounded waits.
import { DicomServer, ServerOptions } from '../../../src/ae/server';
import { ApplicationEntity, AssociateOptions, ClientAssociation } from '../../../src/ae/client';
import { Dataset } from '../../../src/dicom/dataset-model';
import { ExplicitVRLittleEndian } from '../../../src/dicom/uids';
import { Status } from '../../../src/dimse/status';
import { IncomingInstance, StoreBackend, StoreOutcome } from '../../../src/services/storage';

export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

type Cleanup = { after: (fn: () => unknown) => void };

/** A DicomServer on 127.0.0.1 and a port from the OS, closed when the test ends. */
export async function startServer(t: Cleanup, options: Partial<ServerOptions> = {}): Promise<DicomServer> {
  const server = new DicomServer({ aeTitle: 'SCP', port: 0, timeouts: { artimMs: 2000, acseMs: 5000 }, ...options });
  await server.listen();
  t.after(() => server.close(200));
  return server;
}

/** Associates our SCU with `server`; the association is aborted when the test ends if still open. */
export async function connect(t: Cleanup, server: DicomServer, options: Partial<AssociateOptions> & Pick<AssociateOptions, 'contexts'>,
  ae = new ApplicationEntity({ aeTitle: 'SCU' })): Promise<ClientAssociation> {
  const client = await ae.associate({ host: '127.0.0.1', port: server.port, calledAeTitle: server.aeTitle, ...options });
  t.after(() => client.abort());
  return client;
}

export interface Received {
  incoming: IncomingInstance;
  bytes: Buffer;
}

/** A StoreBackend keeping every data set in memory; `gate` (when set) holds commits until it resolves. */
export class MemoryBackend implements StoreBackend {
  readonly received: Received[] = [];
  readonly begun: IncomingInstance[] = [];
  gate: Promise<void> | undefined;
  private waiters: (() => void)[] = [];

  begin(incoming: IncomingInstance) {
    this.begun.push(incoming);
    this.notify();
    const chunks: Buffer[] = [];
    return {
      write: (fragment: Buffer) => { chunks.push(Buffer.from(fragment)); },
      commit: async (): Promise<StoreOutcome> => {
        if (this.gate) await this.gate;
        this.received.push({ incoming, bytes: Buffer.concat(chunks) });
        this.notify();
        return { status: Status.Success };
      },
      abort: () => undefined,
    };
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once `predicate` holds (checked after each begin/commit), or fails after `ms`. */
  async until(what: string, predicate: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }
}

/** A small CT data set; `extra` adds or overrides elements. */
export function ctDataset(sopInstanceUid: string, extra: (ds: Dataset) => void = () => undefined): Dataset {
  const ds = new Dataset();
  ds.set('SOPClassUID', 'UI', CT_IMAGE);
  ds.set('SOPInstanceUID', 'UI', sopInstanceUid);
  ds.set('PatientName', 'PN', 'TEST^FOURTEEN');
  ds.set('PatientID', 'LO', 'P14');
  ds.set('StudyInstanceUID', 'UI', `${sopInstanceUid}.1`);
  ds.set('SeriesInstanceUID', 'UI', `${sopInstanceUid}.2`);
  ds.set('Modality', 'CS', 'CT');
  extra(ds);
  return ds;
}

export function storageContexts(transferSyntaxes: readonly string[] = [ExplicitVRLittleEndian]) {
  return [{ abstractSyntax: CT_IMAGE, transferSyntaxes }];
}

/** Waits for a promise, failing with a sentence after `ms`. */
export async function within<T>(what: string, promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
