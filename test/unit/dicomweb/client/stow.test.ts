// STOW-RS through DicomwebClient: the request body is a stream of the files (parsed back here
// with the multipart parser), read from disk only as the server takes it; the server's response
// is matched back to each file; batches; refusals.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DicomwebClient, DicomwebError, FileChangedError, planBatches, stowBody, type StowBatchResult } from '../../../../src/dicomweb/client';
import { parseMultipart, parseContentType, readPartBody } from '../../../../src/dicomweb/multipart';
import { buildStowResponse, type StowResult } from '../../../../src/dicomweb/stow-response';
import { instanceBytes, pixelChunk, startServer, syntheticInstance } from './test-server';

const dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-stow-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const STUDY = '1.2.826.0.1.3680043.10.7';
const SERIES = '1.2.826.0.1.3680043.10.7.1';
const sopOf = (i: number) => `1.2.826.0.1.3680043.10.7.1.${i + 1}`;
const CT = '1.2.840.10008.5.1.4.1.1.7';

function makeFiles(count: number, pixelBytes = 3000): Array<{ path: string; sopInstanceUid: string; sopClassUid: string; fileSize: number; bytes: Buffer }> {
  return Array.from({ length: count }, (_, i) => {
    const inst = syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(i) }, pixelBytes + i);
    const bytes = instanceBytes(inst, i);
    const p = path.join(dir, `f${count}-${i}.dcm`);
    writeFileSync(p, bytes);
    return { path: p, sopInstanceUid: sopOf(i), sopClassUid: CT, fileSize: bytes.length, bytes };
  });
}

interface Received {
  headers: IncomingMessage['headers'];
  url: string;
  parts: Array<{ headers: Record<string, string>; body: Buffer }>;
  /** Bytes of the whole body. */
  bytes: number;
}

/** Reads a STOW-RS request as it streams, with the project's multipart parser. */
async function receive(req: IncomingMessage): Promise<Received> {
  const ct = parseContentType(String(req.headers['content-type']));
  const parts: Received['parts'] = [];
  let bytes = 0;
  const counted = (async function* () {
    for await (const c of req) {
      bytes += (c as Buffer).length;
      yield c as Buffer;
    }
  })();
  for await (const part of parseMultipart(counted, ct.params['boundary'])) {
    parts.push({ headers: { ...part.headers }, body: await readPartBody(part, 1 << 30) });
  }
  return { headers: req.headers, url: req.url!, parts, bytes };
}

function answer(res: ServerResponse, result: StowResult, status?: number): void {
  const r = buildStowResponse(result);
  res.writeHead(status ?? r.status, { 'Content-Type': 'application/dicom+json' });
  res.end(JSON.stringify(r.body));
}

describe('STOW-RS store', () => {
  test('the body is multipart/related of the files with a Content-Length, and every outcome is matched back', async () => {
    const files = makeFiles(4);
    let got: Received | undefined;
    const server = await startServer(async (req, res) => {
      got = await receive(req);
      answer(res, {
        retrieveURL: `http://pacs/studies/${STUDY}`,
        stored: [
          { sopClassUID: CT, sopInstanceUID: sopOf(0), retrieveURL: `http://pacs/studies/${STUDY}/series/${SERIES}/instances/${sopOf(0)}` },
          { sopClassUID: CT, sopInstanceUID: sopOf(1), warningReason: 0xb000 },
        ],
        failed: [{ sopClassUID: CT, sopInstanceUID: sopOf(2), failureReason: 0xa700 }],
      });
    });
    const client = new DicomwebClient({ baseUrl: `${server.url}/dicom-web`, auth: { kind: 'bearer', token: 't' } });
    try {
      const batches: StowBatchResult[] = [];
      let read = 0;
      const results = await client.store(files, { onBatch: (b) => batches.push(b), onBytes: (n) => { read += n; } });
      assert.ok(got);
      assert.equal(got.url, '/dicom-web/studies');
      // A Content-Length, computed from the file sizes, not chunked (Orthanc takes chunked uploads slowly).
      assert.equal(got.headers['transfer-encoding'], undefined);
      assert.equal(Number(got.headers['content-length']), got.bytes);
      assert.equal(got.headers.authorization, 'Bearer t');
      assert.match(String(got.headers.accept), /^application\/dicom\+json/);
      const ct = parseContentType(String(got.headers['content-type']));
      assert.equal(`${ct.type}/${ct.subtype}`, 'multipart/related');
      assert.equal(ct.params['type'], 'application/dicom');
      assert.equal(got.parts.length, 4);
      for (const [i, part] of got.parts.entries()) {
        assert.equal(part.headers['content-type'], 'application/dicom');
        assert.ok(part.body.equals(files[i].bytes), `part ${i + 1} differs from its file`);
      }
      assert.equal(read, files.reduce((n, f) => n + f.fileSize, 0));

      assert.deepEqual(results.map((r) => [r.outcome, r.message]), [
        ['stored', 'stored'],
        ['warning', 'stored with a warning: Coercion of data elements (B000)'],
        ['failed', 'failed: Refused: out of resources (A700) (A700)'],
        ['failed', "failed: the server's response does not mention this instance"],
      ]);
      assert.equal(results[0].retrieveURL, `http://pacs/studies/${STUDY}/series/${SERIES}/instances/${sopOf(0)}`);
      assert.equal(results[1].warningReason, 0xb000);
      assert.equal(results[2].failureReason, 0xa700);
      assert.deepEqual(results.map((r) => r.path), files.map((f) => f.path));
      assert.equal(batches.length, 1);
      assert.equal(batches[0].status, 202);
      assert.equal(batches[0].retrieveURL, `http://pacs/studies/${STUDY}`);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('files go in batches by count and by bytes; --study targets /studies/{uid}', async () => {
    const files = makeFiles(5);
    const seen: Received[] = [];
    const server = await startServer(async (req, res) => {
      const r = await receive(req);
      seen.push(r);
      const sops = r.parts.map((p) => p.body.subarray(0, 2000).toString('latin1').match(/1\.2\.826\.0\.1\.3680043\.10\.7\.1\.\d+/g)![0]);
      answer(res, { stored: sops.map((s) => ({ sopClassUID: CT, sopInstanceUID: s })), failed: [] });
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      const batches: number[] = [];
      const results = await client.store(files, { batchSize: 2, study: STUDY, onBatch: (b) => batches.push(b.files.length) });
      assert.deepEqual(batches, [2, 2, 1]);
      assert.deepEqual(seen.map((r) => r.parts.length), [2, 2, 1]);
      assert.ok(seen.every((r) => r.url === `/studies/${STUDY}`));
      assert.deepEqual(results.map((r) => [r.outcome, r.batch]), [['stored', 0], ['stored', 0], ['stored', 1], ['stored', 1], ['stored', 2]]);
      // Plain paths work too: their header is read first.
      const r2 = await client.store([files[0].path]);
      assert.equal(r2[0].sopInstanceUid, sopOf(0));
      assert.equal(r2[0].outcome, 'stored');
    } finally {
      client.close();
      await server.close();
    }
    const size = (n: number) => ({ path: `p${n}`, sopInstanceUid: `1.${n}`, fileSize: n });
    assert.deepEqual(planBatches([size(40), size(40), size(40), size(200), size(10)], { maxBatchBytes: 100 }).map((b) => b.map((f) => f.fileSize)), [[40, 40], [40], [200], [10]]);
    assert.throws(() => planBatches([], { batchSize: 0 }), RangeError);
  });

  test('the body is read from disk only as fast as the server takes it', async () => {
    // 64 MiB file; the server reads 1 MiB and then stops reading until told to go on.
    const big = path.join(dir, 'big.dcm');
    const inst = syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(99) }, 64 * 1024 * 1024);
    const out = createWriteStream(big);
    out.write(inst.head);
    const chunk = pixelChunk(0, 0, 1024 * 1024);
    for (let i = 0; i < 64; i++) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
    await once(out, 'close');

    let release: () => void = () => undefined;
    let receivedBytes = 0;
    let firstMegabyte: () => void = () => undefined;
    const gotFirst = new Promise<void>((r) => { firstMegabyte = r; });
    const server = await startServer(async (req, res) => {
      await new Promise<void>((resolve) => {
        const onData = (c: Buffer) => {
          receivedBytes += c.length;
          if (receivedBytes >= 1024 * 1024) {
            req.off('data', onData);
            req.pause();
            resolve();
          }
        };
        req.on('data', onData);
      });
      firstMegabyte();
      await new Promise<void>((r) => { release = r; });
      for await (const c of req) receivedBytes += (c as Buffer).length;
      answer(res, { stored: [{ sopClassUID: CT, sopInstanceUID: sopOf(99) }], failed: [] });
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      let read = 0;
      const p = client.store([{ path: big, sopInstanceUid: sopOf(99), fileSize: inst.size }], { onBytes: (n) => { read += n; } });
      await gotFirst;
      // Wait until the client stops reading (socket and stream buffers are full), then look.
      let last = -1;
      const deadline = Date.now() + 20_000;
      for (let stable = 0; stable < 5;) {
        if (Date.now() > deadline) assert.fail(`the client never stopped reading from disk while the server was paused (${read} bytes read)`);
        await new Promise((r) => setTimeout(r, 50));
        if (read === last) stable++; else { stable = 0; last = read; }
      }
      console.log(`STOW with a paused server: ${(read / 1024 / 1024).toFixed(1)} MiB of ${(inst.size / 1024 / 1024).toFixed(1)} MiB read from disk`);
      assert.ok(read < 24 * 1024 * 1024, `${read} bytes were read from disk while the server read about 1 MiB`);
      release();
      const [r] = await p;
      assert.equal(r.outcome, 'stored');
      assert.equal(read, inst.size);
      assert.ok(receivedBytes > inst.size);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('Orthanc-style 400 with a partial result still gives per-file results; 200 without a body means stored', async () => {
    const files = makeFiles(2);
    let n = 0;
    const server = await startServer(async (req, res) => {
      await receive(req);
      if (n++ === 0) {
        answer(res, { stored: [{ sopClassUID: CT, sopInstanceUID: sopOf(1) }], failed: [] }, 400);
      } else {
        res.writeHead(200);
        res.end();
      }
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      const r1 = await client.store(files);
      assert.deepEqual(r1.map((r) => r.outcome), ['failed', 'stored']);
      const r2 = await client.store(files);
      assert.deepEqual(r2.map((r) => [r.outcome, r.message]), [['stored', 'stored (the server gave no per-instance details)'], ['stored', 'stored (the server gave no per-instance details)']]);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('a refusal of the whole request is an error with the server message, even when it answers before reading the body', async () => {
    const files = makeFiles(1, 8 * 1024 * 1024);
    let n = 0;
    const server = await startServer(async (req, res) => {
      if (n++ === 0) {
        // Answers at once, before reading the 8 MB body, and keeps the connection open while the
        // client still sends. (A server that closes at once can reset the connection before the
        // client has read the answer: then the client can only report the reset.)
        const body = JSON.stringify({ message: 'Request entity too large for this tenant' });
        res.writeHead(413, { 'Content-Type': 'application/json', 'Content-Length': body.length });
        res.write(body);
        try { for await (const _ of req) { /* throw away */ } } catch { /* the client stopped sending */ }
        res.end();
        return;
      }
      await receive(req);
      res.writeHead(415, { 'Content-Type': 'text/plain' });
      res.end('Unsupported media type');
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      await assert.rejects(client.store(files), (e: unknown) => {
        assert.ok(e instanceof DicomwebError);
        assert.equal(e.kind, 'http');
        assert.equal(e.status, 413);
        assert.equal(e.message, `The server answered 413 Payload Too Large to POST ${server.url}/studies: Request entity too large for this tenant.`);
        return true;
      });
      await assert.rejects(client.store(files), { kind: 'http', status: 415, message: `The server answered 415 Unsupported Media Type to POST ${server.url}/studies: Unsupported media type.` });
    } finally {
      client.close();
      await server.close();
    }
  });

  test('a file whose size changed since it was measured breaks the body instead of sending a wrong length', async () => {
    const [f] = makeFiles(1);
    const collect = async (size: number) => {
      const body = stowBody([{ path: f.path, size }], 'b1');
      const pieces: Buffer[] = [];
      for await (const c of body.stream) pieces.push(c as Buffer);
      return { body, bytes: Buffer.concat(pieces) };
    };
    const ok = await collect(f.fileSize);
    assert.equal(ok.bytes.length, ok.body.length);
    assert.ok(ok.bytes.equals(Buffer.concat([Buffer.from('--b1\r\nContent-Type: application/dicom\r\n\r\n'), f.bytes, Buffer.from('\r\n--b1--\r\n')])));
    await assert.rejects(collect(f.fileSize - 1), (e: unknown) => e instanceof FileChangedError && e.message === `${f.path} changed while it was being sent: it was ${f.fileSize - 1} bytes long and now longer`);
    await assert.rejects(collect(f.fileSize + 10), { message: `${f.path} changed while it was being sent: it was ${f.fileSize + 10} bytes long and now ${f.fileSize} bytes` });
  });

  test('a file that cannot be read is an io error; one that is not DICOM fails before sending', async () => {
    const server = await startServer(async (req, res) => {
      try { await receive(req); } catch { /* the client broke off */ }
      res.end();
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      await assert.rejects(client.store([{ path: path.join(dir, 'missing.dcm'), sopInstanceUid: '1.2.3' }]), (e: unknown) => {
        assert.ok(e instanceof DicomwebError);
        assert.equal(e.kind, 'io');
        assert.equal(e.code, 'ENOENT');
        assert.equal(e.message, `${path.join(dir, 'missing.dcm')} cannot be sent: ENOENT: no such file or directory, stat '${path.join(dir, 'missing.dcm')}'.`);
        return true;
      });
      assert.equal(server.requests.length, 0);
      const text = path.join(dir, 'text.txt');
      writeFileSync(text, 'hello, not DICOM '.repeat(20));
      const before = server.requests.length;
      await assert.rejects(client.store([text]), { kind: 'io', message: `${text} cannot be sent: ${text} is not a DICOM file: it has no "DICM" marker at offset 128 and does not start with a DICOM element.` });
      assert.equal(server.requests.length, before);
      assert.ok(readFileSync(text).length > 0);
    } finally {
      client.close();
      await server.close();
    }
  });
});
