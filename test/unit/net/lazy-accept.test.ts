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

async function lazyServer(onConnection: (c: UnreadConnection) => void, firstBytes?: number): Promise<net.Server> {
  const server = net.createServer({ pauseOnConnect: true }, () => assert.fail('no connection goes to the ordinary path'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  assert.equal(acceptLazily(server, onConnection, firstBytes), true, 'this Node has the internals lazy accepting needs');
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

test('a peer trickling bytes gets no socket until it has sent firstBytes of them; then they all arrive, in order', async (t) => {
  const firstBytes = 6;
  const payload = Buffer.from('0123456789abcdef');
  let unread: UnreadConnection | undefined;
  const chunks: Buffer[] = [];
  let socketBuilt = false;
  const server = await lazyServer((c) => {
    unread = c;
    c.onFirstBytes = (socket) => {
      assert.ok(socket, 'the peer sent bytes');
      socketBuilt = true;
      onReceived(socket, (chunk) => chunks.push(Buffer.from(chunk)));
    };
  }, firstBytes);
  const client = net.connect(portOf(server), '127.0.0.1');
  // Closed however the test ends, so that a failure does not keep the process alive.
  t.after(() => { client.destroy(); server.close(); });
  client.setNoDelay(true);
  await once(client, 'connect');
  await waitUntil('the server to hold the unread connection', () => unread !== undefined);
  for (let i = 0; i < firstBytes - 1; i++) {
    client.write(payload.subarray(i, i + 1));
    await waitUntil(`the server to have read byte ${i + 1}`, () => unread!.received === i + 1);
  }
  assert.equal(socketBuilt, false, `no socket for ${firstBytes - 1} bytes`);
  assert.equal(await connections(server), 0, 'nor a connection counted');
  client.write(payload.subarray(firstBytes - 1));
  await waitUntil('every byte to reach the socket\'s listeners', () => Buffer.concat(chunks).length === payload.length);
  assert.ok(chunks[0]!.length >= firstBytes, 'the bytes held before the socket came first, together');
  assert.deepEqual(Buffer.concat(chunks), payload);
  client.destroy();
  await closeServer(server);
});

test('a peer that closes after fewer than firstBytes bytes is reported once, without a socket', async (t) => {
  let unread: UnreadConnection | undefined;
  const reports: (net.Socket | undefined)[] = [];
  const server = await lazyServer((c) => { unread = c; c.onFirstBytes = (socket) => reports.push(socket); }, 6);
  const client = net.connect(portOf(server), '127.0.0.1');
  t.after(() => { client.destroy(); server.close(); });
  await once(client, 'connect');
  await waitUntil('the server to hold the unread connection', () => unread !== undefined);
  client.write(Buffer.from([1, 0, 0]));
  await waitUntil('the server to have read 3 bytes', () => unread!.received === 3);
  client.end();
  await waitUntil('the peer\'s close to be reported', () => reports.length === 1);
  assert.deepEqual(reports, [undefined]);
  assert.equal(await connections(server), 0);
  await closeServer(server);
});
