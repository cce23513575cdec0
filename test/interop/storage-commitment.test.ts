// Issue 18: Storage Commitment Push Model with Orthanc both ways, and dicomnet against itself on the
// same association and on a new one. Orthanc (1.10) always reports on a new association (its SCP
// runs the lookup as a job and opens one to the requester; there is no option for the same one),
// and as SCU it releases right after the N-ACTION-RSP, so both Orthanc directions use a new
// association; the same-association path is exercised between dicomnet's SCU and SCP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PYDICOM_FILES } from '../helpers/dicom-files';
import { freePort } from '../helpers/peers';
import { Background, dicomnet, startScp } from '../helpers/processes';
import { waitUntil } from '../helpers/wait';
import { OrthancPeer, startOrthanc } from '../helpers/orthanc';

const CT_SMALL = path.join(PYDICOM_FILES, 'CT_small.dcm');
const CT_CLASS = '1.2.840.10008.5.1.4.1.1.2';
const CT_SMALL_UID = '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322';
const UNKNOWN_UID = '1.2.826.0.1.3680043.10.404';
const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `dicomnet-${name}-`));

interface OrthancReport {
  Status: 'Pending' | 'Success' | 'Failure';
  RemoteAET: string;
  Success: { SOPClassUID: string; SOPInstanceUID: string }[];
  Failures: { SOPClassUID: string; SOPInstanceUID: string; FailureReason: number }[];
}

/** Orthanc's report of a transaction once it is no longer pending (bounded wait). */
async function orthancReport(orthanc: OrthancPeer, reportPath: string, timeoutMs = 15_000): Promise<OrthancReport> {
  let last: OrthancReport | undefined;
  return waitUntil(`Orthanc's storage commitment report ${reportPath} to leave Pending`, async () => {
    last = await orthanc.rest<OrthancReport>('GET', reportPath);
    return last.Status !== 'Pending' && last;
  }, { timeoutMs, intervalMs: 100, detail: () => `last seen: ${JSON.stringify(last)}` });
}

describe('Orthanc (SCU, driven by its REST API) → dicomnet scp (SCP)', () => {
  let orthanc: OrthancPeer;
  let scp: Background & { port: number };
  let dir: string;

  before(async () => {
    dir = temp('commit-scp');
    orthanc = await startOrthanc({ aeTitle: 'ORTHANC' });
    scp = await startScp(['--aet', 'ARCHIVE', '--dir', dir, '--dest', `ORTHANC=127.0.0.1:${orthanc.dicomPort}`, '--verbose']);
    await orthanc.rest('PUT', '/modalities/archive', { AET: 'ARCHIVE', Host: '127.0.0.1', Port: scp.port });
    const stored = await dicomnet(['store', '127.0.0.1', String(scp.port), '--aec', 'ARCHIVE', CT_SMALL]);
    assert.equal(stored.code, 0, stored.stdout + stored.stderr);
  });
  after(async () => {
    await scp?.stop();
    await orthanc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the held instance is committed, the unknown one fails with 0112 (274), the report reaches Orthanc on a new association', async () => {
    const request = await orthanc.rest<{ ID: string; Path: string }>('POST', '/modalities/archive/storage-commitment', {
      DicomInstances: [{ SOPClassUID: CT_CLASS, SOPInstanceUID: CT_SMALL_UID }, { SOPClassUID: CT_CLASS, SOPInstanceUID: UNKNOWN_UID }],
    });
    const report = await orthancReport(orthanc, request.Path);
    assert.equal(report.Status, 'Failure');
    assert.equal(report.RemoteAET, 'ARCHIVE');
    assert.deepEqual(report.Success, [{ SOPClassUID: CT_CLASS, SOPInstanceUID: CT_SMALL_UID }]);
    assert.deepEqual(report.Failures.map((f) => [f.SOPInstanceUID, f.FailureReason]), [[UNKNOWN_UID, 0x0112]]);
    await scp.waitFor(new RegExp(`storage commitment ${request.ID.replace(/\./g, '\\.')} from ORTHANC: 1 committed, 1 failed; report sent on a new association`));
    const list = await dicomnet(['commit', 'list', '--dir', dir]);
    assert.match(list.stdout, new RegExp(`${request.ID.replace(/\./g, '\\.')} from ORTHANC: 1 committed, 1 failed; report sent on a new association`));
    assert.match(list.stdout, /failed 1\.2\.826\.0\.1\.3680043\.10\.404 \(CT Image Storage\): 0x0112 \(No such object instance\)/);
  });

  test('all held: Event Type 1, Orthanc says Success', async () => {
    const request = await orthanc.rest<{ Path: string }>('POST', '/modalities/archive/storage-commitment', {
      DicomInstances: [[CT_CLASS, CT_SMALL_UID]],
    });
    const report = await orthancReport(orthanc, request.Path);
    assert.equal(report.Status, 'Success');
    assert.equal(report.Failures.length, 0);
  });
});

describe('dicomnet commit (SCU) → Orthanc (SCP)', () => {
  let orthanc: OrthancPeer;
  let listen: number;

  before(async () => {
    listen = await freePort();
    orthanc = await startOrthanc({ aeTitle: 'ORTHANC', modalities: { modality: ['MODALITY', '127.0.0.1', listen] } });
    const stored = await dicomnet(['store', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', '--aet', 'MODALITY', CT_SMALL]);
    assert.equal(stored.code, 0, stored.stdout + stored.stderr);
  });
  after(async () => { await orthanc?.stop(); });

  test('the report comes on the association Orthanc opens to our --listen port (SCP role), routed by Transaction UID', async () => {
    const r = await dicomnet(['commit', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', '--aet', 'MODALITY', '--listen', String(listen),
      CT_SMALL, '--instance', `${CT_CLASS}:${UNKNOWN_UID}`, '--transaction-uid', '2.25.18018', '--wait', '30']);
    assert.equal(r.code, 1, `failures exist: exit 1\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`COMMITTED ${CT_SMALL_UID.replace(/\./g, '\\.')} \\(CT Image Storage\\)`));
    assert.match(r.stdout, /FAILED {4}1\.2\.826\.0\.1\.3680043\.10\.404 \(CT Image Storage\): 0x0112 \(No such object instance\)/);
    assert.match(r.stdout, /Storage commitment 2\.25\.18018: 1 committed, 1 failed \(report from ORTHANC on a new association\)/);
  });

  test('all committed: exit 0; released right after the N-ACTION (--release), the report still arrives', async () => {
    const r = await dicomnet(['commit', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', '--aet', 'MODALITY', '--listen', String(listen),
      '--release', CT_SMALL, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.sameAssociation, false);
    assert.deepEqual(result.committed, [{ sopClassUid: CT_CLASS, sopInstanceUid: CT_SMALL_UID }]);
  });

  test('without --listen the report cannot come: the wait ends (exit 3) with a hint', async () => {
    const r = await dicomnet(['commit', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', '--aet', 'MODALITY', CT_SMALL, '--wait', '2']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /No storage commitment report for transaction 2\.25\.\d+ within 2 s \(an archive that reports on a new association needs --listen PORT\)/);
  });
});

describe('dicomnet commit → dicomnet scp', () => {
  let scp: Background & { port: number };
  let dir: string;
  let listen: number;

  before(async () => {
    dir = temp('commit-self');
    listen = await freePort();
    scp = await startScp(['--aet', 'ARCHIVE', '--dir', dir, '--dest', `MODALITY=127.0.0.1:${listen}`]);
    const stored = await dicomnet(['store', '127.0.0.1', String(scp.port), '--aec', 'ARCHIVE', CT_SMALL]);
    assert.equal(stored.code, 0, stored.stdout + stored.stderr);
  });
  after(async () => {
    await scp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('on the same association: an unknown instance is listed as failed with 0112, nothing else is affected', async () => {
    const before = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.dcm'));
    const r = await dicomnet(['commit', '127.0.0.1', String(scp.port), '--aec', 'ARCHIVE', '--aet', 'MODALITY', CT_SMALL,
      '--instance', `${CT_CLASS}:${UNKNOWN_UID}`]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /1 committed, 1 failed \(report from ARCHIVE on the same association\)/);
    assert.deepEqual(readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.dcm')), before);
    const again = await dicomnet(['commit', '127.0.0.1', String(scp.port), '--aec', 'ARCHIVE', '--aet', 'MODALITY', CT_SMALL]);
    assert.equal(again.code, 0, `the archive still commits to its instance after the failed one\n${again.stdout}`);
  });

  test('on a new association: the SCP set to report on a new one calls the requester at its --dest address', async () => {
    const newScp = await startScp(['--aet', 'ARCHIVE2', '--dir', dir, '--dest', `MODALITY=127.0.0.1:${listen}`, '--commitment-report', 'new']);
    try {
      const r = await dicomnet(['commit', '127.0.0.1', String(newScp.port), '--aec', 'ARCHIVE2', '--aet', 'MODALITY', '--listen', String(listen), CT_SMALL]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /1 committed, 0 failed \(report from ARCHIVE2 on a new association\)/);
      await newScp.waitFor(/report sent on a new association/);
    } finally {
      await newScp.stop();
    }
  });

  test('bad usage is exit 2 before anything is sent', async () => {
    assert.equal((await dicomnet(['commit', '127.0.0.1', String(scp.port), '--release'])).code, 2);
    assert.equal((await dicomnet(['commit', '127.0.0.1', String(scp.port), '--instance', 'nonsense'])).code, 2);
    assert.equal((await dicomnet(['commit', '127.0.0.1', String(scp.port)])).code, 2);
  });
});
