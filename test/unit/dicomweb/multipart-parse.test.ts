// parseMultipart: fixed bodies, broken bodies, streaming.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { MultipartError, checkBoundary, parseMultipart, readPartBody } from '../../../src/dicomweb/multipart';
import { B, SAMPLE, chunksOf, crlf, cutAt, parseAll, rejectsWith } from './multipart-fixtures';

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
