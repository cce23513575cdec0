// STOW-RS into the archive, and the requests the server must refuse without harm: broken multipart
// bodies, wrong content types, bodies over the limit, bad UIDs and ".." in paths, unknown routes.
// Each refusal is a 4xx with {"error": "..."}, leaves no file behind, and the server keeps serving.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { connect } from 'node:net';
import * as path from 'node:path';
import { readPart10Header, parsePart10 } from '../../../../src/dicom/part10';
import { datasetToJson } from '../../../../src/dicom/json';
import { writeSyntheticInstance, GeneratedInstance } from '../../../helpers/dicom-files';
import { Harness, SAMPLES, filesUnder, get, multipartBody, parts, raw, startHarness, STOW_TYPE } from './helpers';
import { waitUntil } from '../../../helpers/wait';

const MR = path.join(SAMPLES, 'MR_small.dcm');

async function datasetBytes(file: string | Buffer): Promise<Buffer> {
  const bytes = typeof file === 'string' ? readFileSync(file) : file;
  return bytes.subarray(parsePart10(bytes).datasetOffset);
}

/** The archive's files, once the temporary files of aborted transfers have been removed. */
async function settledFiles(h: Harness): Promise<string[]> {
  await waitUntil('the temporary files of aborted transfers to be removed', () => !filesUnder(h.dir).some((f) => f.startsWith('.incoming')), {
    timeoutMs: 5000, intervalMs: 20, detail: () => `the archive holds ${JSON.stringify(filesUnder(h.dir))}`,
  });
  return filesUnder(h.dir);
}

function post(h: Harness, p: string, body: Buffer | string | AsyncIterable<Buffer>, contentType?: string, extra: Record<string, string | number> = {}) {
  const headers: Record<string, string | number> = { ...extra };
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  if (Buffer.isBuffer(body) || typeof body === 'string') headers['Content-Length'] = Buffer.byteLength(body);
  return raw(h.url, new URL(h.url).pathname + p, { method: 'POST', headers, body });
}

async function assertStillServing(h: Harness): Promise<void> {
  const r = await get(h, '/studies');
  assert.equal(r.status, 200);
}

describe('STOW-RS', () => {
  let h: Harness;
  let dir: string;
  let work: string;
  const synthetic: GeneratedInstance[] = [];
  before(async () => {
    h = await startHarness([], { maxBodyBytes: 4 * 1024 * 1024 });
    dir = h.dir;
    work = mkdtempSync(path.join(tmpdir(), 'dicomnet-stow-inputs-'));
    for (let i = 0; i < 3; i++) synthetic.push(await writeSyntheticInstance(path.join(work, `syn${i}.dcm`), 2 * 512 * 512 * 2));
  });
  after(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('POST /studies stores Part 10 files in the archive layout, answers 200, and they are found and sent at once', async () => {
    const mrHeader = await readPart10Header(MR);
    const syn = synthetic[0]!;
    const r = await post(h, '/studies', multipartBody([{ body: readFileSync(MR) }, { body: readFileSync(syn.path) }]), STOW_TYPE());
    assert.equal(r.status, 200, r.body.toString());
    assert.match(String(r.headers['content-type']), /^application\/dicom\+json/);
    const refs = r.json()['00081199'].Value as any[];
    assert.deepEqual(refs.map((x) => x['00081155'].Value[0]), [mrHeader.sopInstanceUid, syn.sopInstanceUid]);
    assert.equal(refs[1]['00081190'].Value[0], `${h.url}/studies/${syn.studyInstanceUid}/series/${syn.seriesInstanceUid}/instances/${syn.sopInstanceUid}`);
    assert.equal(r.json()['00081198'], undefined);

    const stored = path.join(dir, mrHeader.studyInstanceUid!, mrHeader.seriesInstanceUid!, `${mrHeader.sopInstanceUid}.dcm`);
    assert.ok(existsSync(stored));
    assert.deepEqual(await datasetBytes(stored), await datasetBytes(MR));
    // The index the DIMSE services use has it: C-FIND and C-MOVE see it as soon as the answer is sent.
    assert.equal(h.archive.index.get(syn.sopInstanceUid)?.studyInstanceUid, syn.studyInstanceUid);
    const found = (await get(h, `/instances?SOPInstanceUID=${syn.sopInstanceUid}`)).json();
    assert.equal(found.length, 1);
    const back = await get(h, `/studies/${syn.studyInstanceUid}`, { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' });
    const [part] = await parts(back);
    assert.deepEqual(datasetToJson(parsePart10(part!.body).dataset), datasetToJson(parsePart10(readFileSync(syn.path)).dataset));
  });

  test('the data set names the instance: a file whose meta says another SOP Instance UID is stored under its own', async () => {
    const rtplan = path.join(SAMPLES, 'rtplan.dcm');
    const header = await readPart10Header(rtplan);
    assert.notEqual(header.meta.MediaStorageSOPInstanceUID, header.sopInstanceUid);
    const r = await post(h, '/studies', multipartBody([{ body: readFileSync(rtplan) }]), STOW_TYPE());
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.json()['00081199'].Value[0]['00081155'].Value[0], header.sopInstanceUid);
    const stored = path.join(dir, header.studyInstanceUid!, header.seriesInstanceUid!, `${header.sopInstanceUid}.dcm`);
    assert.equal((await readPart10Header(stored)).meta.MediaStorageSOPInstanceUID, header.sopInstanceUid);
    assert.deepEqual(await datasetBytes(stored), await datasetBytes(rtplan));
  });

  test('some parts failing gives 202 with a Failed SOP Sequence; all failing gives 409', async () => {
    const syn = synthetic[1]!;
    const r = await post(h, '/studies', multipartBody([
      { body: Buffer.from('not dicom at all'), contentType: 'text/plain' },
      { body: readFileSync(syn.path) },
      { body: Buffer.alloc(300, 7) },
    ]), STOW_TYPE());
    assert.equal(r.status, 202, r.body.toString());
    assert.deepEqual(r.json()['00081199'].Value.map((x: any) => x['00081155'].Value[0]), [syn.sopInstanceUid]);
    assert.deepEqual(r.json()['00081198'].Value.map((x: any) => x['00081197'].Value[0]), [0xc000, 0xc000]);
    const before = await settledFiles(h);
    const none = await post(h, '/studies', multipartBody([{ body: Buffer.alloc(200, 1) }]), STOW_TYPE());
    assert.equal(none.status, 409);
    assert.equal(none.json()['00081198'].Value.length, 1);
    assert.deepEqual(await settledFiles(h), before);
  });

  test('POST /studies/{study} refuses instances of other studies (A900) and stores its own', async () => {
    const own = synthetic[2]!;
    const other = await writeSyntheticInstance(path.join(work, 'other.dcm'), 1024);
    const before = await settledFiles(h);
    const r = await post(h, `/studies/${own.studyInstanceUid}`, multipartBody([{ body: readFileSync(other.path) }, { body: readFileSync(own.path) }]), STOW_TYPE());
    assert.equal(r.status, 202, r.body.toString());
    const failed = r.json()['00081198'].Value[0];
    assert.equal(failed['00081155'].Value[0], other.sopInstanceUid);
    assert.equal(failed['00081197'].Value[0], 0xa900);
    assert.equal(r.json()['00081190'].Value[0], `${h.url}/studies/${own.studyInstanceUid}`);
    const added = (await settledFiles(h)).filter((f) => !before.includes(f));
    assert.deepEqual(added, [path.join(own.studyInstanceUid, own.seriesInstanceUid, `${own.sopInstanceUid}.dcm`)]);
  });

  test('wrong content types get 415 and store nothing', async () => {
    const body = multipartBody([{ body: readFileSync(MR) }]);
    const before = await settledFiles(h);
    for (const ct of [undefined, 'application/dicom', 'text/plain', 'multipart/mixed; boundary=test-boundary-42',
      'multipart/related; type="application/dicom+json"; boundary=test-boundary-42', 'multipart/related; type="application/dicom+xml"; boundary=test-boundary-42']) {
      const r = await post(h, '/studies', body, ct);
      assert.equal(r.status, 415, String(ct));
      assert.equal(typeof r.json().error, 'string');
    }
    assert.deepEqual(await settledFiles(h), before);
    await assertStillServing(h);
  });

  test('broken multipart bodies get 400 and store nothing, not even the complete parts before the break', async () => {
    const good = readFileSync(synthetic[0]!.path);
    const whole = multipartBody([{ body: good }, { body: readFileSync(MR) }]);
    const broken: Array<[string, Buffer | string]> = [
      ['no delimiter at all', 'just some bytes that are not multipart'],
      ['cut inside the second part', whole.subarray(0, whole.length - 2000)],
      ['no close delimiter', Buffer.concat([Buffer.from('--test-boundary-42\r\nContent-Type: application/dicom\r\n\r\n'), good, Buffer.from('\r\n--test-boundary-42\r\n')])],
      ['a malformed part header', Buffer.concat([Buffer.from('--test-boundary-42\r\nthis is no header\r\n\r\n'), good, Buffer.from('\r\n--test-boundary-42--\r\n')])],
      ['no parts', '--test-boundary-42--\r\n'],
      ['garbage after the boundary', '--test-boundary-42xyz\r\n\r\nabc\r\n--test-boundary-42--'],
    ];
    const before = await settledFiles(h);
    for (const [what, body] of broken) {
      const r = await post(h, '/studies', body, STOW_TYPE());
      assert.equal(r.status, 400, `${what}: ${r.body.toString()}`);
      assert.equal(typeof r.json().error, 'string', what);
      assert.deepEqual(await settledFiles(h), before, what);
    }
    const badBoundary = await post(h, '/studies', whole, 'multipart/related; type="application/dicom"');
    assert.equal(badBoundary.status, 400);
    await assertStillServing(h);
  });

  test('bodies over the limit get 413 (declared or streamed) and store nothing', async () => {
    const big = multipartBody([{ body: readFileSync(synthetic[0]!.path) }, { body: readFileSync(synthetic[1]!.path) }, { body: readFileSync(synthetic[2]!.path) }, { body: readFileSync(synthetic[0]!.path) }]);
    assert.ok(big.length > 4 * 1024 * 1024);
    const before = await settledFiles(h);
    const declared = await post(h, '/studies', big, STOW_TYPE());
    assert.equal(declared.status, 413);
    assert.match(declared.json().error, /limit/);
    const chunked = await post(h, '/studies', (async function* () {
      for (let i = 0; i < big.length; i += 256 * 1024) yield big.subarray(i, i + 256 * 1024);
    })(), STOW_TYPE());
    assert.equal(chunked.status, 413);
    assert.deepEqual(await settledFiles(h), before);
    await assertStillServing(h);
  });

  test('a client that disconnects mid-upload leaves nothing behind', async () => {
    const before = await settledFiles(h);
    let uploadNeverStarted: unknown;
    const body = multipartBody([{ body: readFileSync(synthetic[0]!.path) }]);
    const u = new URL(h.url);
    await new Promise<void>((resolve) => {
      const req = request({ host: u.hostname, port: u.port, method: 'POST', path: `${u.pathname}/studies`, headers: { 'Content-Type': STOW_TYPE(), 'Content-Length': body.length } });
      req.on('error', () => resolve());
      // Gone once the server has started writing the instance: it has something to clean up.
      req.write(body.subarray(0, body.length >> 1), () => {
        waitUntil('the server to start writing the upload into .incoming/', () => filesUnder(h.dir).some((f) => f.startsWith('.incoming/')), { timeoutMs: 10_000, intervalMs: 5 })
          .finally(() => { req.destroy(); resolve(); })
          .catch((error: unknown) => { uploadNeverStarted = error; });
      });
    });
    if (uploadNeverStarted) throw uploadNeverStarted;
    assert.deepEqual(await settledFiles(h), before);
    await assertStillServing(h);
  });

  test('bad paths: invalid UIDs and ".." get 400, unknown routes 404, wrong methods 405; all JSON, nothing written', async () => {
    const base = new URL(h.url).pathname;
    const before = await settledFiles(h);
    const cases: Array<[string, string, number]> = [
      ['GET', `${base}/studies/1.2.abc`, 400],
      ['GET', `${base}/studies/1.2.3/series/01.2/instances`, 400],
      ['GET', `${base}/studies/${'1.'.repeat(40)}1`, 400],
      ['GET', `${base}/studies/../../etc/passwd`, 400],
      ['GET', `${base}/studies/1.2.3/series/%2e%2e/instances`, 400],
      ['GET', `${base}/studies/1.2.3/series/1.2%2F..%2F3`, 400],
      ['POST', `${base}/studies/..`, 400],
      ['POST', `${base}/studies/1.2.x`, 400],
      ['GET', `${base}/patients`, 404],
      ['GET', `${base}/studies/1.2.3/series/1.2.4/instances/1.2.5/frames/1/extra`, 404],
      ['GET', '/elsewhere/studies', 404],
      ['GET', `${base}/`, 404],
      ['PUT', `${base}/studies`, 405],
      ['DELETE', `${base}/studies/1.2.3`, 405],
      ['POST', `${base}/series`, 405],
    ];
    for (const [method, p, status] of cases) {
      const r = await raw(h.url, p, { method, headers: method === 'POST' ? { 'Content-Type': STOW_TYPE() } : {}, body: method === 'POST' ? multipartBody([{ body: readFileSync(MR) }]) : undefined });
      assert.equal(r.status, status, `${method} ${p}: ${r.body.toString()}`);
      assert.equal(typeof r.json().error, 'string', p);
      assert.equal(r.headers['access-control-allow-origin'], '*');
      if (status === 405) assert.match(String(r.headers.allow), /OPTIONS/);
    }
    assert.deepEqual(await settledFiles(h), before);
    await assertStillServing(h);
  });
  test('requests that are not valid HTTP get 400, oversized headers 431, and the server keeps serving', async () => {
    const u = new URL(h.url);
    const send = (text: string) => new Promise<string>((resolve, reject) => {
      const socket = connect(Number(u.port), u.hostname, () => socket.end(text));
      let got = '';
      socket.on('data', (d) => { got += d.toString('latin1'); });
      socket.on('error', reject);
      socket.on('close', () => resolve(got));
    });
    const garbage = await send('THIS IS NOT HTTP\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400 /);
    assert.match(garbage, /\{"error":"/);
    const huge = await send(`GET ${u.pathname}/studies HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431 /);
    await assertStillServing(h);
  });
});

describe('STOW-RS into an archive that rejects duplicates', () => {
  let h: Harness;
  before(async () => { h = await startHarness([], {}, { onDuplicate: 'reject' }); });
  after(async () => { await h?.close(); });

  test('storing the same instance again gives 409 with failure reason 0111', async () => {
    const body = multipartBody([{ body: readFileSync(MR) }]);
    assert.equal((await post(h, '/studies', body, STOW_TYPE())).status, 200);
    const again = await post(h, '/studies', body, STOW_TYPE());
    assert.equal(again.status, 409);
    assert.equal(again.json()['00081198'].Value[0]['00081197'].Value[0], 0x0111);
  });
});
