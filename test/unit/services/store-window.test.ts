// C-STORE with an asynchronous operations window (PS3.7 D.3.3.3): what each side grants, several
// C-STOREs outstanding when granted, one at a time when not, responses matched by Message ID.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { storeFileList } from '../../../src/ae/store';
import { collectStoreInputs } from '../../../src/ae/store-inputs';
import { Association } from '../../../src/net/association';
import { StorageScp } from '../../../src/services/store-scp';
import { IncomingInstance, StoreBackend, StoreOutcome, StoreTransaction } from '../../../src/services/storage';
import { PYDICOM_FILES, datasetBytes } from '../../helpers/dicom-files';
import { MemoryStore, scu, startServer } from '../../helpers/in-process';

/** `count` copies of a pydicom sample (one SOP Instance UID: the store does not care). */
async function copies(count: number): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-window-'));
  return Array.from({ length: count }, (_, i) => {
    const target = path.join(dir, `${i}.dcm`);
    copyFileSync(path.join(PYDICOM_FILES, 'CT_small.dcm'), target);
    return target;
  });
}

/**
 * Holds every commit until `gate` instances are being committed at once, then answers them in
 * reverse order (the SCU must match responses by Message ID). Only a sender with `gate` C-STOREs
 * outstanding gets past the first one.
 */
class GatedStore implements StoreBackend {
  readonly order: number[] = [];
  maxWaiting = 0;
  private waiting: { index: number; release: () => void }[] = [];
  private next = 0;

  constructor(private readonly gate: number) {}

  begin(_incoming: IncomingInstance): StoreTransaction {
    const index = this.next++;
    const chunks: Buffer[] = [];
    return {
      write: (fragment) => { chunks.push(Buffer.from(fragment)); },
      commit: () => new Promise<StoreOutcome>((resolve) => {
        this.waiting.push({ index, release: () => { this.order.push(index); resolve({ status: 0 }); } });
        this.maxWaiting = Math.max(this.maxWaiting, this.waiting.length);
        if (this.waiting.length >= this.gate) {
          const batch = this.waiting.reverse();
          this.waiting = [];
          for (const w of batch) w.release();
        }
      }),
      abort: () => undefined,
    };
  }
}

describe('C-STORE with an asynchronous operations window', () => {
  test('our SCP grants what it is configured for; our SCU keeps that many C-STOREs outstanding and matches responses by Message ID', async () => {
    const store = new GatedStore(4);
    const server = await startServer({ services: [new StorageScp(store, { promiscuous: true })], maxAsyncOperations: 4 });
    const files = (await collectStoreInputs(await copies(12))).files;
    let association: Association | undefined;
    const results = await storeFileList(scu(), files, {
      host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP', storeWindow: 8, onAssociation: (a) => { association = a; },
    });
    assert.deepEqual(association?.request?.userInformation.asyncOperationsWindow, { maxOperationsInvoked: 8, maxOperationsPerformed: 1 });
    assert.deepEqual(association?.acceptance?.userInformation.asyncOperationsWindow, { maxOperationsInvoked: 1, maxOperationsPerformed: 4 });
    assert.deepEqual(results.map((r) => r.outcome), files.map(() => 'success'));
    assert.deepEqual(results.map((r) => r.path), files.map((f) => f.path), 'results are reported in the files\' order');
    assert.equal(store.maxWaiting, 4, 'never more outstanding than granted');
    assert.deepEqual(store.order, [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8]);
  });

  test('every instance arrives once with its bytes when the SCP performs several at a time', async () => {
    const store = new MemoryStore();
    const server = await startServer({ services: [new StorageScp(store, { promiscuous: true })] });
    const paths = await copies(30);
    const files = (await collectStoreInputs(paths)).files;
    const results = await storeFileList(scu(), files, { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.deepEqual(results.map((r) => r.outcome), files.map(() => 'success'));
    assert.equal(store.received.length, files.length);
    const original = await datasetBytes(paths[0]);
    for (const got of store.received) assert.ok(got.data.equals(original), 'data set bytes differ');
  });

  test('one C-STORE at a time with files read two ahead: each of many different files arrives with its own bytes', async () => {
    // More files than read buffers, of different sizes, so a buffer read into before its C-STORE
    // was answered, or handed to the wrong file, would show as another file's bytes.
    const samples = ['CT_small.dcm', 'MR_small.dcm', 'rtplan.dcm', 'ExplVR_BigEnd.dcm', 'image_dfl.dcm', 'JPEG2000.dcm'];
    const paths = [...samples, ...samples, ...samples].map((name) => path.join(PYDICOM_FILES, name));
    const files = (await collectStoreInputs(paths)).files;
    const store = new MemoryStore();
    const server = await startServer({ services: [new StorageScp(store, { promiscuous: true })] });
    const results = await storeFileList(scu(), files, { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP', storeWindow: 1 });
    assert.deepEqual(results.map((r) => r.outcome), files.map(() => 'success'));
    assert.equal(store.received.length, files.length);
    const originals = new Map(await Promise.all(files.map(async (f) => [f.sopInstanceUid, await datasetBytes(f.path)] as const)));
    for (const got of store.received) {
      const original = originals.get(got.sopInstanceUid)!;
      assert.ok(got.data.subarray(0, original.length).equals(original), `${got.sopInstanceUid}: data set bytes differ`);
    }
  });

  test('storeWindow 1 proposes no window, and a peer that answers none gets one C-STORE at a time', async () => {
    const store = new GatedStore(1);
    const server = await startServer({ services: [new StorageScp(store, { promiscuous: true })] });
    const files = (await collectStoreInputs(await copies(3))).files;
    let association: Association | undefined;
    const results = await storeFileList(scu(), files, {
      host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP', storeWindow: 1, onAssociation: (a) => { association = a; },
    });
    assert.equal(association?.request?.userInformation.asyncOperationsWindow, undefined);
    assert.equal(association?.acceptance?.userInformation.asyncOperationsWindow, undefined);
    assert.deepEqual(results.map((r) => r.outcome), ['success', 'success', 'success']);
    assert.equal(store.maxWaiting, 1);
  });
});
