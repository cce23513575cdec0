// Issue 17: association records against DCMTK. DCMTK's SCUs into `dicomnet scp --record`, and
// dicomnet's SCUs with --record against storescp and dcmqrscp; each record is checked against what
// the DCMTK tool's own -d log or configuration says. The "Copy as DCMTK command" line of each
// outbound record is run and must do the same operation again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AssociationRecord } from '../../src/ae/recording/record';
import { dcmtkCommand, STORE_FILES_PLACEHOLDER } from '../../src/ae/recording/dcmtk-command';
import { readPart10Header } from '../../src/dicom/part10';
import { Background, dicomnet, run, startScp, startStorescp } from '../helpers/processes';
import { DCMTK_ENV, DcmtkServer, findscu, startDcmqrscp } from '../helpers/dcmtk';
import { PYDICOM_FILES } from '../helpers/dicom-files';
import { fromLog, readRecords, recordIn } from '../helpers/association-records';

const CT_SMALL = path.join(PYDICOM_FILES, 'CT_small.dcm');
const MR_SMALL = path.join(PYDICOM_FILES, 'MR_small.dcm');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? (e.name.startsWith('.') ? [] : filesUnder(p)) : [p];
  });
}

/** Runs a record's DCMTK command; `files` replace the C-STORE placeholder. */
function runDcmtk(record: AssociationRecord, options: { files?: string[]; cwd?: string } = {}) {
  const command = dcmtkCommand(record);
  assert.ok(command, `no DCMTK command for ${record.messages[0]?.command}`);
  const argv = command.argv.flatMap((a) => (a === STORE_FILES_PLACEHOLDER ? options.files ?? [] : [a]));
  return { command, result: command.tool === 'findscu' ? findscu(argv) : run(command.tool, argv, { env: DCMTK_ENV, cwd: options.cwd }) };
}

describe('association records: DCMTK SCUs into dicomnet scp --record', () => {
  let scp: Background & { port: number };
  let storescp: Background & { port: number };
  let storescpDir: string;
  const work = mkdtempSync(path.join(tmpdir(), 'inspect-'));
  const recordFile = path.join(work, 'scp.jsonl');
  let studyUid: string;

  before(async () => {
    storescpDir = path.join(work, 'storescp');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(storescpDir);
    storescp = await startStorescp(['-aet', 'STORESCP', '-od', storescpDir]);
    scp = await startScp(['--aet', 'ARCHIVE', '--dir', path.join(work, 'archive'), '--dest', `STORESCP=127.0.0.1:${storescp.port}`, '--record', recordFile]);
    studyUid = (await readPart10Header(CT_SMALL)).studyInstanceUid!;
  });
  after(async () => {
    await scp?.stop();
    await storescp?.stop();
  });

  test('storescu: its max PDU and implementation as its -d log says, the C-STORE with the instance and status', async () => {
    const r = await run('storescu', ['-d', '-aet', 'STORESCU', '-aec', 'ARCHIVE', '-pdu', '32768', '127.0.0.1', String(scp.port), CT_SMALL], { env: DCMTK_ENV });
    assert.equal(r.code, 0, r.stderr);
    const log = r.stdout + r.stderr;
    const record = await recordIn(recordFile, 'the storescu association', (x) => x.callingAeTitle === 'STORESCU');
    assert.equal(record.direction, 'inbound');
    assert.equal(record.calledAeTitle, 'ARCHIVE');
    const n = record.negotiation!;
    assert.equal(n.requestor.maxPdu, Number(fromLog(log, 'Our Max PDU Receive Size')));
    assert.equal(n.requestor.implementationClassUid, fromLog(log, 'Our Implementation Class UID'));
    assert.equal(n.requestor.implementationVersionName, fromLog(log, 'Our Implementation Version Name'));
    assert.equal(n.acceptor!.maxPdu, Number(fromLog(log, 'Their Max PDU Receive Size')));
    assert.equal(n.acceptor!.implementationVersionName, fromLog(log, 'Their Implementation Version Name'));
    const header = await readPart10Header(CT_SMALL);
    const store = record.messages.find((m) => m.command === 'C-STORE-RQ')!;
    assert.equal(store.sopInstanceUid, header.sopInstanceUid);
    assert.equal(store.sopClass!.name, 'CT Image Storage');
    assert.ok(store.datasetBytes! > 1000, `data set size ${store.datasetBytes}`);
    const rsp = record.messages.find((m) => m.command === 'C-STORE-RSP')!;
    assert.deepEqual([rsp.respondingTo, rsp.status!.hex, rsp.status!.meaning], [store.messageId, '0x0000', 'Success']);
    assert.deepEqual(record.outcome, { kind: 'released', releasedBy: 'peer', description: 'released (the peer asked)' });
  });

  test('findscu: the identifier keys it sent and the number of matches it received', async () => {
    const r = await findscu(['-S', '-aet', 'FINDSCU', '-aec', 'ARCHIVE', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientName=*', '-k', 'StudyInstanceUID=',
      '127.0.0.1', String(scp.port)]);
    assert.equal(r.code, 0, r.output);
    const record = await recordIn(recordFile, 'the findscu association', (x) => x.callingAeTitle === 'FINDSCU');
    const rq = record.messages.find((m) => m.command === 'C-FIND-RQ')!;
    assert.equal(rq.identifier!.level, 'STUDY');
    assert.deepEqual(rq.identifier!.keys.map((k) => `${k.keyword}=${k.value}`).sort(), ['PatientName=*', 'StudyInstanceUID=']);
    assert.equal(rq.matches, r.responses.length);
    assert.ok(r.responses.length >= 1);
  });

  test('movescu: the C-MOVE with its sub-operation counts, and our sub-association to the destination', async () => {
    const before = filesUnder(storescpDir).length;
    const r = await run('movescu', ['-v', '-S', '-aet', 'MOVESCU', '-aec', 'ARCHIVE', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY',
      '-k', `StudyInstanceUID=${studyUid}`, '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
    assert.equal(r.code, 0, r.stderr);
    const moved = filesUnder(storescpDir).length - before;
    const record = await recordIn(recordFile, 'the movescu association', (x) => x.callingAeTitle === 'MOVESCU');
    const rq = record.messages.find((m) => m.command === 'C-MOVE-RQ')!;
    assert.equal(rq.moveDestination, 'STORESCP');
    assert.deepEqual(rq.identifier!.keys, [{ tag: '0020,000D', keyword: 'StudyInstanceUID', value: studyUid }]);
    const final = record.messages.filter((m) => m.command === 'C-MOVE-RSP').at(-1)!;
    assert.equal(final.status!.class, 'success');
    assert.equal(final.suboperations!.completed, moved);
    const sub = await recordIn(recordFile, 'the C-MOVE sub-association', (x) => x.direction === 'outbound' && x.calledAeTitle === 'STORESCP');
    assert.equal(sub.callingAeTitle, 'ARCHIVE');
    assert.equal(sub.messages.filter((m) => m.command === 'C-STORE-RQ').length, moved);
    assert.equal(sub.negotiation!.acceptor!.maxPdu, 16384, 'storescp receives PDUs of 16384 bytes by default');
  });
});

describe('association records: dicomnet with --record against storescp and dcmqrscp; the DCMTK command repeats each', () => {
  let dcmqrscp: DcmtkServer;
  let storescp: Background & { port: number };
  const work = mkdtempSync(path.join(tmpdir(), 'inspect-out-'));
  const storescpDir = path.join(work, 'storescp');
  let studyUid: string;

  before(async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(storescpDir);
    storescp = await startStorescp(['-d', '+uf', '-aet', 'STORESCP', '-od', storescpDir]);
    dcmqrscp = await startDcmqrscp({ store: ['STORESCP', '127.0.0.1', storescp.port] });
    studyUid = (await readPart10Header(CT_SMALL)).studyInstanceUid!;
    const stored = await dicomnet(['store', '127.0.0.1', String(dcmqrscp.port), '--aec', 'DCMQRSCP', CT_SMALL, MR_SMALL]);
    assert.equal(stored.code, 0, stored.stderr);
  });
  after(async () => {
    await dcmqrscp?.stop();
    await storescp?.stop();
  });

  const recordOf = async (args: string[], name: string) => {
    const file = path.join(work, `${name}.jsonl`);
    const r = await dicomnet([...args, '--record', file], { cwd: work });
    const records = readRecords(file);
    // One association per command; dicomnet get first asks a C-FIND (a probe of the SOP classes to expect).
    assert.equal(records.length, name === 'get' ? 2 : 1, `${name}: ${r.stderr}`);
    return { r, record: records[records.length - 1], records };
  };

  test('echo against storescp: its implementation and max PDU as its -d log says; echoscu repeats it', async () => {
    const { r, record } = await recordOf(['echo', '127.0.0.1', String(storescp.port), '--aec', 'STORESCP', '--max-pdu', '65536'], 'echo');
    assert.equal(r.code, 0, r.stderr);
    const log = storescp.output();
    const n = record.negotiation!;
    assert.equal(n.acceptor!.implementationClassUid, fromLog(log, 'Our Implementation Class UID'));
    assert.equal(n.acceptor!.implementationVersionName, fromLog(log, 'Our Implementation Version Name'));
    assert.equal(n.acceptor!.maxPdu, Number(fromLog(log, 'Our Max PDU Receive Size')));
    assert.equal(n.requestor.maxPdu, 65536);
    assert.deepEqual(record.outcome, { kind: 'released', releasedBy: 'us', description: 'released (we asked)' });
    const { command, result } = runDcmtk(record);
    assert.equal(command.line, `echoscu -aet DICOMNET -aec STORESCP -pdu 65536 127.0.0.1 ${storescp.port}`);
    assert.equal((await result).code, 0);
  });

  test('rejected by dcmqrscp for an unknown called AE title, worded as PS3.8 says', async () => {
    const { r, record } = await recordOf(['echo', '127.0.0.1', String(dcmqrscp.port), '--aec', 'NOBODY'], 'rejected');
    assert.equal(r.code, 3);
    assert.equal(record.outcome!.kind, 'rejected');
    assert.deepEqual(record.outcome!.rejection, {
      result: 1, source: 1, reason: 7, resultText: 'permanent', sourceText: 'service user', reasonText: 'called AE title not recognised', by: 'peer',
    });
  });

  test('find against dcmqrscp: the acceptor\'s max PDU is its configured MaxPDUSize; findscu gets the same matches', async () => {
    const { r, record } = await recordOf(['find', '127.0.0.1', String(dcmqrscp.port), '--aec', 'DCMQRSCP', '--level', 'SERIES', '--no-default-keys',
      '-k', `StudyInstanceUID=${studyUid}`, '-k', 'SeriesInstanceUID=', '-k', 'Modality='], 'find');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(record.negotiation!.acceptor!.maxPdu, 16384, 'dcmqrscp.cfg says MaxPDUSize = 16384');
    const rq = record.messages[0];
    assert.equal(rq.matches, 1);
    const { command, result } = runDcmtk(record);
    assert.equal(command.tool, 'findscu');
    assert.ok(command.argv.includes('-S') && command.argv.includes(`0020,000D=${studyUid}`), command.line);
    const theirs = await result as Awaited<ReturnType<typeof findscu>>;
    assert.equal(theirs.code, 0, theirs.output);
    assert.equal(theirs.responses.length, rq.matches);
  });

  test('move from dcmqrscp to storescp: the record\'s counts are what arrived; movescu moves the same again', async () => {
    const before = filesUnder(storescpDir).length;
    const { r, record } = await recordOf(['move', '127.0.0.1', String(dcmqrscp.port), '--aec', 'DCMQRSCP', '--dest', 'STORESCP', '--level', 'STUDY',
      '-k', `StudyInstanceUID=${studyUid}`], 'move');
    assert.equal(r.code, 0, r.stderr);
    const moved = filesUnder(storescpDir).length - before;
    const final = record.messages.filter((m) => m.command === 'C-MOVE-RSP').at(-1)!;
    assert.equal(final.suboperations!.completed, moved);
    const { command, result } = runDcmtk(record);
    assert.ok(command.argv.includes('-aem') && command.argv.includes('STORESCP'), command.line);
    assert.equal((await result as { code: number | null }).code, 0);
    assert.equal(filesUnder(storescpDir).length - before, 2 * moved, 'movescu did not move the same instances again');
  });

  test('get from dcmqrscp: getscu writes as many files as the record counts', async () => {
    const out = mkdtempSync(path.join(work, 'get-'));
    const { r, record, records } = await recordOf(['get', '127.0.0.1', String(dcmqrscp.port), '--aec', 'DCMQRSCP', '--level', 'STUDY',
      '-k', `StudyInstanceUID=${studyUid}`, '--output', out], 'get');
    assert.equal(r.code, 0, r.stderr);
    const final = record.messages.filter((m) => m.command === 'C-GET-RSP').at(-1)!;
    assert.equal(final.suboperations!.completed, filesUnder(out).length,
      `${JSON.stringify(record.messages.filter((m) => m.command === 'C-STORE-RQ').map((m) => m.sopInstanceUid))} ${filesUnder(out).join(' ')} ${r.stdout}`);
    assert.equal(records[0].messages[0].command, 'C-FIND-RQ');
    assert.ok(record.messages.some((m) => m.command === 'C-STORE-RQ' && m.direction === 'received'));
    assert.ok(record.negotiation!.roles.length > 0 && record.negotiation!.roles.every((role) => role.proposedScp));
    const theirs = mkdtempSync(path.join(work, 'getscu-'));
    const { command, result } = runDcmtk(record, { cwd: theirs });
    assert.equal(command.tool, 'getscu');
    assert.equal((await result as { code: number | null }).code, 0);
    assert.equal(filesUnder(theirs).length, final.suboperations!.completed);
  });

  test('dicomnet inspect: text with the negotiation and timeline, filters, --json, --dcmtk; a line that is no record is exit 2', async () => {
    const { appendFileSync, writeFileSync } = await import('node:fs');
    const all = path.join(work, 'all.jsonl');
    writeFileSync(all, ['echo', 'rejected', 'find'].map((n) => readFileSync(path.join(work, `${n}.jsonl`), 'utf8')).join(''));
    const text = await dicomnet(['inspect', all]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /outcome: rejected: rejected permanently by the service user: called AE title not recognised/);
    assert.match(text.stdout, /1 +Verification SOP Class +Explicit VR Little Endian, Implicit VR Little Endian +accepted +Explicit VR Little Endian/);
    assert.match(text.stdout, /<< +C-FIND-RSP +for 1 .*0xFF00 Pending/);
    assert.match(text.stdout, /SERIES Modality= StudyInstanceUID=[\d.]+ SeriesInstanceUID=\n +1 match/);
    const rejected = await dicomnet(['inspect', all, '--outcome', 'rejected', '--json']);
    assert.deepEqual(rejected.stdout.trim().split('\n').map((l) => (JSON.parse(l) as AssociationRecord).outcome!.kind), ['rejected']);
    const byAe = await dicomnet(['inspect', all, '--ae', 'STORESCP', '--dcmtk']);
    assert.equal(byAe.stdout, `echoscu -aet DICOMNET -aec STORESCP -pdu 65536 127.0.0.1 ${storescp.port}\n`);
    const badUsage = await dicomnet(['inspect', all, '--outcome', 'exploded']);
    assert.equal(badUsage.code, 2);
    appendFileSync(all, '{"not": "a record"}\n');
    const bad = await dicomnet(['inspect', all]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `dicomnet: Line 4 of ${all} is not an association record (version 1).\n`);
  });

  test('store to storescp: the C-STORE as storescp logged it; storescu with the file stores it again', async () => {
    const before = filesUnder(storescpDir).length;
    const { r, record } = await recordOf(['store', '127.0.0.1', String(storescp.port), '--aec', 'STORESCP', MR_SMALL], 'store');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(filesUnder(storescpDir).length - before, 1);
    const store = record.messages.find((m) => m.command === 'C-STORE-RQ')!;
    assert.equal(store.sopInstanceUid, (await readPart10Header(MR_SMALL)).sopInstanceUid);
    assert.ok(store.datasetBytes! > 0);
    const { command, result } = runDcmtk(record, { files: [MR_SMALL] });
    assert.equal(command.tool, 'storescu');
    assert.match(command.note!, /1 instance/);
    assert.equal((await result as { code: number | null }).code, 0);
    assert.equal(filesUnder(storescpDir).length - before, 2);
  });
});
