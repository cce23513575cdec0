// Issue 4, SCU side: dicomnet find/move/get/worklist against Orthanc, DCMTK dcmqrscp and wlmscpfs,
// compared with what DCMTK's findscu gets from the same peers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { datasetToJson } from '../../src/dicom/json';
import { readPart10Header } from '../../src/dicom/part10';
import { StoreFile } from '../../src/services/store-file-reading';
import { dicomnet, run, startScp, Background } from '../helpers/processes';
import { wellFormedSamples } from '../helpers/dicom-files';
import { readRecords } from '../helpers/association-records';
import { startOrthanc, OrthancPeer } from '../helpers/orthanc';
import { DCMTK_ENV, DcmtkServer, findscu, startDcmqrscp, startWlmscpfs } from '../helpers/dcmtk';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? (e.name.startsWith('.') ? [] : filesUnder(p)) : [p];
  });
}

/** Responses as sorted JSON strings: two SCUs got the same answers when these are equal. */
function normalised(list: unknown[]): string[] {
  return list.map((j) => JSON.stringify(j)).sort();
}

interface Case { name: string; model: 'study' | 'patient'; keys: string[] }

const CASES: Case[] = [
  { name: 'STUDY level, universal', model: 'study', keys: ['QueryRetrieveLevel=STUDY', 'StudyInstanceUID=', 'PatientName=', 'PatientID=', 'StudyDate=', 'ModalitiesInStudy='] },
  { name: 'STUDY level, wildcard name', model: 'study', keys: ['QueryRetrieveLevel=STUDY', 'PatientName=Compressed*', 'StudyInstanceUID='] },
  { name: 'STUDY level, date range', model: 'study', keys: ['QueryRetrieveLevel=STUDY', 'StudyDate=20040101-20041231', 'StudyInstanceUID='] },
  { name: 'SERIES level', model: 'study', keys: ['QueryRetrieveLevel=SERIES', 'SeriesInstanceUID=', 'Modality=', 'StudyInstanceUID='] },
  { name: 'IMAGE level', model: 'study', keys: ['QueryRetrieveLevel=IMAGE', 'SOPInstanceUID=', 'SeriesInstanceUID=', 'StudyInstanceUID='] },
  { name: 'PATIENT level, Patient Root', model: 'patient', keys: ['QueryRetrieveLevel=PATIENT', 'PatientID=', 'PatientName='] },
];

async function compareWithFindscu(port: number, aec: string, c: Case): Promise<number> {
  const theirs = await findscu([c.model === 'study' ? '-S' : '-P', '-aec', aec, ...c.keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(port)]);
  assert.equal(theirs.code, 0, theirs.output);
  const ours = await dicomnet(['find', '127.0.0.1', String(port), '--aec', aec, '--model', c.model, '--level', c.keys[0].split('=')[1],
    '--no-default-keys', '--json', ...c.keys.slice(1).flatMap((k) => ['-k', k])]);
  assert.equal(ours.code, 0, ours.stderr);
  const oursJson = JSON.parse(ours.stdout) as unknown[];
  assert.deepEqual(normalised(oursJson), normalised(theirs.responses.map((d) => datasetToJson(d))), c.name);
  return oursJson.length;
}

describe('dicomnet find against DCMTK dcmqrscp and Orthanc, compared with findscu', () => {
  let samples: StoreFile[];
  let dcmqrscp: DcmtkServer;
  let orthanc: OrthancPeer;
  before(async () => {
    samples = await wellFormedSamples();
    dcmqrscp = await startDcmqrscp();
    orthanc = await startOrthanc();
    const paths = samples.map((f) => f.path);
    // dcmqrscp takes uncompressed instances only (compressed ones are decompressed on the way, the
    // sample with a corrupt JPEG 2000 codestream is not sent: exit 2); what it holds is what both SCUs query.
    const a = await dicomnet(['store', '127.0.0.1', String(dcmqrscp.port), '--aec', 'DCMQRSCP', ...paths], { timeoutMs: 120_000 });
    assert.ok(a.code === 0 || a.code === 1 || a.code === 2, a.stderr);
    assert.ok(a.stdout.split('\n').filter((l) => l.startsWith('OK ')).length >= 20, a.stdout);
    const b = await dicomnet(['store', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', ...paths], { timeoutMs: 120_000 });
    assert.equal(b.code, 0, b.stdout);
  });
  after(async () => {
    await dcmqrscp?.stop();
    await orthanc?.stop();
  });

  for (const c of CASES) {
    test(`dcmqrscp: ${c.name}`, async () => {
      const n = await compareWithFindscu(dcmqrscp.port, 'DCMQRSCP', c);
      assert.ok(n > 0, 'no matches at all');
    });
    test(`Orthanc: ${c.name}`, async () => {
      const n = await compareWithFindscu(orthanc.dicomPort, 'ORTHANC', c);
      assert.ok(n > 0, 'no matches at all');
    });
  }

  // Orthanc sends its whole answer at once: when the final response is already in when the limit
  // is reached, the query is no longer outstanding and no C-CANCEL goes (the cancel that ends in
  // 0xFE00 is tested against wlmscpfs in inspect-wire.test.ts).
  test('--limit stops after N matches; a C-CANCEL, sent while the answer is still coming, names the query', async () => {
    const r = await dicomnet(['find', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', '--level', 'IMAGE', '-k', 'SOPInstanceUID=', '--limit', '2', '--trace']);
    assert.equal(r.code, 0, r.stderr);
    if (r.stderr.includes('>> C-CANCEL-RQ')) assert.match(r.stderr, />> C-CANCEL-RQ, for id 1/);
    assert.match(r.stdout, /^2 matches in \d+ ms/m);
  });

  test('dicomnet move from Orthanc into dicomnet scp delivers the study', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'move-into-'));
    const scp = await startScp(['--dir', dir, '--aet', 'MOVEDEST']);
    try {
      await orthanc.rest('PUT', '/modalities/movedest', { AET: 'MOVEDEST', Host: '127.0.0.1', Port: scp.port });
      const study = samples.find((f) => f.path.endsWith('CT_small.dcm'))!;
      const header = await readPart10Header(study.path);
      const r = await dicomnet(['move', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', '--dest', 'MOVEDEST', '-k', `StudyInstanceUID=${header.studyInstanceUid}`]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /C-MOVE to MOVEDEST: 1 completed, 0 failed, 0 warning: 0x0000 \(Success\)/);
      const stored = filesUnder(dir);
      assert.deepEqual(stored.map((f) => path.basename(f)), [`${study.sopInstanceUid}.dcm`]);
      const unknown = await dicomnet(['move', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', '--dest', 'NOBODY', '-k', `StudyInstanceUID=${header.studyInstanceUid}`]);
      // Orthanc answers an unknown destination with C000 (our own SCP answers A801: see query-scp tests).
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /The C-MOVE failed: 0x(A801|C000)/);
    } finally {
      await scp.stop();
    }
  });

  test('dicomnet get from Orthanc delivers every instance in its native transfer syntax', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'get-from-orthanc-'));
    const byStudy = new Map<string, StoreFile[]>();
    for (const f of samples) {
      const h = await readPart10Header(f.path);
      byStudy.set(h.studyInstanceUid!, [...(byStudy.get(h.studyInstanceUid!) ?? []), f]);
    }
    let checked = 0;
    for (const [study, files] of [...byStudy].slice(0, 12)) {
      const recordFile = path.join(out, `${study}.jsonl`);
      const r = await dicomnet(['get', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', '-k', `StudyInstanceUID=${study}`, '--output', out, '--record', recordFile]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      // The SOP classes to propose come from one STUDY-level answer (SOP Classes in Study), not one answer per instance.
      const probe = readRecords(recordFile)[0].messages.filter((m) => m.command === 'C-FIND-RQ');
      assert.deepEqual(probe.map((m) => m.identifier!.level), ['STUDY'], JSON.stringify(probe));
      for (const f of files) {
        const written = filesUnder(out).find((p) => p.endsWith(`${f.sopInstanceUid}.dcm`));
        assert.ok(written, `${f.path} was not retrieved`);
        const syntaxes = files.filter((o) => o.sopInstanceUid === f.sopInstanceUid).map((o) => o.transferSyntaxUid);
        assert.ok(syntaxes.includes((await readPart10Header(written!)).transferSyntaxUid), `${f.path} arrived transcoded`);
        checked++;
      }
    }
    assert.ok(checked >= 12);
  });
});

describe('dicomnet worklist against DCMTK wlmscpfs (DCMTK example worklists)', () => {
  let wlm: DcmtkServer;
  before(async () => { wlm = await startWlmscpfs(); });
  after(async () => { await wlm?.stop(); });

  async function names(keys: string[]): Promise<string[]> {
    const r = await dicomnet(['worklist', '127.0.0.1', String(wlm.port), '--aec', 'WLMSCP', '--json', ...keys.flatMap((k) => ['-k', k])]);
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout) as Record<string, { Value?: { Alphabetic?: string }[] }>[];
    return items.map((i) => `${i['00100010']?.Value?.[0]?.Alphabetic}/${JSON.stringify(i['00400100'])}`).sort();
  }

  const cases: [string, string[], number][] = [
    ['modality CT', ['Modality=CT'], 4],
    ['station AE AA32', ['ScheduledStationAETitle=AA32'], 2],
    ['start date range', ['ScheduledProcedureStepStartDate=19960101-19960430'], 4],
    ['CT in the date range', ['Modality=CT', 'ScheduledProcedureStepStartDate=19960101-19960430'], 2],
    ['patient name wildcard', ['PatientName=VIVALDI*'], 3],
    ['everything', [], 10],
  ];
  for (const [name, keys, count] of cases) {
    test(`${name}: exactly the matching items, as findscu -W sees them`, async () => {
      const ours = await names(keys);
      assert.equal(ours.length, count, ours.join('\n'));
      const theirs = await findscu(['-W', '-aec', 'WLMSCP', '-k', 'PatientName', '-k', 'ScheduledProcedureStepSequence[0].Modality',
        ...keys.flatMap((k) => ['-k', k.startsWith('Patient') ? k : `ScheduledProcedureStepSequence[0].${k}`]), '127.0.0.1', String(wlm.port)]);
      assert.equal(theirs.responses.length, count, theirs.output);
    });
  }
});
