// Issue 20 for the DICOMweb server: what a client can hold without doing work is bounded. A
// request body that stops, or dribbles, is cut and leaves nothing behind; idle connections beyond
// the bound make room for a client that asks something; QIDO answers are bounded and say so.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Socket } from 'node:net';
import { SilentConnection, openSilent } from '../../../helpers/flood';
import { waitUntil, within } from '../../../helpers/wait';
import { Harness, SAMPLES, STOW_TYPE, filesUnder, get, multipartBody, startHarness } from './helpers';

/** Opens a raw connection and sends a STOW-RS request whose body is `sent` of a declared larger whole. */
async function partialStow(h: Harness, whole: Buffer, sent: number): Promise<{ socket: Socket; closed: Promise<string> }> {
  const u = new URL(h.url);
  const conn = await openSilent(Number(u.port));
  let answer = '';
  conn.socket.on('data', (d: Buffer) => { answer += d.toString('latin1'); });
  conn.socket.write(`POST ${u.pathname}/studies HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: ${STOW_TYPE()}\r\nContent-Length: ${whole.length}\r\n\r\n`);
  conn.socket.write(whole.subarray(0, sent));
  return { socket: conn.socket, closed: conn.closed.then(() => answer) };
}

const settled = (h: Harness, what: string) => waitUntil(what, () => filesUnder(h.dir).every((f) => !f.startsWith('.incoming')));

describe('request bodies that stop', () => {
  const body = multipartBody([{ body: readFileSync(path.join(SAMPLES, 'CT_small.dcm')) }]);

  test('a STOW-RS body that stops arriving: the connection is closed after the idle timeout and nothing is stored', async () => {
    const h = await startHarness([], { idleTimeoutMs: 300 });
    try {
      const { closed } = await partialStow(h, body, body.length >> 1);
      await within('the server to close the stalled upload', closed);
      await settled(h, 'the temporary file to go');
      assert.deepEqual(filesUnder(h.dir).filter((f) => f.endsWith('.dcm')), []);
      assert.equal((await get(h, '/studies')).json().length, 0);
    } finally {
      await h.close();
    }
  });

  test('a STOW-RS body that dribbles past the request timeout: 408, the connection closes, nothing is stored', async () => {
    const h = await startHarness([], { requestTimeoutMs: 400, idleTimeoutMs: 60_000 });
    try {
      const { socket, closed } = await partialStow(h, body, 200);
      let at = 200;
      const drip = setInterval(() => { if (at < body.length - 1 && !socket.destroyed) socket.write(body.subarray(at, ++at)); }, 20);
      try {
        const answer = await within('the server to cut the slow upload', closed);
        assert.match(answer, /^HTTP\/1\.1 408 /);
      } finally {
        clearInterval(drip);
      }
      await settled(h, 'the temporary file to go');
      assert.deepEqual(filesUnder(h.dir).filter((f) => f.endsWith('.dcm')), []);
    } finally {
      await h.close();
    }
  });

  test('headers that never finish get 408 within the headers timeout', async () => {
    const h = await startHarness([], { headersTimeoutMs: 300 });
    try {
      const conn = await openSilent(Number(new URL(h.url).port));
      let answer = '';
      conn.socket.on('data', (d: Buffer) => { answer += d.toString('latin1'); });
      conn.socket.write('GET /dicomweb/studies HTTP/1.1\r\nHost: x\r\n');
      await within('the server to give up on the headers', conn.closed);
      assert.match(answer, /^HTTP\/1\.1 408 /);
    } finally {
      await h.close();
    }
  });
});

describe('open connections', () => {
  test('beyond maxConnections the oldest idle connection is closed, and a client that asks is answered', async () => {
    const h = await startHarness(['CT_small.dcm'], { maxConnections: 4 });
    const idle: SilentConnection[] = [];
    try {
      const port = Number(new URL(h.url).port);
      for (let i = 0; i < 6; i++) idle.push(await openSilent(port));
      await within('the 2 oldest idle connections to be closed', Promise.all(idle.slice(0, 2).map((c) => c.closed)));
      const r = await get(h, '/studies');
      assert.equal(r.status, 200);
      assert.equal(r.json().length, 1);
      await within('the next oldest idle connection to make room', idle[2]!.closed);
      assert.deepEqual(idle.slice(3).map((c) => c.isClosed()), [false, false, false]);
      assert.equal(h.lines.filter((l) => /^refused 127\.0\.0\.1 \[waiting-limit\]/.test(l)).length, 1, h.lines.join('\n'));
    } finally {
      for (const c of idle) c.socket.destroy();
      await h.close();
    }
  });
});

describe('QIDO-RS over more matches than one answer holds', () => {
  test('no limit, includefield=all: the answer stops at the server\'s maximum and warns of more results; a larger limit is lowered with a warning', async () => {
    const names = ['CT_small.dcm', 'MR_small.dcm', 'rtdose.dcm', 'waveform_ecg.dcm', 'test-SR.dcm', 'JPEG2000.dcm'];
    const h = await startHarness(names, { maxSearchResults: 4 });
    try {
      const all = await get(h, '/instances?includefield=all');
      assert.equal(all.status, 200);
      assert.equal(all.json().length, 4);
      assert.match(String(all.headers.warning), /299 dicomnet "There are additional results that can be requested.*offset=4/);
      const asked = await get(h, '/instances?includefield=all&limit=1000');
      assert.equal(asked.json().length, 4);
      assert.match(String(asked.headers.warning), /lowered to 4/);
      const rest = await get(h, '/instances?includefield=all&offset=4');
      assert.equal(rest.json().length, names.length - 4);
      assert.equal(rest.headers.warning, undefined);
    } finally {
      await h.close();
    }
  });
});
