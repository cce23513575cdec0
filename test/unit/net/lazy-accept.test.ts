// Connections held as bare handles until they speak (src/net/lazy-accept.ts): the first bytes and
// everything after reach the socket built for them, in order; a peer that closes first, or a
// connection we close, ends cleanly; the server counts only connections that have a socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { UnreadConnection, acceptLazily } from '../../../src/net/lazy-accept';
import { onReceived, readsShared } from '../../../src/net/shared-reads';
import { waitUntil, within } from '../../helpers/wait';

async function lazyServer(onConnection: (c: UnreadConnection) => void): Promise<net.Server> {
  const server = net.createServer({ pauseOnConnect: true }, () => assert.fail('no connection goes to the ordinary path'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  assert.equal(acceptLazily(server, onConnection), true, 'this Node has the internals lazy accepting needs');
  return server;
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
const connections = (server: net.Server) => new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
const closeServer = (server: net.Server) => within('server.close() to complete', new Promise<void>((resolve) => server.close(() => resolve())));

test('the first bytes and all that follows reach the listeners added when the socket is handed over', async () => {
  const payload = Buffer.alloc(400_000);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 13 + (i >> 9)) & 0xff;
  const received: Buffer[] = [];
  let serverSide: net.Socket | undefined;
  let unread: UnreadConnection | undefined;
  const server = await lazyServer((c) => {
    unread = c;
    c.onFirstBytes = (socket) => {
      assert.ok(socket, 'the peer sent bytes');
      serverSide = socket;
      let total = 0;
      onReceived(socket, (chunk) => {
        received.push(Buffer.from(chunk));
        total += chunk.length;
        if (total === payload.length) socket.end('done');
      });
    };
  });
  const client = net.connect(portOf(server), '127.0.0.1');
  await once(client, 'connect');
  await waitUntil('the server to hold the unread connection', () => unread !== undefined);
  assert.equal(unread!.address, '127.0.0.1');
  assert.equal(unread!.port, client.localPort);
  assert.equal(await connections(server), 0, 'a connection without a socket is not counted yet');
  client.write(payload.subarray(0, 1)); // the first read is a single byte, the rest follows
  await waitUntil('the socket to be built on the first byte', () => serverSide !== undefined);
  client.write(payload.subarray(1));
  const answer: Buffer[] = [];
  client.on('data', (d: Buffer) => answer.push(d));
  await within('the server\'s answer', once(client, 'end'));
  assert.equal(Buffer.concat(answer).toString(), 'done');
  assert.deepEqual(Buffer.concat(received), payload, 'bytes arrived in order, the first one included');
  assert.ok(readsShared(serverSide!), 'the socket reads into the shared buffer');
  assert.equal(serverSide!.remoteAddress, '127.0.0.1');
  assert.equal(await connections(server), 1, 'the socket counts as the server\'s connection');
  const closed = once(serverSide!, 'close');
  client.end();
  await within('the server\'s socket to close', closed);
  assert.equal(await connections(server), 0);
  await closeServer(server);
});

test('a peer that closes before sending anything is reported once, without a socket', async () => {
  const reports: (net.Socket | undefined)[] = [];
  const server = await lazyServer((c) => { c.onFirstBytes = (socket) => reports.push(socket); });
  const client = net.connect(portOf(server), '127.0.0.1');
  await once(client, 'connect');
  client.end();
  await waitUntil('the peer\'s close to be reported', () => reports.length === 1);
  assert.deepEqual(reports, [undefined]);
  await closeServer(server);
});

test('closing an unread connection closes it at once, and nothing is reported afterwards', async () => {
  const held: UnreadConnection[] = [];
  const reports: unknown[] = [];
  const server = await lazyServer((c) => { c.onFirstBytes = (socket) => reports.push(socket); held.push(c); });
  const client = net.connect(portOf(server), '127.0.0.1');
  client.on('error', () => undefined);
  await once(client, 'connect');
  await waitUntil('the server to hold the connection', () => held.length === 1);
  held[0]!.close();
  held[0]!.close(); // twice is harmless
  await within('the client to see the connection closed', once(client, 'close'));
  assert.deepEqual(reports, []);
  await closeServer(server);
});
