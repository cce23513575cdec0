// In-process peers for the protocol conformance tests (issue 14): our own SCP on a port from the
// OS, our own SCU, a storage backend that keeps what arrives in memory, and bounded waits.
import { DicomServer, ServerOptions } from '../../../src/ae/server';
import { ApplicationEntity, AssociateOptions, ClientAssociation } from '../../../src/ae/client';
import { Dataset } from '../../../src/dicom/dataset-model';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
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
  /** Data set bytes written so far, over all instances. */
  bytesWritten = 0;
  /** Commits asked for so far (some may wait on the gate). */
  commits = 0;
  private waiters: (() => void)[] = [];

  begin(incoming: IncomingInstance) {
    this.begun.push(incoming);
    this.notify();
    const chunks: Buffer[] = [];
    return {
      write: (fragment: Buffer) => {
        chunks.push(Buffer.from(fragment));
        this.bytesWritten += fragment.length;
        this.notify();
      },
      commit: async (): Promise<StoreOutcome> => {
        this.commits++;
        this.notify();
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

  /** Resolves once `predicate` holds (checked after each write, begin and commit), or fails after `ms`. */
  until(what: string, predicate: () => boolean, ms = 10_000): Promise<true> {
    return waitFor(what, () => predicate() || undefined, (wake) => this.waiters.push(wake), ms);
  }
}

/**
 * Resolves with `check()`'s first truthy value, checked whenever `subscribe`'s callback is
 * called; fails after `ms` of real time (performance.now and setInterval: tests that mock
 * setTimeout and Date keep a working bound).
 */
export async function waitFor<T>(what: string, check: () => T | undefined, subscribe: (wake: () => void) => void, ms = 10_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const guard = setInterval(() => { if (performance.now() > deadline) done(); }, 50);
      const done = () => { clearInterval(guard); resolve(); };
      subscribe(done);
    });
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

/** Waits for a promise, failing with a sentence after `ms` of real time (mocked timers do not hold it back). */
export async function within<T>(what: string, promise: Promise<T>, ms = 10_000): Promise<T> {
  let settled: { value: T } | { error: unknown } | undefined;
  let wake: () => void = () => undefined;
  promise.then((value) => { settled = { value }; wake(); }, (error: unknown) => { settled = { error }; wake(); });
  const outcome = await waitFor(what, () => settled, (w) => { wake = w; }, ms);
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
