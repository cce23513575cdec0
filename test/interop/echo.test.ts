// Issue 2's interoperability: C-ECHO both ways with DCMTK, negotiation limits, rejections,
// aborts, timeouts, garbage connections and TLS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { ApplicationEntity } from '../../src/ae/client';
import { verificationContext } from '../../src/ae/requestor';
import { refusingPort } from '../helpers/peers';
import { dicomnet, run, startScp, startStorescp, Background } from '../helpers/processes';
import { makeCertificates, TestCertificates } from '../helpers/certificates';

const DCMTK_ENV = { TCP_NODELAY: '1' };

describe('C-ECHO with DCMTK', () => {
  let scp: Background & { port: number };
  before(async () => { scp = await startScp(['--aet', 'DICOMNET', '--max-pdu', '131072', '--trace']); });
  after(async () => { await scp.stop(); });

  test('echoscu → dicomnet scp succeeds', async () => {
    const r = await run('echoscu', ['-v', '-aec', 'DICOMNET', '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout + r.stderr, /Received Echo Response \(Success\)/);
  });

  test('dicomnet echo → storescp succeeds and prints the status and round trip', async () => {
    const storescp = await startStorescp();
    try {
      const r = await dicomnet(['echo', '127.0.0.1', String(storescp.port), '--aec', 'STORESCP']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^C-ECHO STORESCP@127\.0\.0\.1:\d+: 0x0000 \(Success\) in \d+\.\d\d ms$/m);
    } finally {
      await storescp.stop();
    }
  });

  test('max PDU is negotiated both ways at 4096 and 131072', async () => {
    // echoscu offers 4096 to our SCP, which offers 131072 back.
    const before = scp.output().length;
    const r = await run('echoscu', ['-d', '--max-pdu', '4096', '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
    assert.equal(r.code, 0, r.stderr);
    const trace = scp.output().slice(before);
    assert.match(trace, /<< A-ASSOCIATE-RQ[\s\S]*?max PDU length: 4096\n/);
    assert.match(trace, />> A-ASSOCIATE-AC[\s\S]*?max PDU length: 131072\n/);
    assert.match(r.stdout + r.stderr, /Their Max PDU Receive Size:\s+131072/);
    // And the other way: we offer 131072 to storescp, which offers 4096.
    const storescp = await startStorescp(['--max-pdu', '4096']);
    try {
      const ours = await dicomnet(['echo', '127.0.0.1', String(storescp.port), '--max-pdu', '131072', '--trace']);
      assert.equal(ours.code, 0, ours.stderr);
      assert.match(ours.stderr, />> A-ASSOCIATE-RQ[\s\S]*?max PDU length: 131072\n/);
      assert.match(ours.stderr, /<< A-ASSOCIATE-AC[\s\S]*?max PDU length: 4096\n/);
    } finally {
      await storescp.stop();
    }
  });

  test('a peer abort is reported with its source', async () => {
    const before = scp.output().length;
    const r = await run('echoscu', ['--abort', '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
    assert.equal(r.code, 0, r.stderr);
    await scp.waitFor(/ended: association aborted by the peer \(service user\)/);
    assert.ok(scp.output().slice(before).includes('aborted by the peer (service user)'));
  });
});

describe('rejections seen by echoscu', () => {
  test('a calling AE title outside the allow-list', async () => {
    const scp = await startScp(['--accept-calling', 'MODALITY1,MODALITY2']);
    try {
      const bad = await run('echoscu', ['-aet', 'STRANGER', '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr + bad.stdout, /Rejected Permanent, Source: Service User[\s\S]*Calling AE Title Not Recognized/);
      // The SCP logs the rejection as it sends it: echoscu may exit before the line is out.
      await scp.waitFor(/rejected: calling AE title "STRANGER" is not in the accepted list/);
      const good = await run('echoscu', ['-aet', 'MODALITY2', '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.equal(good.code, 0, good.stderr);
    } finally {
      await scp.stop();
    }
  });

  test('more associations than --max-associations', async () => {
    const scp = await startScp(['--max-associations', '1']);
    const ae = new ApplicationEntity({ aeTitle: 'HOLDER' });
    const held = await ae.associate({ host: '127.0.0.1', port: scp.port, calledAeTitle: 'DICOMNET', contexts: [verificationContext()] });
    try {
      const r = await run('echoscu', ['127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr + r.stdout, /Rejected Transient, Source: Service Provider \(Presentation Related\)[\s\S]*Local Limit Exceeded/);
    } finally {
      await held.release();
      await scp.stop();
    }
  });

  test('dicomnet echo reports a rejection as one sentence and exits 3', async () => {
    const storescp = await startStorescp(['--refuse']);
    try {
      const r = await dicomnet(['echo', '127.0.0.1', String(storescp.port)]);
      assert.equal(r.code, 3);
      assert.equal(r.stderr, 'dicomnet: Association rejected permanently by the service user: no reason given.\n');
    } finally {
      await storescp.stop();
    }
  });
});

describe('timeouts', () => {
  test('nothing listening: exit 3 at once', async () => {
    const closed = await refusingPort();
    try {
      // At once: with a --timeout of 10 minutes, a client that waited for it would be killed
      // after one (exit code null), not exit 3.
      const r = await dicomnet(['echo', '127.0.0.1', String(closed.port), '--timeout', '600'], { timeoutMs: 60_000 });
      assert.equal(r.code, 3, `exit ${r.code} (${r.signal}) after ${r.ms} ms: ${r.stderr}`);
      assert.match(r.stderr, /Connection refused/);
    } finally {
      closed.close();
    }
  });

  test('a server that accepts TCP and never answers: exit 3 within --timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      // Within --timeout: not before it (timers never fire early), and long before the minute
      // after which the client would be killed.
      const r = await dicomnet(['echo', '127.0.0.1', String(port), '--timeout', '1'], { timeoutMs: 60_000 });
      assert.equal(r.code, 3, `exit ${r.code} (${r.signal}) after ${r.ms} ms: ${r.stderr}`);
      assert.match(r.stderr, /No A-ASSOCIATE response from the peer within 1 s/);
      assert.ok(r.ms >= 1000, `gave up after ${r.ms} ms, before the 1 s timeout`);
    } finally {
      silent.close();
    }
  });
});

describe('garbage on the wire', () => {
  test('a server that received 1,000 garbage connections still answers echoscu', async () => {
    const scp = await startScp(['--max-associations', '2000']);
    try {
      // Every connection gets an answer: an A-ABORT (0x07), or the server closing it, at the
      // latest when its ARTIM timer (10 s) ends a connection that never became an association.
      const open = (i: number) => {
        const socket = net.connect({ host: '127.0.0.1', port: scp.port });
        socket.on('error', () => undefined);
        const written = new Promise<void>((resolve) => socket.once('connect', () => {
          // Random bytes, and every 4th time a valid PDU type with a random length and body.
          const body = randomBytes(1 + (i % 300));
          if (i % 4 === 0) { body[0] = 1 + (i % 7); body[1] = 0; }
          socket.write(body);
          if (i % 3 === 0) socket.end();
          resolve();
        }));
        const answered = new Promise<boolean>((resolve) => {
          const done = (answer: boolean) => { clearTimeout(timer); socket.destroy(); resolve(answer); };
          const timer = setTimeout(() => done(false), 60_000);
          socket.on('data', (d) => { if (d[0] === 0x07) done(true); });
          socket.on('close', () => done(true));
        });
        return { written, answered };
      };
      const answers: Promise<boolean>[] = [];
      for (let batch = 0; batch < 20; batch++) {
        const opened = Array.from({ length: 50 }, (_, k) => open(batch * 50 + k));
        await Promise.all(opened.map((c) => c.written));
        answers.push(...opened.map((c) => c.answered));
      }
      const unanswered = (await Promise.all(answers)).filter((a) => !a).length;
      assert.equal(unanswered, 0, `${unanswered} of 1000 garbage connections got neither an A-ABORT nor a close within 60 s`);
      const r = await run('echoscu', ['127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(scp.child.exitCode, null);
    } finally {
      await scp.stop();
    }
  });
});

describe('TLS', () => {
  let certs: TestCertificates;
  before(() => { certs = makeCertificates(); });

  test('echoscu +tls → dicomnet scp --tls', async () => {
    const scp = await startScp(['--tls', '--tls-cert', certs.serverCert, '--tls-key', certs.serverKey, '--tls-ca', certs.ca]);
    try {
      const r = await run('echoscu', ['+tls', certs.clientKey, certs.clientCert, '+cf', certs.ca, '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      // Without a client certificate the server refuses the handshake.
      const anonymous = await run('echoscu', ['+tla', '+cf', certs.ca, '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.notEqual(anonymous.code, 0);
    } finally {
      await scp.stop();
    }
  });

  test('dicomnet echo --tls → storescp +tls', async () => {
    const storescp = await startStorescp(['+tls', certs.serverKey, certs.serverCert, '+cf', certs.ca], DCMTK_ENV);
    const port = storescp.port;
    try {
      const ok = await dicomnet(['echo', '127.0.0.1', String(port), '--tls', '--tls-ca', certs.ca, '--tls-cert', certs.clientCert, '--tls-key', certs.clientKey]);
      assert.equal(ok.code, 0, ok.stderr);
      // A server certificate from an unknown CA is refused.
      const other = makeCertificates();
      const refused = await dicomnet(['echo', '127.0.0.1', String(port), '--tls', '--tls-ca', other.ca]);
      assert.equal(refused.code, 3);
      assert.match(refused.stderr, /certificate/i);
    } finally {
      await storescp.stop();
    }
  });
});
