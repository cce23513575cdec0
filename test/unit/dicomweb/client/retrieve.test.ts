// WADO-RS retrieve through DicomwebClient against a local node:http server: parts streamed to
// disk with flat memory, UIDs read from the bytes, bad parts refused, broken bodies cleaned up.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DicomwebClient, DicomwebError } from '../../../../src/dicomweb/client';
import { parseAccept } from '../../../../src/dicomweb/multipart';
import { instanceBytes, pixelByte, startServer, syntheticInstance, write, type SyntheticInstance } from './test-server';

const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `dicomnet-wado-${name}-`));
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p)); else out.push(p);
  }
  return out.sort();
}

const STUDY = '1.2.826.0.1.3680043.10.1';
const SERIES = '1.2.826.0.1.3680043.10.1.2';
const sopOf = (i: number) => `1.2.826.0.1.3680043.10.1.2.${i + 1}`;

/** One period of an instance's pixel bytes, repeated to 1 MiB (the pattern has period 256). */
function pattern(sopIndex: number): Buffer {
  const b = Buffer.allocUnsafe(1024 * 1024);
  for (let i = 0; i < b.length; i++) b[i] = pixelByte(sopIndex, i);
  return b;
}

describe('WADO-RS retrieve', () => {
  test('streams 200 MB of parts to <Study>/<Series>/<SOP>.dcm with flat memory', async () => {
    const parts = 100;
    const pixelBytes = 2 * 1024 * 1024;
    const boundary = 'wado-test-boundary-1';
    const instances: SyntheticInstance[] = Array.from({ length: parts }, (_, i) => syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(i) }, pixelBytes));
    const patterns = [pattern(0), pattern(1)];
    const server = await startServer(async (req, res) => {
      res.writeHead(200, { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` });
      for (const [i, inst] of instances.entries()) {
        await write(res, `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
        await write(res, inst.head);
        // Instances alternate between two pixel patterns (see pixelByte).
        const p = patterns[i & 1];
        for (let sent = 0; sent < pixelBytes; sent += p.length) await write(res, p.subarray(0, Math.min(p.length, pixelBytes - sent)));
      }
      res.end(`\r\n--${boundary}--\r\n`);
    });
    const out = temp('flat');
    dirs.push(out);
    const client = new DicomwebClient({ baseUrl: `${server.url}/dicom-web` });
    try {
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
      const timer = setInterval(sample, 20);
      let received = 0;
      const summary = await client.retrieve({ study: STUDY }, {
        outputDir: out,
        durable: false,
        onBytes: (n) => { received += n; },
        onInstance: sample,
      });
      clearInterval(timer);
      sample();
      const growthMb = (peak - before) / 1024 / 1024;
      console.log(`retrieve of ${(summary.bytes / 1024 / 1024).toFixed(0)} MB in ${parts} parts: rss before ${(before / 1024 / 1024).toFixed(1)} MB, peak ${(peak / 1024 / 1024).toFixed(1)} MB, growth ${growthMb.toFixed(1)} MB`);
      assert.equal(summary.status, 200);
      assert.equal(summary.instances.length, parts);
      assert.equal(summary.rejected.length, 0);
      assert.equal(received, summary.bytes);
      assert.ok(summary.bytes > 200 * 1024 * 1024);
      // What remains is garbage-collector slack over socket buffers, the same for 600 MB as for 200 MB.
      assert.ok(growthMb < 80, `rss grew by ${growthMb.toFixed(1)} MB while streaming ${(summary.bytes / 1024 / 1024).toFixed(0)} MB`);

      // Accept asks for multipart/related of application/dicom in any transfer syntax.
      const accept = parseAccept(String(server.requests[0].headers.accept));
      assert.equal(accept[0].type, 'multipart');
      assert.equal(accept[0].params['type'], 'application/dicom');
      assert.equal(accept[0].params['transfer-syntax'], '*');
      assert.equal(server.requests[0].url, '/dicom-web/studies/1.2.826.0.1.3680043.10.1');

      const files = filesUnder(out);
      assert.deepEqual(files, instances.map((inst) => path.join(out, STUDY, SERIES, `${inst.sop}.dcm`)).sort());
      for (const [i, inst] of summary.instances.entries()) {
        assert.equal(inst.index, i);
        assert.equal(inst.sopInstanceUID, sopOf(i));
        assert.equal(inst.studyInstanceUID, STUDY);
        assert.equal(inst.seriesInstanceUID, SERIES);
        assert.equal(inst.sopClassUID, '1.2.840.10008.5.1.4.1.1.7');
        assert.equal(inst.transferSyntaxUID, '1.2.840.10008.1.2.1');
        assert.equal(statSync(inst.path).size, instances[i].size);
      }
      // Byte-exact content for the first and last file, and spot checks in the others.
      for (const i of [0, parts - 1]) {
        assert.ok(readFileSync(summary.instances[i].path).equals(instanceBytes(instances[i], i & 1)), `file ${i} differs`);
      }
      for (const inst of summary.instances) {
        const fd = openSync(inst.path, 'r');
        const at = instances[inst.index].head.length + 1234567;
        const b = Buffer.alloc(1);
        readSync(fd, b, 0, 1, at);
        closeSync(fd);
        assert.equal(b[0], pixelByte(inst.index & 1, 1234567));
      }
      assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('.')), [], 'temporary files left behind');
    } finally {
      client.close();
      await server.close();
    }
  });

  test('refuses parts that are not DICOM, have invalid UIDs or another media type, and keeps the good ones', async () => {
    const good = syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(0) }, 1000);
    const badUid = syntheticInstance({ study: '1.2.03', series: SERIES, sop: sopOf(1) }, 10);
    const traversal = syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(2) }, 10);
    // Swap the SOP Instance UID bytes for "../../x" (same length, so the encoding stays valid).
    const sopText = Buffer.from(sopOf(2), 'latin1');
    const evilHead = Buffer.from(traversal.head);
    // The data set's copy comes after the file meta's.
    const dsCopy = evilHead.lastIndexOf(sopText);
    evilHead.write('../../../x'.padEnd(sopText.length, '/'), dsCopy, 'latin1');
    const boundary = 'b-mixed';
    const partsBody: Array<[string, Buffer]> = [
      ['application/dicom', instanceBytes(good, 0)],
      ['application/dicom', Buffer.from('this is not a DICOM file at all, just some text that is long enough to be read as one. '.repeat(3))],
      ['application/dicom', instanceBytes(badUid, 0)],
      ['application/octet-stream', Buffer.alloc(100, 1)],
      ['application/dicom', Buffer.concat([evilHead, Buffer.alloc(10)])],
    ];
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` });
      for (const [type, body] of partsBody) res.write(Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`), body, Buffer.from('\r\n')]));
      res.end(`--${boundary}--\r\n`);
    });
    const out = temp('mixed');
    dirs.push(out);
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      const summary = await client.retrieve({ study: STUDY, series: SERIES }, { outputDir: out });
      assert.equal(server.requests[0].url, `/studies/${STUDY}/series/${SERIES}`);
      assert.equal(summary.instances.length, 1);
      assert.equal(summary.instances[0].sopInstanceUID, sopOf(0));
      assert.ok(readFileSync(summary.instances[0].path).equals(instanceBytes(good, 0)));
      assert.deepEqual(summary.rejected.map((r) => r.index), [1, 2, 3, 4]);
      assert.match(summary.rejected[0].reason, /^part 2 is not a DICOM file: it has no "DICM" marker/);
      assert.match(summary.rejected[1].reason, /^part 3 has the Study Instance UID "1\.2\.03", which is not a valid UID$/);
      assert.match(summary.rejected[2].reason, /^part 4 is application\/octet-stream, not application\/dicom$/);
      assert.match(summary.rejected[3].reason, /^part 5 has the SOP Instance UID "\.\.\/\.\.\/\.\.\/x\/*", which is not a valid UID$/);
      assert.deepEqual(filesUnder(out), [summary.instances[0].path]);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('a body that breaks off in the middle of a part leaves no file behind and says why', async () => {
    const inst = syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(0) }, 100_000);
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=zz' });
      // The half part is handed to the kernel, then the connection closes: the client gets
      // those bytes, then the end of the stream.
      res.write(Buffer.concat([Buffer.from('--zz\r\nContent-Type: application/dicom\r\n\r\n'), instanceBytes(inst, 0).subarray(0, 50_000)]), () => res.destroy());
    });
    const out = temp('broken');
    dirs.push(out);
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      await assert.rejects(client.retrieve({ study: STUDY }, { outputDir: out }), (e: unknown) => {
        assert.ok(e instanceof DicomwebError);
        assert.equal(e.kind, 'network');
        assert.match(e.message, /^The connection to 127\.0\.0\.1:\d+ closed in the middle of the answer to GET http:\/\/127\.0\.0\.1:\d+\/studies\/[\d.]+\.$/);
        return true;
      });
      assert.deepEqual(filesUnder(out), []);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('a malformed multipart body is a response error, and a missing close delimiter too', async () => {
    const inst = syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(0) }, 100);
    const bodies = [
      Buffer.concat([Buffer.from('--zz\r\nContent-Type: application/dicom\r\n\r\n'), instanceBytes(inst, 0)]),
      Buffer.from('--zz\r\nnot a header line\r\n\r\nxx\r\n--zz--\r\n'),
    ];
    let n = 0;
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=zz' });
      res.end(bodies[n++]);
    });
    const out = temp('malformed');
    dirs.push(out);
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      for (const expected of [/ends inside part 1, before its closing boundary/, /part 1 has the header line "not a header line"/i]) {
        await assert.rejects(client.retrieve({ study: STUDY }, { outputDir: out }), (e: unknown) => {
          assert.ok(e instanceof DicomwebError);
          assert.equal(e.kind, 'response');
          assert.match(e.message, /^The answer to GET http:\/\/127\.0\.0\.1:\d+\/studies\/[\d.]+ is not a valid multipart body: /);
          assert.match(e.message, expected);
          return true;
        });
      }
      assert.deepEqual(filesUnder(out), []);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('an answer that is not multipart is refused; a bare application/dicom instance is taken as one part', async () => {
    const inst = syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(3) }, 64);
    let n = 0;
    const server = await startServer((req, res) => {
      if (n++ === 0) {
        res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
        res.end('[]');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/dicom' });
        res.end(instanceBytes(inst, 0));
      }
    });
    const out = temp('bare');
    dirs.push(out);
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      await assert.rejects(client.retrieve({ study: STUDY }, { outputDir: out }), /is "application\/dicom\+json", not multipart\/related with a boundary\.$/);
      const summary = await client.retrieve({ study: STUDY, series: SERIES, instance: sopOf(3) }, { outputDir: out, transferSyntax: '1.2.840.10008.1.2.1' });
      assert.equal(server.requests[1].url, `/studies/${STUDY}/series/${SERIES}/instances/${sopOf(3)}`);
      assert.equal(parseAccept(String(server.requests[1].headers.accept))[0].params['transfer-syntax'], '1.2.840.10008.1.2.1');
      assert.equal(summary.instances.length, 1);
      assert.ok(readFileSync(summary.instances[0].path).equals(instanceBytes(inst, 0)));
    } finally {
      client.close();
      await server.close();
    }
  });

  test('an output folder that does not exist yet is created', async () => {
    const inst = syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(0) }, 1000);
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=zz' });
      res.end(Buffer.concat([Buffer.from('--zz\r\nContent-Type: application/dicom\r\n\r\n'), instanceBytes(inst, 0), Buffer.from('\r\n--zz--\r\n')]));
    });
    const parent = temp('new');
    dirs.push(parent);
    const out = path.join(parent, 'not', 'there', 'yet');
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      const summary = await client.retrieve({ study: STUDY }, { outputDir: out });
      assert.deepEqual(filesUnder(out), [path.join(out, STUDY, SERIES, `${sopOf(0)}.dcm`)]);
      assert.equal(summary.instances[0].path, path.join(out, STUDY, SERIES, `${sopOf(0)}.dcm`));
    } finally {
      client.close();
      await server.close();
    }
  });

  test('aborting in the middle of a retrieve stops it and removes the partial file', async () => {
    const inst = syntheticInstance({ study: STUDY, series: SERIES, sop: sopOf(0) }, 50 * 1024 * 1024);
    const server = await startServer(async (req, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=zz' });
      await write(res, Buffer.concat([Buffer.from('--zz\r\nContent-Type: application/dicom\r\n\r\n'), inst.head]));
      const chunk = Buffer.alloc(256 * 1024, 7);
      for (let i = 0; i < 200 && !res.destroyed; i++) await write(res, chunk);
    });
    const out = temp('abort');
    dirs.push(out);
    const client = new DicomwebClient({ baseUrl: server.url });
    const controller = new AbortController();
    let received = 0;
    try {
      await assert.rejects(client.retrieve({ study: STUDY }, {
        outputDir: out,
        signal: controller.signal,
        onBytes: (n) => {
          received += n;
          if (received > 1024 * 1024) controller.abort();
        },
      }), (e: unknown) => {
        assert.ok(e instanceof DicomwebError);
        assert.equal(e.kind, 'aborted');
        assert.match(e.message, /^The request GET http:\/\/127\.0\.0\.1:\d+\/studies\/[\d.]+ was cancelled\.$/);
        return true;
      });
      assert.ok(received < inst.size);
      assert.deepEqual(filesUnder(out), []);
      // An already aborted signal fails at once, without a request.
      const before = server.requests.length;
      await assert.rejects(client.retrieve({ study: STUDY }, { outputDir: out, signal: controller.signal }), { kind: 'aborted' });
      assert.equal(server.requests.length, before);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('retrieveParts hands each raw part to the caller; metadata and rendered', async () => {
    const server = await startServer((req, res) => {
      const pathname = new URL(req.url!, 'http://x').pathname;
      if (pathname.endsWith('/metadata')) {
        res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
        res.end(JSON.stringify([{ '00080018': { vr: 'UI', Value: [sopOf(0)] } }]));
      } else if (pathname.endsWith('/rendered')) {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      } else if (pathname.endsWith('/thumbnail')) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('No thumbnails here');
      } else {
        res.writeHead(206, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=zz', Warning: '299 test "Some instances are not available"' });
        res.end('--zz\r\n\r\nabc\r\n--zz\r\nContent-Type: application/dicom\r\nContent-Location: /x\r\n\r\ndefg\r\n--zz--\r\n');
      }
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      const seen: Array<{ index: number; type: string; body: string; location?: string }> = [];
      const r = await client.retrieveParts({ study: STUDY }, {
        onPart: async (part) => {
          let body = '';
          for await (const c of part.body) body += c.toString();
          seen.push({ index: part.index, type: part.contentType, body, ...(part.headers['content-location'] ? { location: part.headers['content-location'] } : {}) });
        },
      });
      assert.deepEqual(seen, [
        { index: 0, type: 'application/dicom', body: 'abc' },
        { index: 1, type: 'application/dicom', body: 'defg', location: '/x' },
      ]);
      assert.equal(r.status, 206);
      assert.equal(r.parts, 2);
      assert.deepEqual(r.warnings, ['Some instances are not available']);

      const meta = await client.metadata({ study: STUDY, series: SERIES, instance: sopOf(0) });
      assert.deepEqual(meta, [{ '00080018': { vr: 'UI', Value: [sopOf(0)] } }]);
      assert.equal(server.requests[1].url, `/studies/${STUDY}/series/${SERIES}/instances/${sopOf(0)}/metadata`);
      assert.match(String(server.requests[1].headers.accept), /^application\/dicom\+json/);

      const image = await client.rendered({ study: STUDY, series: SERIES }, { accept: 'image/png', params: { quality: '90' } });
      assert.equal(image.contentType, 'image/png');
      assert.deepEqual([...image.body], [0x89, 0x50, 0x4e, 0x47]);
      assert.equal(server.requests[2].url, `/studies/${STUDY}/series/${SERIES}/rendered?quality=90`);
      assert.equal(server.requests[2].headers.accept, 'image/png');
      await assert.rejects(client.thumbnail({ study: STUDY }), {
        kind: 'http', status: 404,
        message: `The server answered 404 Not Found to GET ${server.url}/studies/${STUDY}/thumbnail: No thumbnails here.`,
      });
      assert.equal(server.requests[3].headers.accept, 'image/jpeg');
      // UIDs are checked before they become a path.
      await assert.rejects(client.metadata({ study: '1.2.3/../4' }), { kind: 'io', message: 'The Study Instance UID "1.2.3/../4" is not a valid UID.' });
      await assert.rejects(client.metadata({ study: STUDY, instance: sopOf(0) }), { kind: 'io' });
      assert.equal(server.requests.length, 4);
    } finally {
      client.close();
      await server.close();
    }
  });
});
