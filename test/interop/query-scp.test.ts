// Issue 4, SCP side: DCMTK's findscu/movescu/getscu and dicomnet find against dicomnet scp over an
// archive folder: exact match sets, cancel, character sets, C-MOVE/C-GET sub-operations,
// worklists, and an archive of 10,000 studies that restarts without re-reading its files.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/dicom/dataset-model';
import { encodeDataset } from '../../src/dicom';
import { buildFileMeta } from '../../src/dicom/file-meta';
import { readPart10Header } from '../../src/dicom/part10';
import { scanFileHeader } from '../../src/dicom/header-scanner';
import { Tags } from '../../src/dicom/tag';
import { ExplicitVRLittleEndian } from '../../src/dicom/transfer-syntaxes';
import { writeFileSync } from 'node:fs';
import { StoreFile } from '../../src/services/store-file-reading';
import { dicomnet, run, startScp, startStorescp, Background } from '../helpers/processes';
import { PYDICOM_CHARSETS, wellFormedSamples } from '../helpers/dicom-files';
import { DCMTK_ENV, WLISTDB_EXAMPLES, findscu } from '../helpers/dcmtk';
import { REPO_ROOT } from '../helpers/processes';

const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `dicomnet-${name}-`));

interface Sample extends StoreFile { study: string; series: string; patientId: string; patientName: string; studyDate: string }

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? (e.name.startsWith('.') ? [] : filesUnder(p)) : [p];
  });
}

describe('DCMTK and dicomnet against dicomnet scp with the pydicom corpus', () => {
  let scp: Background & { port: number };
  let samples: Sample[];
  let dir: string;
  let storescp: Background & { port: number };
  let storescpDir: string;
  before(async () => {
    storescpDir = temp('move-target');
    storescp = await startStorescp(['+xa', '-od', storescpDir]);
    dir = temp('qr-archive');
    scp = await startScp(['--dir', dir, '--dest', `STORESCP=127.0.0.1:${storescp.port}`]);
    samples = [];
    for (const f of await wellFormedSamples()) {
      const scan = await scanFileHeader(f.path, { stopAt: Tags.PixelData });
      const text = (t: number) => scan.elements.get(t)?.value?.toString('latin1').replace(/[\0 ]+$/, '') ?? '';
      samples.push({ ...f, study: text(Tags.StudyInstanceUID), series: text(Tags.SeriesInstanceUID), patientId: text(Tags.PatientID), patientName: text(Tags.PatientName), studyDate: text(Tags.StudyDate) });
    }
    const r = await dicomnet(['store', '127.0.0.1', String(scp.port), ...samples.map((s) => s.path)], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
  after(async () => {
    await scp?.stop();
    await storescp?.stop();
  });

  async function findUids(model: '-S' | '-P', keys: string[], returnKey: string): Promise<string[]> {
    const ask = keys.some((k) => k.startsWith(`${returnKey}=`)) ? [] : ['-k', returnKey];
    const r = await findscu([model, ...keys.flatMap((k) => ['-k', k]), ...ask, '127.0.0.1', String(scp.port)]);
    assert.equal(r.code, 0, r.output);
    return r.responses.map((d) => d.string(returnKey) ?? '').sort();
  }
  const unique = (xs: string[]) => [...new Set(xs)].sort();

  test('STUDY level, universal: every study', async () => {
    assert.deepEqual(await findUids('-S', ['QueryRetrieveLevel=STUDY'], 'StudyInstanceUID'), unique(samples.map((s) => s.study)));
  });

  test('STUDY level, wildcard on the patient name', async () => {
    const expected = unique(samples.filter((s) => s.patientName.startsWith('CompressedSamples')).map((s) => s.study));
    assert.ok(expected.length >= 2);
    assert.deepEqual(await findUids('-S', ['QueryRetrieveLevel=STUDY', 'PatientName=Compressed*'], 'StudyInstanceUID'), expected);
  });

  test('STUDY level, date range', async () => {
    const expected = unique(samples.filter((s) => s.studyDate >= '20040101' && s.studyDate <= '20081231').map((s) => s.study));
    assert.ok(expected.length >= 2);
    assert.deepEqual(await findUids('-S', ['QueryRetrieveLevel=STUDY', 'StudyDate=20040101-20081231'], 'StudyInstanceUID'), expected);
  });

  test('STUDY level, list of UIDs', async () => {
    const two = unique(samples.map((s) => s.study)).slice(0, 2);
    assert.deepEqual(await findUids('-S', ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${two.join('\\')}`], 'StudyInstanceUID'), two);
  });

  test('SERIES and IMAGE levels under a study and a series', async () => {
    const study = samples.find((s) => s.path.endsWith('MR_small.dcm'))!.study;
    assert.deepEqual(await findUids('-S', ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${study}`], 'SeriesInstanceUID'),
      unique(samples.filter((s) => s.study === study).map((s) => s.series)));
    const series = samples.find((s) => s.study === study)!.series;
    assert.deepEqual(await findUids('-S', ['QueryRetrieveLevel=IMAGE', `StudyInstanceUID=${study}`, `SeriesInstanceUID=${series}`], 'SOPInstanceUID'),
      unique(samples.filter((s) => s.series === series).map((s) => s.sopInstanceUid)));
  });

  test('PATIENT level, Patient Root', async () => {
    // "*" alone is universal matching: patients without an ID match too (each is its own patient).
    assert.deepEqual(unique(await findUids('-P', ['QueryRetrieveLevel=PATIENT', 'PatientID=*'], 'PatientID')), unique(samples.map((s) => s.patientId)));
  });

  test('movescu → dicomnet scp → storescp delivers every instance of a study with pending counts; an unknown destination gets A801', async () => {
    const counts = new Map<string, number>();
    for (const s of samples) counts.set(s.study, (counts.get(s.study) ?? 0) + 1);
    const [study] = [...counts].sort((a, b) => b[1] - a[1])[0];
    for (const f of readdirSync(storescpDir)) rmSync(path.join(storescpDir, f));
    const r = await run('movescu', ['-v', '-S', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
    assert.equal(r.code, 0, r.stderr);
    const uids = new Set(samples.filter((s) => s.study === study).map((s) => s.sopInstanceUid));
    assert.equal(readdirSync(storescpDir).length, uids.size);
    await scp.waitFor(new RegExp(`C-MOVE to STORESCP from MOVESCU: ${uids.size} completed, 0 failed, 0 warning: 0x0000`));
    const unknown = await run('movescu', ['-S', '-aem', 'NOBODY', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
    assert.match(unknown.stdout + unknown.stderr, /MoveDestinationUnknown|A801/);
  });

  test('getscu retrieves every instance in its native transfer syntax', async () => {
    // getscu offers uncompressed syntaxes plus the one it is told to prefer: ask for each instance's own.
    // It never offers Implicit VR LE alone on a C-GET, so those instances come as Explicit VR LE.
    const PREFER: Record<string, string> = {
      '1.2.840.10008.1.2': '+xe', '1.2.840.10008.1.2.1': '+xe', '1.2.840.10008.1.2.2': '+xb', '1.2.840.10008.1.2.1.99': '+xd',
      '1.2.840.10008.1.2.4.50': '+xy', '1.2.840.10008.1.2.4.51': '+xx', '1.2.840.10008.1.2.4.70': '+xs',
      '1.2.840.10008.1.2.4.80': '+xt', '1.2.840.10008.1.2.4.81': '+xu', '1.2.840.10008.1.2.4.90': '+xv',
      '1.2.840.10008.1.2.4.91': '+xw', '1.2.840.10008.1.2.5': '+xr',
    };
    let checked = 0;
    const archived = filesUnder(dir);
    for (const file of archived) {
      const h = await readPart10Header(file);
      const flag = PREFER[h.transferSyntaxUid];
      if (!flag) continue;
      const out = temp('getscu');
      const r = await run('getscu', ['-S', flag, '+B', '-od', out, '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${h.studyInstanceUid}`,
        '-k', `SeriesInstanceUID=${h.seriesInstanceUid}`, '-k', `SOPInstanceUID=${h.sopInstanceUid}`, '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.equal(r.code, 0, r.stderr);
      const received = readdirSync(out);
      assert.equal(received.length, 1, `${file}: ${r.stderr}`);
      const expected = h.transferSyntaxUid === '1.2.840.10008.1.2' ? ExplicitVRLittleEndian : h.transferSyntaxUid;
      assert.equal((await readPart10Header(path.join(out, received[0]))).transferSyntaxUid, expected, `${file} arrived transcoded`);
      checked++;
    }
    assert.equal(checked, archived.length, 'an instance in a syntax getscu cannot ask for');
    assert.ok(checked >= 25);
  });

  test('character sets: names stored into the SCP come back from dicomnet find --json as pydicom decodes them', async () => {
    const expected = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'charset', 'expected.json'), 'utf8')) as
      { files: Record<string, { path: string; values: string[] }[]> };
    const files = readdirSync(PYDICOM_CHARSETS).filter((f) => f.endsWith('.dcm')).map((f) => path.join(PYDICOM_CHARSETS, f));
    const r = await dicomnet(['store', '127.0.0.1', String(scp.port), ...files]);
    assert.ok(r.code === 0 || r.code === 1, r.stdout);
    let compared = 0;
    for (const file of files) {
      const name = path.basename(file);
      const want = expected.files[name]?.find((e) => e.path === '00100010')?.values[0];
      const h = await readPart10Header(file);
      if (want === undefined || !h.studyInstanceUid) continue;
      const q = await dicomnet(['find', '127.0.0.1', String(scp.port), '--json', '--no-default-keys', '-k', `StudyInstanceUID=${h.studyInstanceUid}`, '-k', 'PatientName=']);
      assert.equal(q.code, 0, q.stderr);
      const [match] = JSON.parse(q.stdout) as { '00100010'?: { Value?: { Alphabetic?: string; Ideographic?: string; Phonetic?: string }[] } }[];
      const pn = match['00100010']?.Value?.[0] ?? {};
      const got = [pn.Alphabetic ?? '', pn.Ideographic ?? '', pn.Phonetic ?? ''].join('=').replace(/=+$/, '');
      assert.equal(got, want.replace(/=+$/, ''), name);
      compared++;
    }
    assert.ok(compared >= 12, `only ${compared} names compared`);
  });
});

describe('findscu -W against dicomnet scp --worklist (DCMTK example worklists)', () => {
  let scp: Background & { port: number };
  before(async () => {
    const dir = temp('worklist');
    for (const dump of readdirSync(WLISTDB_EXAMPLES).filter((f) => f.endsWith('.dump'))) {
      const r = await run('dump2dcm', [path.join(WLISTDB_EXAMPLES, dump), path.join(dir, dump.replace(/\.dump$/, '.wl'))]);
      assert.equal(r.code, 0, r.stderr);
    }
    scp = await startScp(['--worklist', dir]);
  });
  after(async () => { await scp?.stop(); });

  const cases: [string, string[], number][] = [
    ['modality CT', ['ScheduledProcedureStepSequence[0].Modality=CT'], 4],
    ['station AE AA32', ['ScheduledProcedureStepSequence[0].ScheduledStationAETitle=AA32'], 2],
    ['start date range', ['ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=19960101-19960430'], 4],
    ['patient name wildcard', ['PatientName=VIVALDI*'], 3],
    ['everything', [], 10],
  ];
  for (const [name, keys, count] of cases) {
    test(`${name}: ${count} items`, async () => {
      const r = await findscu(['-W', '-k', 'PatientName', '-k', 'ScheduledProcedureStepSequence[0].Modality', ...keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(scp.port)]);
      assert.equal(r.code, 0, r.output);
      assert.equal(r.responses.length, count, r.output);
    });
  }
});

describe('an archive of 10,000 studies', () => {
  test('answers a STUDY-level PatientName=* completely, and restarts without reading every file again', async () => {
    const dir = temp('10k');
    const meta = (sop: string) => buildFileMeta({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: sop, transferSyntaxUid: ExplicitVRLittleEndian });
    for (let i = 0; i < 10_000; i++) {
      const study = `1.2.826.0.1.3680043.9.7433.1.${i + 1}`;
      const series = `${study}.1`;
      const sop = `${series}.1`;
      const ds = new Dataset();
      ds.set('SOPClassUID', 'UI', '1.2.840.10008.5.1.4.1.1.7');
      ds.set('SOPInstanceUID', 'UI', sop);
      ds.set('StudyDate', 'DA', `2024${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`);
      ds.set('Modality', 'CS', 'OT');
      ds.set('PatientName', 'PN', `Patient^${i}`);
      ds.set('PatientID', 'LO', `P${i % 3000}`);
      ds.set('StudyInstanceUID', 'UI', study);
      ds.set('SeriesInstanceUID', 'UI', series);
      const folder = path.join(dir, study, series);
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, `${sop}.dcm`), Buffer.concat([meta(sop), encodeDataset(ds, ExplicitVRLittleEndian)]));
    }
    let scp = await startScp(['--dir', dir]);
    try {
      await scp.waitFor(/archive .*: 10000 studies, 10000 instances/, { cpuMs: 60_000, wallMs: 600_000 });
      const r = await dicomnet(['find', '127.0.0.1', String(scp.port), '-k', 'PatientName=*', '--no-default-keys', '-k', 'StudyInstanceUID=', '--json'], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stderr);
      const matches = JSON.parse(r.stdout) as unknown[];
      assert.equal(matches.length, 10_000);
    } finally {
      await scp.stop();
    }
    scp = await startScp(['--dir', dir]);
    try {
      const line = await scp.waitFor(/Archive index of .*: loaded (\d+), added (\d+), removed (\d+), re-read (\d+)/, { cpuMs: 30_000, wallMs: 300_000 });
      assert.equal(Number(line[1]), 10_000, line[0]);
      assert.deepEqual([line[2], line[3], line[4]], ['0', '0', '0'], line[0]);
      // C-CANCEL in the middle of a long answer (findscu sends it after the first response).
      const cancelled = await findscu(['-S', '--cancel', '1', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', '127.0.0.1', String(scp.port)]);
      assert.ok(cancelled.responses.length < 10_000, `${cancelled.responses.length} responses arrived`);
      await scp.waitFor(/C-FIND STUDY from FINDSCU: \d+ match(es)? \(cancelled\)/);
    } finally {
      await scp.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
