// C-STORE, our SCU against our SCP in process: bit preservation, conversion between uncompressed
// syntaxes, per-file statuses and failures, broken and vanishing files, large files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { storeFileList } from '../../../src/ae/store';
import { collectStoreInputs } from '../../../src/ae/store-inputs';
import { Dataset } from '../../../src/dicom/dataset-model';
import { parseDataset } from '../../../src/dicom';
import { datasetToJson } from '../../../src/dicom/json';
import { readPart10Header } from '../../../src/dicom/part10';
import {
  DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian, isUncompressed,
} from '../../../src/dicom/transfer-syntaxes';
import { StorageScp } from '../../../src/services/store-scp';
import { proposeStorageContexts } from '../../../src/services/store-contexts';
import { StoreFile } from '../../../src/services/store-file-reading';
import { describeStoreResult } from '../../../src/services/store-scu';
import { PYDICOM_FILES, datasetBytes, datasetJson, sendableSamples, testUid, writeSyntheticInstance } from '../../helpers/dicom-files';
import { MemoryStore, associate, scu, startServer } from '../../helpers/in-process';

const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `dicomnet-${name}-`));
const sample = (name: string) => path.join(PYDICOM_FILES, name);

/**
 * The data set as it left the file. An odd-length data set may gain one trailing NUL (PS3.5 7.1
 * pads to even length; deflated data always is); nothing else may change.
 */
async function assertSameBytes(received: Buffer, file: string): Promise<void> {
  const original = await datasetBytes(file);
  assert.ok(received.subarray(0, original.length).equals(original), `${file}: data set bytes differ`);
  const extra = received.subarray(original.length);
  assert.ok(extra.length === 0 || (original.length % 2 === 1 && extra.equals(Buffer.alloc(1))), `${file}: ${extra.length} bytes too many`);
}

async function inputs(paths: string[]): Promise<StoreFile[]> {
  const collected = await collectStoreInputs(paths);
  assert.deepEqual(collected.skipped, []);
  return collected.files;
}

/** Copies of a sample under new names (so a test may damage them). */
function copies(name: string, count: number): string[] {
  const dir = temp('copies');
  return Array.from({ length: count }, (_, i) => {
    const target = path.join(dir, `${i}.dcm`);
    copyFileSync(sample(name), target);
    return target;
  });
}

describe('C-STORE in process', () => {
  test('every sendable pydicom sample arrives bit for bit, in its own transfer syntax, with who sent it', async () => {
    const store = new MemoryStore();
    const server = await startServer({ services: [new StorageScp(store, { promiscuous: true })] });
    const files = await sendableSamples();
    assert.ok(files.length >= 45, `only ${files.length} samples`);
    const results = await storeFileList(scu(), files, { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.deepEqual(results.map((r) => `${r.path}: ${r.outcome}`), files.map((f) => `${f.path}: success`));
    // One association at a time, one file at a time: arrivals are in sending order.
    assert.equal(store.received.length, files.length);
    for (const [i, file] of files.entries()) {
      const got = store.received[i];
      assert.equal(results[i].sentTransferSyntaxUid, file.transferSyntaxUid, file.path);
      assert.deepEqual([got.sopClassUid, got.sopInstanceUid, got.transferSyntaxUid], [file.sopClassUid, file.sopInstanceUid, file.transferSyntaxUid], file.path);
      assert.deepEqual([got.callingAeTitle, got.calledAeTitle], ['SCU', 'SCP']);
      await assertSameBytes(got.data, file.path);
      assert.equal(results[i].bytes, got.data.length);
    }
  });

  test('an SCP that takes one uncompressed syntax gets conversions, compressed files decoded on the way; lossy-only peers need permission', async () => {
    const store = new MemoryStore();
    const server = await startServer({ services: [new StorageScp(store, { transferSyntaxes: [ImplicitVRLittleEndian] })] });
    const files = await inputs([sample('CT_small.dcm'), sample('MR_small_bigendian.dcm'), sample('image_dfl.dcm'), sample('JPEG2000.dcm')]);
    assert.deepEqual(files.map((f) => f.transferSyntaxUid),
      [ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian, '1.2.840.10008.1.2.4.91']);
    const results = await storeFileList(scu(), files, { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    for (const [i, file] of files.entries()) {
      assert.equal(results[i].outcome, 'success', `${file.path}: ${results[i].message}`);
      assert.equal(results[i].sentTransferSyntaxUid, ImplicitVRLittleEndian);
      const got = store.bySopInstanceUid(file.sopInstanceUid)!;
      assert.equal(got.transferSyntaxUid, ImplicitVRLittleEndian);
      if (isUncompressed(file.transferSyntaxUid)) {
        assert.deepEqual(publicJson(datasetToJson(parseDataset(got.data, ImplicitVRLittleEndian))), publicJson(await datasetJson(file.path)), file.path);
      } else {
        assert.equal(results[i].conversion, 'converted JPEG 2000 Image Compression → Implicit VR Little Endian (lossless)');
        const ds = parseDataset(got.data, ImplicitVRLittleEndian);
        assert.equal(ds.bytes('PixelData')!.length, 1024 * 256 * 2, 'native pixel data');
      }
    }
    assert.equal(store.received.length, 4);

    // A peer that takes only JPEG Baseline: lossy syntaxes are proposed only with permission for loss.
    const lossyOnly = new MemoryStore();
    const baseline = await startServer({ services: [new StorageScp(lossyOnly, { transferSyntaxes: ['1.2.840.10008.1.2.4.50'] })] });
    const [rgb] = await inputs([sample('SC_rgb_small_odd.dcm')]);
    const [refused] = await storeFileList(scu(), [rgb!], { host: '127.0.0.1', port: baseline.port, calledAeTitle: 'SCP' });
    assert.equal(refused!.outcome, 'skipped');
    assert.match(describeStoreResult(refused!), /^not sent: the peer does not accept .* \(rejected: transfer syntaxes not supported\)/);
    const [sent] = await storeFileList(scu(), [rgb!], { host: '127.0.0.1', port: baseline.port, calledAeTitle: 'SCP', conversion: { allowLossy: true } });
    assert.equal(sent!.outcome, 'success', sent!.message);
    assert.equal(sent!.conversion, 'converted Explicit VR Little Endian → JPEG Baseline (Process 1) (lossy, RGB → YBR_FULL_422)');
    const [ct] = await storeFileList(scu(), [files[0]!], { host: '127.0.0.1', port: baseline.port, calledAeTitle: 'SCP', conversion: { allowLossy: true } });
    assert.equal(ct!.outcome, 'skipped');
    assert.equal(ct!.message, 'cannot be converted to JPEG Baseline (Process 1): JPEG Baseline (Process 1) takes 8-bit unsigned samples only.');
  });

  test('failure and warning statuses reach the caller per file, with the error comment; the batch goes on', async () => {
    const dir = temp('statuses');
    const made = await Promise.all([0, 1, 2, 3].map((i) => writeSyntheticInstance(path.join(dir, `${i}.dcm`), 1024)));
    const answers = new Map<string, { status: number; comment?: string }>([
      [made[1].sopInstanceUid, { status: 0xa700, comment: 'the disk is full' }],
      [made[2].sopInstanceUid, { status: 0xb000, comment: 'x'.repeat(100) }],
    ]);
    const store = new MemoryStore((incoming) => answers.get(incoming.sopInstanceUid) ?? { status: 0 });
    const server = await startServer({ services: [new StorageScp(store)] });
    const files = await inputs(made.map((m) => m.path));
    const results = await storeFileList(scu(), files, { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.deepEqual(results.map((r) => [r.outcome, r.status]), [['success', 0], ['failure', 0xa700], ['warning', 0xb000], ['success', 0]]);
    assert.equal(results[1].comment, 'the disk is full');
    assert.match(describeStoreResult(results[1]), /^0xA700 .*"the disk is full"$/i);
    // Error Comment is LO: at most 64 characters on the wire.
    assert.equal(results[2].comment, 'x'.repeat(64));
    assert.deepEqual(store.received.map((r) => r.sopInstanceUid), [made[0], made[2], made[3]].map((m) => m.sopInstanceUid));
  });

  test('broken or vanishing files are reported one by one and the rest are stored', async () => {
    const store = new MemoryStore();
    const server = await startServer({ services: [new StorageScp(store)] });
    const [gone, shrunk, fine] = copies('CT_small.dcm', 3);
    const files = await inputs([sample('MR_truncated.dcm'), gone, shrunk, fine]);
    rmSync(gone);
    truncateSync(shrunk, files[2].datasetOffset + 100);
    const results = await storeFileList(scu(), files, { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.deepEqual(results.map((r) => r.outcome), ['unusable', 'unusable', 'unusable', 'success']);
    assert.equal(results[0].message, 'the file is truncated');
    assert.equal(results[1].message, 'the file cannot be read (ENOENT)');
    assert.equal(results[2].message, `the file cannot be read (${shrunk} became shorter while it was being sent)`);
    assert.equal(store.received.length, 1);
    await assertSameBytes(store.received[0].data, fine);
  });

  test('one file on an open association: the same reading path and the same sentences', async () => {
    const store = new MemoryStore();
    const server = await startServer({ services: [new StorageScp(store)] });
    const [shrunk, fine] = copies('CT_small.dcm', 2);
    const [shrunkFile, fineFile] = await inputs([shrunk, fine]);
    truncateSync(shrunk, shrunkFile.datasetOffset + 10);
    const client = await associate(scu(), server, proposeStorageContexts([fineFile]));
    try {
      const bad = await client.store(shrunkFile);
      assert.equal(bad.outcome, 'unusable');
      assert.equal(bad.message, `the file cannot be read (${shrunk} became shorter while it was being sent)`);
      const good = await client.store(fineFile);
      assert.equal(good.outcome, 'success', good.message);
      await assertSameBytes(store.received[0].data, fine);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('a large file that shrinks while it streams: that file fails in a sentence, nothing partial is stored, the next file still goes', async () => {
    const store = new MemoryStore();
    const server = await startServer({ services: [new StorageScp(store)] });
    const made = await writeSyntheticInstance(path.join(temp('shrinking'), 'large.dcm'), 20 * 1024 * 1024);
    const [fine] = copies('CT_small.dcm', 1);
    const files = await inputs([made.path, fine]);
    // The header read said 20 MiB; the data ends after the first chunk (4 MiB) was read and the command went out.
    truncateSync(made.path, files[0].datasetOffset + 6 * 1024 * 1024);
    const results = await storeFileList(scu(), files, { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.equal(results[0].outcome, 'unusable', results[0].message);
    assert.match(results[0].message ?? '', /became shorter while it was being sent/);
    assert.equal(results[1].outcome, 'success', results[1].message);
    assert.deepEqual(store.received.map((r) => r.sopInstanceUid), [files[1].sopInstanceUid]);
    await assertSameBytes(store.received[0].data, fine);
  });

  test('a file over 16 MiB streams from disk in chunks and arrives intact', async () => {
    const store = new MemoryStore();
    const server = await startServer({ services: [new StorageScp(store)] });
    const made = await writeSyntheticInstance(path.join(temp('large'), 'large.dcm'), 20 * 1024 * 1024);
    const results = await storeFileList(scu(), await inputs([made.path]), { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.equal(results[0].outcome, 'success', results[0].message);
    assert.ok(results[0].bytes > 20 * 1024 * 1024);
    await assertSameBytes(store.received[0].data, made.path);
    assert.equal((await readPart10Header(made.path)).transferSyntaxUid, store.received[0].transferSyntaxUid);
  });

  test('a large file sent in PDUs whose size divides no chunk arrives byte for byte', async () => {
    const store = new MemoryStore();
    // 100,000-byte PDUs: fragments of 99,994 bytes, chunks of 41 fragments; the last of each chunk and the file's end fall mid-way.
    const server = await startServer({ services: [new StorageScp(store)], maxPduLength: 100_000 });
    const made = await writeSyntheticInstance(path.join(temp('odd-pdu'), 'large.dcm'), 18 * 1024 * 1024 + 6);
    const results = await storeFileList(scu(), await inputs([made.path]), { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.equal(results[0].outcome, 'success', results[0].message);
    await assertSameBytes(store.received[0].data, made.path);
  });

  test('a data set in memory goes out in an uncompressed syntax the SCP accepted', async () => {
    const store = new MemoryStore();
    const server = await startServer({ services: [new StorageScp(store, { transferSyntaxes: [ExplicitVRBigEndian] })] });
    const ds = new Dataset();
    ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
    ds.set('SOPInstanceUID', testUid());
    ds.set('PatientName', 'Memory^Only');
    ds.set('Rows', 2);
    const client = await associate(scu(), server, [{ abstractSyntax: '1.2.840.10008.5.1.4.1.1.7', transferSyntaxes: [ExplicitVRLittleEndian, ExplicitVRBigEndian] }]);
    try {
      const result = await client.store(ds);
      assert.equal(result.outcome, 'success', result.message);
      assert.equal(result.sentTransferSyntaxUid, ExplicitVRBigEndian);
      const got = parseDataset(store.received[0].data, ExplicitVRBigEndian);
      assert.deepEqual(datasetToJson(got), datasetToJson(ds));
    } finally {
      await client.releaseOrAbort();
    }
  });
});

/**
 * DICOM JSON for comparing across syntaxes: private elements left out and Pixel Data as OB, since
 * Implicit VR carries neither a private element's VR nor whether Pixel Data was OB or OW.
 */
function publicJson(json: unknown): unknown {
  const entries = Object.entries(json as Record<string, { vr: string }>).filter(([tag]) => (parseInt(tag.slice(3, 4), 16) & 1) === 0);
  return Object.fromEntries(entries.map(([tag, value]) => [tag, tag === '7FE00010' ? { ...value, vr: 'OB' } : value]));
}
