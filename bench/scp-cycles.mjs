// The SCP's cost per short association: `dicomnet scp --dir` (a process of its own) under a
// client that replays fixed bytes over raw sockets (associate + C-ECHO or C-STORE of a small
// instance + release, one association after the other), so that nearly all the CPU spent is the
// SCP's. Reports the SCP's CPU per association (all its threads, and its main thread, from
// /proc/PID/task/*/schedstat) and the latency of a whole cycle as the client sees it.
//
//   node bench/scp-cycles.mjs [--cli dist/cli.js] [--mode echo|store] [-n 6000] [--warm 3000]
//   node bench/scp-cycles.mjs --cli A.js --against B.js --rounds 6     (interleaved A/B, medians)
//
// Not part of `npm run bench`: a tool for passes on the SCP's per-association path (build first
// with `node esbuild.mjs`, or point --cli at another build). The first few hundred associations
// of a fresh SCP run its code before V8 has optimized it; --warm skips them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const argv = process.argv.slice(2);
const option = (name, fallback) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : fallback; };
const cli = option('--cli', 'dist/cli.js');
const against = option('--against', undefined);
const mode = option('--mode', 'echo');
const count = Number(option('-n', mode === 'store' ? 2500 : 6000));
const warm = Number(option('--warm', mode === 'store' ? 1000 : 3000));
const rounds = Number(option('--rounds', 1));
if (!['echo', 'store'].includes(mode) || !(count > 0) || !(warm >= 0) || !(rounds > 0)) {
  console.error('usage: node bench/scp-cycles.mjs [--cli PATH] [--against PATH --rounds N] [--mode echo|store] [-n N] [--warm N]');
  process.exit(2);
}

// ------------------------------------------------------------------ the fixed bytes

const VERIFICATION = '1.2.840.10008.1.1';
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const u16be = (v) => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };
const u32be = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };
const padded = (text, length) => { const b = Buffer.alloc(length, 0x20); b.write(text, 'latin1'); return b; };
const item = (type, body) => Buffer.concat([Buffer.from([type, 0]), u16be(body.length), body]);
const ascii = (text) => Buffer.from(text, 'latin1');

const abstractSyntax = mode === 'store' ? CT_IMAGE : VERIFICATION;
const rqBody = Buffer.concat([u16be(1), Buffer.alloc(2), padded('DICOMNET', 16), padded('RAWSCU', 16), Buffer.alloc(32),
  item(0x10, ascii('1.2.840.10008.3.1.1.1')),
  item(0x20, Buffer.concat([Buffer.from([1, 0, 0, 0]), item(0x30, ascii(abstractSyntax)), item(0x40, ascii(IMPLICIT_LE))])),
  item(0x50, Buffer.concat([item(0x51, u32be(16384)), item(0x52, ascii('1.2.3.4.5')), item(0x55, ascii('RAWSCU'))]))]);
const ASSOCIATE_RQ = Buffer.concat([Buffer.from([1, 0]), u32be(rqBody.length), rqBody]);
const RELEASE_RQ = Buffer.from([5, 0, 0, 0, 0, 4, 0, 0, 0, 0]);

/** An element in Implicit VR Little Endian (group, element, value padded to even length with `pad`). */
function element(group, elem, value, pad = 0) {
  const v = value.length % 2 ? Buffer.concat([value, Buffer.from([pad])]) : value;
  const head = Buffer.alloc(8);
  head.writeUInt16LE(group, 0); head.writeUInt16LE(elem, 2); head.writeUInt32LE(v.length, 4);
  return Buffer.concat([head, v]);
}
const us = (v) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const uid = (text) => ascii(text);
function commandSet(elements) {
  const body = Buffer.concat(elements);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([element(0, 0, length), body]);
}
/** A P-DATA-TF with one PDV on context 1. */
function pdata(header, data) {
  return Buffer.concat([Buffer.from([4, 0]), u32be(data.length + 6), u32be(data.length + 2), Buffer.from([1, header]), data]);
}

const ECHO_RQ = pdata(3, commandSet([element(0, 0x0002, uid(VERIFICATION)), element(0, 0x0100, us(0x0030)),
  element(0, 0x0110, us(1)), element(0, 0x0800, us(0x0101))]));
/** The SOP Instance UID ends in 8 digits, rewritten for each association so that each stores a new instance. */
const INSTANCE_PREFIX = '1.2.826.0.1.3680043.2.1143.999.';
const FIRST_INSTANCE = `${INSTANCE_PREFIX}10000000`;
function storeRequest() {
  const pixels = Buffer.alloc(64 * 64 * 2, 7);
  const dataset = Buffer.concat([
    element(0x0008, 0x0016, uid(CT_IMAGE)), element(0x0008, 0x0018, uid(FIRST_INSTANCE)), element(0x0008, 0x0060, ascii('CT'), 0x20),
    element(0x0010, 0x0010, ascii('Cycles^Raw'), 0x20), element(0x0010, 0x0020, ascii('CYCLES'), 0x20),
    element(0x0020, 0x000d, uid('1.2.826.0.1.3680043.2.1143.998.1')), element(0x0020, 0x000e, uid('1.2.826.0.1.3680043.2.1143.997.1')),
    element(0x0028, 0x0002, us(1)), element(0x0028, 0x0004, ascii('MONOCHROME2'), 0x20), element(0x0028, 0x0010, us(64)),
    element(0x0028, 0x0011, us(64)), element(0x0028, 0x0100, us(16)), element(0x0028, 0x0101, us(16)), element(0x0028, 0x0102, us(15)),
    element(0x0028, 0x0103, us(0)), element(0x7fe0, 0x0010, pixels),
  ]);
  const command = commandSet([element(0, 0x0002, uid(CT_IMAGE)), element(0, 0x0100, us(0x0001)), element(0, 0x0110, us(1)),
    element(0, 0x0700, us(0)), element(0, 0x0800, us(0x0000)), element(0, 0x1000, uid(FIRST_INSTANCE))]);
  return Buffer.concat([pdata(3, command), pdata(2, dataset)]);
}
const STORE_RQ = mode === 'store' ? storeRequest() : undefined;
const uidDigits = [];
if (STORE_RQ) for (let at = STORE_RQ.indexOf(FIRST_INSTANCE); at >= 0; at = STORE_RQ.indexOf(FIRST_INSTANCE, at + 1)) uidDigits.push(at + INSTANCE_PREFIX.length);
let nextInstance = 10_000_000;
function request() {
  if (!STORE_RQ) return ECHO_RQ;
  const bytes = Buffer.from(STORE_RQ);
  const digits = String(nextInstance++);
  for (const at of uidDigits) bytes.write(digits, at, 'latin1');
  return bytes;
}
/** The Status element (0000,0900) as encoded, value 0000 (success). */
const SUCCESS = Buffer.from([0, 0, 0, 9, 2, 0, 0, 0, 0, 0]);

// ------------------------------------------------------------------ one association

function cycle(port) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    let held = Buffer.alloc(0);
    let step = 'ac';
    const fail = (why) => { step = 'failed'; socket.destroy(); reject(new Error(why)); };
    socket.on('connect', () => socket.write(ASSOCIATE_RQ));
    socket.on('data', (chunk) => {
      held = held.length ? Buffer.concat([held, chunk]) : chunk;
      while (held.length >= 6 && held.length >= 6 + held.readUInt32BE(2)) {
        const pdu = held.subarray(0, 6 + held.readUInt32BE(2));
        held = held.subarray(pdu.length);
        if (step === 'ac') {
          if (pdu[0] !== 2) return fail(`expected an A-ASSOCIATE-AC, got PDU type ${pdu[0]}`);
          step = 'rsp';
          socket.write(request());
        } else if (step === 'rsp') {
          if (pdu[0] !== 4) return fail(`expected a P-DATA-TF, got PDU type ${pdu[0]}`);
          if ((pdu[11] & 3) !== 3) continue; // not the last fragment of a command
          if (pdu.indexOf(SUCCESS) < 0) return fail(`the response is not a success: ${pdu.toString('latin1')}`);
          step = 'rp';
          socket.write(RELEASE_RQ);
        } else if (step === 'rp') {
          if (pdu[0] !== 6) return fail(`expected an A-RELEASE-RP, got PDU type ${pdu[0]}`);
          step = 'done';
          socket.destroy();
          resolve(performance.now() - t0);
        }
      }
    });
    socket.on('error', (error) => { if (step !== 'done' && step !== 'failed') fail(error.message); });
    socket.on('close', () => { if (step !== 'done' && step !== 'failed') fail(`the SCP closed the connection while waiting for ${step}`); });
  });
}

/** CPU milliseconds of a process: all its threads, or its main thread only. */
function cpuMs(pid, mainOnly) {
  let ns = 0;
  for (const tid of mainOnly ? [String(pid)] : readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]); } catch { /* the thread ended */ }
  }
  return ns / 1e6;
}

async function measure(cliPath) {
  const dir = mkdtempSync(join(tmpdir(), 'scp-cycles-'));
  const scp = spawn(process.execPath, [cliPath, 'scp', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      scp.stdout.on('data', (d) => { out += d; const m = /listening on [0-9.]+:(\d+)/.exec(out); if (m) resolve(Number(m[1])); });
      scp.once('exit', (code) => reject(new Error(`${cliPath} scp exited (${code}) before listening: ${out}`)));
    });
    scp.stdout.resume();
    for (let i = 0; i < warm; i++) await cycle(port);
    const cpu0 = cpuMs(scp.pid, false);
    const main0 = cpuMs(scp.pid, true);
    const t0 = performance.now();
    const latencies = [];
    for (let i = 0; i < count; i++) latencies.push(await cycle(port));
    const wall = performance.now() - t0;
    const cpu = cpuMs(scp.pid, false) - cpu0;
    const main = cpuMs(scp.pid, true) - main0;
    latencies.sort((a, b) => a - b);
    return {
      cpuUs: cpu * 1000 / count, mainThreadUs: main * 1000 / count,
      latencyMedianMs: latencies[count >> 1], latencyP90Ms: latencies[Math.floor(count * 0.9)], wallPerCycleMs: wall / count,
    };
  } finally {
    scp.kill('SIGTERM');
    await new Promise((resolve) => { if (scp.exitCode !== null || scp.signalCode !== null) resolve(); else scp.once('exit', resolve); });
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => { const v = [...values].sort((a, b) => a - b); const m = v.length >> 1; return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2; };
const builds = against ? [cli, against] : [cli];
const results = new Map(builds.map((b) => [b, []]));
for (let round = 1; round <= rounds; round++) {
  for (const build of builds) {
    const r = await measure(build);
    results.get(build).push(r);
    console.log(JSON.stringify({ round, cli: build, mode, associations: count, warm, ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, +v.toFixed(3)])) }));
  }
}
if (rounds > 1) {
  for (const [build, rs] of results) {
    const cell = (key, digits) => `${median(rs.map((r) => r[key])).toFixed(digits)} [${Math.min(...rs.map((r) => r[key])).toFixed(digits)}–${Math.max(...rs.map((r) => r[key])).toFixed(digits)}]`;
    console.log(`${build} (${mode}, ${rounds} rounds, median [min–max]): SCP CPU ${cell('cpuUs', 0)} µs/association `
      + `(main thread ${cell('mainThreadUs', 0)}), latency median ${cell('latencyMedianMs', 3)} ms, p90 ${cell('latencyP90Ms', 3)} ms, wall/cycle ${cell('wallPerCycleMs', 3)} ms`);
  }
}
