#!/usr/bin/env node
// The least a Node.js storage SCU can do (a reference row of `npm run bench`, scenarios 1 and 2;
// not product code, in no package): the sending half of the floor beside floor-scp.mjs. One
// association, one presentation context per SOP class and transfer syntax met in the files' meta,
// one C-STORE at a time as storescu sends: each file read synchronously in chunks and sent as
// P-DATA-TFs of the peer's max PDU, then the response awaited. No checks beyond the file meta, no
// log.
//
//   node bench/floor-scu.mjs --port P [--max-pdu N] FILE|FOLDER ...
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { RELEASE_RQ, associateRq, commandPdu, implicitElement, pduFramer, uiValue, us } from './floor-pdu.cjs';

const args = process.argv.slice(2);
const inputs = [];
let port = 104;
let ownMaxPdu = 131072;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port') port = Number(args[++i]);
  else if (args[i] === '--max-pdu') ownMaxPdu = Number(args[++i]);
  else inputs.push(args[i]);
}

function filesUnder(p) {
  if (fs.statSync(p).isDirectory()) return fs.readdirSync(p).sort().flatMap((n) => filesUnder(path.join(p, n)));
  return p.endsWith('.json') ? [] : [p];
}

const CHUNK = 4 * 1024 * 1024;
// Two chunk buffers: one is read into while the other is still being taken by the socket.
const chunks = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
const sent = [Promise.resolve(), Promise.resolve()];
let turn = 0;

/** The file meta's SOP class, instance and transfer syntax, and where the data set starts. */
function meta(fd) {
  const head = Buffer.alloc(144);
  fs.readSync(fd, head, 0, 144, 0);
  const groupLength = head.readUInt32LE(140);
  const group = Buffer.alloc(groupLength);
  fs.readSync(fd, group, 0, groupLength, 144);
  const out = { start: 144 + groupLength };
  let at = 0;
  while (at + 8 <= group.length) {
    const element = group.readUInt16LE(at + 2);
    const vr = group.toString('latin1', at + 4, at + 6);
    const long = vr === 'OB' || vr === 'UN' || vr === 'OW' || vr === 'SQ' || vr === 'UT';
    const len = long ? group.readUInt32LE(at + 8) : group.readUInt16LE(at + 6);
    const v = at + (long ? 12 : 8);
    const text = () => group.toString('latin1', v, v + len).replace(/[\0 ]+$/, '');
    if (element === 0x0002) out.sopClass = text();
    else if (element === 0x0003) out.sopInstance = text();
    else if (element === 0x0010) out.transferSyntax = text();
    at = v + len;
  }
  return out;
}

function storeRq(contextId, m, messageId) {
  return commandPdu(contextId, [
    implicitElement(0x0002, uiValue(m.sopClass)), implicitElement(0x0100, us(0x0001)), implicitElement(0x0110, us(messageId)),
    implicitElement(0x0700, us(0)), implicitElement(0x0800, us(0x0000)), implicitElement(0x1000, uiValue(m.sopInstance)),
  ]);
}

/** Reads whole PDUs off the socket; resolves the next one (type and body) when asked. */
class PduReader {
  constructor(socket) {
    this.pdus = [];
    this.waiting = undefined;
    socket.on('data', pduFramer((type, body) => {
      this.pdus.push({ type, body });
      this.poke();
    }));
    socket.on('close', () => this.waiting?.reject(new Error('the peer closed the connection')));
  }

  poke() {
    if (!this.waiting || this.pdus.length === 0) return;
    const { resolve } = this.waiting;
    this.waiting = undefined;
    resolve(this.pdus.shift());
  }

  next() {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.poke();
    });
  }
}

async function main() {
  const files = inputs.flatMap(filesUnder).map((p) => {
    const fd = fs.openSync(p, 'r');
    const m = meta(fd);
    fs.closeSync(fd);
    return { path: p, ...m };
  });
  const contexts = new Map();
  const contextOf = new Map();
  for (const f of files) {
    const key = `${f.sopClass}|${f.transferSyntax}`;
    if (!contextOf.has(key)) {
      const id = 1 + 2 * contextOf.size;
      contextOf.set(key, id);
      contexts.set(id, f);
    }
  }
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  const reader = new PduReader(socket);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(associateRq('ANY-SCP', contexts, ownMaxPdu));
  const ac = await reader.next();
  if (ac.type !== 0x02) throw new Error(`association not accepted (PDU type ${ac.type})`);
  let peerMax = 0;
  for (let at = 68; at + 4 <= ac.body.length;) {
    const len = ac.body.readUInt16BE(at + 2);
    if (ac.body[at] === 0x50) {
      for (let sub = at + 4; sub < at + 4 + len;) {
        const subLen = ac.body.readUInt16BE(sub + 2);
        if (ac.body[sub] === 0x51) peerMax = ac.body.readUInt32BE(sub + 4);
        sub += 4 + subLen;
      }
    }
    at += 4 + len;
  }
  const fragment = (peerMax === 0 ? CHUNK : Math.min(peerMax, CHUNK)) - 6;
  // Whole fragments per read, so that a read does not end in a short PDU.
  const perRead = Math.max(1, Math.floor(CHUNK / fragment)) * fragment;
  let messageId = 0;
  for (const f of files) {
    const contextId = contextOf.get(`${f.sopClass}|${f.transferSyntax}`);
    socket.write(storeRq(contextId, f, ++messageId));
    const fd = fs.openSync(f.path, 'r');
    const size = fs.fstatSync(fd).size;
    let position = f.start;
    while (position < size) {
      const slot = turn++ % 2;
      await sent[slot];
      const chunk = chunks[slot];
      const n = fs.readSync(fd, chunk, 0, Math.min(perRead, size - position), position);
      position += n;
      socket.cork();
      let written;
      for (let at = 0; at < n; at += fragment) {
        const len = Math.min(fragment, n - at);
        const header = Buffer.alloc(12);
        header[0] = 0x04;
        header.writeUInt32BE(len + 6, 2);
        header.writeUInt32BE(len + 2, 6);
        header[10] = contextId;
        header[11] = position === size && at + len === n ? 0x02 : 0x00;
        socket.write(header);
        if (at + len >= n) written = new Promise((resolve) => socket.write(chunk.subarray(at, at + len), resolve));
        else socket.write(chunk.subarray(at, at + len));
      }
      socket.uncork();
      sent[slot] = written;
    }
    fs.closeSync(fd);
    const rsp = await reader.next();
    if (rsp.type !== 0x04) throw new Error(`expected a C-STORE-RSP, got PDU type ${rsp.type}`);
  }
  socket.write(RELEASE_RQ);
  const rp = await reader.next();
  if (rp.type !== 0x06) throw new Error(`expected an A-RELEASE-RP, got PDU type ${rp.type}`);
  socket.destroy();
}

main().catch((e) => {
  console.error(`floor-scu: ${e.message}`);
  process.exit(1);
});
