// Sockets reading into the thread's shared buffer (src/net/shared-reads.ts): an accepted
// connection taken over from net.Server keeps the server's semantics, chunks are borrowed views of
// one buffer, and nothing received is lost when nobody listens yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { adoptWithSharedReads, connectWithSharedReads, onReceived, readsShared } from '../../../src/net/shared-reads';
import { waitUntil, within } from '../../helpers/wait';

/** A net.Server as the SCP makes one: paused on connect, each accepted socket adopted. */
async function adoptingServer(onSocket: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer({ pauseOnConnect: true }, (accepted) => onSocket(adoptWithSharedReads(accepted)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
const connections = (server: net.Server) => new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

test('an accepted connection reads into the shared buffer, answers, and keeps the server\'s connection count', async () => {
  const payload = Buffer.alloc(300_000);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 11)) & 0xff;
  let serverSide: net.Socket | undefined;
  const received: Buffer[] = [];
  let borrowedChunks = 0;
  let closed!: Promise<unknown>;
  const server = await adoptingServer((socket) => {
    serverSide = socket;
    closed = once(socket, 'close');
    let total = 0;
    onReceived(socket, (chunk, borrowed) => {
      if (borrowed) borrowedChunks++;
      received.push(Buffer.from(chunk));
      total += chunk.length;
      if (total === payload.length) socket.end('bye');
    });
  });
  const client = net.connect(portOf(server), '127.0.0.1');
  const answer: Buffer[] = [];
  client.on('data', (d: Buffer) => answer.push(d));
  client.write(payload);
  await within('the server\'s answer', once(client, 'end'));
  assert.equal(Buffer.concat(answer).toString(), 'bye');
  assert.ok(serverSide && readsShared(serverSide), 'the accepted socket was taken over');
  assert.equal(serverSide.remoteAddress, '127.0.0.1');
  assert.ok(borrowedChunks > 0);
  assert.deepEqual(Buffer.concat(received), payload, 'bytes arrived in order, none overwritten');
  assert.equal(await connections(server), 1, 'the adopted socket counts as the server\'s connection');
  client.end();
  await within('the adopted socket to close', closed);
  assert.equal(await connections(server), 0);
  await within('server.close() to complete', new Promise<void>((resolve) => server.close(() => resolve())));
});

test('sockets of one thread read into the same buffer: a chunk is only valid during its call', async () => {
  const buffers = new Set<ArrayBufferLike>();
  const server = await adoptingServer((socket) => {
    onReceived(socket, (chunk) => {
      buffers.add(chunk.buffer);
      socket.write(Buffer.from(chunk)); // a borrowed chunk may be overwritten before a queued write goes out
    });
  });
  try {
    const client = connectWithSharedReads({ host: '127.0.0.1', port: portOf(server) });
    const echoed: Buffer[] = [];
    let total = 0;
    const done = new Promise<void>((resolve) => onReceived(client, (chunk, borrowed) => {
      assert.equal(borrowed, true);
      buffers.add(chunk.buffer);
      echoed.push(Buffer.from(chunk));
      total += chunk.length;
      if (total === 5) resolve();
    }));
    await once(client, 'connect');
    client.write('hello');
    await within('the echo', done);
    assert.equal(Buffer.concat(echoed).toString(), 'hello');
    assert.equal(buffers.size, 1, 'client and server chunks are views of one buffer');
    client.destroy();
  } finally {
    server.close();
  }
});

test('bytes that arrive before anyone listens are kept and handed over when someone does', async () => {
  let serverSide: net.Socket | undefined;
  const server = await adoptingServer((socket) => { serverSide = socket; });
  try {
    const client = net.connect(portOf(server), '127.0.0.1');
    client.write('early bytes');
    // Nobody listens on the server side: wait until the bytes were read anyway.
    await waitUntil('the bytes to be read', () => (serverSide?.bytesRead ?? 0) >= 11);
    const got: Buffer[] = [];
    onReceived(serverSide!, (chunk) => got.push(Buffer.from(chunk)));
    assert.equal(Buffer.concat(got).toString(), 'early bytes');
    client.destroy();
  } finally {
    server.close();
  }
});

test('a socket already read from is used as it is (read the ordinary way)', async () => {
  const server = net.createServer((socket) => {
    socket.on('data', () => undefined);
    const same = adoptWithSharedReads(socket);
    assert.equal(same, socket);
    assert.equal(readsShared(same), false);
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const client = net.connect(portOf(server), '127.0.0.1');
    await within('the server to close the connection', once(client, 'close'));
  } finally {
    server.close();
  }
});
