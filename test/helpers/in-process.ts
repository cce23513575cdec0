// Our SCU against our SCP in one process: a DicomServer on a port from the OS with the services a
// test gives it, an in-memory store that keeps what arrived, in-memory query backends, the sample
// files as retrievable instances, small CT data sets, and waits bounded in real time.
import { after } from 'node:test';
import { ApplicationEntity, ClientAssociation } from '../../src/ae/client';
import { AssociateOptions, ProposedContext } from '../../src/ae/requestor';
import { DicomServer, ServerOptions } from '../../src/ae/server';
import { Dataset } from '../../src/dicom/dataset-model';
import { Tags } from '../../src/dicom/tag';
import { scanFileHeader } from '../../src/dicom/header-scanner';
import { ExplicitVRLittleEndian } from '../../src/dicom/transfer-syntaxes';
import { CompiledQuery, QueryRecord, objectRecord, RecordObject } from '../../src/services/query';
import { MatchedEntity, RetrievableInstance } from '../../src/services/query-backend';
import { IncomingInstance, StoreBackend, StoreOutcome, StoreTransaction } from '../../src/services/storage';
import { StoreFile } from '../../src/services/store-file-reading';

/** Every wait in these tests ends: DIMSE and ACSE answers within seconds, not the defaults' minutes. */
export const QUICK = { connectMs: 5000, acseMs: 5000, dimseMs: 10_000, artimMs: 2000 };

export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

/** A test context (node:test's `t`): what it is given to run is run when the test ends. */
type Cleanup = { after: (fn: () => unknown) => void };

export interface ReceivedInstance extends IncomingInstance {
  /** The data set bytes exactly as they arrived. */
  data: Buffer;
}

/**
 * A StoreBackend in memory: keeps each committed data set; `answer` decides the status (default
 * Success); `gate` (when set) holds commits until it resolves; `until` waits for what arrived.
 */
export class MemoryStore implements StoreBackend {
  readonly received: ReceivedInstance[] = [];
  readonly begun: IncomingInstance[] = [];
  aborted = 0;
  gate: Promise<void> | undefined;
  /** Data set bytes written so far, over all instances. */
  bytesWritten = 0;
  /** Commits asked for so far (some may wait on the gate). */
  commits = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly answer: (incoming: ReceivedInstance) => StoreOutcome = () => ({ status: 0 })) {}

  begin(incoming: IncomingInstance): StoreTransaction {
    this.begun.push(incoming);
    this.notify();
    const chunks: Buffer[] = [];
    return {
      write: (fragment) => {
        chunks.push(Buffer.from(fragment));
        this.bytesWritten += fragment.length;
        this.notify();
      },
      commit: async () => {
        this.commits++;
        this.notify();
        if (this.gate) await this.gate;
        const instance = { ...incoming, data: Buffer.concat(chunks) };
        const outcome = this.answer(instance);
        if (outcome.status === 0 || (outcome.status & 0xf000) === 0xb000) this.received.push(instance);
        this.notify();
        return outcome;
      },
      abort: () => { this.aborted++; },
    };
  }

  bySopInstanceUid(uid: string): ReceivedInstance | undefined {
    return this.received.find((r) => r.sopInstanceUid === uid);
  }

  /** Resolves once `predicate` holds (checked after each begin, write and commit), or fails after `ms`. */
  until(what: string, predicate: () => boolean, ms = 10_000): Promise<true> {
    return waitFor(what, () => predicate() || undefined, (wake) => this.waiters.push(wake), ms);
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/**
 * A listening DicomServer (AE title SCP on 127.0.0.1, port from the OS), closed when the test
 * `t` ends, or after the test file without one.
 */
export async function startServer(options: Partial<ServerOptions> = {}, t?: Cleanup): Promise<DicomServer> {
  const server = new DicomServer({ aeTitle: 'SCP', port: 0, timeouts: QUICK, ...options });
  await server.listen();
  const close = () => server.close(500);
  if (t) t.after(close);
  else after(close);
  return server;
}

export const scu = (options: { maxPduLength?: number; aeTitle?: string } = {}) =>
  new ApplicationEntity({ aeTitle: options.aeTitle ?? 'SCU', maxPduLength: options.maxPduLength, timeouts: QUICK });

/** An association from `ae` to `server` with these contexts. */
export function associate(ae: ApplicationEntity, server: DicomServer, contexts: readonly ProposedContext[],
  extra: Partial<AssociateOptions> = {}): Promise<ClientAssociation> {
  return ae.associate({ host: '127.0.0.1', port: server.port, calledAeTitle: server.aeTitle, contexts, ...extra });
}

/** Associates our SCU with `server`; the association is aborted when the test ends if still open. */
export async function connect(t: Cleanup, server: DicomServer, options: Partial<AssociateOptions> & Pick<AssociateOptions, 'contexts'>,
  ae = new ApplicationEntity({ aeTitle: 'SCU' })): Promise<ClientAssociation> {
  const client = await associate(ae, server, options.contexts, options);
  t.after(() => client.abort());
  return client;
}
/** Runs an async generator to its end: what it yielded, and what it returned. */
export async function drain<Y, R>(generator: AsyncGenerator<Y, R>): Promise<{ yielded: Y[]; result: R }> {
  const yielded: Y[] = [];
  for (;;) {
    const step = await generator.next();
    if (step.done) return { yielded, result: step.value };
    yielded.push(step.value);
  }
}

/** A C-FIND backend over plain records: the ones the compiled query matches, in order. */
export function recordsBackend(records: readonly RecordObject[]): (query: CompiledQuery) => Iterable<MatchedEntity> {
  const all: QueryRecord[] = records.map((r) => objectRecord(r));
  return (query) => all.filter((record) => query.matches(record)).map((record) => ({ record }));
}

/** A query identifier from keyword → value pairs (VRs from the dictionary). */
export function identifier(keys: Record<string, string>): Dataset {
  const ds = new Dataset();
  for (const [keyword, value] of Object.entries(keys)) ds.set(keyword, value);
  return ds;
}

/** Sample files as instances a C-MOVE/C-GET SCP can send, with the UIDs of their study and series. */
export async function retrievable(files: readonly StoreFile[]): Promise<RetrievableInstance[]> {
  const out: RetrievableInstance[] = [];
  for (const f of files) {
    const scan = await scanFileHeader(f.path, { wanted: [Tags.StudyInstanceUID, Tags.SeriesInstanceUID], stopAt: Tags.PixelData });
    const text = (t: number) => scan.elements.get(t)?.value?.toString('latin1').replace(/[\0 ]+$/, '') ?? '';
    out.push({ ...f, studyInstanceUid: text(Tags.StudyInstanceUID), seriesInstanceUid: text(Tags.SeriesInstanceUID) });
  }
  return out;
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
