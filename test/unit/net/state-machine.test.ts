// The state machine driven over real sockets by a scripted peer, per state of PS3.8 Table 9-10.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { DicomServer } from '../../../src/ae/server';
import { Association } from '../../../src/net/association';
import { encodePdu } from '../../../src/net/pdu-encode';
import { encodeCommand, CommandField, NO_DATASET } from '../../../src/dimse/command';
import {
  AAbort, AAssociateRq, PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, PDU_ASSOCIATE_RQ, PDU_P_DATA_TF,
  PDU_RELEASE_RP, PDU_RELEASE_RQ, emptyUserInformation,
} from '../../../src/net/pdu-types';
import { ScpService } from '../../../src/services/scp-service';
import { ScriptedPeer } from '../../helpers/scripted-peer';
import { waitUntil } from '../../helpers/wait';
import { State } from '../../../src/net/fsm-table';

const VERIFICATION = '1.2.840.10008.1.1';
const ae = new ApplicationEntity({ aeTitle: 'SCRIPTED' });
const rqBytes = (overrides: Partial<AAssociateRq> = {}) =>
  encodePdu({ ...ae.buildRequest({ host: '', port: 0, calledAeTitle: 'SERVER', contexts: [verificationContext()] }), ...overrides });
const abortBytes = encodePdu({ type: PDU_ABORT, source: 0, reason: 0 });
const releaseRq = encodePdu({ type: PDU_RELEASE_RQ });
const releaseRp = encodePdu({ type: PDU_RELEASE_RP });
const echoRq = (contextId = 1) => encodePdu({ type: PDU_P_DATA_TF, pdvs: [{ contextId, isCommand: true, isLast: true, data: encodeCommand({
  commandField: CommandField.CEchoRq, messageId: 7, affectedSopClassUid: VERIFICATION, commandDataSetType: NO_DATASET,
}) }] });

/** A service whose C-ECHO answer waits until the test lets it go (to hold the SCP in a state). */
class SlowEcho implements ScpService {
  readonly name = 'slow';
  release: () => void = () => undefined;
  private onStart: () => void = () => undefined;
  started = new Promise<void>((r) => { this.onStart = r; });
  contexts() { return new Map([['1.2.3.4.5', ['1.2.840.10008.1.2']]]); }
  handles() { return true; }
  async handle(sa: any, request: any) {
    this.onStart();
    await new Promise<void>((r) => { this.release = r; });
    await sa.channel.send(request.contextId, { commandField: CommandField.CEchoRsp, messageIdBeingRespondedTo: request.command.messageId, commandDataSetType: NO_DATASET, status: 0 });
  }
}

const servers: DicomServer[] = [];
after(async () => { for (const s of servers) await s.close(100); });

async function server(options: Partial<ConstructorParameters<typeof DicomServer>[0]> = {}) {
  const events: string[] = [];
  const s = new DicomServer({ aeTitle: 'SERVER', port: 0, timeouts: { artimMs: 300, acseMs: 2000 }, ...options });
  s.on('aborted', (_i, e) => events.push(`aborted: ${e.message}`));
  s.on('released', () => events.push('released'));
  s.on('rejected', (_i, reason) => events.push(`rejected: ${reason}`));
  s.on('serviceError', (_i, e) => events.push(`service error: ${e.message}`));
  await s.listen();
  servers.push(s);
  return { s, events, connect: () => ScriptedPeer.connect(s.port) };
}

async function established(peer: ScriptedPeer): Promise<void> {
  peer.send(rqBytes());
  await peer.waitForPdu(PDU_ASSOCIATE_AC);
}

/** Waits for the server's first report of how the association ended. */
async function reported(events: string[], what = 'the server to report how the association ended'): Promise<void> {
  await waitUntil(what, () => events.length > 0, { timeoutMs: 3000, intervalMs: 10 });
}

describe('acceptor (our server) against a scripted requestor', () => {
  test('Sta2 + P-DATA-TF before any A-ASSOCIATE-RQ (Evt10, AA-1): A-ABORT, then the connection closes', async () => {
    const { connect } = await server();
    const peer = await connect();
    peer.send(echoRq());
    const abort = (await peer.waitForPdu(PDU_ABORT)) as AAbort;
    assert.equal(abort.type, PDU_ABORT);
    await peer.waitForClose(2000);
  });

  test('Sta2 + nothing at all: ARTIM expires (Evt18, AA-2) and the server closes the connection', async () => {
    const { connect } = await server();
    // Timed from before the connection exists: the server's ARTIM (300 ms) starts later.
    const started = Date.now();
    const peer = await connect();
    await peer.waitForClose(3000);
    assert.ok(Date.now() - started >= 299, 'closed before the ARTIM timeout');
  });

  test('Sta2 + A-ASSOCIATE-AC (Evt3, AA-1) and an unknown PDU type (Evt19): A-ABORT', async () => {
    const { connect } = await server();
    const peer = await connect();
    peer.send(encodePdu({ type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: 'A', callingAeTitle: 'B', applicationContext: '1.2.840.10008.3.1.1.1', presentationContexts: [], userInformation: emptyUserInformation() }));
    await peer.waitForPdu(PDU_ABORT);
    const other = await connect();
    other.send(Buffer.from([0x0a, 0, 0, 0, 0, 0]));
    const abort = (await other.waitForPdu(PDU_ABORT)) as AAbort;
    assert.deepEqual([abort.source, abort.reason], [2, 1]);
  });

  test('Sta2 + A-ABORT (Evt16, AA-2): the server closes without answering, and says the peer aborted (not ARTIM)', async () => {
    const { s, connect } = await server();
    const drops: string[] = [];
    s.on('dropped', (_info, cause, message) => drops.push(`${cause}: ${message}`));
    const peer = await connect();
    peer.send(abortBytes);
    await peer.waitForClose(2000);
    assert.equal(peer.received.length, 0);
    await waitUntil('the server to report the dropped connection', () => drops.length > 0, { timeoutMs: 3000, intervalMs: 10 });
    assert.equal(drops.length, 1);
    assert.match(drops[0], /^peer: association aborted by the peer \(service user\)/);
    assert.doesNotMatch(drops[0], /ARTIM/);
  });

  test('Sta3 + A-ABORT while the server decides (Evt16, AA-3): no A-ASSOCIATE-AC is ever sent', async () => {
    let letGo!: () => void;
    const deciding = new Promise<void>((r) => { letGo = r; });
    let asked!: () => void;
    const wasAsked = new Promise<void>((r) => { asked = r; });
    const { connect } = await server({ authenticate: async () => { asked(); await deciding; return true; } });
    const peer = await connect();
    peer.send(rqBytes({ userInformation: { ...emptyUserInformation(), maximumLength: 16384, userIdentityRq: { type: 1, positiveResponseRequested: false, primaryField: Buffer.from('bob'), secondaryField: Buffer.alloc(0) } } }));
    await wasAsked;
    peer.send(abortBytes);
    await peer.waitForClose(2000);
    letGo();
    // Closed: all the server ever sent has arrived.
    assert.ok(!peer.received.some((p) => p.type === PDU_ASSOCIATE_AC));
  });

  test('Sta6 + a second A-ASSOCIATE-RQ (Evt6, AA-8): A-ABORT from the service provider, unexpected PDU', async () => {
    const { connect, events } = await server();
    const peer = await connect();
    await established(peer);
    peer.send(rqBytes());
    const abort = (await peer.waitForPdu(PDU_ABORT)) as AAbort;
    assert.deepEqual([abort.source, abort.reason], [2, 2]);
    peer.destroy();
    await reported(events);
    assert.match(events[0], /aborted locally \(service provider: unexpected PDU\)/);
  });

  test('Sta6 + A-RELEASE-RP nobody asked for (Evt13, AA-8): A-ABORT', async () => {
    const { connect } = await server();
    const peer = await connect();
    await established(peer);
    peer.send(releaseRp);
    await peer.waitForPdu(PDU_ABORT);
  });

  test('Sta6 + a malformed PDU (Evt19, AA-8): A-ABORT with invalid-PDU-parameter-value', async () => {
    const { connect } = await server();
    const peer = await connect();
    await established(peer);
    peer.send(Buffer.from([0x04, 0, 0, 0, 0, 6, 0, 0, 0, 99, 1, 3]));
    const abort = (await peer.waitForPdu(PDU_ABORT)) as AAbort;
    assert.deepEqual([abort.source, abort.reason], [2, 6]);
  });

  test('Sta6 + a P-DATA-TF larger than our maximum: A-ABORT before the body arrives', async () => {
    const { connect } = await server({ maxPduLength: 4096 });
    const peer = await connect();
    await established(peer);
    peer.send(Buffer.from([0x04, 0, 0x7f, 0xff, 0xff, 0xff]));
    const abort = (await peer.waitForPdu(PDU_ABORT)) as AAbort;
    assert.deepEqual([abort.source, abort.reason], [2, 6]);
  });

  test('Sta6 + P-DATA on a context that was never accepted: A-ABORT', async () => {
    const { connect } = await server();
    const peer = await connect();
    await established(peer);
    peer.send(echoRq(3));
    await peer.waitForPdu(PDU_ABORT);
  });

  test('Sta6 + A-ABORT (Evt16, AA-3): the server reports the peer abort with its source', async () => {
    const { connect, events } = await server();
    const peer = await connect();
    await established(peer);
    peer.send(abortBytes);
    await peer.waitForClose(2000);
    await reported(events);
    assert.equal(events[0], 'aborted: association aborted by the peer (service user)');
  });

  test('Sta6 + the connection drops (Evt17, AA-4): reported as a provider abort', async () => {
    const { connect, events } = await server();
    const peer = await connect();
    await established(peer);
    peer.destroy();
    await reported(events);
    assert.match(events[0], /closed the connection without releasing/);
  });

  test('Sta6 → Sta8 → P-DATA in Sta8 (AR-7) → A-RELEASE-RP (AR-4): a response still goes out after the release request', async () => {
    const slow = new SlowEcho();
    const { s, connect, events } = await server({ services: [slow] });
    const releaseRequested = new Promise<void>((resolve) => s.on('pdu', (_info, direction, pdu) => { if (direction === 'received' && pdu.type === PDU_RELEASE_RQ) resolve(); }));
    const peer = await connect();
    peer.send(rqBytes({ presentationContexts: [{ id: 1, abstractSyntax: '1.2.3.4.5', transferSyntaxes: ['1.2.840.10008.1.2'] }] }));
    await peer.waitForPdu(PDU_ASSOCIATE_AC);
    peer.send(echoRq());
    await slow.started;
    peer.send(releaseRq);
    // The server has the release request (Sta8) before the response goes out (AR-7).
    await releaseRequested;
    assert.ok(!peer.received.some((p) => p.type === PDU_RELEASE_RP), 'released before the response was sent');
    slow.release();
    await peer.waitForPdu(PDU_RELEASE_RP);
    const types = peer.received.map((p) => p.type);
    assert.deepEqual(types.slice(-2), [PDU_P_DATA_TF, PDU_RELEASE_RP]);
    peer.destroy();
    await waitUntil('the server to report the release', () => events.includes('released'), { timeoutMs: 3000, intervalMs: 10 });
  });

  test('Sta8 + A-ABORT (Evt16, AA-3) while a request is in progress', async () => {
    const slow = new SlowEcho();
    const { connect, events } = await server({ services: [slow] });
    const peer = await connect();
    peer.send(rqBytes({ presentationContexts: [{ id: 1, abstractSyntax: '1.2.3.4.5', transferSyntaxes: ['1.2.840.10008.1.2'] }] }));
    await peer.waitForPdu(PDU_ASSOCIATE_AC);
    peer.send(echoRq());
    await slow.started;
    peer.send(releaseRq);
    peer.send(abortBytes);
    await peer.waitForClose(2000);
    slow.release();
    await reported(events);
    assert.match(events[0], /aborted by the peer/);
  });

  test('Sta13 after a rejection: P-DATA is ignored (AA-6) and ARTIM closes the connection (AA-2)', async () => {
    const { connect, events } = await server({ acceptCallingAeTitles: ['SOMEONE'] });
    const peer = await connect();
    peer.send(rqBytes());
    const rj = await peer.waitForPdu(PDU_ASSOCIATE_RJ);
    assert.deepEqual(rj, { type: PDU_ASSOCIATE_RJ, result: 1, source: 1, reason: 3 });
    peer.send(echoRq());
    await peer.waitForClose(3000);
    assert.equal(peer.received.length, 1, 'nothing but the rejection was sent');
    assert.match(events[0], /calling AE title "SCRIPTED" is not in the accepted list/);
  });

  test('protocol version without bit 0: rejected by the ACSE provider (AE-6)', async () => {
    const { connect } = await server();
    const peer = await connect();
    peer.send(rqBytes({ protocolVersion: 2 }));
    const rj = await peer.waitForPdu(PDU_ASSOCIATE_RJ);
    assert.deepEqual(rj, { type: PDU_ASSOCIATE_RJ, result: 1, source: 2, reason: 2 });
  });

  test('an unknown application context is rejected by the service user', async () => {
    const { connect } = await server();
    const peer = await connect();
    peer.send(rqBytes({ applicationContext: '1.2.3.4' }));
    const rj = await peer.waitForPdu(PDU_ASSOCIATE_RJ);
    assert.deepEqual(rj, { type: PDU_ASSOCIATE_RJ, result: 1, source: 1, reason: 2 });
  });
});

describe('requestor (our client) against a scripted acceptor', () => {
  const quick = new ApplicationEntity({ aeTitle: 'CLIENT', timeouts: { acseMs: 400, artimMs: 300, dimseMs: 400 } });

  async function scripted() {
    const listener = await ScriptedPeer.listen();
    after(() => listener.close());
    return listener;
  }

  function acceptBytes(rq: AAssociateRq): Buffer {
    return encodePdu({ type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle,
      applicationContext: rq.applicationContext, presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }],
      userInformation: { ...emptyUserInformation(), maximumLength: 16384 } });
  }

  /** Our client associated with a scripted acceptor that accepted Verification. */
  async function associated() {
    const l = await scripted();
    const pending = quick.associate({ host: '127.0.0.1', port: l.port, calledAeTitle: 'X', contexts: [verificationContext()] });
    const peer = await l.accepted;
    const rq = (await peer.waitForPdu(PDU_ASSOCIATE_RQ)) as AAssociateRq;
    peer.send(acceptBytes(rq));
    return { client: await pending, peer };
  }

  test('Sta5 + A-ABORT instead of an answer (Evt16, AA-3)', async () => {
    const l = await scripted();
    const pending = quick.associate({ host: '127.0.0.1', port: l.port, calledAeTitle: 'X', contexts: [verificationContext()] });
    const peer = await l.accepted;
    await peer.waitForPdu(PDU_ASSOCIATE_RQ);
    peer.send(encodePdu({ type: PDU_ABORT, source: 2, reason: 0 }));
    await assert.rejects(pending, /association aborted by the peer \(service provider: reason not specified\)/);
  });

  test('Sta5 + P-DATA-TF (Evt10, AA-8): we abort and report it', async () => {
    const l = await scripted();
    const pending = quick.associate({ host: '127.0.0.1', port: l.port, calledAeTitle: 'X', contexts: [verificationContext()] });
    const peer = await l.accepted;
    await peer.waitForPdu(PDU_ASSOCIATE_RQ);
    peer.send(echoRq());
    await assert.rejects(pending, /unexpected PDU/);
    const abort = (await peer.waitForPdu(PDU_ABORT)) as AAbort;
    assert.deepEqual([abort.source, abort.reason], [2, 2]);
  });

  test('Sta5 + silence: the ACSE timeout aborts the attempt', async () => {
    const l = await scripted();
    const started = Date.now();
    const pending = quick.associate({ host: '127.0.0.1', port: l.port, calledAeTitle: 'X', contexts: [verificationContext()] });
    const peer = await l.accepted;
    await assert.rejects(pending, /no A-ASSOCIATE response from the peer within 0.4 s/);
    assert.ok(Date.now() - started >= 399, 'gave up before the 0.4 s ACSE timeout');
    await peer.waitForPdu(PDU_ABORT);
  });

  test('A-ASSOCIATE-RJ reaches the caller as a sentence', async () => {
    const l = await scripted();
    const pending = quick.associate({ host: '127.0.0.1', port: l.port, calledAeTitle: 'X', contexts: [verificationContext()] });
    const peer = await l.accepted;
    await peer.waitForPdu(PDU_ASSOCIATE_RQ);
    peer.send(encodePdu({ type: PDU_ASSOCIATE_RJ, result: 1, source: 1, reason: 3 }));
    await assert.rejects(pending, { message: 'association rejected permanently by the service user: calling AE title not recognised' });
  });

  test('Sta7 + A-RELEASE-RQ: release collision on the requestor side (AR-8, AR-9, AR-3)', async () => {
    const { client, peer } = await associated();
    const states: State[] = [];
    client.association.on('state', (_from, to) => states.push(to));
    const released = client.release();
    await peer.waitForPdu(PDU_RELEASE_RQ);
    peer.send(releaseRq);
    await peer.waitForPdu(PDU_RELEASE_RP);
    peer.send(releaseRp);
    await released;
    assert.deepEqual(states, ['Sta7', 'Sta9', 'Sta11', 'Sta1']);
  });

  test('Sta7 + P-DATA-TF (AR-6): a response arriving after our release request is still delivered', async () => {
    const { client, peer } = await associated();
    const echo = client.echo();
    await peer.waitForPdu(PDU_P_DATA_TF);
    const released = client.release();
    await peer.waitForPdu(PDU_RELEASE_RQ);
    peer.send(encodePdu({ type: PDU_P_DATA_TF, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: encodeCommand({
      commandField: CommandField.CEchoRsp, messageIdBeingRespondedTo: 1, affectedSopClassUid: VERIFICATION, commandDataSetType: NO_DATASET, status: 0,
    }) }] }));
    peer.send(releaseRp);
    assert.equal((await echo).status, 0);
    await released;
  });

  test('Sta7 + A-ABORT (AA-3): release rejects with the abort', async () => {
    const { client, peer } = await associated();
    const released = client.release();
    await peer.waitForPdu(PDU_RELEASE_RQ);
    peer.send(abortBytes);
    await assert.rejects(released, /aborted by the peer \(service user\)/);
  });

  test('acceptor-side release collision (AR-8 → Sta10, AR-10 → Sta12, AR-4 → Sta13, AR-5 → Sta1)', async () => {
    const states: State[] = [];
    let acceptor!: Association;
    const srv = net.createServer((socket) => {
      acceptor = new Association('acceptor', { maxPduLength: 16384, timeouts: { artimMs: 1000 } });
      acceptor.on('associateRequested', (rq) => acceptor.accept({ type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: rq.calledAeTitle,
        callingAeTitle: rq.callingAeTitle, applicationContext: rq.applicationContext,
        presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }], userInformation: { ...emptyUserInformation(), maximumLength: 16384 } }));
      acceptor.on('state', (_f, to) => states.push(to));
      acceptor.acceptTransport(socket);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    after(() => srv.close());
    const peer = await ScriptedPeer.connect((srv.address() as net.AddressInfo).port);
    await established(peer);
    const released = acceptor.release();
    await peer.waitForPdu(PDU_RELEASE_RQ);
    peer.send(releaseRq);   // collision: the requestor asked too
    peer.send(releaseRp);   // the requestor (in Sta9 → Sta11) answers ours
    await peer.waitForPdu(PDU_RELEASE_RP);
    peer.destroy();
    await released;
    await acceptor.whenClosed();
    assert.deepEqual(states.slice(-5), ['Sta7', 'Sta10', 'Sta12', 'Sta13', 'Sta1']);
  });
});
