// The end of an association at the SCP, seen from a raw TCP peer: after our A-RELEASE-RP (or
// A-ASSOCIATE-RJ) the SCP waits for the peer to close (Sta13) and, when it does, closes its own
// side at once. The peer must see the PDU, then an orderly end of the stream (a FIN, not a reset),
// and the server must count the connection as gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { DicomServer } from '../../../src/ae/server';
import { decodePdu } from '../../../src/net/pdu-decode';
import { encodePdu } from '../../../src/net/pdu-encode';
import { PduReader } from '../../../src/net/pdu-reader';
import { PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, PDU_RELEASE_RP, PDU_RELEASE_RQ, Pdu } from '../../../src/net/pdu-types';
import { startServer } from '../../helpers/in-process';
import { waitUntil, within } from '../../helpers/wait';

/** A peer that speaks raw PDUs and records what it receives and how its connection ends. */
class RawPeer {
  readonly pdus: Pdu[] = [];
  ended = false;
  error: Error | undefined;
  readonly closed: Promise<boolean>;

  constructor(readonly socket: net.Socket) {
    const reader = new PduReader({ maxPDataLength: 0 }, (raw) => {
      const decoded = decodePdu(raw);
      if (decoded.ok) this.pdus.push(decoded.pdu);
    }, () => socket.destroy());
    socket.on('data', (chunk) => reader.push(chunk));
    socket.on('end', () => { this.ended = true; });
    socket.on('error', (e) => { this.error = e; });
    this.closed = once(socket, 'close').then(([hadError]) => hadError as boolean);
  }

  static async connect(server: DicomServer): Promise<RawPeer> {
    const socket = net.connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawPeer(socket);
  }

  send(pdu: Pdu): void {
    this.socket.write(encodePdu(pdu));
  }

  received(type: number, what: string): Promise<Pdu> {
    return waitUntil(what, () => this.pdus.find((p) => p.type === type), { detail: () => `received ${this.pdus.map((p) => p.type).join(', ') || 'nothing'}` });
  }
}

const connectionsOf = (server: DicomServer) => new Promise<number>((resolve, reject) =>
  (server as unknown as { server: net.Server }).server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

function request(callingAeTitle = 'RAWPEER') {
  return new ApplicationEntity({ aeTitle: callingAeTitle }).buildRequest({ host: '127.0.0.1', port: 1, calledAeTitle: 'SCP', contexts: [verificationContext()] });
}

test('after the A-RELEASE-RP, the peer closing its side closes the connection: the peer sees the RP, then an orderly end, and the server reports the release', async (t) => {
  const server = await startServer({}, t);
  const released: string[] = [];
  server.on('released', (info) => released.push(info.callingAeTitle));
  const peer = await RawPeer.connect(server);
  peer.send(request());
  await peer.received(PDU_ASSOCIATE_AC, 'the A-ASSOCIATE-AC');
  peer.send({ type: PDU_RELEASE_RQ });
  await peer.received(PDU_RELEASE_RP, 'the A-RELEASE-RP');
  assert.equal(peer.ended, false, 'the SCP waits for the requestor to close first (Sta13)');
  peer.socket.end(); // AR-3: the requestor closes the transport
  assert.equal(await within('the peer\'s connection to close', peer.closed), false, 'closed without an error');
  assert.equal(peer.ended, true, 'the SCP closed its side with a FIN (the stream ended)');
  assert.equal(peer.error, undefined, 'no reset');
  await waitUntil('the server to report the release', () => released.length === 1);
  assert.deepEqual(released, ['RAWPEER']);
  await waitUntil('the server to count no connection', async () => (await connectionsOf(server)) === 0);
  assert.equal(server.associationCount, 0);
});

test('after an A-ASSOCIATE-RJ, the peer closing its side closes the connection the same way', async (t) => {
  const server = await startServer({ acceptCallingAeTitles: ['SOMEONE'] }, t);
  const peer = await RawPeer.connect(server);
  peer.send(request('STRANGER'));
  await peer.received(PDU_ASSOCIATE_RJ, 'the A-ASSOCIATE-RJ');
  peer.socket.end();
  assert.equal(await within('the peer\'s connection to close', peer.closed), false, 'closed without an error');
  assert.equal(peer.ended, true, 'the SCP closed its side with a FIN');
  assert.equal(peer.error, undefined, 'no reset');
  await waitUntil('the server to count no connection', async () => (await connectionsOf(server)) === 0);
});

test('many short associations one after another each end with the RP and an orderly close', async (t) => {
  const server = await startServer({}, t);
  let released = 0;
  server.on('released', () => { released++; });
  for (let i = 0; i < 20; i++) {
    const peer = await RawPeer.connect(server);
    peer.send(request());
    await peer.received(PDU_ASSOCIATE_AC, `the A-ASSOCIATE-AC of association ${i + 1}`);
    peer.send({ type: PDU_RELEASE_RQ });
    await peer.received(PDU_RELEASE_RP, `the A-RELEASE-RP of association ${i + 1}`);
    peer.socket.end();
    assert.equal(await within(`association ${i + 1}'s connection to close`, peer.closed), false);
    assert.equal(peer.ended && peer.error === undefined, true, `association ${i + 1} ended with a FIN`);
  }
  await waitUntil('the server to report 20 releases', () => released === 20, { detail: () => `${released} so far` });
  await waitUntil('the server to count no connection', async () => (await connectionsOf(server)) === 0);
});
