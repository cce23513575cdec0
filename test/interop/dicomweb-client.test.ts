// Issue 5 (client half): dicomnet stow / qido / wado against Orthanc with its DICOMweb plugin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readPart10Header } from '../../src/dicom/part10';
import type { DicomJsonObject } from '../../src/dicom/json';
import type { StoreFile } from '../../src/services/store-file-reading';
import { refusingPort } from '../helpers/peers';
import { CLI, dicomnet, run } from '../helpers/processes';
import { datasetJson, wellFormedSamples, writeSyntheticInstance } from '../helpers/dicom-files';
import { startOrthanc, OrthancPeer } from '../helpers/orthanc';

const temps: string[] = [];
const temp = (name: string) => {
  const d = mkdtempSync(path.join(tmpdir(), `dicomnet-web-${name}-`));
  temps.push(d);
  return d;
};

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p)); else out.push(p);
  }
  return out.sort();
}

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first value of an attribute in a DICOM JSON object. */
function value(obj: DicomJsonObject, tag: string): unknown {
  return obj[tag]?.Value?.[0];
}

const STUDY_UID = '0020000D';
const SERIES_UID = '0020000E';
const SOP_UID = '00080018';

/** A data set's JSON without trailing padding (FFFC,FFFC), for "dataset-equal". */
async function comparable(file: string): Promise<string> {
  const json = await datasetJson(file) as Record<string, unknown>;
  delete json['FFFCFFFC'];
  return JSON.stringify(json);
}

interface OrthancResource { ID: string; MainDicomTags: Record<string, string> }

describe('dicomnet stow / qido / wado against Orthanc (DICOMweb plugin)', () => {
  let orthanc: OrthancPeer;
  let base: string;
  let samples: StoreFile[];
  /** SOP Instance UID → the first sample with it (Orthanc keeps the first copy it stores). */
  const firstBySop = new Map<string, StoreFile>();

  before(async () => {
    orthanc = await startOrthanc({ dicomWeb: true });
    base = `${orthanc.url}/dicom-web`;
    samples = await wellFormedSamples();
    for (const s of samples) if (!firstBySop.has(s.sopInstanceUid)) firstBySop.set(s.sopInstanceUid, s);
  });
  after(async () => {
    await orthanc?.stop();
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });

  test('stow stores every well-formed pydicom sample, in batches, and reports each one', async () => {
    assert.ok(samples.length >= 40, `only ${samples.length} samples`);
    const r = await dicomnet(['stow', '--url', base, '--json', '--batch', '20', ...samples.map((s) => s.path)], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout) as { results: Array<{ path: string; outcome: string; sopInstanceUid: string; batch: number }>; unusable: unknown[] };
    assert.deepEqual(out.unusable, []);
    assert.deepEqual(out.results.map((x) => x.path), samples.map((s) => s.path));
    for (const x of out.results) assert.equal(x.outcome, 'stored', x.path);
    assert.deepEqual(out.results.map((x) => x.sopInstanceUid), samples.map((s) => s.sopInstanceUid));
    assert.equal(Math.max(...out.results.map((x) => x.batch)), Math.ceil(samples.length / 20) - 1);
    const instances = await orthanc.rest<string[]>('GET', '/instances');
    assert.equal(instances.length, firstBySop.size);

    // The line output, for one file again (Orthanc answers "already stored" as success).
    const again = await dicomnet(['stow', '--url', base, samples[0].path, '/etc/hostname']);
    assert.equal(again.code, 2, 'a file that is not DICOM makes the exit code 2');
    assert.match(again.stdout, /^SKIP \/etc\/hostname: not a DICOM file$/m);
    assert.match(again.stdout, new RegExp(`^OK   ${escapeRe(samples[0].path)}: stored \\(${escapeRe(samples[0].sopInstanceUid)}, `, 'm'));
    assert.match(again.stdout, /^Stored 1 of 2 files \(.*\); 1 not usable\.$/m);
  });

  test('qido lists the studies, series and instances Orthanc has', async () => {
    const uids = async (kind: 'studies' | 'series' | 'instances', key: string) =>
      (await orthanc.rest<OrthancResource[]>('GET', `/${kind}?expand`)).map((x) => x.MainDicomTags[key]).sort();
    const qido = async (args: string[]) => {
      const r = await dicomnet(['qido', '--url', base, ...args]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as DicomJsonObject[];
    };
    const studies = await uids('studies', 'StudyInstanceUID');
    const series = await uids('series', 'SeriesInstanceUID');
    const instances = await uids('instances', 'SOPInstanceUID');
    assert.deepEqual(instances, [...firstBySop.keys()].sort());

    const qStudies = await qido([]);
    assert.deepEqual(qStudies.map((m) => value(m, STUDY_UID)).sort(), studies);
    // Default study attributes: modalities, retrieve URL and counts (which add up to the instances).
    assert.ok(qStudies.every((m) => m['00080061'] !== undefined && m['00081190'] !== undefined), 'default study attributes are missing');
    assert.equal(qStudies.reduce((n, m) => n + Number(value(m, '00201208')), 0), instances.length);
    assert.deepEqual((await qido(['--level', 'SERIES'])).map((m) => value(m, SERIES_UID)).sort(), series);
    assert.deepEqual((await qido(['--level', 'IMAGE'])).map((m) => value(m, SOP_UID)).sort(), instances);
    // Paging through limit/offset gives the same set.
    assert.deepEqual((await qido(['--level', 'IMAGE', '--all', '--limit', '7'])).map((m) => value(m, SOP_UID)).sort(), instances);
    assert.equal((await qido(['--level', 'IMAGE', '--limit', '5'])).length, 5);

    // The per-study forms, against Orthanc's own tree.
    const orthancStudies = await orthanc.rest<OrthancResource[]>('GET', '/studies?expand');
    for (const study of orthancStudies.slice(0, 4)) {
      const uid = study.MainDicomTags.StudyInstanceUID;
      const ownSeries = (await orthanc.rest<OrthancResource[]>('GET', `/studies/${study.ID}/series`)).map((s) => s.MainDicomTags.SeriesInstanceUID).sort();
      const ownInstances = (await orthanc.rest<Array<{ MainDicomTags: Record<string, string> }>>('GET', `/studies/${study.ID}/instances`)).map((s) => s.MainDicomTags.SOPInstanceUID).sort();
      assert.deepEqual((await qido(['--study', uid])).map((m) => value(m, SERIES_UID)).sort(), ownSeries);
      assert.deepEqual((await qido(['--study', uid, '--level', 'IMAGE'])).map((m) => value(m, SOP_UID)).sort(), ownInstances);
      const oneSeries = await qido(['--study', uid, '--series', ownSeries[0], '--includefield', 'PatientName']);
      assert.ok(oneSeries.length >= 1);
      assert.ok(oneSeries.every((m) => value(m, SERIES_UID) === ownSeries[0]));
    }

    // Matching on a key, and the table.
    const ct = samples.find((s) => s.path.endsWith('/CT_small.dcm'))!;
    const ctHeader = await readPart10Header(ct.path);
    const byId = await qido(['-k', 'PatientID=1CT1']);
    assert.deepEqual(byId.map((m) => value(m, STUDY_UID)), [ctHeader.studyInstanceUid]);
    const mrHeader = await readPart10Header(samples.find((s) => s.path.endsWith('/MR_small.dcm'))!.path);
    const listed = await qido(['-k', `StudyInstanceUID=${ctHeader.studyInstanceUid},${mrHeader.studyInstanceUid},1.2.3.4`]);
    assert.deepEqual(listed.map((m) => value(m, STUDY_UID)).sort(), [ctHeader.studyInstanceUid, mrHeader.studyInstanceUid].sort());
    const table = await dicomnet(['qido', '--url', base, '--table', '-k', 'PatientName=CompressedSamples^CT1']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^PatientName\s+PatientID\s+StudyDate/);
    assert.ok(table.stdout.includes(ctHeader.studyInstanceUid!));
    assert.match(table.stdout, /^1 match\.$/m);
  });

  test('wado retrieves every study; each file is dataset-equal to the original, in its own transfer syntax', async () => {
    const studyUids = (await orthanc.rest<OrthancResource[]>('GET', '/studies?expand')).map((s) => s.MainDicomTags.StudyInstanceUID);
    const out = temp('wado');
    for (const study of studyUids) {
      const r = await dicomnet(['wado', '--url', base, '--study', study, '--output', out]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /^Retrieved \d+ instances? into /m);
    }
    const files = filesUnder(out);
    assert.equal(files.length, firstBySop.size);
    const retrievedSops = new Set<string>();
    for (const file of files) {
      const h = await readPart10Header(file);
      assert.equal(file, path.join(out, h.studyInstanceUid!, h.seriesInstanceUid!, `${h.sopInstanceUid}.dcm`));
      const original = firstBySop.get(h.sopInstanceUid);
      assert.ok(original, `${file}: an instance that was not sent`);
      retrievedSops.add(h.sopInstanceUid);
      assert.equal(h.transferSyntaxUid, original.transferSyntaxUid, `${original.path} came back in another transfer syntax`);
      assert.equal(await comparable(file), await comparable(original.path), `${original.path} came back different`);
    }
    assert.equal(retrievedSops.size, firstBySop.size);
    assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('.')), [], 'temporary files left behind');
  });

  test('wado of a series and of an instance, --metadata, and --rendered', async () => {
    const mr = samples.find((s) => s.path.endsWith('/MR_small.dcm'))!;
    const h = await readPart10Header(mr.path);
    const out = temp('wado-one');
    const r = await dicomnet(['wado', '--url', base, '--study', h.studyInstanceUid!, '--series', h.seriesInstanceUid!, '--instance', h.sopInstanceUid, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(out, h.studyInstanceUid!, h.seriesInstanceUid!, `${h.sopInstanceUid}.dcm`);
    assert.match(r.stdout, new RegExp(`^OK   ${escapeRe(file)} \\(`, 'm'));
    assert.equal(await comparable(file), await comparable(mr.path));

    const meta = await dicomnet(['wado', '--url', base, '--study', h.studyInstanceUid!, '--series', h.seriesInstanceUid!, '--metadata']);
    assert.equal(meta.code, 0, meta.stderr);
    const doc = JSON.parse(meta.stdout) as DicomJsonObject[];
    assert.equal(doc.length, 1);
    assert.equal(value(doc[0], SOP_UID), h.sopInstanceUid);
    assert.deepEqual(doc[0]['00100010']?.Value, [{ Alphabetic: 'CompressedSamples^MR1' }]);

    const image = path.join(out, 'mr.jpg');
    const rendered = await dicomnet(['wado', '--url', base, '--study', h.studyInstanceUid!, '--series', h.seriesInstanceUid!, '--instance', h.sopInstanceUid, '--rendered', '-o', image]);
    assert.equal(rendered.code, 0, rendered.stderr);
    assert.match(rendered.stdout, /^Wrote .*mr\.jpg \(image\/jpeg, /);
    const jpeg = await run('file', ['-b', image]);
    assert.match(jpeg.stdout, /^JPEG image data/);
  });

  test('errors: an unknown study, an unreachable server, bad usage', async () => {
    const missing = await dicomnet(['wado', '--url', base, '--study', '1.2.3.4.5.6', '-o', temp('missing')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `dicomnet: The server answered 404 Not Found to GET ${base}/studies/1.2.3.4.5.6: Accessing an inexistent study with WADO-RS: 1.2.3.4.5.6.\n`);
    const closed = await refusingPort();
    const port = closed.port;
    try {
      const down = await dicomnet(['qido', '--url', `http://127.0.0.1:${port}/dicom-web`]);
      assert.equal(down.code, 3);
      assert.equal(down.stderr, `dicomnet: Cannot connect to 127.0.0.1:${port}: the connection was refused.\n`);
      const usage = await dicomnet(['wado', '--url', base, '--study', 'not-a-uid']);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--study "not-a-uid" is not a valid UID/);
      const noUrl = await dicomnet(['qido']);
      assert.equal(noUrl.code, 2);
      assert.match(noUrl.stderr, /--url is required/);
      // A password given by environment variable is used and never printed.
      const secret = 'Sup3r-Secret-Pa55';
      const withAuth = await dicomnet(['qido', '--url', `http://127.0.0.1:${port}`, '--user', 'alice', '-v'], { env: { DICOMNET_PASSWORD: secret } });
      assert.equal(withAuth.code, 3);
      assert.ok(!withAuth.stderr.includes(secret) && !withAuth.stdout.includes(secret));
    } finally {
      closed.close();
    }
  });

  test('a 300 MB instance goes up with stow and comes back with wado, each under 150 MB of peak RSS', async () => {
    // Orthanc stores the upload, and builds the whole answer, before it says a word: on a loaded
    // machine that can take longer than the default 30 s of silence.
    const dir = temp('large');
    const big = await writeSyntheticInstance(path.join(dir, 'big.dcm'), 300 * 1024 * 1024);
    const peakOf = (stderr: string) => {
      const m = /peak-rss-kb (\d+)/.exec(stderr);
      assert.ok(m, `no peak RSS in ${stderr}`);
      return Number(m[1]) / 1024;
    };
    const stow = await run('/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, CLI, 'stow', '--url', base, '--timeout', '600', big.path], { timeoutMs: 300_000 });
    assert.equal(stow.code, 0, stow.stderr + stow.stdout);
    const stowPeak = peakOf(stow.stderr);
    const out = path.join(dir, 'out');
    const wado = await run('/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, CLI, 'wado', '--url', base, '--timeout', '600', '--study', big.studyInstanceUid, '-o', out], { timeoutMs: 300_000 });
    assert.equal(wado.code, 0, wado.stderr + wado.stdout);
    const wadoPeak = peakOf(wado.stderr);
    console.log(`300 MB instance: stow peak RSS ${stowPeak.toFixed(1)} MB (${stow.ms} ms), wado peak RSS ${wadoPeak.toFixed(1)} MB (${wado.ms} ms)`);
    assert.ok(stowPeak < 150, `stow peaked at ${stowPeak.toFixed(1)} MB`);
    assert.ok(wadoPeak < 150, `wado peaked at ${wadoPeak.toFixed(1)} MB`);
    const files = filesUnder(out);
    assert.deepEqual(files, [path.join(out, big.studyInstanceUid, big.seriesInstanceUid, `${big.sopInstanceUid}.dcm`)]);
    const cmp = await run('cmp', [big.path, files[0]]);
    assert.equal(cmp.code, 0, `the retrieved file differs from the original: ${cmp.stdout}`);
  });
});
