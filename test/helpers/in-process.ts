// Our SCU against our SCP in one process: a DicomServer on a port from the OS with the services a
// test gives it, an in-memory store that keeps what arrived, in-memory query backends, and the
// sample files as retrievable instances.
import { after } from 'node:test';
import { ApplicationEntity, AssociateOptions, ClientAssociation, ProposedContext } from '../../src/ae/client';
import { DicomServer, ServerOptions } from '../../src/ae/server';
import { Dataset } from '../../src/dicom/dataset-model';
import { Tags } from '../../src/dicom/tag';
import { scanFileHeader } from '../../src/dicom/header-scanner';
import { CompiledQuery, QueryRecord, objectRecord, RecordObject } from '../../src/services/query';
import { MatchedEntity, RetrievableInstance } from '../../src/services/query-backend';
import { IncomingInstance, StoreBackend, StoreOutcome, StoreTransaction } from '../../src/services/storage';
import { StoreFile } from '../../src/services/store-scu';

/** Every wait in these tests ends: DIMSE and ACSE answers within seconds, not the defaults' minutes. */
export const QUICK = { connectMs: 5000, acseMs: 5000, dimseMs: 10_000, artimMs: 2000 };

export interface ReceivedInstance extends IncomingInstance {
  /** The data set bytes exactly as they arrived. */
  data: Buffer;
}

/** A StoreBackend in memory: keeps each committed data set; `answer` decides the status (default Success). */
export class MemoryStore implements StoreBackend {
  readonly received: ReceivedInstance[] = [];
  aborted = 0;

  constructor(private readonly answer: (incoming: ReceivedInstance) => StoreOutcome = () => ({ status: 0 })) {}

  begin(incoming: IncomingInstance): StoreTransaction {
    const chunks: Buffer[] = [];
    return {
      write: (fragment) => { chunks.push(Buffer.from(fragment)); },
      commit: async () => {
        const instance = { ...incoming, data: Buffer.concat(chunks) };
        const outcome = this.answer(instance);
        if (outcome.status === 0 || (outcome.status & 0xf000) === 0xb000) this.received.push(instance);
        return outcome;
      },
      abort: () => { this.aborted++; },
    };
  }

  bySopInstanceUid(uid: string): ReceivedInstance | undefined {
    return this.received.find((r) => r.sopInstanceUid === uid);
  }
}

/** A listening DicomServer (AE title SCP on 127.0.0.1, port from the OS), closed after the test file. */
export async function startServer(options: Partial<ServerOptions> = {}): Promise<DicomServer> {
  const server = new DicomServer({ aeTitle: 'SCP', port: 0, timeouts: QUICK, ...options });
  await server.listen();
  after(() => server.close(500));
  return server;
}

export const scu = (options: { maxPduLength?: number; aeTitle?: string } = {}) =>
  new ApplicationEntity({ aeTitle: options.aeTitle ?? 'SCU', maxPduLength: options.maxPduLength, timeouts: QUICK });

/** An association from `ae` to `server` with these contexts. */
export function associate(ae: ApplicationEntity, server: DicomServer, contexts: readonly ProposedContext[],
  extra: Partial<AssociateOptions> = {}): Promise<ClientAssociation> {
  return ae.associate({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP', contexts, ...extra });
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
