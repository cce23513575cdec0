// Sockets read into one buffer per thread, reused by every read (src/net/shared-reads.ts); the
// P-DATA the association hands on are views of it. These tests fail if any consumer keeps such a
// view past the read (the stored bytes would then be those of a later read): many instances with
// distinct content, over concurrent associations whose reads interleave in the same buffer (the
// SCU's included: it runs in this process too), small PDUs so that headers straddle reads, each
// stored instance compared byte for byte with what was sent.
import { TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ArchiveServices } from '../../../src/archive/archive-services';
import { Dataset } from '../../../src/dicom/dataset-model';
import { encodeDataset } from '../../../src/dicom';
import { readPart10Header } from '../../../src/dicom/part10';
import { Uids } from '../../../src/dicom/sop-classes';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { Status } from '../../../src/dimse/status';
import { findContexts } from '../../../src/ae/retrieve-contexts';
import { FindScp } from '../../../src/services/find-scp';
import { StorageScp } from '../../../src/services/store-scp';
import { IncomingInstance, StoreBackend, StoreOutcome } from '../../../src/services/storage';
import { connect, ctDataset, drain, identifier, recordsBackend, startServer, storageContexts } from '../../helpers/in-process';

/** A CT data set whose pixel data (`size` bytes, even) is random: no two instances share content. */
function distinctInstance(n: number, size: number): Dataset {
  return ctDataset(`2.25.77${n}`, (d) => {
    d.set('StudyInstanceUID', 'UI', '2.25.770');
    d.set('SeriesInstanceUID', 'UI', `2.25.771${n % 3}`);
    d.set('InstanceNumber', 'IS', String(n));
    d.set('PixelData', 'OW', randomBytes(size));
  });
}

/** Sizes from a few bytes to a few hundred KiB, each even. */
const sizeOf = (n: number) => 2 * ((n * 7919) % 150_000) + 2;

async function archiveServer(t: TestContext, maxPduLength: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'shared-reads-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const services = await ArchiveServices.open({ dir, aeTitle: 'ARCHIVE' });
  t.after(() => services.close());
  const server = await startServer({ aeTitle: 'ARCHIVE', services: services.services, maxPduLength }, t);
  return { dir, server };
}

async function storedDataset(dir: string, ds: Dataset): Promise<Buffer> {
  const file = path.join(dir, ds.string('StudyInstanceUID')!, ds.string('SeriesInstanceUID')!, `${ds.string('SOPInstanceUID')}.dcm`);
  const header = await readPart10Header(file);
  return readFileSync(file).subarray(header.datasetOffset);
}

test('instances stored over 4 concurrent associations arrive byte for byte (small PDUs, interleaved reads)', async (t) => {
  // An odd PDU size: PDU and PDV headers fall anywhere in the reads.
  const { dir, server } = await archiveServer(t, 4099);
  const perAssociation = 40;
  const sent = new Map<string, Buffer>();
  await Promise.all([0, 1, 2, 3].map(async (a) => {
    const client = await connect(t, server, { contexts: storageContexts([ExplicitVRLittleEndian]) });
    for (let i = 0; i < perAssociation; i++) {
      const n = a * perAssociation + i;
      const ds = distinctInstance(n, sizeOf(n));
      sent.set(ds.string('SOPInstanceUID')!, encodeDataset(ds, ExplicitVRLittleEndian));
      const result = await client.store(ds);
      assert.equal(result.status, Status.Success, result.message);
      const stored = await storedDataset(dir, ds);
      assert.ok(stored.equals(sent.get(ds.string('SOPInstanceUID')!)!), `instance ${n} was stored with different bytes`);
    }
    await client.release();
  }));
  assert.equal(sent.size, 4 * perAssociation);
});

test('a large instance (written asynchronously past its first MiBs) arrives byte for byte while other associations receive', async (t) => {
  const { dir, server } = await archiveServer(t, 65536);
  const large = distinctInstance(1000, 24 * 1024 * 1024);
  const small = Array.from({ length: 60 }, (_, i) => distinctInstance(2000 + i, sizeOf(i)));
  const sendAll = async (instances: Dataset[]) => {
    const client = await connect(t, server, { contexts: storageContexts([ExplicitVRLittleEndian]) });
    for (const ds of instances) assert.equal((await client.store(ds)).status, Status.Success);
    await client.release();
  };
  await Promise.all([sendAll([large]), sendAll(small.slice(0, 30)), sendAll(small.slice(30))]);
  for (const ds of [large, ...small]) {
    assert.ok((await storedDataset(dir, ds)).equals(encodeDataset(ds, ExplicitVRLittleEndian)), `${ds.string('SOPInstanceUID')} differs`);
  }
});

/**
 * A backend keeping fragments exactly as given, without copying. With `release` it says it takes
 * views, and copies what it holds when told to; without, it relies on getting copies.
 */
class KeepingBackend implements StoreBackend {
  readonly received = new Map<string, Buffer>();
  constructor(private readonly mode: 'copies' | 'views' | 'slow') {}

  begin(incoming: IncomingInstance) {
    const chunks: Buffer[] = [];
    let owned = 0;
    const keep = () => {
      for (; owned < chunks.length; owned++) chunks[owned] = Buffer.from(chunks[owned]);
    };
    return {
      write: (fragment: Buffer): void | Promise<void> => {
        chunks.push(fragment);
        // A slow disk: the sender is held back until the "write" completes (later reads wait meanwhile).
        if (this.mode === 'slow') {
          keep();
          return new Promise<void>((resolve) => setImmediate(resolve));
        }
      },
      ...(this.mode === 'copies' ? {} : { release: keep }),
      commit: async (): Promise<StoreOutcome> => {
        this.received.set(incoming.sopInstanceUid, Buffer.concat(chunks));
        return { status: Status.Success };
      },
      abort: () => undefined,
    };
  }
}

for (const mode of ['copies', 'views', 'slow'] as const) {
  test(`a store backend that ${mode === 'copies' ? 'keeps what it is given (no release)' : mode === 'views' ? 'takes views and copies them on release' : 'slows the sender down'} receives every byte`, async (t) => {
    const backend = new KeepingBackend(mode);
    const server = await startServer({ services: [new StorageScp(backend)], maxPduLength: 8191 }, t);
    const instances = Array.from({ length: 80 }, (_, i) => distinctInstance(3000 + i, sizeOf(i + 5)));
    await Promise.all([instances.slice(0, 40), instances.slice(40)].map(async (part) => {
      const client = await connect(t, server, { contexts: storageContexts([ExplicitVRLittleEndian]) });
      for (const ds of part) assert.equal((await client.store(ds)).status, Status.Success);
      await client.release();
    }));
    for (const ds of instances) {
      const got = backend.received.get(ds.string('SOPInstanceUID')!);
      assert.ok(got?.equals(encodeDataset(ds, ExplicitVRLittleEndian)), `${ds.string('SOPInstanceUID')} differs`);
    }
  });
}

test('C-FIND responses (data sets buffered by the channel) arrive intact over concurrent associations', async (t) => {
  const studies = Array.from({ length: 300 }, (_, i) => ({
    StudyInstanceUID: `2.25.880${i}`, PatientName: `Name^${randomBytes(20).toString('hex')}`, PatientID: `P${i}`,
    StudyDescription: randomBytes(30).toString('hex'),
  }));
  const server = await startServer({ services: [new FindScp([Uids.StudyRootFind], recordsBackend(studies))], maxPduLength: 4099 }, t);
  const query = identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', PatientName: '', PatientID: '', StudyDescription: '' });
  const results = await Promise.all([0, 1, 2].map(async () => {
    const client = await connect(t, server, { contexts: findContexts('study'), maxPduLength: 4099 });
    const { yielded } = await drain(client.find(query, { model: 'study' }));
    await client.release();
    return yielded.map((d) => [d.string('StudyInstanceUID'), d.string('PatientName'), d.string('PatientID'), d.string('StudyDescription')]);
  }));
  const expected = studies.map((s) => [s.StudyInstanceUID, s.PatientName, s.PatientID, s.StudyDescription]);
  for (const r of results) assert.deepEqual(r, expected);
});
