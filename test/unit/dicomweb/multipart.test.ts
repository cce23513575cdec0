import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import {
  MultipartError,
  checkBoundary,
  makeBoundary,
  multipartStream,
  parseMultipart,
  readPartBody,
  type MultipartWritePart,
  type ParseMultipartOptions,
} from '../../../src/dicomweb/multipart';

interface Parsed {
  headers: Record<string, string>;
  body: Buffer;
}

const B = 'dicomnet-test-boundary';

/** Yields `bytes` cut at the given positions (sorted, deduplicated, inside the buffer). */
async function* cutAt(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  let from = 0;
  for (const p of points) {
    yield Buffer.from(bytes.subarray(from, p));
    from = p;
  }
  if (from < bytes.length) yield Buffer.from(bytes.subarray(from));
}

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield Buffer.from(bytes.subarray(i, i + size));
}

async function parseAll(source: AsyncIterable<Uint8Array> | Readable, boundary = B, opts: ParseMultipartOptions = {}): Promise<Parsed[]> {
  const out: Parsed[] = [];
  for await (const part of parseMultipart(source, boundary, opts)) {
    const pieces: Buffer[] = [];
    for await (const piece of part.body) pieces.push(Buffer.from(piece));
    out.push({ headers: { ...part.headers }, body: Buffer.concat(pieces) });
  }
  return out;
}

async function collect(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

async function rejectsWith(p: Promise<unknown>, code: string, status: number): Promise<MultipartError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof MultipartError, `expected a MultipartError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.status, status);
    assert.match(err.message, /^[A-Z].*\.$/); // one sentence
    return err;
  }
  assert.fail(`expected a MultipartError ${code}`);
}

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1');

const SAMPLE = crlf(
  'This is the preamble; it mentions --dicomnet-test-boundar and is ignored.\n'
  + `--${B}\n`
  + 'Content-Type: application/dicom\n'
  + 'Content-Location: /studies/1.2.3/series/4.5/instances/6.7\n'
  + '\n'
  + 'DICM body one\n'
  + `--${B}\n`
  + 'content-type: application/dicom+json\n'
  + 'Content-ID: <part2@dicomnet>\n'
  + '\n'
  + '{"00100010":{"vr":"PN"}}\n'
  + `--${B}--\n`
  + 'This is the epilogue.\n',
);

describe('parseMultipart on fixed bodies', () => {
  test('reads headers and bodies, skipping preamble and epilogue', async () => {
    const parts = await parseAll(chunksOf(SAMPLE, 4096));
    assert.equal(parts.length, 2);
    assert.deepEqual(parts[0].headers, {
      'content-type': 'application/dicom',
      'content-location': '/studies/1.2.3/series/4.5/instances/6.7',
    });
    assert.equal(parts[0].body.toString('latin1'), 'DICM body one');
    assert.deepEqual(parts[1].headers, { 'content-type': 'application/dicom+json', 'content-id': '<part2@dicomnet>' });
    assert.equal(parts[1].body.toString('latin1'), '{"00100010":{"vr":"PN"}}');
  });

  test('exposes Content-Type, Content-Location, Content-ID and Content-Length as fields', async () => {
    const body = crlf(`--${B}\nContent-Type: application/octet-stream\nContent-Length: 5\nContent-Location: /x\nContent-ID: <a>\n\nhello\n--${B}--`);
    const seen: unknown[] = [];
    for await (const part of parseMultipart(chunksOf(body, 3), B)) {
      seen.push([part.index, part.contentType, part.contentLength, part.contentLocation, part.contentId]);
      assert.equal((await readPartBody(part, 100)).toString(), 'hello');
    }
    assert.deepEqual(seen, [[0, 'application/octet-stream', 5, '/x', '<a>']]);
  });

  test('every split into two chunks and 1-byte chunks give the same parts', async () => {
    const reference = await parseAll(chunksOf(SAMPLE, SAMPLE.length));
    for (let cut = 1; cut < SAMPLE.length; cut++) {
      assert.deepEqual(await parseAll(cutAt(SAMPLE, [cut])), reference, `split at ${cut}`);
    }
    assert.deepEqual(await parseAll(chunksOf(SAMPLE, 1)), reference);
  });

  test('body bytes that look like partial delimiters stay in the body', async () => {
    const tricky = [
      '\r', '\r\n', '\r\n-', '\r\n--', `\r\n--${B.slice(0, -1)}`, `--${B}`, `\n--${B}`, `\r--${B}`,
      `\r\n-${B}`, `\r\n--${B.slice(0, 5)}\r\n--${B.slice(0, 9)}x`, `x\r\n--${B.slice(0, -1)}`, '\r\r\r\n\r\n',
    ];
    for (const text of tricky) {
      const content = Buffer.from(`A${text}`, 'latin1');
      const ending = Buffer.from(text, 'latin1');
      const body = Buffer.concat([crlf(`--${B}\n\n`), content, crlf(`\n--${B}\n\n`), ending, crlf(`\n--${B}--\n`)]);
      for (const size of [1, 2, 3, 7, 64]) {
        const parts = await parseAll(chunksOf(body, size));
        assert.equal(parts.length, 2, JSON.stringify(text));
        assert.deepEqual(parts[0].body, content, `${JSON.stringify(text)} in chunks of ${size}`);
        assert.deepEqual(parts[1].body, ending, `${JSON.stringify(text)} at the end, chunks of ${size}`);
      }
    }
  });

  test('a first boundary at offset 0, transport padding, empty headers and an empty body', async () => {
    const body = crlf(`--${B} \t \nX-A: 1\n\nfirst\n--${B}\t\n\n\n--${B}\n\n\n\n--${B}-- trailing padding\nepilogue`);
    const parts = await parseAll(chunksOf(body, 5));
    assert.equal(parts.length, 3);
    assert.deepEqual(parts[0], { headers: { 'x-a': '1' }, body: Buffer.from('first') });
    assert.deepEqual(parts[1], { headers: {}, body: Buffer.alloc(0) });
    assert.deepEqual(parts[2], { headers: {}, body: Buffer.from('\r\n') });
  });

  test('folded and repeated header fields', async () => {
    const body = crlf(`--${B}\nContent-Type: multipart/related;\n type="application/dicom"\nX-Dup: a\nx-dup: b\n\nz\n--${B}--\n`);
    const [part] = await parseAll(chunksOf(body, 2));
    assert.equal(part.headers['content-type'], 'multipart/related; type="application/dicom"');
    assert.equal(part.headers['x-dup'], 'a, b');
  });

  test('a body with only the close delimiter has no parts', async () => {
    assert.deepEqual(await parseAll(chunksOf(crlf(`preamble\n--${B}--\n`), 3)), []);
  });

  test('takes a Node Readable as its source', async () => {
    const pass = new PassThrough();
    const done = parseAll(pass);
    for (let i = 0; i < SAMPLE.length; i += 10) pass.write(SAMPLE.subarray(i, i + 10));
    pass.end();
    const parts = await done;
    assert.equal(parts.length, 2);
    assert.equal(parts[1].body.toString(), '{"00100010":{"vr":"PN"}}');
  });
});

describe('parseMultipart rejects broken bodies', () => {
  test('a missing close delimiter is a 400 unless allowed', async () => {
    for (const ending of [`--${B}`, `--${B}\n`, `--${B}  `, `--${B}  \n`, `--${B}\t\r`]) {
      const body = crlf(`--${B}\n\none\n${ending}`);
      await rejectsWith(parseAll(chunksOf(body, 1)), 'missing-close-delimiter', 400);
      const parts = await parseAll(chunksOf(body, 1), B, { allowMissingCloseDelimiter: true });
      assert.deepEqual(parts.map((p) => p.body.toString()), ['one'], JSON.stringify(ending));
    }
  });

  test('a body cut inside a part, its headers or a boundary line is a 400', async () => {
    const full = crlf(`--${B}\nContent-Type: a/b\n\npayload bytes\n--${B}--\n`);
    const closeStart = full.lastIndexOf(`\r\n--${B}--`);
    for (let end = 0; end < closeStart + 4 + B.length + 2; end++) {
      const err = await rejectsWith(parseAll(chunksOf(full.subarray(0, end), 3)), end === 0 ? 'no-boundary' : errorCodeFor(end), 400)
        .catch((e: unknown) => { throw new Error(`cut at ${end}: ${(e as Error).message}`); });
      assert.ok(err);
    }
    function errorCodeFor(end: number): string {
      if (end < 2 + B.length) return 'no-boundary';
      // Right after a complete "--boundary" or its line: the close delimiter is what is missing.
      const afterDelimiterLine = [2 + B.length, 3 + B.length, 4 + B.length, closeStart + 4 + B.length].includes(end);
      return afterDelimiterLine ? 'missing-close-delimiter' : 'truncated';
    }
  });

  test('no boundary at all is a 400', async () => {
    await rejectsWith(parseAll(chunksOf(Buffer.from('just some text, no parts'), 4)), 'no-boundary', 400);
    await rejectsWith(parseAll(chunksOf(Buffer.alloc(0), 4)), 'no-boundary', 400);
  });

  test('text after a boundary other than padding and CRLF is a 400', async () => {
    const body = crlf(`--${B}\n\none\n--${B}X\n\ntwo\n--${B}--\n`);
    const err = await rejectsWith(parseAll(chunksOf(body, 2)), 'bad-delimiter', 400);
    assert.equal(err.partIndex, 1);
  });

  test('a header line without a colon is a 400', async () => {
    await rejectsWith(parseAll(chunksOf(crlf(`--${B}\nContent-Type application/dicom\n\nx\n--${B}--\n`), 7)), 'bad-header', 400);
    await rejectsWith(parseAll(chunksOf(crlf(`--${B}\n folded first\n\nx\n--${B}--\n`), 7)), 'bad-header', 400);
  });

  test('a Content-Length that does not match the body is a 400', async () => {
    await rejectsWith(parseAll(chunksOf(crlf(`--${B}\nContent-Length: 4\n\nhello\n--${B}--\n`), 2)), 'bad-content-length', 400);
    await rejectsWith(parseAll(chunksOf(crlf(`--${B}\nContent-Length: 6\n\nhello\n--${B}--\n`), 2)), 'bad-content-length', 400);
    await rejectsWith(parseAll(chunksOf(crlf(`--${B}\nContent-Length: 5x\n\nhello\n--${B}--\n`), 2)), 'bad-content-length', 400);
  });

  test('limits: header bytes, parts, total bytes and part size are 413s', async () => {
    const bigHeader = crlf(`--${B}\nX-Big: ${'h'.repeat(300)}\n\nx\n--${B}--\n`);
    await rejectsWith(parseAll(chunksOf(bigHeader, 16), B, { maxHeaderBytes: 200 }), 'headers-too-large', 413);
    assert.equal((await parseAll(chunksOf(bigHeader, 16), B, { maxHeaderBytes: 400 })).length, 1);

    const three = crlf(`--${B}\n\na\n--${B}\n\nb\n--${B}\n\nc\n--${B}--\n`);
    await rejectsWith(parseAll(chunksOf(three, 5), B, { maxParts: 2 }), 'too-many-parts', 413);
    assert.equal((await parseAll(chunksOf(three, 5), B, { maxParts: 3 })).length, 3);

    await rejectsWith(parseAll(chunksOf(three, 5), B, { maxTotalBytes: three.length - 1 }), 'body-too-large', 413);
    assert.equal((await parseAll(chunksOf(three, 5), B, { maxTotalBytes: three.length })).length, 3);

    const big = Buffer.concat([crlf(`--${B}\n\n`), Buffer.alloc(1000, 0x41), crlf(`\n--${B}--\n`)]);
    await rejectsWith(parseAll(chunksOf(big, 64), B, { maxPartBytes: 999 }), 'part-too-large', 413);
    assert.equal((await parseAll(chunksOf(big, 64), B, { maxPartBytes: 1000 }))[0].body.length, 1000);
    // A declared Content-Length over the limit is refused before any byte of the body is read.
    await rejectsWith(parseAll(chunksOf(crlf(`--${B}\nContent-Length: 5000\n\n`), 64), B, { maxPartBytes: 1000 }), 'part-too-large', 413);
  });

  test('a source that yields strings is rejected', async () => {
    const source = Readable.from(['--x\r\n\r\nbody\r\n--x--'], { objectMode: true });
    await rejectsWith(parseAll(source, 'x'), 'bad-chunk', 400);
  });

  test('a boundary parameter that is empty, too long or has control characters is a 400', () => {
    for (const bad of ['', 'a'.repeat(201), 'ab\r\n', 'trailing ', 'tab\there']) {
      assert.throws(() => checkBoundary(bad), (e: unknown) => e instanceof MultipartError && e.code === 'bad-boundary' && e.status === 400, JSON.stringify(bad));
      assert.throws(() => parseMultipart(chunksOf(SAMPLE, 10), bad), MultipartError);
    }
    checkBoundary('a');
    checkBoundary('a'.repeat(70));
    // Longer than RFC 2046's 70 is read anyway: Orthanc sends 73.
    checkBoundary('a'.repeat(73));
    checkBoundary('with space inside');
  });
});

describe('parseMultipart streams', () => {
  test('a large part comes out while the source is still being read, in pieces no larger than a chunk', async () => {
    const chunk = 64 * 1024;
    const partBytes = 16 * 1024 * 1024;
    let pulled = 0;
    let finished = false;
    const content = randomBytes(chunk);
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield crlf(`--${B}\nContent-Type: application/octet-stream\n\n`);
        for (let sent = 0; sent < partBytes; sent += chunk) {
          pulled++;
          yield Buffer.from(content);
        }
        yield crlf(`\n--${B}--\n`);
      } finally {
        finished = true;
      }
    }
    let pulledAtFirstPiece = -1;
    let largest = 0;
    let total = 0;
    const hash = createHash('sha256');
    for await (const part of parseMultipart(source(), B)) {
      for await (const piece of part.body) {
        if (pulledAtFirstPiece < 0) pulledAtFirstPiece = pulled;
        largest = Math.max(largest, piece.length);
        total += piece.length;
        hash.update(piece);
      }
    }
    const expected = createHash('sha256');
    for (let i = 0; i < partBytes / chunk; i++) expected.update(content);
    assert.equal(total, partBytes);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
    assert.ok(pulledAtFirstPiece <= 1, `the first piece came after ${pulledAtFirstPiece} chunks`);
    assert.ok(largest <= chunk + B.length + 4, `a piece of ${largest} bytes was handed out`);
    assert.ok(finished);
  });

  test('an unread part is drained, and reading it after moving on is an error', async () => {
    const gen = parseMultipart(chunksOf(SAMPLE, 7), B);
    const first = await gen.next();
    assert.equal(first.done, false);
    const second = await gen.next(); // first part's body never read
    assert.equal(second.done, false);
    if (second.done) return;
    assert.equal((await readPartBody(second.value, 1000)).toString(), '{"00100010":{"vr":"PN"}}');
    await rejectsWith(readPartBody(first.value as never, 1000), 'out-of-order', 400);
    assert.equal((await gen.next()).done, true);
  });

  test('a part body left early is drained before the next part', async () => {
    const body = Buffer.concat([crlf(`--${B}\n\n`), Buffer.alloc(10_000, 0x42), crlf(`\n--${B}\n\nsecond\n--${B}--`)]);
    const bodies: string[] = [];
    for await (const part of parseMultipart(chunksOf(body, 100), B)) {
      for await (const piece of part.body) {
        bodies.push(piece.subarray(0, 6).toString());
        break;
      }
    }
    assert.deepEqual(bodies, ['BBBBBB', 'second']);
  });

  test('stopping early closes the source', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield crlf(`--${B}\n\nfirst\n--${B}\n\n`);
        for (;;) yield Buffer.alloc(1024, 0x43);
      } finally {
        closed = true;
      }
    }
    for await (const part of parseMultipart(source(), B)) {
      assert.equal(part.index, 0);
      break;
    }
    assert.ok(closed);
  });
});

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
