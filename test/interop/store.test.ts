// Issue 3: C-STORE with DCMTK and Orthanc, bit preservation, conversion, failures, large data.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApplicationEntity } from '../../src/ae/client';
import { Association } from '../../src/net/association';
import { collectStoreInputs } from '../../src/ae/store-inputs';
import { storeFileList } from '../../src/ae/store';
import { readPart10Header } from '../../src/dicom/part10';
import { isUncompressed } from '../../src/dicom/transfer-syntaxes';
import { dicomnet, run, start, startScp, startStorescp, Background } from '../helpers/processes';
import { waitUntil } from '../helpers/wait';
import { PYDICOM_FILES, datasetBytes, datasetJson, sendableSamples, wellFormedSamples, writeSyntheticInstance, testUid } from '../helpers/dicom-files';
import { startOrthanc, OrthancPeer } from '../helpers/orthanc';

const DCMTK_ENV = { TCP_NODELAY: '1' };
const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `dicomnet-${name}-`));

/** Files of an archive folder, without its working folders (.incoming, .index). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) { if (!entry.name.startsWith('.')) out.push(...filesUnder(p)); } else out.push(p);
  }
  return out;
}

describe('dicomnet store → DCMTK storescp', () => {
  test('every valid pydicom sample arrives with dataset bytes identical to the original (storescp +B +xa)', async () => {
    const out = temp('storescp-bitpreserving');
    const storescp = await startStorescp(['+B', '+xa', '-od', out]);
    const ae = new ApplicationEntity({ aeTitle: 'DICOMNET' });
    try {
      const files = await sendableSamples();
      assert.ok(files.length >= 45, `only ${files.length} samples`);
      const syntaxes = new Set(files.map((f) => f.transferSyntaxUid));
      assert.ok(syntaxes.size >= 10, `only ${syntaxes.size} transfer syntaxes among the samples`);
      for (const file of files) {
        for (const f of readdirSync(out)) rmSync(path.join(out, f));
        const [result] = await storeFileList(ae, [file], { host: '127.0.0.1', port: storescp.port, calledAeTitle: 'STORESCP' });
        assert.equal(result.outcome, 'success', `${file.path}: ${result.message}`);
        assert.equal(result.sentTransferSyntaxUid, file.transferSyntaxUid, `${file.path} was converted`);
        const stored = readdirSync(out).map((f) => path.join(out, f));
        assert.equal(stored.length, 1, `${file.path}: ${stored.length} files written`);
        assert.equal((await readPart10Header(stored[0])).transferSyntaxUid, file.transferSyntaxUid);
        const original = await datasetBytes(file.path);
        // An odd-length deflated stream goes out with the one NUL byte of padding DICOM asks for.
        const expected = original.length % 2 === 1 && file.transferSyntaxUid === '1.2.840.10008.1.2.1.99' ? Buffer.concat([original, Buffer.alloc(1)]) : original;
        assert.ok((await datasetBytes(stored[0])).equals(expected), `${file.path}: data set bytes differ`);
      }
    } finally {
      await storescp.stop();
    }
  });

  test('against a peer that accepts only Implicit VR LE, every file is converted (compressed ones decoded), a corrupt one fails alone', async () => {
    const out = temp('storescp-implicit');
    const storescp = await startStorescp(['+B', '+xi', '-od', out]);
    const ae = new ApplicationEntity({ aeTitle: 'DICOMNET' });
    try {
      const files = await sendableSamples();
      // All in one batch: the corrupt one fails alone, the others go on.
      const results = await storeFileList(ae, files, { host: '127.0.0.1', port: storescp.port, calledAeTitle: 'STORESCP' });
      assert.equal(results.length, files.length);
      for (const [i, file] of files.entries()) {
        if (path.basename(file.path) === 'JPEG2000-embedded-sequence-delimiter.dcm') {
          assert.equal(results[i].outcome, 'unusable', file.path);
          assert.match(results[i].message, /^cannot be converted to Implicit VR Little Endian: the JPEG 2000 Image Compression codestream is 3722445056 × 1024 but the image is 256 × 1024 \(Columns × Rows\)\.$/);
          continue;
        }
        assert.equal(results[i].outcome, 'success', `${file.path}: ${results[i].message}`);
        assert.equal(results[i].sentTransferSyntaxUid, '1.2.840.10008.1.2');
        if (!isUncompressed(file.transferSyntaxUid)) assert.match(results[i].conversion ?? '', /^converted .* → Implicit VR Little Endian( \(lossless|$)/, file.path);
      }
      // Then one at a time (samples share SOP Instance UIDs), each compared with DCMTK's own conversion.
      const conv = temp('dcmconv');
      for (const [i, file] of files.filter((f) => isUncompressed(f.transferSyntaxUid)).entries()) {
        for (const f of readdirSync(out)) rmSync(path.join(out, f));
        const [r] = await storeFileList(ae, [file], { host: '127.0.0.1', port: storescp.port, calledAeTitle: 'STORESCP' });
        assert.equal(r.outcome, 'success', `${file.path}: ${r.message}`);
        const reference = path.join(conv, `${i}.dcm`);
        const c = await run('dcmconv', ['+ti', file.path, reference]);
        assert.equal(c.code, 0, c.stderr);
        const [stored] = readdirSync(out).map((f) => path.join(out, f));
        // Data set equality: DCMTK rewrites sequence lengths as defined, we keep them as they were.
        assert.deepEqual(await comparableJson(stored), await comparableJson(reference), `${file.path}: differs from dcmconv +ti`);
      }
    } finally {
      await storescp.stop();
    }
  });
});

/**
 * DICOM JSON of a data set, for data set equality: encapsulated Pixel Data's VR normalised (DCMTK
 * rewrites a wrong OW as OB) and Data Set Trailing Padding left out (it has no meaning, and DCMTK drops it).
 */
async function comparableJson(file: string): Promise<unknown> {
  const json = await datasetJson(file) as Record<string, { vr: string }>;
  if (json['7FE00010']) json['7FE00010'] = { ...json['7FE00010'], vr: 'OB' };
  delete json.FFFCFFFC;
  return json;
}

describe('DCMTK → dicomnet scp', () => {
  test('dcmsend --decompress-never: stored at the documented paths, readable by dcmdump, dataset-equal, compressed ones in their own syntax', async () => {
    const dir = temp('scp-dcmsend');
    const scp = await startScp(['--dir', dir]);
    try {
      const files = await wellFormedSamples();
      const r = await run('dcmsend', ['--decompress-never', '-aec', 'DICOMNET', '127.0.0.1', String(scp.port), ...files.map((f) => f.path)], { env: DCMTK_ENV, timeoutMs: 120_000 });
      const stored = filesUnder(dir).filter((f) => !f.includes(`${path.sep}.`));
      // Samples sharing a SOP Instance UID overwrite each other; every stored file must equal one of its originals.
      const byUid = new Map<string, typeof files>();
      for (const f of files) byUid.set(f.sopInstanceUid, [...(byUid.get(f.sopInstanceUid) ?? []), f]);
      const expectedPaths = new Set<string>();
      for (const f of files) {
        const h = await readPart10Header(f.path);
        if (h.studyInstanceUid && h.seriesInstanceUid) expectedPaths.add(path.join(dir, h.studyInstanceUid, h.seriesInstanceUid, `${f.sopInstanceUid}.dcm`));
      }
      assert.deepEqual(new Set(stored), expectedPaths, `dcmsend said: ${r.stdout}${r.stderr}`);
      for (const file of stored) {
        const dump = await run('dcmdump', ['-q', file]);
        assert.equal(dump.code, 0, `dcmdump ${file}: ${dump.stderr}`);
        const header = await readPart10Header(file);
        const originals = byUid.get(header.sopInstanceUid)!;
        const json = await comparableJson(file);
        // dcmsend proposes a compressed file in its own syntax, and an uncompressed one as Explicit VR LE
        // first (then BE, Implicit): our SCP takes the proposer's first choice.
        let match = false;
        for (const o of originals) {
          const native = isUncompressed(o.transferSyntaxUid) && o.transferSyntaxUid !== '1.2.840.10008.1.2.1.99';
          const expectedTs = native ? '1.2.840.10008.1.2.1' : o.transferSyntaxUid;
          if (expectedTs === header.transferSyntaxUid) {
            try { assert.deepEqual(json, await comparableJson(o.path)); match = true; } catch { /* try the next one */ }
          }
        }
        assert.ok(match, `${file} equals none of its originals in ${header.transferSyntaxUid}`);
      }
      assert.deepEqual(readdirSync(path.join(dir, '.incoming')), []);
    } finally {
      await scp.stop();
    }
  });

  test('dicomnet store to storescp with max PDU 4096 and 131072: what we send obeys the peer\'s maximum', async () => {
    for (const max of [4096, 131072]) {
      const out = temp(`storescp-pdu-${max}`);
      const storescp = await startStorescp(['+xa', '--max-pdu', String(max), '-od', out]);
      try {
        const r = await dicomnet(['store', '127.0.0.1', String(storescp.port), '--trace', path.join(PYDICOM_FILES, 'CT_small.dcm'), path.join(PYDICOM_FILES, 'JPEG2000.dcm')]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`<< A-ASSOCIATE-AC[\\s\\S]*?max PDU length: ${max}\\n`));
        const sent = [...r.stderr.matchAll(/>> P-DATA-TF \((\d+) bytes\)/g)].map((m) => Number(m[1]));
        assert.ok(sent.length >= 3);
        assert.ok(Math.max(...sent) <= max, `sent a PDU of ${Math.max(...sent)} bytes`);
        if (max === 4096) assert.ok(sent.filter((n) => n === 4096).length > 5, 'the data sets were cut at the maximum');
      } finally {
        await storescp.stop();
      }
    }
  });

  test('storescu with --max-pdu 4096 to our SCP: no P-DATA-TF on the wire exceeds the negotiated maximum', async () => {
    const dir = temp('scp-pdu');
    const scp = await startScp(['--dir', dir, '--max-pdu', '4096', '--trace']);
    try {
      const r = await run('storescu', ['--max-pdu', '16384', '-aec', 'DICOMNET', '127.0.0.1', String(scp.port), path.join(PYDICOM_FILES, 'CT_small.dcm')], { env: DCMTK_ENV });
      assert.equal(r.code, 0, r.stderr);
      await scp.waitFor(/released/);
      const received = [...scp.output().matchAll(/<< P-DATA-TF \((\d+) bytes\)/g)].map((m) => Number(m[1]));
      const sent = [...scp.output().matchAll(/>> P-DATA-TF \((\d+) bytes\)/g)].map((m) => Number(m[1]));
      assert.ok(received.length > 9, 'the data set was split into many PDUs');
      assert.ok(Math.max(...received) <= 4096, `received a PDU of ${Math.max(...received)} bytes`);
      assert.ok(Math.max(...sent) <= 16384);
    } finally {
      await scp.stop();
    }
  });
});

describe('bad inputs and failures', () => {
  test('truncated, meta-less and non-DICOM inputs: one line each, the rest stored, exit 2, no stack trace', async () => {
    const input = temp('inputs');
    for (const f of ['CT_small.dcm', 'MR_small.dcm', 'MR_truncated.dcm', 'ExplVR_LitEndNoMeta.dcm', 'README.txt']) copyFileSync(path.join(PYDICOM_FILES, f), path.join(input, f));
    writeFileSync(path.join(input, 'notes.dcm'), 'this is not DICOM');
    const dir = temp('scp-bad');
    const scp = await startScp(['--dir', dir]);
    try {
      const r = await dicomnet(['store', '127.0.0.1', String(scp.port), input]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(r.stderr, '');
      const lines = r.stdout.trim().split('\n');
      const about = (name: string) => lines.filter((l) => l.includes(`${path.sep}${name}:`));
      assert.match(about('MR_truncated.dcm').join(), /^SKIP .*: not sent: the file is truncated/);
      assert.match(about('ExplVR_LitEndNoMeta.dcm').join(), /^SKIP .*: no DICOM file meta header/);
      assert.match(about('README.txt').join(), /^SKIP .*: not a DICOM file$/);
      assert.match(about('notes.dcm').join(), /^SKIP .*: not a DICOM file$/);
      assert.match(about('CT_small.dcm').join(), /^OK /);
      assert.match(about('MR_small.dcm').join(), /^OK /);
      assert.match(lines.at(-1)!, /^Stored 2 of 6 files .*; 4 not usable\.$/);
      assert.equal(filesUnder(dir).filter((f) => f.endsWith('.dcm')).length, 2);
    } finally {
      await scp.stop();
    }
  });

  test('invalid UIDs (with ../) are refused with a failure status and nothing is written anywhere', async () => {
    const input = temp('evil');
    const outside = temp('outside');
    const evil = path.join(input, 'evil.dcm');
    const escape = path.relative(path.join(tmpdir(), 'x'), outside).split(path.sep).join('/');
    await writeSyntheticInstance(evil, 1024, { studyInstanceUid: `../../${escape}`, seriesInstanceUid: '1.2.3' });
    const dir = temp('scp-evil');
    const scp = await startScp(['--dir', dir]);
    try {
      const r = await dicomnet(['store', '127.0.0.1', String(scp.port), evil]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /FAIL .*0x0117 \(Invalid object instance\) "the Study Instance UID is not a valid UID"/);
      await scp.waitFor(/refused .*: 0x0117 .*the Study Instance UID "\.\.\/\.\.\/.*" is not a valid UID/);
      assert.deepEqual(filesUnder(dir), []);
      assert.deepEqual(filesUnder(outside), []);
      assert.ok((await run('echoscu', ['127.0.0.1', String(scp.port)], { env: DCMTK_ENV })).code === 0);
    } finally {
      await scp.stop();
    }
  });

  test('a command/data set SOP Instance UID mismatch is answered with A900', async () => {
    const dir = temp('scp-mismatch');
    const scp = await startScp(['--dir', dir]);
    const ae = new ApplicationEntity({ aeTitle: 'DICOMNET' });
    try {
      const file = (await collectStoreInputs([path.join(PYDICOM_FILES, 'CT_small.dcm')])).files[0];
      const [r] = await storeFileList(ae, [{ ...file, sopInstanceUid: '1.2.3.4.5' }], { host: '127.0.0.1', port: scp.port, calledAeTitle: 'DICOMNET' });
      assert.equal(r.status, 0xa900);
      assert.equal(r.comment, 'SOP Instance UID differs from the command');
      assert.deepEqual(filesUnder(dir).filter((f) => f.endsWith('.dcm')), []);
    } finally {
      await scp.stop();
    }
  });

  test('five concurrent associations sending the corpus: every instance once, no temporary files, still serving', async () => {
    const dir = temp('scp-concurrent');
    const scp = await startScp(['--dir', dir]);
    try {
      const files = await sendableSamples();
      const runs = await Promise.all(Array.from({ length: 5 }, () => dicomnet(['store', '127.0.0.1', String(scp.port), ...files.map((f) => f.path)], { timeoutMs: 120_000 })));
      for (const r of runs) assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const expected = new Set<string>();
      for (const f of files) {
        const h = await readPart10Header(f.path);
        if (h.studyInstanceUid && h.seriesInstanceUid) expected.add(f.sopInstanceUid);
      }
      const stored = filesUnder(dir).filter((f) => f.endsWith('.dcm')).map((f) => path.basename(f, '.dcm'));
      assert.equal(stored.length, new Set(stored).size, 'an instance is stored twice');
      assert.deepEqual(new Set(stored), expected);
      assert.deepEqual(readdirSync(path.join(dir, '.incoming')), []);
      assert.equal((await run('echoscu', ['127.0.0.1', String(scp.port)], { env: DCMTK_ENV })).code, 0);
    } finally {
      await scp.stop();
    }
  });

  test('killing the sender in the middle of a large instance leaves nothing behind; a resend succeeds', async () => {
    const input = temp('large-kill');
    const big = await writeSyntheticInstance(path.join(input, 'big.dcm'), 300 * 1024 * 1024);
    const dir = temp('scp-kill');
    const scp = await startScp(['--dir', dir]);
    try {
      const sender = start(process.execPath, [path.join(__dirname, '..', '..', '..', 'dist', 'cli.js'), 'store', '127.0.0.1', String(scp.port), big.path, '--max-pdu', '16384']);
      const incoming = path.join(dir, '.incoming');
      const partialSize = () => {
        const parts = existsSync(incoming) ? readdirSync(incoming) : [];
        return parts.length ? statSync(path.join(incoming, parts[0]), { throwIfNoEntry: false })?.size ?? 0 : 0;
      };
      await waitUntil('20 MB of the instance in .incoming/ (the transfer under way)', () => partialSize() > 20 * 1024 * 1024, { timeoutMs: 20_000, intervalMs: 5 });
      sender.child.kill('SIGKILL');
      await sender.stop();
      await scp.waitFor(/ended: .*closed the connection/);
      await waitUntil('the partial file to be removed from .incoming/', () => readdirSync(incoming).length === 0, {
        timeoutMs: 10_000, detail: () => `it holds ${JSON.stringify(readdirSync(incoming))}`,
      });
      assert.deepEqual(filesUnder(dir).filter((f) => f.endsWith('.dcm')), []);
      const again = await dicomnet(['store', '127.0.0.1', String(scp.port), big.path], { timeoutMs: 120_000 });
      assert.equal(again.code, 0, again.stdout + again.stderr);
      const stored = path.join(dir, big.studyInstanceUid, big.seriesInstanceUid, `${big.sopInstanceUid}.dcm`);
      assert.ok((await datasetBytes(stored)).equals(await datasetBytes(big.path)));
    } finally {
      await scp.stop();
      rmSync(input, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a 1 GiB instance goes through dicomnet store → dicomnet scp with each peak RSS under 150 MB', async () => {
    const input = temp('gib');
    const big = await writeSyntheticInstance(path.join(input, 'gib.dcm'), 1024 * 1024 * 1024);
    const dir = temp('scp-gib');
    const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
    const scp = await startScp(['--dir', dir]);
    const port = scp.port;
    try {
      const r = await run('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', process.execPath, cli, 'store', '127.0.0.1', String(port), big.path], { timeoutMs: 300_000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const senderKb = Number(/PEAK_RSS_KB=(\d+)/.exec(r.stderr)![1]);
      // The kernel's high-water mark of the receiver's resident set.
      const receiverKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${scp.child.pid}/status`, 'utf8'))![1]);
      console.log(`1 GiB instance: sender peak RSS ${(senderKb / 1024).toFixed(0)} MB, receiver ${(receiverKb / 1024).toFixed(0)} MB`);
      assert.ok(senderKb < 150 * 1024, `sender peak RSS ${senderKb} KB`);
      assert.ok(receiverKb < 150 * 1024, `receiver peak RSS ${receiverKb} KB`);
      const stored = path.join(dir, big.studyInstanceUid, big.seriesInstanceUid, `${big.sopInstanceUid}.dcm`);
      assert.equal(statSync(stored).size - (await readPart10Header(stored)).datasetOffset, statSync(big.path).size - (await readPart10Header(big.path)).datasetOffset);
    } finally {
      await scp.stop();
      rmSync(input, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('with Orthanc', () => {
  let orthanc: OrthancPeer;
  let scp: Background & { port: number };
  let dir: string;
  before(async () => {
    dir = temp('scp-orthanc');
    scp = await startScp(['--dir', dir, '--aet', 'DICOMNET']);
    orthanc = await startOrthanc({ modalities: { dicomnet: ['DICOMNET', '127.0.0.1', scp.port] } });
  });
  after(async () => {
    await orthanc?.stop();
    await scp?.stop();
  });

  test('Orthanc as the SCP: dicomnet store delivers the samples', async () => {
    const files = await wellFormedSamples();
    const r = await dicomnet(['store', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', ...files.map((f) => f.path)], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('OK ')).length, files.length);
    const instances = await orthanc.rest<string[]>('GET', '/instances');
    assert.equal(instances.length, new Set(files.map((f) => f.sopInstanceUid)).size);
  });

  test('Orthanc as the SCU: /modalities/{id}/store sends to dicomnet scp', async () => {
    const instances = await orthanc.rest<string[]>('GET', '/instances');
    assert.ok(instances.length > 0);
    const before = filesUnder(dir).length;
    const reply = await orthanc.rest<{ InstancesCount?: number; FailedInstancesCount?: number }>('POST', '/modalities/dicomnet/store', { Resources: instances, Synchronous: true });
    assert.equal(reply.FailedInstancesCount ?? 0, 0, JSON.stringify(reply));
    assert.equal(reply.InstancesCount, instances.length);
    assert.equal(filesUnder(dir).filter((f) => f.endsWith('.dcm')).length, before + instances.length);
    // The SCP's log lines follow the responses (written at most every 100 ms while busy).
    const logged = () => [...scp.output().matchAll(/stored .* from ORTHANC/g)].length;
    await waitUntil(`the SCP to log ${instances.length} instances stored from ORTHANC`, () => logged() >= instances.length, { detail: () => `${logged()} logged` });
    assert.equal(logged(), instances.length);
  });
});

void testUid;

describe('several C-STOREs in flight (asynchronous operations window, PS3.7 D.3.3.3)', () => {
  /** 20 instances, each with its own SOP Instance UID. */
  async function twenty(name: string): Promise<string[]> {
    const dir = temp(name);
    const written = await Promise.all(Array.from({ length: 20 }, (_, i) => writeSyntheticInstance(path.join(dir, `${i}.dcm`), 64 * 1024)));
    return written.map((w) => w.path);
  }

  test('storescp answers no window: one C-STORE at a time, every instance arrives once, bytes identical', async () => {
    const out = temp('storescp-window');
    const storescp = await startStorescp(['+B', '-od', out]);
    try {
      const paths = await twenty('window-dcmtk');
      const files = (await collectStoreInputs(paths)).files;
      let association: Association | undefined;
      const results = await storeFileList(new ApplicationEntity({ aeTitle: 'DICOMNET' }), files, {
        host: '127.0.0.1', port: storescp.port, calledAeTitle: 'STORESCP',
        onAssociation: (a) => { association = a; },
      });
      assert.ok(association?.acceptance, 'no A-ASSOCIATE-AC');
      assert.deepEqual(association.request?.userInformation.asyncOperationsWindow, { maxOperationsInvoked: 16, maxOperationsPerformed: 1 });
      assert.equal(association.acceptance.userInformation.asyncOperationsWindow, undefined, 'storescp answered an asynchronous operations window');
      assert.deepEqual(results.map((r) => r.outcome), files.map(() => 'success'));
      const stored = readdirSync(out);
      assert.equal(stored.length, files.length);
      for (const file of files) {
        const target = stored.find((f) => f.endsWith(file.sopInstanceUid));
        assert.ok(target, `${file.sopInstanceUid} did not arrive`);
        assert.ok((await datasetBytes(path.join(out, target))).equals(await datasetBytes(file.path)), `${file.path}: data set bytes differ`);
      }
    } finally {
      await storescp.stop();
    }
  });

  test('the CLI flags: dicomnet store --max-ops-invoked 6 proposes 6, dicomnet scp --max-ops-performed 3 grants 3 (both records say so), all arrive', async () => {
    const dir = temp('scp-window-flags');
    const scpRecord = path.join(dir, 'scp.jsonl');
    const storeRecord = path.join(dir, 'store.jsonl');
    const scp = await startScp(['--dir', path.join(dir, 'archive'), '--max-ops-performed', '3', '--record', scpRecord]);
    try {
      const paths = await twenty('window-flags');
      const sent = await dicomnet(['store', '127.0.0.1', String(scp.port), ...paths, '--max-ops-invoked', '6', '--record', storeRecord], { timeoutMs: 120_000 });
      assert.equal(sent.code, 0, `${sent.stdout}\n${sent.stderr}`);
      assert.match(sent.stdout, /^Stored 20 of 20 files/m);
      const windowsIn = (file: string) => {
        const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        return records.map((r) => [r.negotiation.requestor.asyncOperationsWindow, r.negotiation.acceptor.asyncOperationsWindow]);
      };
      const expected = [[{ maxOperationsInvoked: 6, maxOperationsPerformed: 1 }, { maxOperationsInvoked: 1, maxOperationsPerformed: 3 }]];
      assert.deepEqual(windowsIn(storeRecord), expected);
      await waitUntil('the SCP\'s record of the association', () => existsSync(scpRecord) && readFileSync(scpRecord, 'utf8').endsWith('\n'), { detail: () => scp.output() });
      assert.deepEqual(windowsIn(scpRecord), expected);
      assert.equal(filesUnder(path.join(dir, 'archive')).filter((f) => f.endsWith('.dcm')).length, 20);
      const refused = await dicomnet(['store', '127.0.0.1', String(scp.port), ...paths, '--max-ops-invoked', '17']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /--max-ops-invoked must be a whole number from 1 to 16, not 17/);
    } finally {
      await scp.stop();
    }
  });

  test('dicomnet store → dicomnet scp with a window of 8: every instance arrives once, bytes identical', async () => {
    const dir = temp('scp-window');
    const scp = await startScp(['--dir', dir]);
    try {
      const paths = await twenty('window-dicomnet');
      const files = (await collectStoreInputs(paths)).files;
      let association: Association | undefined;
      const results = await storeFileList(new ApplicationEntity({ aeTitle: 'DICOMNET' }), files, {
        host: '127.0.0.1', port: scp.port, calledAeTitle: 'DICOMNET', storeWindow: 8,
        onAssociation: (a) => { association = a; },
      });
      assert.deepEqual(association?.acceptance?.userInformation.asyncOperationsWindow, { maxOperationsInvoked: 1, maxOperationsPerformed: 8 });
      assert.deepEqual(results.map((r) => r.outcome), files.map(() => 'success'));
      const stored = filesUnder(dir);
      assert.equal(stored.length, files.length, 'each instance once');
      for (const file of files) {
        const target = stored.find((f) => path.basename(f) === `${file.sopInstanceUid}.dcm`);
        assert.ok(target, `${file.sopInstanceUid} did not arrive`);
        assert.ok((await datasetBytes(target)).equals(await datasetBytes(file.path)), `${file.path}: data set bytes differ`);
      }
    } finally {
      await scp.stop();
    }
  });
});
