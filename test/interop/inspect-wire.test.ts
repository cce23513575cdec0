// Issue 17: association records checked against the wire. Each association runs through a tap
// (test/helpers/pdu-tap.ts) that keeps the PDUs both ways and reads them with its own small reader;
// the record must say what those bytes say: the negotiation, the rejection, the abort, every DIMSE
// message. Against Orthanc (accepted, rejected by AE title, a C-FIND with pendings, a context
// rejected for its transfer syntax) and DCMTK (a context rejected by storescp, an abort in the
// middle of a C-STORE both ways, a C-FIND cancelled after a pending), with the peer's own log or
// REST answer where it says something.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApplicationEntity } from '../../src/ae/client';
import { ProposedContext, verificationContext } from '../../src/ae/requestor';
import { AssociationRecord, AssociationRecorder } from '../../src/ae/recording';
import { collectStoreInputs } from '../../src/ae/store-inputs';
import { findContexts } from '../../src/ae/retrieve-contexts';
import { readPart10Header } from '../../src/dicom/part10';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/dicom/transfer-syntaxes';
import { PYDICOM_FILES, writeSyntheticInstance } from '../helpers/dicom-files';
import { CT_IMAGE, QUICK, drain, identifier, within } from '../helpers/in-process';
import { startOrthanc, OrthancPeer } from '../helpers/orthanc';
import { Background, dicomnet, run, startScp, startStorescp } from '../helpers/processes';
import { DCMTK_ENV, startWlmscpfs } from '../helpers/dcmtk';
import { recordIn, readRecords } from '../helpers/association-records';
import { PDU, TappedPdu, commandName, readAbort, readAssociate, readReject, startPduTap, wireCommands } from '../helpers/pdu-tap';

const CT_SMALL = path.join(PYDICOM_FILES, 'CT_small.dcm');
const MR_SMALL = path.join(PYDICOM_FILES, 'MR_small.dcm');
const RT_PLAN = path.join(PYDICOM_FILES, 'rtplan.dcm');
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
/** DCMTK's A-ABORT as echoscu --abort sent it (scripts/record-pdu-fixtures.mjs). */
const DCMTK_ABORT_FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'pdus', 'dcmtk', 'echo-abort', '05-c2s-abort.bin');
const PDU_NAMES = ['', 'A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC', 'A-ASSOCIATE-RJ', 'P-DATA-TF', 'A-RELEASE-RQ', 'A-RELEASE-RP', 'A-ABORT'];

/** Our SCU, recording with PDUs, its associations through `tap`. */
function recordingScu(aeTitle = 'DICOMNET') {
  const recorder = new AssociationRecorder({ recordPdus: true });
  const ae = new ApplicationEntity({ aeTitle, timeouts: QUICK, recorder, maxPduLength: 65536 });
  return { recorder, ae };
}

/** The one record `recorder` holds once its association has closed (bounded). */
async function onlyRecord(recorder: AssociationRecorder, what: string): Promise<AssociationRecord> {
  await within(`${what} to close`, recorder.idle());
  const records = recorder.records();
  assert.equal(records.length, 1, `${what}: ${records.length} records`);
  return records[0]!;
}

/** The record's PDUs are the wire's: direction, type, length, and the first bytes exactly. */
/**
 * Rows led by their direction, compared one direction at a time, each in its own order: the tap
 * sees the two directions at other moments than either end does (a C-CANCEL we sent after the
 * first match can reach it after the peer's last answer).
 */
function assertSameByDirection(recorded: unknown[][], onTheWire: unknown[][], what: string) {
  for (const direction of ['sent', 'received']) {
    assert.deepEqual(recorded.filter((r) => r[0] === direction), onTheWire.filter((r) => r[0] === direction), `the ${what} ${direction}, in order`);
  }
}

function assertPdusAsOnTheWire(record: AssociationRecord, wire: readonly TappedPdu[], us: 'client' | 'server') {
  assert.ok(record.pdus, 'the record kept no PDUs');
  assertSameByDirection(
    record.pdus.map((p) => [p.direction, p.type, p.length, p.head]),
    wire.map((p) => [p.from === us ? 'sent' : 'received', PDU_NAMES[p.type], p.bytes.length - 6, p.bytes.subarray(0, 24).toString('hex')]),
    'PDUs',
  );
}

/** The record's DIMSE messages are the wire's commands: name, IDs, status, data set size. */
function assertMessagesAsOnTheWire(record: AssociationRecord, wire: readonly TappedPdu[], us: 'client' | 'server') {
  const recorded = record.messages.map((m) => [m.direction, m.contextId, m.command, m.messageId, m.respondingTo, m.status?.code, m.datasetIncomplete ? 'incomplete' : m.datasetBytes ?? 0]);
  const onTheWire = wireCommands(wire).map((c) => [c.from === us ? 'sent' : 'received', c.contextId, commandName(c.commandField), c.messageId, c.respondingTo, c.status,
    c.hasDataset && !c.datasetComplete ? 'incomplete' : c.datasetBytes]);
  assertSameByDirection(recorded, onTheWire, 'messages');
}

/** The record's negotiation is what the A-ASSOCIATE-RQ and -AC on the wire say. */
function assertNegotiationAsOnTheWire(record: AssociationRecord, wire: readonly TappedPdu[]) {
  const rq = readAssociate(wire.find((p) => p.type === PDU.ASSOCIATE_RQ)!.bytes);
  const n = record.negotiation!;
  assert.deepEqual([record.callingAeTitle, record.calledAeTitle], [rq.callingAeTitle, rq.calledAeTitle]);
  assert.deepEqual([n.requestor.maxPdu, n.requestor.implementationClassUid, n.requestor.implementationVersionName],
    [rq.maxPdu, rq.implementationClassUid, rq.implementationVersionName]);
  assert.deepEqual(n.contexts.map((c) => [c.id, c.abstractSyntax.uid, c.proposedTransferSyntaxes.map((t) => t.uid)]),
    rq.contexts.map((c) => [c.id, c.abstractSyntax, c.transferSyntaxes]));
  const acPdu = wire.find((p) => p.type === PDU.ASSOCIATE_AC);
  if (!acPdu) return assert.equal(n.acceptor, undefined);
  const ac = readAssociate(acPdu.bytes);
  assert.deepEqual([n.acceptor!.maxPdu, n.acceptor!.implementationClassUid, n.acceptor!.implementationVersionName],
    [ac.maxPdu, ac.implementationClassUid, ac.implementationVersionName]);
  assert.deepEqual(n.contexts.map((c) => [c.id, c.result, c.result === 0 ? c.transferSyntax?.uid : undefined]),
    ac.contexts.map((c) => [c.id, c.result, c.result === 0 ? c.transferSyntaxes[0] : undefined]));
}

/**
 * Runs `dicomnet <args> --limit 1 --record` through a tap to `port`: the record must be the wire's,
 * with the C-CANCEL sent for the C-FIND's message ID before the final response arrived. With
 * `cancelOptional` (a peer that answers everything at once) there may be none: a request already
 * answered when the limit is reached is no longer outstanding. Returns the record's C-FIND
 * request, its responses and the pending ones.
 */
async function cancelledFind(port: number, args: readonly string[], file: string, cancelOptional = false) {
  const tap = await startPduTap(port);
  try {
    const r = await dicomnet([args[0]!, '127.0.0.1', String(tap.port), ...args.slice(1), '--limit', '1', '--record', file]);
    assert.equal(r.code, 0, r.stderr);
    await tap.closed(`the tapped connection of dicomnet ${args[0]} to close`);
    const [record] = readRecords(file);
    assertNegotiationAsOnTheWire(record!, tap.pdus);
    assertMessagesAsOnTheWire(record!, tap.pdus, 'client');
    const rq = record!.messages[0]!;
    assert.equal(rq.command, 'C-FIND-RQ');
    const cancel = record!.messages.find((m) => m.command === 'C-CANCEL-RQ');
    const responses = record!.messages.filter((m) => m.command === 'C-FIND-RSP');
    if (cancel || !cancelOptional) {
      assert.deepEqual([cancel?.direction, cancel?.respondingTo], ['sent', rq.messageId]);
      assert.ok(record!.messages.indexOf(cancel!) < record!.messages.indexOf(responses.at(-1)!), 'the C-CANCEL went out before the final response came');
    }
    const pendings = responses.filter((m) => m.status!.class === 'pending');
    assert.equal(rq.matches, pendings.length);
    return { record: record!, rq, cancel, responses, pendings, final: responses.at(-1)! };
  } finally {
    await tap.stop();
  }
}

/** Every file under `dir`, dot-files (temporary ones) included. */
function everyFileUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('association records against Orthanc, as on the wire', () => {
  let orthanc: OrthancPeer;
  before(async () => {
    // One Orthanc for the file: it checks the called AE title and takes uncompressed syntaxes only.
    orthanc = await startOrthanc({ extra: { DicomCheckCalledAet: true, AcceptedTransferSyntaxes: [ImplicitVRLittleEndian, ExplicitVRLittleEndian] } });
    const stored = await dicomnet(['store', '127.0.0.1', String(orthanc.dicomPort), '--aec', 'ORTHANC', CT_SMALL, MR_SMALL, RT_PLAN]);
    assert.equal(stored.code, 0, stored.stdout + stored.stderr);
  });
  after(async () => { await orthanc?.stop(); });

  async function throughTap(contexts: readonly ProposedContext[], calledAeTitle: string, work: (client: Awaited<ReturnType<ApplicationEntity['associate']>>) => Promise<void>) {
    const tap = await startPduTap(orthanc.dicomPort);
    try {
      const { recorder, ae } = recordingScu();
      const client = await ae.associate({ host: '127.0.0.1', port: tap.port, calledAeTitle, contexts });
      await work(client);
      const record = await onlyRecord(recorder, 'the association with Orthanc');
      await tap.closed('the tapped connection to Orthanc to close');
      return { record, wire: tap.pdus };
    } finally {
      await tap.stop();
    }
  }

  test('accepted: a C-ECHO, Orthanc\'s implementation and max PDU as its A-ASSOCIATE-AC says, released by us', async () => {
    const { record, wire } = await throughTap([verificationContext()], 'ORTHANC', async (client) => {
      await client.echo();
      await client.release();
    });
    assertPdusAsOnTheWire(record, wire, 'client');
    assertNegotiationAsOnTheWire(record, wire);
    assertMessagesAsOnTheWire(record, wire, 'client');
    assert.deepEqual(record.outcome, { kind: 'released', releasedBy: 'us', description: 'released (we asked)' });
    assert.deepEqual(record.messages.map((m) => `${m.command} ${m.status?.meaning ?? ''}`.trim()), ['C-ECHO-RQ', 'C-ECHO-RSP Success']);
    // Orthanc is built on DCMTK: its implementation is DCMTK's.
    assert.match(record.negotiation!.acceptor!.implementationVersionName ?? '', /^OFFIS_DCMTK_\d+$/);
  });

  test('rejected by called AE title: result, source and reason as the A-ASSOCIATE-RJ carries them, in PS3.8\'s words', async () => {
    const tap = await startPduTap(orthanc.dicomPort);
    try {
      const { recorder, ae } = recordingScu();
      await assert.rejects(ae.associate({ host: '127.0.0.1', port: tap.port, calledAeTitle: 'NOT_ORTHANC', contexts: [verificationContext()] }),
        /called AE title not recognised/);
      const record = await onlyRecord(recorder, 'the rejected association');
      await tap.closed('the rejected connection to close');
      assertPdusAsOnTheWire(record, tap.pdus, 'client');
      assert.deepEqual(tap.pdus.map((p) => p.type), [PDU.ASSOCIATE_RQ, PDU.ASSOCIATE_RJ]);
      const rj = readReject(tap.pdus[1]!.bytes);
      assert.deepEqual(rj, { result: 1, source: 1, reason: 7 });
      assert.deepEqual(record.outcome, {
        kind: 'rejected', description: 'rejected permanently by the service user: called AE title not recognised',
        rejection: { ...rj, resultText: 'permanent', sourceText: 'service user', reasonText: 'called AE title not recognised', by: 'peer' },
      });
      assert.equal(record.negotiation!.acceptor, undefined);
      assert.deepEqual(record.messages, []);
    } finally {
      await tap.stop();
    }
  });

  test('a C-FIND with pendings: each response as on the wire, the matches Orthanc holds', async () => {
    const { record, wire } = await throughTap(findContexts('study'), 'ORTHANC', async (client) => {
      const { yielded } = await drain(client.find(identifier({ QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: '', SOPInstanceUID: '' }), { model: 'study' }));
      assert.equal(yielded.length, 3);
      await client.release();
    });
    assertPdusAsOnTheWire(record, wire, 'client');
    assertMessagesAsOnTheWire(record, wire, 'client');
    const instances = await orthanc.rest<string[]>('GET', '/instances');
    const rq = record.messages[0]!;
    assert.equal(rq.command, 'C-FIND-RQ');
    assert.equal(rq.matches, instances.length);
    assert.deepEqual(rq.identifier!.keys.map((k) => `${k.keyword}=${k.value}`), ['SOPInstanceUID=', 'StudyInstanceUID=']);
    const responses = record.messages.filter((m) => m.command === 'C-FIND-RSP');
    assert.deepEqual(responses.map((m) => `${m.respondingTo} ${m.status!.hex} ${m.status!.meaning}`),
      [...instances.map(() => `${rq.messageId} 0xFF00 Pending: matches are continuing – current match is supplied, any optional keys were supported in the same manner as required keys`), `${rq.messageId} 0x0000 Success`]);
  });

  // Orthanc (1.10) answers every match at once, whether a C-CANCEL came or not (a cancelled C-FIND
  // that ends in 0xFE00 is in the DCMTK tests below); the record shows the C-CANCEL when the limit
  // was reached before the final answer arrived, and whatever Orthanc answered.
  test('a C-FIND cut at a match (dicomnet find --limit 1): any C-CANCEL with the ID it cancels, and Orthanc\'s final answer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'orthanc-cancel-'));
    try {
      const { final } = await cancelledFind(orthanc.dicomPort, ['find', '--aec', 'ORTHANC', '--level', 'IMAGE', '-k', 'SOPInstanceUID='], path.join(dir, 'find.jsonl'), true);
      assert.notEqual(final.status!.class, 'pending');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Orthanc (1.10) answers a context none of whose transfer syntaxes it takes with result 3 (abstract
  // syntax not supported), not 4; the record says what the A-ASSOCIATE-AC says.
  test('a context rejected for its transfer syntax (Orthanc takes uncompressed only); the other one carries a C-STORE', async () => {
    const contexts = [
      { abstractSyntax: CT_IMAGE, transferSyntaxes: [JPEG_BASELINE] },
      { abstractSyntax: CT_IMAGE, transferSyntaxes: [ExplicitVRLittleEndian] },
    ];
    const [ct] = (await collectStoreInputs([CT_SMALL])).files;
    const { record, wire } = await throughTap(contexts, 'ORTHANC', async (client) => {
      const stored = await client.store(ct!);
      assert.equal(stored.status, 0);
      await client.release();
    });
    assertPdusAsOnTheWire(record, wire, 'client');
    assertNegotiationAsOnTheWire(record, wire);
    assertMessagesAsOnTheWire(record, wire, 'client');
    assert.deepEqual(record.negotiation!.contexts.map((c) => [c.id, c.abstractSyntax.name, c.result, c.resultText, c.transferSyntax?.name]), [
      [1, 'CT Image Storage', 3, 'rejected: abstract syntax not supported', undefined],
      [3, 'CT Image Storage', 0, 'accepted', 'Explicit VR Little Endian'],
    ]);
    assert.equal(record.messages[0]!.contextId, 3);
  });
});

describe('association records against DCMTK, as on the wire', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'inspect-wire-'));
  let storescp: Background & { port: number };
  let scp: Background & { port: number };
  let big: string;
  const scpRecords = path.join(work, 'scp.jsonl');
  const archive = path.join(work, 'archive');

  before(async () => {
    mkdirSync(path.join(work, 'storescp'));
    // storescp takes Implicit VR Little Endian only (+xi).
    storescp = await startStorescp(['-d', '+xi', '-aet', 'STORESCP', '-od', path.join(work, 'storescp')]);
    scp = await startScp(['--aet', 'ARCHIVE', '--dir', archive, '--record', scpRecords]);
    // Large enough that no single P-DATA-TF carries it (storescp and storescu use 16 KB PDUs).
    big = (await writeSyntheticInstance(path.join(work, 'big.dcm'), 2 * 1024 * 1024)).path;
  });
  after(async () => {
    await scp?.stop();
    await storescp?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('a context rejected by storescp +xi for its transfer syntax: result 4 as on the wire and in storescp\'s -d log', async () => {
    const tap = await startPduTap(storescp.port);
    try {
      const { recorder, ae } = recordingScu();
      const logBefore = storescp.output().length;
      const client = await ae.associate({ host: '127.0.0.1', port: tap.port, calledAeTitle: 'STORESCP', contexts: [
        { abstractSyntax: CT_IMAGE, transferSyntaxes: [ExplicitVRLittleEndian] },
        { abstractSyntax: verificationContext().abstractSyntax, transferSyntaxes: [ImplicitVRLittleEndian] },
      ] });
      await client.echo();
      await client.release();
      const record = await onlyRecord(recorder, 'the association with storescp');
      await tap.closed('the tapped connection to storescp to close');
      assertPdusAsOnTheWire(record, tap.pdus, 'client');
      assertNegotiationAsOnTheWire(record, tap.pdus);
      assertMessagesAsOnTheWire(record, tap.pdus, 'client');
      assert.deepEqual(record.negotiation!.contexts.map((c) => [c.id, c.abstractSyntax.name, c.result, c.resultText, c.transferSyntax?.name]), [
        [1, 'CT Image Storage', 4, 'rejected: transfer syntaxes not supported', undefined],
        [3, 'Verification SOP Class', 0, 'accepted', 'Implicit VR Little Endian'],
      ]);
      // storescp's log comes through a pipe from another process: wait for its account of the AC.
      await storescp.waitFor(/END A-ASSOCIATE-AC/, 10_000, logBefore);
      const log = storescp.output().slice(logBefore);
      const said = [...log.matchAll(/Context ID:\s+(\d+) \(([^)]*)\)/g)].map((m) => `${m[1]} ${m[2]}`);
      assert.ok(said.includes('1 Transfer Syntaxes Not Supported') && said.includes('3 Accepted'), `storescp's log says: ${said.join('; ')}\n${log.slice(0, 3000)}`);
    } finally {
      await tap.stop();
    }
  });

  test('our abort in the middle of a C-STORE to storescp: aborted by us, source and reason in words; the A-ABORT is DCMTK\'s own bytes', async () => {
    // storescp never sees more than the first data fragment: it cannot answer before we abort.
    const tap = await startPduTap(storescp.port, { holdClientAfter: (pdu) => pdu.type === PDU.P_DATA && (pdu.bytes[11]! & 0x01) === 0 });
    try {
      const { recorder, ae } = recordingScu();
      const logBefore = storescp.output().length;
      const client = await ae.associate({ host: '127.0.0.1', port: tap.port, calledAeTitle: 'STORESCP',
        contexts: [{ abstractSyntax: CT_IMAGE, transferSyntaxes: [ImplicitVRLittleEndian] }] });
      const [file] = (await collectStoreInputs([big])).files;
      const storing = client.store(file!);
      storing.catch(() => undefined);
      await tap.until('part of the data set to be held back from storescp', () => (tap.held.length > 0 ? true : undefined));
      client.abort();
      await assert.rejects(within('the aborted C-STORE to fail', storing));
      const record = await onlyRecord(recorder, 'the aborted association');
      await tap.closed('the aborted connection to close');
      assertPdusAsOnTheWire(record, tap.read, 'client');
      assert.deepEqual(record.outcome!.kind, 'aborted', JSON.stringify(record.outcome));
      const abortPdu = tap.pdus.at(-1)!;
      assert.equal(abortPdu.type, PDU.ABORT, 'the last PDU storescp got is an A-ABORT');
      assert.deepEqual(abortPdu.bytes, readFileSync(DCMTK_ABORT_FIXTURE));
      const { source, reason } = readAbort(abortPdu.bytes);
      assert.deepEqual(record.outcome!.abort, { by: 'us', source, reason, sourceText: 'service user', reasonText: 'not significant (service-user abort)' });
      const store = record.messages.find((m) => m.command === 'C-STORE-RQ')!;
      assert.equal(store.direction, 'sent');
      // Whether all of the data set went out before the A-ABORT, the record says as our side of the tap saw it.
      assertMessagesAsOnTheWire(record, tap.read, 'client');
      assert.equal(record.messages.some((m) => m.command === 'C-STORE-RSP'), false);
      // storescp's log comes through a pipe from another process, after the connection closed.
      await storescp.waitFor(/Association Aborted/, 10_000, logBefore);
    } finally {
      await tap.stop();
    }
  });

  test('storescu aborting in the middle of a C-STORE into dicomnet scp: aborted by the peer in words, nothing partial on disk', async () => {
    // dicomnet scp gets the C-STORE command and the first data fragment; storescu waits 1 s for the
    // response (-td 1), gives up and sends an A-ABORT, which the tap lets through.
    const tap = await startPduTap(scp.port, { holdClientAfter: (pdu) => pdu.type === PDU.P_DATA && (pdu.bytes[11]! & 0x01) === 0 });
    try {
      const r = await run('storescu', ['-d', '-td', '1', '-aet', 'STORESCU', '-aec', 'ARCHIVE', '127.0.0.1', String(tap.port), big], { env: DCMTK_ENV });
      assert.notEqual(r.code, 0);
      const log = r.stdout + r.stderr;
      assert.match(log, /Aborting Association/, log.slice(-3000));
      await tap.closed('the aborted connection to dicomnet scp to close');
      const record = await recordIn(scpRecords, 'the aborted storescu association', (x) => x.callingAeTitle === 'STORESCU');
      assert.equal(record.direction, 'inbound');
      assertNegotiationAsOnTheWire(record, tap.pdus);
      assertMessagesAsOnTheWire(record, tap.pdus, 'server');
      const abortPdu = tap.pdus.at(-1)!;
      assert.equal(abortPdu.type, PDU.ABORT);
      const { source, reason } = readAbort(abortPdu.bytes);
      assert.deepEqual(record.outcome, {
        kind: 'aborted', description: record.outcome!.description,
        abort: { by: 'peer', source, reason, sourceText: 'service user', reasonText: 'not significant (service-user abort)' },
      });
      assert.match(record.outcome!.description, /abort/i);
      assert.deepEqual(record.messages.map((m) => [m.direction, m.command, m.sopInstanceUid, m.datasetIncomplete]),
        [['received', 'C-STORE-RQ', (await readPart10Header(big)).sopInstanceUid, true]], 'the C-STORE whose data set never came whole');
      const uid = (await readPart10Header(big)).sopInstanceUid!;
      const left = existsOrEmpty(archive);
      assert.deepEqual(left.filter((f) => !f.includes(`${path.sep}.index${path.sep}`)), [], 'dicomnet scp left files of the aborted C-STORE');
      for (const index of left.filter((f) => f.endsWith('.jsonl'))) assert.ok(!readFileSync(index, 'utf8').includes(uid), `${index} lists the aborted instance`);
    } finally {
      await tap.stop();
    }
  });

  test('a C-FIND cancelled after one pending (dicomnet worklist --limit 1): the C-CANCEL with the ID it cancels, then 0xFE00 Cancel', async () => {
    // wlmscpfs sleeps a second before each match (--sleep-during 1): the C-CANCEL, sent right after
    // the first pending, has about nine seconds to reach it before the last of its ten matches.
    const wlm = await startWlmscpfs(['-d', '--sleep-during', '1']);
    try {
      const { record, cancel, pendings, final } = await cancelledFind(wlm.port, ['worklist', '--aec', 'WLMSCP'], path.join(work, 'worklist.jsonl'));
      assert.deepEqual(final.status, { code: 0xfe00, hex: '0xFE00', class: 'cancel', meaning: 'Cancel: matching terminated due to Cancel request' });
      assert.ok(record.messages.indexOf(cancel!) < record.messages.indexOf(final));
      assert.ok(pendings.length >= 1 && pendings.length < wlm.items.length, `${pendings.length} pendings of ${wlm.items.length} items`);
      // wlmscpfs's own account: as many pendings, then the cancel.
      const said = [...wlm.output().matchAll(/Worklist Find SCP Response \d+ \(([^)]*)\)/g)].map((m) => m[1]);
      assert.deepEqual(said, [...pendings.map(() => 'Pending'), 'Cancel: MatchingTerminatedDueToCancelRequest']);
    } finally {
      await wlm.stop();
    }
  });
});

/** Files left under `dir` (none when it was never made). */
function existsOrEmpty(dir: string): string[] {
  try {
    return everyFileUnder(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
