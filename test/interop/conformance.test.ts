// Issue 14, against DCMTK: what DCMTK's SCUs see of dicomnet scp's retrieve responses, and
// dicomnet scp answering Patient Root queries as DCMTK's dcmqrscp does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readPart10Header } from '../../src/dicom/part10';
import { refusingPort, type RefusingPort } from '../helpers/peers';
import { dicomnet, run, startScp, startStorescp, Background } from '../helpers/processes';
import { DCMTK_ENV, DcmtkServer, findscu, startDcmqrscp } from '../helpers/dcmtk';
import { PYDICOM_FILES, wellFormedSamples } from '../helpers/dicom-files';

const CT_SMALL = path.join(PYDICOM_FILES, 'CT_small.dcm');

describe('issue 14: DCMTK movescu against dicomnet scp', () => {
  let scp: Background & { port: number };
  let storescp: Background & { port: number };
  let down: RefusingPort;
  let dir: string;
  let study: string;
  let sop: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'issue14-interop-'));
    storescp = await startStorescp(['-od', mkdtempSync(path.join(tmpdir(), 'issue14-storescp-'))]);
    down = await refusingPort();
    scp = await startScp(['--dir', dir, '--aet', 'ARCHIVE', '--dest', `STORESCP=127.0.0.1:${storescp.port}`, '--dest', `DOWN=127.0.0.1:${down.port}`]);
    const stored = await dicomnet(['store', '127.0.0.1', String(scp.port), '--aec', 'ARCHIVE', CT_SMALL]);
    assert.equal(stored.code, 0, stored.stdout + stored.stderr);
    const header = await readPart10Header(CT_SMALL);
    study = header.studyInstanceUid!;
    sop = header.sopInstanceUid;
  });
  after(async () => {
    await scp?.stop();
    await storescp?.stop();
    down?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const move = (destination: string) => run('movescu', ['-d', '-S', '-aec', 'ARCHIVE', '-aem', destination, '-k', 'QueryRetrieveLevel=STUDY',
    '-k', `StudyInstanceUID=${study}`, '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });

  /** The last C-MOVE-RSP movescu printed (-d), as text. */
  function finalResponse(output: string): string {
    const blocks = output.split('INCOMING DIMSE MESSAGE').slice(1);
    assert.ok(blocks.length > 0, output);
    return blocks[blocks.length - 1]!;
  }

  test('issue 14.6: a successful final C-MOVE-RSP has no Number of Remaining Sub-operations (movescu sees "none")', async () => {
    const r = await move('STORESCP');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const last = finalResponse(r.stdout + r.stderr);
    assert.match(last, /DIMSE Status\s+: 0x0000/);
    assert.match(last, /Remaining Suboperations\s+: none/);
  });

  test('issue 14.7: an all-failed (A702) final C-MOVE-RSP carries the Failed SOP Instance UID List movescu reads', async () => {
    const r = await move('DOWN');
    // movescu exits with a code of its own for a failed move; it must have read the whole response.
    assert.match(r.stdout + r.stderr, /Releasing Association/);
    const last = finalResponse(r.stdout + r.stderr);
    assert.match(last, /DIMSE Status\s+: 0xa702/);
    assert.match(last, /Data Set\s+: present/);
    const list = (r.stdout + r.stderr).split('\n').find((line) => line.includes('FailedSOPInstanceUIDList'));
    assert.ok(list?.includes(`[${sop}]`), `movescu printed no Failed SOP Instance UID List with ${sop}: ${list}`);
  });
});

describe('issue 14: Patient Root queries against dicomnet scp and DCMTK dcmqrscp holding the same pydicom samples', () => {
  let dcmqrscp: DcmtkServer;
  let scp: Background & { port: number };
  let dir: string;
  before(async () => {
    dcmqrscp = await startDcmqrscp();
    dir = mkdtempSync(path.join(tmpdir(), 'issue14-patients-'));
    scp = await startScp(['--dir', dir, '--aet', 'ARCHIVE']);
    // dcmqrscp takes uncompressed instances only: both archives hold what it took.
    const files = (await wellFormedSamples()).map((f) => f.path);
    const into = await dicomnet(['store', '127.0.0.1', String(dcmqrscp.port), '--aec', 'DCMQRSCP', ...files], { timeoutMs: 120_000 });
    const taken = into.stdout.split('\n').filter((l) => l.startsWith('OK ')).map((l) => l.slice(3).trim().replace(/: 0x0000.*$/, ''));
    assert.ok(taken.length >= 20, into.stdout + into.stderr);
    const ours = await dicomnet(['store', '127.0.0.1', String(scp.port), '--aec', 'ARCHIVE', ...taken], { timeoutMs: 120_000 });
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
  });
  after(async () => {
    await dcmqrscp?.stop();
    await scp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const patientIds = async (port: number, aet: string) => {
    const r = await findscu(['-P', '-aec', aet, '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientID', '-k', 'PatientName', '127.0.0.1', String(port)]);
    assert.equal(r.code, 0, r.output);
    return r.responses.map((d) => d.string('PatientID') ?? '').sort();
  };

  test('issue 14.14: a PATIENT-level C-FIND answers each Patient ID once, as dcmqrscp does', async () => {
    const theirs = await patientIds(dcmqrscp.port, 'DCMQRSCP');
    const ours = await patientIds(scp.port, 'ARCHIVE');
    assert.deepEqual(ours, theirs);
    assert.deepEqual(ours, [...new Set(ours)]);
  });
});

describe('issue 14 (decided): person-name matching in dicomnet scp, asked by DCMTK findscu', () => {
  const servers: (Background & { port: number })[] = [];
  const dirs: string[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function archiveWithCtSmall(flags: string[]) {
    const dir = mkdtempSync(path.join(tmpdir(), 'issue14-pn-'));
    dirs.push(dir);
    const scp = await startScp(['--dir', dir, '--aet', 'ARCHIVE', ...flags]);
    servers.push(scp);
    const stored = await dicomnet(['store', '127.0.0.1', String(scp.port), '--aec', 'ARCHIVE', CT_SMALL]);
    assert.equal(stored.code, 0, stored.stdout + stored.stderr);
    return scp;
  }

  const names = async (port: number, name: string) => {
    const r = await findscu(['-S', '-aec', 'ARCHIVE', '-k', 'QueryRetrieveLevel=STUDY', '-k', `PatientName=${name}`, '127.0.0.1', String(port)]);
    assert.equal(r.code, 0, r.output);
    return r.responses.map((d) => d.string('PatientName'));
  };

  test('issue 14 (decided): case-sensitive by default; --ignore-case matches COMPRESSEDSAMPLES^CT1 written any way', async () => {
    const exact = await archiveWithCtSmall([]);
    assert.deepEqual(await names(exact.port, 'compressedsamples^ct1'), []);
    assert.deepEqual(await names(exact.port, 'CompressedSamples^CT1'), ['CompressedSamples^CT1']);
    const folded = await archiveWithCtSmall(['--ignore-case']);
    assert.deepEqual(await names(folded.port, 'compressedsamples^ct1'), ['CompressedSamples^CT1']);
    assert.deepEqual(await names(folded.port, 'COMPRESSED*'), ['CompressedSamples^CT1']);
  });

  test('issue 14 (decided): a Patient Root STUDY-level query with an empty PatientName is answered, and the server logs that it was not matched', async () => {
    const scp = await archiveWithCtSmall([]);
    const r = await findscu(['-P', '-aec', 'ARCHIVE', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=1CT1', '-k', 'PatientName', '-k', 'StudyInstanceUID', '127.0.0.1', String(scp.port)]);
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(r.responses.map((d) => d.string('PatientName')), ['CompressedSamples^CT1']);
    await scp.waitFor(/C-FIND from FINDSCU: PatientName \(0010,0010\) is a PATIENT-level key above the STUDY level.*accepted as a return key/);
  });
});
