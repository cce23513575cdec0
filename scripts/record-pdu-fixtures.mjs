// Records real PDUs exchanged by DCMTK tools (through a splitting TCP proxy) as test fixtures:
// test/fixtures/pdus/dcmtk/<session>/<nn>-<c2s|s2c>-<type>.bin. Run by hand when adding sessions:
//   node scripts/record-pdu-fixtures.mjs
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';

const OUT = 'test/fixtures/pdus/dcmtk';
const SAMPLE = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const TYPES = { 1: 'associate-rq', 2: 'associate-ac', 3: 'associate-rj', 4: 'p-data-tf', 5: 'release-rq', 6: 'release-rp', 7: 'abort' };

function splitter(session, direction, counter) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 6) {
      const len = buf.readUInt32BE(2) + 6;
      if (buf.length < len) return;
      const pdu = buf.subarray(0, len);
      buf = buf.subarray(len);
      const n = String(++counter.n).padStart(2, '0');
      writeFileSync(join(OUT, session, `${n}-${direction}-${TYPES[pdu[0]] ?? 'unknown'}.bin`), pdu);
    }
  };
}

async function proxy(session, targetPort) {
  mkdirSync(join(OUT, session), { recursive: true });
  const counter = { n: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const c2s = splitter(session, 'c2s', counter);
    const s2c = splitter(session, 's2c', counter);
    client.on('data', (d) => { c2s(d); upstream.write(d); });
    upstream.on('data', (d) => { s2c(d); client.write(d); });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, close: () => server.close() };
}

async function withStorescp(args, fn) {
  const port = 40000 + Math.floor(Math.random() * 20000);
  const scp = spawn('storescp', [...args, String(port)], { env: { ...process.env, TCP_NODELAY: '1' }, stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, 300));
  try { await fn(port); } finally { scp.kill(); }
}

async function session(name, scpArgs, tool, toolArgs) {
  await withStorescp(scpArgs, async (port) => {
    const p = await proxy(name, port);
    // Asynchronous: the proxy runs in this process and must keep forwarding meanwhile.
    const files = toolArgs.filter((a) => a.endsWith('.dcm'));
    const child = spawn(tool, [...toolArgs.filter((a) => !a.endsWith('.dcm')), '127.0.0.1', String(p.port), ...files], { env: { ...process.env, TCP_NODELAY: '1' }, stdio: 'inherit' });
    const status = await new Promise((res) => child.on('exit', res));
    await new Promise((res) => setTimeout(res, 200));
    p.close();
    console.log(`${name}: ${tool} exit ${status}`);
  });
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync('/tmp/record-fixtures', { recursive: true });
await session('echo', ['-od', '/tmp/record-fixtures'], 'echoscu', ['-aet', 'ECHOSCU', '-aec', 'STORESCP']);
await session('store-user-identity', ['-od', '/tmp/record-fixtures'], 'storescu', ['--user', 'alice', '--password', 'secret', '--pos-response', SAMPLE]);
await session('echo-abort', [], 'echoscu', ['--abort']);
await session('echo-rejected', ['--refuse'], 'echoscu', []);
await session('store-pdu-4096', ['-od', '/tmp/record-fixtures', '--max-pdu', '4096'], 'storescu', ['--max-pdu', '4096', SAMPLE]);
await session('store-many-contexts', ['-od', '/tmp/record-fixtures'], 'storescu', ['--propose-lossless', '--required', SAMPLE]);
await session('get-roles', [], 'getscu', ['-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID=1.2.3']);
rmSync('/tmp/record-fixtures', { recursive: true, force: true });
