// Random and mutated PDUs sent to a running server: it answers (A-ABORT, A-ASSOCIATE-RJ/AC) or
// closes, never crashes, never holds on to what it was sent, and keeps serving.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ApplicationEntity } from '../../../src/ae/client';
import { DicomServer } from '../../../src/ae/server';
import { REPO_ROOT } from '../../helpers/processes';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'pdus', 'dcmtk');
const sessions = readdirSync(FIXTURES).map((s) => readdirSync(path.join(FIXTURES, s)).sort()
  .filter((f) => f.includes('c2s')).map((f) => readFileSync(path.join(FIXTURES, s, f))));

let server: DicomServer;
before(async () => {
  server = new DicomServer({ aeTitle: 'FUZZ', port: 0, timeouts: { artimMs: 200, acseMs: 500, dimseMs: 500 } });
  await server.listen();
});
after(async () => { await server.close(100); });

/** Sends the bytes, then waits until the server closes the connection (bounded). */
function exchange(bytes: Buffer[]): Promise<'closed' | 'timeout'> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => { socket.destroy(); resolve('timeout'); }, 3000);
    socket.on('close', () => { clearTimeout(timer); resolve('closed'); });
    socket.on('connect', () => { for (const b of bytes) socket.write(b); });
    // An accepted association would wait for us: after the answer, we go away as a peer might.
    socket.on('data', () => setTimeout(() => socket.end(), 20));
  });
}

const mutatedSession = fc.tuple(
  fc.integer({ min: 0, max: sessions.length - 1 }),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  fc.integer({ min: 0, max: 4 }),
).map(([i, flips, keep]) => {
  const pdus = sessions[i].slice(0, keep + 1).map((b) => Buffer.from(b));
  for (const [pos, value] of flips) {
    const pdu = pdus[pos % pdus.length];
    pdu[(pos >> 3) % pdu.length] = value;
  }
  return pdus;
});

test('mutated DCMTK sessions and random bytes: the server always ends the connection and keeps serving', async () => {
  const before = process.memoryUsage().heapUsed;
  const outcomes = { closed: 0, timeout: 0 };
  await fc.assert(fc.asyncProperty(fc.oneof(mutatedSession, fc.array(fc.uint8Array({ minLength: 1, maxLength: 400 }).map((b) => Buffer.from(b)), { minLength: 1, maxLength: 3 })),
    async (bytes) => { outcomes[await exchange(bytes)]++; }), { numRuns: 150 });
  assert.equal(outcomes.timeout, 0, `${outcomes.timeout} connections were left open`);
  const echo = await new ApplicationEntity({ aeTitle: 'AFTER' }).echo({ host: '127.0.0.1', port: server.port, calledAeTitle: 'FUZZ' });
  assert.equal(echo.status, 0);
  assert.ok(server.associationCount <= 1);
  global.gc?.();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 64 * 1024 * 1024, `heap grew by ${grown} bytes`);
});
