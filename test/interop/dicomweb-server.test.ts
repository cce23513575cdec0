// Issue 5, server side: dicomnet scp --http-port serves its archive over DICOMweb. Orthanc's own
// DICOMweb client (DicomWeb.Servers) stores to it, queries it and retrieves from it; a STOW-RS
// upload is at once moved over DIMSE to DCMTK's storescp (and a C-STORE at once served by WADO-RS);
// a 1 GiB study streams through `dicomnet wado` with the server's peak RSS under 150 MB.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readPart10Header } from '../../src/dicom/part10';
import { StoreFile } from '../../src/services/store-file-reading';
import { Background, dicomnet, run, start, startScp, startStorescp, CLI } from '../helpers/processes';
import { datasetJson, wellFormedSamples, writeSyntheticInstance, testUid } from '../helpers/dicom-files';
import { OrthancPeer, startOrthanc } from '../helpers/orthanc';

const DCMTK_ENV = { TCP_NODELAY: '1' };
const TOKEN = 'interop-token-5';
const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `dicomnet-${name}-`));

type Scp = Background & { port: number };

/** dicomnet scp over a fresh archive with DICOMweb on a free port; resolves with its base URL. */
async function startWebScp(dir: string, extra: string[] = []): Promise<{ scp: Scp; url: string }> {
  const scp = await startScp(['--dir', dir, '--http-port', '0', ...extra]);
  const m = await scp.waitFor(/DICOMweb server at (http:\/\/\S+)/);
  return { scp, url: m[1]! };
}

function multipart(files: string[], boundary = 'interop-boundary'): Buffer {
  const pieces: Buffer[] = [];
  for (const f of files) pieces.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), readFileSync(f), Buffer.from('\r\n'));
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

/** Where the archive keeps an instance. */
function archived(dir: string, study: string, series: string, sop: string): string {
  return path.join(dir, study, series, `${sop}.dcm`);
}

interface Sample extends StoreFile { study: string; series: string }

/** Well-formed pydicom samples, one per SOP Instance UID. */
async function distinctSamples(): Promise<Sample[]> {
  const seen = new Set<string>();
  const out: Sample[] = [];
  for (const f of await wellFormedSamples()) {
    if (seen.has(f.sopInstanceUid)) continue;
    seen.add(f.sopInstanceUid);
    const h = await readPart10Header(f.path);
    out.push({ ...f, study: h.studyInstanceUid!, series: h.seriesInstanceUid! });
  }
  return out;
}

describe("Orthanc's DICOMweb client against dicomnet scp --http-port", () => {
  let dir: string;
  let scp: Scp;
  let url: string;
  let orthanc: OrthancPeer;
  let samples: Sample[];
  before(async () => {
    dir = temp('web-archive');
    ({ scp, url } = await startWebScp(dir, ['--http-token', TOKEN]));
    orthanc = await startOrthanc({
      dicomWeb: true,
      // Orthanc's DicomWeb.Servers entries are objects (a bare URL string is refused by the plugin).
      extra: {
        DicomWeb: {
          Enable: true, Root: '/dicom-web/', EnableWado: true,
          Servers: { ours: { Url: `${url}/`, HttpHeaders: { Authorization: `Bearer ${TOKEN}` } }, anonymous: { Url: `${url}/` } },
        },
      },
    });
    samples = await distinctSamples();
    assert.ok(samples.length >= 20, `only ${samples.length} samples`);
  });
  after(async () => {
    await orthanc?.stop();
    await scp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('Orthanc stores to our server (its STOW-RS client); every instance arrives dataset-equal and indexed', async () => {
    const ids: string[] = [];
    for (const s of samples) ids.push((await orthanc.rest<{ ID: string }>('POST', '/instances', readFileSync(s.path))).ID);
    await orthanc.rest('POST', '/dicom-web/servers/ours/stow', { Resources: ids });
    for (const s of samples) {
      const file = archived(dir, s.study, s.series, s.sopInstanceUid);
      assert.ok(existsSync(file), `${path.basename(s.path)} was not stored`);
      assert.deepEqual(await datasetJson(file), await datasetJson(s.path), path.basename(s.path));
    }
    await scp.waitFor(new RegExp(`POST /dicomweb/studies 200 \\d+ ms \\(${samples.length} stored, 0 failed\\)`));
  });

  test('Orthanc queries our server: all studies, a wildcard search, the series of a study', async () => {
    const studies = await orthanc.rest<any[]>('POST', '/dicom-web/servers/ours/get', { Uri: '/studies' });
    assert.deepEqual(studies.map((x) => x['0020000D'].Value[0]).sort(), [...new Set(samples.map((s) => s.study))].sort());
    const compressed = await orthanc.rest<any[]>('POST', '/dicom-web/servers/ours/get', { Uri: '/studies', Arguments: { PatientName: 'CompressedSamples*' } });
    assert.ok(compressed.length >= 2);
    for (const x of compressed) assert.match(x['00100010'].Value[0].Alphabetic, /^CompressedSamples/);
    const study = samples.find((s) => s.path.endsWith('MR_small.dcm'))?.study ?? samples[0]!.study;
    const series = await orthanc.rest<any[]>('POST', '/dicom-web/servers/ours/get', { Uri: `/studies/${study}/series` });
    assert.deepEqual(series.map((x) => x['0020000E'].Value[0]).sort(), [...new Set(samples.filter((s) => s.study === study).map((s) => s.series))].sort());
  });

  test('Orthanc retrieves every study from our server (WADO-RS); each instance arrives dataset-equal', async () => {
    for (const id of await orthanc.rest<string[]>('GET', '/instances')) await orthanc.rest('DELETE', `/instances/${id}`);
    const studies = [...new Set(samples.map((s) => s.study))];
    await orthanc.rest('POST', '/dicom-web/servers/ours/retrieve', { Resources: studies.map((s) => ({ Study: s })) });
    const ids = await orthanc.rest<string[]>('GET', '/instances');
    assert.equal(ids.length, samples.length);
    const bySop = new Map(samples.map((s) => [s.sopInstanceUid, s]));
    const work = temp('orthanc-files');
    for (const id of ids) {
      const bytes = Buffer.from(await (await fetch(`${orthanc.url}/instances/${id}/file`)).arrayBuffer());
      const file = path.join(work, `${id}.dcm`);
      writeFileSync(file, bytes);
      const sop = (await readPart10Header(file)).sopInstanceUid;
      const original = bySop.get(sop);
      assert.ok(original, `Orthanc received an unknown instance ${sop}`);
      assert.deepEqual(await datasetJson(file), await datasetJson(original.path), path.basename(original.path));
    }
    rmSync(work, { recursive: true, force: true });
  });

  test('without the bearer token Orthanc is refused (401) and nothing is served', async () => {
    await assert.rejects(orthanc.rest('POST', '/dicom-web/servers/anonymous/get', { Uri: '/studies' }));
    await scp.waitFor(/GET \/dicomweb\/studies 401 \d+ ms: This server needs an Authorization: Bearer token/);
  });
});

describe('DICOMweb and DIMSE share the archive', () => {
  let dir: string;
  let scp: Scp;
  let url: string;
  let storescp: Scp;
  let storescpDir: string;
  before(async () => {
    storescpDir = temp('bridge-storescp');
    storescp = await startStorescp(['+xa', '-od', storescpDir]);
    dir = temp('bridge-archive');
    ({ scp, url } = await startWebScp(dir, ['--dest', `STORESCP=127.0.0.1:${storescp.port}`]));
  });
  after(async () => {
    await scp?.stop();
    await storescp?.stop();
    for (const d of [dir, storescpDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('a STOW-RS upload followed by a C-MOVE (movescu) delivers the instance to storescp', async () => {
    const work = temp('bridge-input');
    const study = testUid();
    const a = await writeSyntheticInstance(path.join(work, 'a.dcm'), 512 * 512 * 2, { studyInstanceUid: study });
    const b = await writeSyntheticInstance(path.join(work, 'b.dcm'), 3 * 512 * 512 * 2, { studyInstanceUid: study });
    const r = await fetch(`${url}/studies/${study}`, {
      method: 'POST', body: multipart([a.path, b.path]), headers: { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=interop-boundary' },
    });
    assert.equal(r.status, 200, await r.clone().text());
    const move = await run('movescu', ['-S', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
    assert.equal(move.code, 0, move.stdout + move.stderr);
    const received = readdirSync(storescpDir).map((f) => path.join(storescpDir, f));
    assert.equal(received.length, 2);
    const bySop = new Map([[a.sopInstanceUid, a.path], [b.sopInstanceUid, b.path]]);
    for (const f of received) {
      const original = bySop.get((await readPart10Header(f)).sopInstanceUid);
      assert.ok(original, `storescp received ${f}`);
      assert.deepEqual(await datasetJson(f), await datasetJson(original));
    }
    rmSync(work, { recursive: true, force: true });
  });

  test('a C-STORE (dicomnet store) is at once found by QIDO-RS and sent by WADO-RS (dicomnet wado)', async () => {
    const work = temp('bridge-cstore');
    const c = await writeSyntheticInstance(path.join(work, 'c.dcm'), 2 * 512 * 512 * 2);
    const stored = await dicomnet(['store', '127.0.0.1', String(scp.port), c.path]);
    assert.equal(stored.code, 0, stored.stdout + stored.stderr);
    const found = await (await fetch(`${url}/instances?SOPInstanceUID=${c.sopInstanceUid}`)).json() as any[];
    assert.equal(found.length, 1);
    assert.equal(found[0]['0020000D'].Value[0], c.studyInstanceUid);
    const out = path.join(work, 'out');
    const wado = await dicomnet(['wado', '--url', url, '--study', c.studyInstanceUid, '--output', out]);
    assert.equal(wado.code, 0, wado.stdout + wado.stderr);
    const got = archived(out, c.studyInstanceUid, c.seriesInstanceUid, c.sopInstanceUid);
    assert.ok(existsSync(got), `${wado.stdout}`);
    assert.deepEqual(await datasetJson(got), await datasetJson(c.path));
    rmSync(work, { recursive: true, force: true });
  });
});

function vmHwmKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (c) => h.update(c)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

describe('WADO-RS of a 1 GiB study', () => {
  const INSTANCES = 8;
  const PIXEL_BYTES = 128 * 1024 * 1024;
  let dir: string;
  let out: string;
  let scp: Scp;
  let url: string;
  let files: string[];
  let study: string;
  before(async () => {
    dir = temp('gib-archive');
    out = temp('gib-out');
    study = testUid();
    const series = testUid();
    files = [];
    mkdirSync(path.join(dir, 'incoming-by-hand'));
    for (let i = 0; i < INSTANCES; i++) {
      const g = await writeSyntheticInstance(path.join(dir, 'incoming-by-hand', `${i}.dcm`), PIXEL_BYTES, { studyInstanceUid: study, seriesInstanceUid: series });
      files.push(g.path);
    }
    ({ scp, url } = await startWebScp(dir));
  });
  after(async () => {
    await scp?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  test('dicomnet wado pulls all 1 GiB; every file arrives whole and the server peaks under 150 MB RSS', async () => {
    const total = files.reduce((n, f) => n + statSync(f).size, 0);
    assert.ok(total >= 1024 ** 3, `${total} bytes`);
    const serverBefore = vmHwmKb(scp.child.pid!)!;
    const client = start(process.execPath, [CLI, 'wado', '--url', url, '--study', study, '--output', out, '--quiet', '--timeout', '120']);
    let clientPeak = 0;
    const poll = setInterval(() => { clientPeak = Math.max(clientPeak, vmHwmKb(client.child.pid!) ?? 0); }, 25);
    const code = await new Promise<number | null>((resolve) => client.child.once('exit', (c) => resolve(c)));
    clearInterval(poll);
    assert.equal(code, 0, client.output());
    const serverPeak = vmHwmKb(scp.child.pid!)!;
    const received = readdirSync(path.join(out, study), { recursive: true }).map(String).filter((f) => f.endsWith('.dcm'));
    assert.equal(received.length, INSTANCES);
    const sizes = received.map((f) => statSync(path.join(out, study, f)).size).reduce((a, b) => a + b, 0);
    assert.equal(sizes, total);
    const first = files[0]!;
    const firstSop = (await readPart10Header(first)).sopInstanceUid;
    const copy = received.map((f) => path.join(out, study, f)).find((f) => f.endsWith(`${firstSop}.dcm`))!;
    assert.equal(await sha256(copy), await sha256(first));
    // The numbers, for the record (not timed): peak resident set sizes of both processes.
    console.log(`1 GiB WADO-RS: server VmHWM ${Math.round(serverBefore / 1024)} MB before, ${Math.round(serverPeak / 1024)} MB after; client VmHWM (sampled) ${Math.round(clientPeak / 1024)} MB`);
    assert.ok(serverPeak < 150 * 1024, `the server peaked at ${serverPeak} kB`);
  });
});
