// DicomwebClient's HTTP side against local servers: authentication and extra headers, error
// sentences for 3xx/4xx/5xx, timeouts, refused connections, stale kept-alive connections, TLS
// with a custom CA.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import * as net from 'node:net';
import { DicomwebClient, DicomwebError, isDicomwebNetworkFailure, serverMessageOf } from '../../../../src/dicomweb/client';
import { makeCertificates, type TestCertificates } from '../../../helpers/certificates';
import { refusingPort } from '../../../helpers/peers';
import { waitUntil } from '../../../helpers/wait';
import { startServer } from './test-server';

const STUDY = '1.2.3.4';

function json(res: import('node:http').ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/dicom+json', ...headers });
  res.end(JSON.stringify(body));
}

describe('requests: authentication and headers', () => {
  test('bearer token, basic auth (also from the URL), extra headers and the user agent', async () => {
    const server = await startServer((req, res) => json(res, 200, []));
    try {
      const bearer = new DicomwebClient({ baseUrl: `${server.url}/dicom-web/`, auth: { kind: 'bearer', token: 'tok-123' }, headers: { 'X-Api-Key': 'k1', 'X-Tenant': 'a b' } });
      await bearer.searchStudies();
      bearer.close();
      const basic = new DicomwebClient({ baseUrl: `${server.url}/dicom-web`, auth: { kind: 'basic', username: 'alice', password: 'pä:ss' } });
      await basic.searchStudies();
      basic.close();
      const fromUrl = new DicomwebClient({ baseUrl: `http://bob:s%3Acret@127.0.0.1:${server.port}/dicom-web` });
      await fromUrl.searchStudies();
      assert.equal(fromUrl.baseUrl.href, `${server.url}/dicom-web`);
      fromUrl.close();
      const none = new DicomwebClient({ baseUrl: server.url });
      await none.searchStudies();
      none.close();

      const [a, b, c, d] = server.requests;
      assert.equal(a.url, '/dicom-web/studies');
      assert.equal(a.headers.authorization, 'Bearer tok-123');
      assert.equal(a.headers['x-api-key'], 'k1');
      assert.equal(a.headers['x-tenant'], 'a b');
      assert.match(String(a.headers['user-agent']), /^dicomnet\//);
      assert.match(String(a.headers.accept), /^application\/dicom\+json/);
      assert.equal(b.headers.authorization, `Basic ${Buffer.from('alice:pä:ss', 'utf8').toString('base64')}`);
      assert.equal(c.headers.authorization, `Basic ${Buffer.from('bob:s:cret').toString('base64')}`);
      assert.equal(c.url, '/dicom-web/studies');
      assert.equal(d.headers.authorization, undefined);
      assert.equal(d.url, '/studies');
    } finally {
      await server.close();
    }
  });

  test('bad options are refused before any request', () => {
    assert.throws(() => new DicomwebClient({ baseUrl: 'ftp://x/y' }), { kind: 'io', message: 'The DICOMweb base URL must start with http:// or https://, not ftp://.' });
    assert.throws(() => new DicomwebClient({ baseUrl: 'not a url' }), { kind: 'io' });
    assert.throws(() => new DicomwebClient({ baseUrl: 'http://x', auth: { kind: 'bearer', token: 'a\r\nX-Evil: 1' } }), { message: 'The value of the header Authorization holds a line break or NUL character.' });
    assert.throws(() => new DicomwebClient({ baseUrl: 'http://x', headers: { 'Bad Name': 'v' } }), { kind: 'io' });
    assert.throws(() => new DicomwebClient({ baseUrl: 'http://x', timeoutMs: 0 }), RangeError);
  });
});

describe('error sentences', () => {
  const cases: Array<{ name: string; status: number; type?: string; body: string | Buffer; headers?: Record<string, string>; message: RegExp | string; server?: string }> = [
    {
      name: 'Orthanc-style JSON: Details wins over Message',
      status: 404, type: 'application/json',
      body: JSON.stringify({ Details: 'Accessing an inexistent study with WADO-RS: 1.2.3.4', HttpError: 'Not Found', HttpStatus: 404, Message: 'Accessing an inexistent item' }),
      message: 'The server answered 404 Not Found to GET {url}/studies/1.2.3.4/metadata: Accessing an inexistent study with WADO-RS: 1.2.3.4.',
      server: 'Accessing an inexistent study with WADO-RS: 1.2.3.4',
    },
    {
      name: 'DICOM JSON Error Comment',
      status: 400, type: 'application/dicom+json',
      body: JSON.stringify({ '00000902': { vr: 'LO', Value: ['Unknown query key 0011,0010'] } }),
      message: 'The server answered 400 Bad Request to GET {url}/studies/1.2.3.4/metadata: Unknown query key 0011,0010.',
    },
    {
      name: 'an error object with a message',
      status: 403, type: 'application/json',
      body: JSON.stringify({ error: { code: 403, message: 'The caller does not have permission' } }),
      message: 'The server answered 403 Forbidden to GET {url}/studies/1.2.3.4/metadata: The caller does not have permission.',
    },
    {
      name: 'HTML with tags and scripts stripped',
      status: 502, type: 'text/html',
      body: '<html><head><style>p{}</style><script>var x = 1;</script></head><body><h1>Bad   Gateway</h1>\n<p>upstream &amp; down</p></body></html>',
      message: 'The server answered 502 Bad Gateway to GET {url}/studies/1.2.3.4/metadata: Bad Gateway upstream & down.',
    },
    {
      name: 'plain text, long, cut to one short line',
      status: 500, type: 'text/plain',
      body: `boom ${'x'.repeat(5000)}`,
      message: /^The server answered 500 Internal Server Error to GET \S+\/metadata: boom x{290,}…\.$/,
    },
    {
      name: 'no body: the Warning header',
      status: 503, body: '', headers: { Warning: '299 pacs "Archive offline for maintenance"' },
      message: 'The server answered 503 Service Unavailable to GET {url}/studies/1.2.3.4/metadata: Archive offline for maintenance.',
    },
    {
      name: 'no body and no warning: the status alone',
      status: 401, body: '',
      message: 'The server answered 401 Unauthorized to GET {url}/studies/1.2.3.4/metadata.',
    },
    {
      name: 'a redirect is reported, not followed (without its query)',
      status: 302, body: '', headers: { Location: 'https://elsewhere.example/login?token=secret' },
      message: 'The server answered 302 Found to GET {url}/studies/1.2.3.4/metadata (a redirect to https://elsewhere.example/login, which is not followed).',
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const server = await startServer((req, res) => {
        res.writeHead(c.status, { ...(c.type ? { 'Content-Type': c.type } : {}), ...c.headers });
        res.end(c.body);
      });
      const client = new DicomwebClient({ baseUrl: server.url, auth: { kind: 'bearer', token: 'SECRET-TOKEN' } });
      try {
        await assert.rejects(client.metadata({ study: STUDY }), (e: unknown) => {
          assert.ok(e instanceof DicomwebError);
          assert.equal(e.kind, 'http');
          assert.equal(e.status, c.status);
          if (typeof c.message === 'string') assert.equal(e.message, c.message.replace('{url}', server.url));
          else assert.match(e.message, c.message);
          if (c.server) assert.equal(e.serverMessage, c.server);
          assert.ok(!e.message.includes('SECRET'));
          assert.ok(!isDicomwebNetworkFailure(e));
          return true;
        });
      } finally {
        client.close();
        await server.close();
      }
    });
  }

  test('serverMessageOf reads JSON even when it is labelled text, and gives undefined for nothing', () => {
    assert.equal(serverMessageOf(Buffer.from('{"message":"nope"}'), 'text/plain'), 'nope');
    assert.equal(serverMessageOf(Buffer.from('  '), 'text/plain'), undefined);
    assert.equal(serverMessageOf(Buffer.from('[]'), 'application/json'), undefined);
  });
});

describe('connections', () => {
  test('a refused connection is a network failure naming the host', async () => {
    const closed = await refusingPort();
    const client = new DicomwebClient({ baseUrl: `http://127.0.0.1:${closed.port}/dicom-web` });
    try {
      await assert.rejects(client.searchStudies(), (e: unknown) => {
        assert.ok(e instanceof DicomwebError);
        assert.equal(e.kind, 'network');
        assert.equal(e.code, 'ECONNREFUSED');
        assert.equal(e.message, `Cannot connect to 127.0.0.1:${closed.port}: the connection was refused.`);
        assert.ok(isDicomwebNetworkFailure(e));
        return true;
      });
    } finally {
      client.close();
      closed.close();
    }
  });

  test('a server that never answers times out; so does one that stalls in the middle of a body', async () => {
    let n = 0;
    const server = await startServer((req, res) => {
      if (n++ === 0) return; // never answers
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
      res.write('[{"00080018":'); // and stalls
    });
    const client = new DicomwebClient({ baseUrl: server.url, timeoutMs: 300 });
    try {
      for (let i = 0; i < 2; i++) {
        await assert.rejects(client.searchStudies(), (e: unknown) => {
          assert.ok(e instanceof DicomwebError);
          assert.equal(e.kind, 'timeout');
          assert.equal(e.message, `The server at 127.0.0.1:${server.port} sent nothing for 0.3 s (GET ${server.url}/studies).`);
          assert.ok(isDicomwebNetworkFailure(e));
          return true;
        });
      }
      assert.equal(server.requests.length, 2);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('aborting a search that waits for its answer', async () => {
    const server = await startServer(() => undefined);
    const client = new DicomwebClient({ baseUrl: server.url });
    const controller = new AbortController();
    try {
      const p = client.searchSeries({}, { study: STUDY, signal: controller.signal });
      await waitUntil('the server to receive the search', () => server.requests.length > 0, { timeoutMs: 10_000, intervalMs: 5 });
      controller.abort();
      await assert.rejects(p, { kind: 'aborted', message: `The request GET ${server.url}/studies/${STUDY}/series was cancelled.` });
    } finally {
      client.close();
      await server.close();
    }
  });

  test('a kept-alive connection the server closed is replaced once for a GET', async () => {
    // A raw server that answers one request per connection with keep-alive, then closes quietly.
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.once('data', () => {
        const body = '[]';
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/dicom+json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
        socket.once('data', () => socket.destroy());
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const client = new DicomwebClient({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      for (let i = 0; i < 3; i++) assert.deepEqual(await client.searchStudies(), []);
      assert.ok(connections >= 3);
    } finally {
      client.close();
      server.close();
    }
  });
});

describe('TLS with a custom CA', () => {
  let certs: TestCertificates;
  before(() => { certs = makeCertificates(); });
  after(() => rmSync(certs.dir, { recursive: true, force: true }));

  test('trusts a server signed by the given CA and refuses it without', async () => {
    const server = await startServer((req, res) => json(res, 200, [{ '0020000D': { vr: 'UI', Value: [STUDY] } }]), {
      cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey),
    });
    try {
      const trusted = new DicomwebClient({ baseUrl: server.url, ca: readFileSync(certs.ca) });
      assert.deepEqual(await trusted.searchStudies(), [{ '0020000D': { vr: 'UI', Value: [STUDY] } }]);
      trusted.close();
      const untrusted = new DicomwebClient({ baseUrl: server.url });
      await assert.rejects(untrusted.searchStudies(), (e: unknown) => {
        assert.ok(e instanceof DicomwebError);
        assert.equal(e.kind, 'network');
        assert.match(e.message, /^The TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(.+\); give the certificate authority that signed it\.$/);
        return true;
      });
      untrusted.close();
    } finally {
      await server.close();
    }
  });
});
