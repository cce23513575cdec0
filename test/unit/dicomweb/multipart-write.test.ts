// multipartStream, both directions against Python's email package, properties, throughput.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { MultipartError, checkBoundary, makeBoundary, multipartStream, parseMultipart, type MultipartWritePart } from '../../../src/dicomweb/multipart';
import { B, chunksOf, collect, crlf, cutAt, parseAll } from './multipart-fixtures';

describe('multipartStream', () => {
  test('writes the exact RFC 2046 layout', async () => {
    const parts: MultipartWritePart[] = [
      { headers: { 'Content-Type': 'application/dicom', 'Content-Location': '/a', Skipped: undefined }, body: Buffer.from('one') },
      { headers: [['Content-Type', 'application/dicom+json'], ['Content-Length', 2]], body: '{}' },
    ];
    const bytes = await collect(multipartStream(parts, 'b1'));
    assert.equal(
      bytes.toString('latin1'),
      '--b1\r\nContent-Type: application/dicom\r\nContent-Location: /a\r\n\r\none'
      + '\r\n--b1\r\nContent-Type: application/dicom+json\r\nContent-Length: 2\r\n\r\n{}'
      + '\r\n--b1--\r\n',
    );
    assert.equal((await collect(multipartStream([], 'b1'))).toString(), '--b1--\r\n');
  });

  test('takes bodies as Readables and async iterables, and round-trips through the parser', async () => {
    async function* gen(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([1, 2, 3]);
      yield Buffer.alloc(0);
      yield Buffer.from([4]);
    }
    const boundary = makeBoundary();
    const stream = multipartStream(
      (async function* () {
        yield { headers: { 'Content-Type': 'application/octet-stream' }, body: Readable.from([Buffer.from('readable')]) };
        yield { headers: {}, body: gen() };
        yield { headers: { 'X-Empty': '' }, body: Buffer.alloc(0) };
      })(),
      boundary,
    );
    const parts = await parseAll(stream, boundary);
    assert.deepEqual(parts, [
      { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('readable') },
      { headers: {}, body: Buffer.from([1, 2, 3, 4]) },
      { headers: { 'x-empty': '' }, body: Buffer.alloc(0) },
    ]);
  });

  test('rejects a bad boundary at once and a header with a line break on the stream', async () => {
    for (const bad of ['', 'x'.repeat(71), 'semi;colon', 'ends ', 'quote"']) {
      assert.throws(() => multipartStream([], bad), (e: unknown) => e instanceof MultipartError && e.code === 'bad-boundary');
    }
    const injected = multipartStream([{ headers: { 'Content-Type': 'a/b\r\nX-Evil: 1' }, body: 'x' }], 'b');
    await assert.rejects(collect(injected), (e: unknown) => e instanceof MultipartError && e.code === 'bad-header');
    const badName = multipartStream([{ headers: { 'Bad Name': 'v' }, body: 'x' }], 'b');
    await assert.rejects(collect(badName), (e: unknown) => e instanceof MultipartError && e.code === 'bad-header');
  });

  test('pulls body chunks only as fast as the reader reads (backpressure)', async () => {
    let produced = 0;
    async function* body(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield Buffer.alloc(64 * 1024, i & 0xff);
      }
    }
    const stream = multipartStream([{ headers: { 'Content-Type': 'application/octet-stream' }, body: body() }], 'bp');
    const first = await new Promise<Buffer>((resolve) => stream.once('readable', () => resolve(stream.read() as Buffer)));
    assert.ok(first.length > 0);
    // Nothing but this stream runs: after some turns of the event loop it has pulled what it
    // would pull without a reader (an eager producer runs on ticks and microtasks).
    for (let turn = 0; turn < 20; turn++) await new Promise((r) => setImmediate(r));
    assert.ok(produced <= 4, `${produced} chunks of 64 KiB were produced while nobody read`);
    let total = first.length;
    for await (const piece of stream) total += (piece as Buffer).length;
    assert.equal(produced, 1000);
    assert.equal(total, 1000 * 64 * 1024 + '--bp\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--bp--\r\n'.length);
  });

  test('an error in a part body destroys the stream with that error', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('start');
      throw new Error('disk went away');
    }
    await assert.rejects(collect(multipartStream([{ headers: {}, body: failing() }], 'b')), /disk went away/);
  });

  test('makeBoundary gives distinct valid boundaries', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const b = makeBoundary();
      assert.match(b, /^[0-9A-Za-z\-]{10,70}$/);
      checkBoundary(b);
      seen.add(b);
    }
    assert.equal(seen.size, 100);
  });
});

describe('multipart against Python\'s email package (an independent MIME implementation)', () => {
  const PY = '/usr/bin/python3';
  const available = spawnSync(PY, ['-c', 'import email'], { encoding: 'utf8' }).status === 0;

  test('Python reads what multipartStream writes', { skip: !available && 'no /usr/bin/python3' }, async () => {
    const boundary = makeBoundary();
    const bodies = [randomBytes(3000), Buffer.from('{"a":1}'), Buffer.from(`\r\n--${boundary.slice(0, 8)}\r\n`)];
    const bytes = await collect(multipartStream(bodies.map((body, i) => ({
      headers: { 'Content-Type': i === 1 ? 'application/dicom+json' : 'application/octet-stream', 'Content-Location': `/p/${i}` },
      body,
    })), boundary));
    const script = [
      'import sys, hashlib, email, email.policy',
      'data = sys.stdin.buffer.read()',
      `head = b'Content-Type: multipart/related; type="application/octet-stream"; boundary="${boundary}"\\r\\n\\r\\n'`,
      'msg = email.message_from_bytes(head + data, policy=email.policy.HTTP)',
      'for p in msg.iter_parts():',
      '    body = p.get_payload(decode=True)',
      '    print(p.get_content_type(), p["Content-Location"], len(body), hashlib.sha256(body).hexdigest())',
    ].join('\n');
    const r = spawnSync(PY, ['-c', script], { input: bytes, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const expected = bodies.map((b, i) => `${i === 1 ? 'application/dicom+json' : 'application/octet-stream'} /p/${i} ${b.length} ${createHash('sha256').update(b).digest('hex')}`);
    assert.deepEqual(r.stdout.trim().split('\n'), expected);
  });

  test('parseMultipart reads what Python writes', { skip: !available && 'no /usr/bin/python3' }, async () => {
    const script = [
      'import sys, email.policy',
      'from email.mime.multipart import MIMEMultipart',
      'from email.mime.application import MIMEApplication',
      'from email.encoders import encode_noop',
      'm = MIMEMultipart("related", boundary="py-boundary-42")',
      '# CR and LF left out: the generator rewrites them as line ends.',
      'first = bytes(b for b in range(256) if b not in (10, 13)) * 4',
      'for i, payload in enumerate([first, b"second part", b""]):',
      '    part = MIMEApplication(payload, "dicom", encode_noop)',
      '    part["Content-Location"] = "/instances/%d" % i',
      '    m.attach(part)',
      'sys.stdout.buffer.write(m.as_bytes(policy=email.policy.HTTP))',
    ].join('\n');
    const r = spawnSync(PY, ['-c', script]);
    assert.equal(r.status, 0, r.stderr?.toString());
    const whole = r.stdout as Buffer;
    const bodyStart = whole.indexOf('\r\n\r\n') + 4; // after the message's own headers
    const parts = await parseAll(chunksOf(whole.subarray(bodyStart), 13), 'py-boundary-42');
    assert.equal(parts.length, 3);
    const first = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 10 && b !== 13));
    assert.deepEqual(parts[0].body, Buffer.concat([first, first, first, first]));
    assert.equal(parts[1].body.toString(), 'second part');
    assert.equal(parts[2].body.length, 0);
    assert.deepEqual(parts.map((p) => [p.headers['content-type'], p.headers['content-location']]), [
      ['application/dicom', '/instances/0'], ['application/dicom', '/instances/1'], ['application/dicom', '/instances/2'],
    ]);
  });
});

describe('multipart properties (fast-check)', () => {
  const BCHARS = "0123456789abcdefXYZ'()+_,-./:=? ";
  const boundaryArb = fc.string({ unit: fc.constantFrom(...BCHARS), minLength: 1, maxLength: 70 })
    .filter((b) => !b.endsWith(' '));

  /** Bodies built from pieces that resemble delimiters, so that near-misses are common. */
  function bodyArb(boundary: string): fc.Arbitrary<Buffer> {
    const piece = fc.oneof(
      fc.constantFrom('\r', '\n', '\r\n', '-', '--', '\r\n--', `--${boundary}`, `\r\n--${boundary.slice(0, -1)}`, `\r\n-${boundary}`, `\r\n--${boundary}`.slice(0, 3)),
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a).toString('latin1')),
    );
    return fc.array(piece, { maxLength: 12 }).map((ps) => Buffer.from(ps.join(''), 'latin1'));
  }

  const headerArb = fc.record({
    'Content-Type': fc.constantFrom('application/dicom', 'application/dicom+json', 'application/octet-stream', 'image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50'),
    'Content-Location': fc.stringMatching(/^\/[a-z0-9./]{0,30}$/),
  }, { requiredKeys: [] });

  test('write, split anywhere, parse: the same parts come back', async () => {
    await fc.assert(fc.asyncProperty(
      boundaryArb.chain((boundary) => fc.tuple(
        fc.constant(boundary),
        fc.array(fc.tuple(headerArb, bodyArb(boundary)), { maxLength: 5 }),
        fc.array(fc.nat({ max: 4000 }), { maxLength: 40 }),
      )),
      async ([boundary, parts, cuts]) => {
        const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
        // A sender must pick a boundary that no body contains (RFC 2046 5.1.1).
        fc.pre(parts.every(([, body]) => !Buffer.concat([Buffer.from('\r\n'), body]).includes(delimiter)));
        const bytes = await collect(multipartStream(parts.map(([headers, body]) => ({ headers, body })), boundary));
        const parsed = await parseAll(cutAt(bytes, cuts.map((c) => c % (bytes.length + 1))), boundary);
        assert.equal(parsed.length, parts.length);
        parsed.forEach((p, i) => {
          const [headers, body] = parts[i];
          assert.deepEqual(p.body, body);
          assert.deepEqual(p.headers, Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])));
        });
      },
    ), { numRuns: 300 });
  });

  test('damaged bodies give a MultipartError or parts, never another error; cut bodies always fail', async () => {
    const boundary = 'prop-boundary';
    const good = (await collect(multipartStream([
      { headers: { 'Content-Type': 'application/dicom', 'Content-Length': 12 }, body: 'first body\r\n' },
      { headers: { 'Content-Type': 'application/dicom+json' }, body: '{"x":[1,2]}' },
    ], boundary)));
    const closeEnd = good.lastIndexOf(`--${boundary}--`) + boundary.length + 4;
    await fc.assert(fc.asyncProperty(
      fc.oneof(
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat({ max: good.length }) }),
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: good.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat({ max: good.length }), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      ),
      fc.array(fc.nat({ max: 400 }), { maxLength: 20 }),
      async (damage, cuts) => {
        let bytes: Buffer;
        if (damage.kind === 'cut') bytes = good.subarray(0, damage.at);
        else if (damage.kind === 'flip') { bytes = Buffer.from(good); bytes[damage.at] = damage.byte; }
        else bytes = Buffer.concat([good.subarray(0, damage.at), Buffer.from(damage.bytes), good.subarray(damage.at)]);
        try {
          await parseAll(cutAt(bytes, cuts), boundary);
          assert.ok(!(damage.kind === 'cut' && damage.at < closeEnd), `a body cut at ${damage.at} of ${good.length} was accepted`);
        } catch (err) {
          assert.ok(err instanceof MultipartError, String(err));
          assert.ok(err.status === 400 || err.status === 413);
        }
      },
    ), { numRuns: 500 });
  });
});

describe('parseMultipart throughput', () => {
  test('parses 1 GiB of large parts and prints the rate (not asserted)', async (t) => {
    const chunkSize = 64 * 1024;
    const partSize = 64 * 1024 * 1024;
    const parts = 16; // 1 GiB of part bodies
    const content = randomBytes(chunkSize); // random bytes hold a CR every 256 bytes on average
    const head = crlf(`--${B}\nContent-Type: application/octet-stream\n\n`);
    const between = crlf(`\n--${B}\nContent-Type: application/octet-stream\n\n`);
    const tail = crlf(`\n--${B}--\n`);
    async function* source(): AsyncGenerator<Buffer> {
      yield head;
      for (let p = 0; p < parts; p++) {
        if (p > 0) yield between;
        for (let sent = 0; sent < partSize; sent += chunkSize) yield content; // reused: the consumer only counts
      }
      yield tail;
    }
    const started = process.hrtime.bigint();
    let bytes = 0;
    let count = 0;
    for await (const part of parseMultipart(source(), B)) {
      count++;
      for await (const piece of part.body) bytes += piece.length;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(count, parts);
    assert.equal(bytes, parts * partSize);
    t.diagnostic(`parsed ${(bytes / 2 ** 30).toFixed(2)} GiB in ${seconds.toFixed(2)} s: ${(bytes / seconds / 1e9).toFixed(2)} GB/s (64 KiB chunks)`);
    console.log(`# multipart parse rate: ${(bytes / seconds / 1e9).toFixed(2)} GB/s over ${(bytes / 2 ** 30).toFixed(2)} GiB`);
  });
});
