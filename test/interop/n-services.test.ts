// Issue 18: MPPS through the command line (dicomnet mpps against dicomnet scp), and the DIMSE-N
// services against DCMTK's print SCP (dcmprscp), the one DCMTK tool here that speaks N-GET,
// N-CREATE, N-SET, N-ACTION and N-DELETE (Basic Grayscale Print Management, PS3.4 Annex H).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApplicationEntity, ClientAssociation } from '../../src/ae/client';
import { Dataset } from '../../src/dicom';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/dicom/transfer-syntaxes';
import { Status, statusClass } from '../../src/dimse/status';
import { nAction, nCreate, nDelete, nGet, nSet } from '../../src/services/n-scu';
import { PYDICOM_FILES } from '../helpers/dicom-files';
import { freePort, waitForPort } from '../helpers/peers';
import { Background, dicomnet, start, startScp } from '../helpers/processes';

const CT_SMALL = path.join(PYDICOM_FILES, 'CT_small.dcm');
const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `dicomnet-${name}-`));

describe('dicomnet mpps → dicomnet scp', () => {
  let scp: Background & { port: number };
  let dir: string;
  const mpps = (...args: string[]) => dicomnet(['mpps', args[0], '127.0.0.1', String(scp.port), '--aec', 'RIS', '--aet', 'CT01', ...args.slice(1)]);

  before(async () => {
    dir = temp('mpps');
    scp = await startScp(['--aet', 'RIS', '--dir', dir]);
  });
  after(async () => {
    await scp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('create, complete with the performed series from files, then a late N-SET is refused with 0110 / A710', async () => {
    const uid = '1.2.826.0.1.3680043.10.18.1';
    const created = await mpps('create', '--uid', uid, '-k', 'PatientName=DOE^JOHN', '-k', 'PatientID=P18', '-k', 'Modality=CT',
      '-k', 'ScheduledStepAttributesSequence.AccessionNumber=A18');
    assert.equal(created.code, 0, created.stdout + created.stderr);
    assert.match(created.stdout, /N-CREATE: 0x0000 \(Success\)\nMPPS 1\.2\.826\.0\.1\.3680043\.10\.18\.1 is IN PROGRESS/);
    await scp.waitFor(/MPPS N-CREATE 1\.2\.826\.0\.1\.3680043\.10\.18\.1 from CT01: 0x0000 \(Success\), now IN PROGRESS/);

    const tooEarly = await mpps('set', '--uid', uid, '--status', 'COMPLETED');
    assert.equal(tooEarly.code, 1);
    assert.match(tooEarly.stdout, /N-SET: 0x0121 \(Missing attribute value\) "COMPLETED needs a value in PerformedSeriesSequence"/);

    const done = await mpps('set', '--uid', uid, '--status', 'COMPLETED', CT_SMALL);
    assert.equal(done.code, 0, done.stdout + done.stderr);
    assert.match(done.stdout, /MPPS 1\.2\.826\.0\.1\.3680043\.10\.18\.1 is COMPLETED/);

    const late = await mpps('set', '--uid', uid, '--status', 'DISCONTINUED');
    assert.equal(late.code, 1);
    assert.match(late.stdout, /N-SET: 0x0110 \(Processing failure\) "Performed Procedure Step Object may no longer be updated"; error ID 0xA710/);

    const got = await mpps('get', '--uid', uid);
    assert.equal(got.code, 0, got.stdout + got.stderr);
    assert.match(got.stdout, /COMPLETED, DOE\^JOHN \(P18\), CT, .* 1 series, 1 instances/);

    const list = await dicomnet(['mpps', 'list', '--dir', dir, '--json']);
    const records = JSON.parse(list.stdout);
    const record = records.find((r: { sopInstanceUid: string }) => r.sopInstanceUid === uid);
    assert.equal(record.status, 'COMPLETED');
    assert.deepEqual(record.history.map((h: { operation: string; status: string }) => `${h.operation} ${h.status}`), ['N-CREATE IN PROGRESS', 'N-SET COMPLETED']);
    assert.equal(record.createdBy, 'CT01');
    const table = await dicomnet(['mpps', 'list', '--dir', dir]);
    assert.match(table.stdout, /1\.2\.826\.0\.1\.3680043\.10\.18\.1\s+COMPLETED\s+DOE\^JOHN\s+P18\s+CT/);
  });

  test('illegal requests come back with the status of Table F.7.2-1: 0120, 0106, 0111, 0112', async () => {
    const missing = await mpps('create', '--no-defaults', '-k', 'PatientName=X', '-k', 'PerformedProcedureStepStatus=IN PROGRESS');
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /0x0120 \(Missing attribute\)/);
    const wrongStatus = await mpps('create', '-k', 'PerformedProcedureStepStatus=COMPLETED');
    assert.match(wrongStatus.stdout, /0x0106 \(Invalid attribute value\) "N-CREATE needs IN PROGRESS, not "COMPLETED""; values PerformedProcedureStepStatus/);
    const uid = '1.2.826.0.1.3680043.10.18.2';
    assert.equal((await mpps('create', '--uid', uid)).code, 0);
    assert.match((await mpps('create', '--uid', uid)).stdout, /0x0111 \(Duplicate SOP instance\)/);
    assert.match((await mpps('set', '--uid', uid, '--status', 'IN PROGRESS', '-k', 'PatientID=OTHER')).stdout, /0x0106 .*may not be set by N-SET.*PatientID/);
    assert.match((await mpps('set', '--uid', '1.2.826.0.1.3680043.10.18.404')).stdout, /0x0112 \(No such SOP instance\)/);
  });

  test('bad usage is exit 2', async () => {
    assert.equal((await dicomnet(['mpps'])).code, 2);
    assert.equal((await mpps('set')).code, 2, 'set needs --uid');
    assert.equal((await mpps('create', '--uid', 'not-a-uid')).code, 2);
    assert.equal((await mpps('create', '--file', path.join(dir, 'missing.json'))).code, 2);
    assert.equal((await dicomnet(['mpps', 'list'])).code, 2);
  });
});

describe('DIMSE-N against DCMTK dcmprscp (Basic Grayscale Print Management)', () => {
  const META = '1.2.840.10008.5.1.1.9';
  const FILM_SESSION = '1.2.840.10008.5.1.1.1';
  const PRINTER = '1.2.840.10008.5.1.1.16';
  const PRINTER_INSTANCE = '1.2.840.10008.5.1.1.17';
  let printer: Background;
  let dir: string;
  let client: ClientAssociation;

  before(async () => {
    dir = temp('dcmprscp');
    const port = await freePort();
    mkdirSync(path.join(dir, 'db'));
    mkdirSync(path.join(dir, 'spool'));
    writeFileSync(path.join(dir, 'print.cfg'), [
      '[[GENERAL]]', '[DATABASE]', `Directory = ${path.join(dir, 'db')}`, '[PRINT]', `Directory = ${path.join(dir, 'spool')}`,
      '[[COMMUNICATION]]', '[PRINTSCP]', 'Aetitle = PRINTSCP', 'Description = test', 'Hostname = localhost', `Port = ${port}`, 'Type = LOCALPRINTER',
      'DisplayFormat = 1,1\\2,2', 'FilmSizeID = 8INX10IN\\14INX17IN', 'MediumType = PAPER\\CLEAR FILM', 'MaxDensity = 320', 'MinDensity = 20',
      'MaxPDU = 32768', 'ImplicitOnly = false', 'DisableNewVRs = false', 'Supports12Bit = true', '',
    ].join('\n'));
    printer = start('dcmprscp', ['-c', path.join(dir, 'print.cfg'), '-p', 'PRINTSCP'], { cwd: dir });
    await waitForPort(port);
    client = await new ApplicationEntity({ aeTitle: 'PRINTSCU' }).associate({ host: '127.0.0.1', port, calledAeTitle: 'PRINTSCP',
      contexts: [{ abstractSyntax: META, transferSyntaxes: [ExplicitVRLittleEndian, ImplicitVRLittleEndian] }] });
  });
  after(async () => {
    await client?.releaseOrAbort();
    await printer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('N-GET of the Printer with an Attribute Identifier List, N-CREATE / N-SET / N-ACTION / N-DELETE of a Film Session', async () => {
    const options = { abstractSyntax: META };
    const printerStatus = await nGet(client, PRINTER, PRINTER_INSTANCE, [0x21100010], options);
    assert.equal(printerStatus.status, Status.Success);
    assert.equal(printerStatus.dataset?.string('PrinterStatus'), 'NORMAL');

    const created = await nCreate(client, FILM_SESSION, new Dataset().set('NumberOfCopies', '1').set('MediumType', 'PAPER'), undefined, options);
    assert.equal(created.status, Status.Success);
    const session = created.command.affectedSopInstanceUid!;
    assert.match(session, /^[0-9.]+$/, 'the SCP assigned the Film Session its UID (N-CREATE without one)');

    assert.equal((await nSet(client, FILM_SESSION, session, new Dataset().set('NumberOfCopies', '2'), options)).status, Status.Success);
    const unknown = await nSet(client, FILM_SESSION, '1.2.826.0.1.3680043.10.18.9', new Dataset().set('NumberOfCopies', '2'), options);
    assert.equal(unknown.status, Status.NoSuchSopInstance);

    // Printing a session without a film box: a Service Class specific failure (PS3.4 H.4.1.2.4: C600).
    const printed = await nAction(client, FILM_SESSION, session, 1, undefined, options);
    assert.equal(printed.status, 0xc600);
    assert.equal(statusClass(printed.status), 'failure');

    assert.equal((await nDelete(client, FILM_SESSION, session, options)).status, Status.Success);
    assert.equal((await nDelete(client, FILM_SESSION, session, options)).status, Status.NoSuchSopInstance);
  });
});
