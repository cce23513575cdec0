// Issue 14.3: P-DATA fragments of a data set are even except the last, and odd-length data sets
// are padded (PS3.5 7.1 for values, PS3.5 A.5 for a deflated stream) whatever path they take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { readPart10Header } from '../../../src/dicom/part10';
import { encodeDataset, parseDataset } from '../../../src/dicom';
import { DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { PDU_P_DATA_TF } from '../../../src/net/pdu-types';
import { StorageScp } from '../../../src/services/store-scp';
import { StoreFile } from '../../../src/services/store-file-reading';
import { writeSyntheticInstance } from '../../helpers/dicom-files';
import { MemoryStore, connect, ctDataset, startServer, storageContexts, within } from '../../helpers/in-process';

/** Data (not command) PDV lengths the server received, in order, with their last-fragment flag. */
function recordDataFragments(server: import('../../../src/ae/server').DicomServer): { length: number; isLast: boolean }[] {
  const seen: { length: number; isLast: boolean }[] = [];
  server.on('pdu', (_info, direction, pdu) => {
    if (direction !== 'received' || pdu.type !== PDU_P_DATA_TF) return;
    for (const pdv of pdu.pdvs) if (!pdv.isCommand) seen.push({ length: pdv.data.length, isLast: pdv.isLast });
  });
  return seen;
}

function oddFragments(seen: { length: number; isLast: boolean }[]): number[] {
  return seen.filter((f) => !f.isLast && f.length % 2 === 1).map((f) => f.length);
}

test('issue 14.3: odd-length fragments: a peer advertising 16385 gets even fragments of a data set in memory', async (t) => {
  const backend = new MemoryStore();
  const server = await startServer({ maxPduLength: 16385, services: [new StorageScp(backend)] }, t);
  const seen = recordDataFragments(server);
  const client = await connect(t, server, { contexts: storageContexts() });
  const ds = ctDataset('2.25.1403001', (d) => d.set('PixelData', 'OW', Buffer.alloc(40_000, 7)));
  const result = await within('the C-STORE', client.store(ds));
  assert.equal(result.status, 0, result.message);
  await client.release();
  assert.ok(seen.length > 2, `the data set went out in ${seen.length} fragments`);
  assert.deepEqual(oddFragments(seen), [], 'odd fragment lengths before the last one');
});

test('issue 14.3: odd-length fragments: a large file streamed from disk to a peer advertising 16385 goes out in even fragments', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'issue14-3-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Above the size the SCU reads whole: this one is streamed in chunks.
  const generated = await writeSyntheticInstance(path.join(dir, 'big.dcm'), 17 * 1024 * 1024);
  const header = await readPart10Header(generated.path);
  const file: StoreFile = {
    path: generated.path, sopClassUid: header.sopClassUid, sopInstanceUid: header.sopInstanceUid,
    transferSyntaxUid: header.transferSyntaxUid, datasetOffset: header.datasetOffset, fileSize: statSync(generated.path).size,
  };
  const backend = new MemoryStore();
  const server = await startServer({ maxPduLength: 16385, services: [new StorageScp(backend)] }, t);
  const seen = recordDataFragments(server);
  const client = await connect(t, server, { contexts: storageContexts() });
  const result = await within('the C-STORE of 17 MiB', client.store(file), 60_000);
  assert.equal(result.status, 0, result.message);
  await client.release();
  assert.equal(backend.received[0]?.data.length, file.fileSize - file.datasetOffset);
  assert.deepEqual(oddFragments(seen).slice(0, 5), [], 'odd fragment lengths before the last one');
});

test('issue 14.3: odd-length fragments: odd-length binary values are padded to even length when encoded (PS3.5 7.1)', async (t) => {
  const backend = new MemoryStore();
  const server = await startServer({ services: [new StorageScp(backend)] }, t);
  const client = await connect(t, server, { contexts: storageContexts([ImplicitVRLittleEndian]) });
  const ds = ctDataset('2.25.1403002', (d) => d.set(0x00091010, 'OB', Buffer.from([1, 2, 3])));
  const result = await within('the C-STORE', client.store(ds));
  assert.equal(result.status, 0, result.message);
  await client.release();
  const bytes = backend.received[0]!.data;
  assert.equal(bytes.length % 2, 0, `the data set is ${bytes.length} bytes long`);
  assert.deepEqual(parseDataset(bytes, ImplicitVRLittleEndian).get(0x00091010)?.value, Buffer.from([1, 2, 3, 0]));
});

test('issue 14.3: odd-length fragments: an odd-length deflated data set is padded with one NUL byte (PS3.5 A.5)', async (t) => {
  // A data set whose deflated form has an odd length (deflate is deterministic: search once).
  let ds = ctDataset('2.25.1403003');
  for (let n = 0; deflateRawSync(encodeDataset(ds, ExplicitVRLittleEndian)).length % 2 === 0; n++) {
    ds = ctDataset('2.25.1403003', (d) => d.set('StudyDescription', 'LO', `padding test ${n}`));
  }
  const backend = new MemoryStore();
  const server = await startServer({ services: [new StorageScp(backend, { transferSyntaxes: [DeflatedExplicitVRLittleEndian] })] }, t);
  const client = await connect(t, server, { contexts: storageContexts([ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian]) });
  const result = await within('the C-STORE', client.store(ds));
  assert.equal(result.status, 0, result.message);
  assert.equal(result.sentTransferSyntaxUid, DeflatedExplicitVRLittleEndian);
  await client.release();
  const bytes = backend.received[0]!.data;
  assert.equal(bytes.length % 2, 0, `the deflated data set is ${bytes.length} bytes long`);
  assert.equal(bytes[bytes.length - 1], 0);
  assert.equal(parseDataset(bytes, DeflatedExplicitVRLittleEndian).string('SOPInstanceUID'), '2.25.1403003');
});
