#!/usr/bin/env node
// The least a Node.js storage SCP can do (a reference row of `npm run bench`, scenarios 1 to 3;
// not product code, in no package): a floor for the receiving rows of issue 16. It accepts every
// association (the first transfer syntax of every presentation context), writes each C-STORE's
// data set behind a minimal file meta into `--dir` as it arrives (synchronous writes of the read
// buffer's views, as storescp +B and our archive do), answers Success, and knows nothing else: no
// index, no log, no checks, no limits, no timers. It reads the way our SCP does (accepted handles
// moved into sockets reading into one buffer), so what it costs is Node's: the event loop, net, fs
// and the kernel's copies.
//
//   node bench/floor-scp.mjs --port P --dir D [--max-pdu N]
//
// Prints "listening P" when ready. Bad input ends that connection, nothing more: it is a
// measuring instrument for trusted local peers, bound to 127.0.0.1.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { commandElements, commandPdu, implicitElement, item, uiValue, us } from './floor-pdu.cjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const port = Number(option('--port', '0'));
const dir = path.resolve(option('--dir', '.'));
const maxPdu = Number(option('--max-pdu', '131072'));
fs.mkdirSync(dir, { recursive: true });

const READ = Buffer.allocUnsafe(1024 * 1024);
const IMPLEMENTATION_UID = '1.2.826.0.1.3680043.10.1471.99';

function ascii(buf, start, end) {
  let s = buf.toString('latin1', start, end);
  while (s.length > 0 && (s.endsWith('\0') || s.endsWith(' '))) s = s.slice(0, -1);
  return s.trim();
}

/**
 * An A-ASSOCIATE-AC for an A-ASSOCIATE-RQ body: every context accepted with its first transfer
 * syntax; and those transfer syntaxes by context ID.
 */
function acceptFor(rq) {
  const items = [];
  const contexts = new Map();
  for (let at = 68; at + 4 <= rq.length;) {
    const len = rq.readUInt16BE(at + 2);
    const body = rq.subarray(at + 4, at + 4 + len);
    if (rq[at] === 0x10) items.push(rq.subarray(at, at + 4 + len));
    if (rq[at] === 0x20) {
      for (let sub = 4; sub + 4 <= body.length && !contexts.has(body[0]);) {
        const subLen = body.readUInt16BE(sub + 2);
        if (body[sub] === 0x40) {
          const ts = body.subarray(sub + 4, sub + 4 + subLen);
          contexts.set(body[0], ascii(ts, 0, ts.length));
          items.push(item(0x21, Buffer.concat([Buffer.from([body[0], 0, 0, 0]), item(0x40, ts)])));
        }
        sub += 4 + subLen;
      }
    }
    at += 4 + len;
  }
  const max = Buffer.alloc(4);
  max.writeUInt32BE(maxPdu, 0);
  items.push(item(0x50, Buffer.concat([item(0x51, max), item(0x52, Buffer.from(IMPLEMENTATION_UID, 'latin1'))])));
  const body = Buffer.concat([rq.subarray(0, 68), ...items]);
  const pdu = Buffer.alloc(6 + body.length);
  pdu[0] = 0x02;
  pdu.writeUInt32BE(body.length, 2);
  body.copy(pdu, 6);
  return { pdu, contexts };
}

/** The command's values this SCP needs: implicit VR little endian elements of group 0000. */
function commandValues(cmd) {
  const out = {};
  commandElements(cmd, (element, value) => {
    if (element === 0x0002) out.sopClass = ascii(value, 0, value.length);
    else if (element === 0x0100) out.field = value.readUInt16LE(0);
    else if (element === 0x0110) out.messageId = value.readUInt16LE(0);
    else if (element === 0x1000) out.sopInstance = ascii(value, 0, value.length);
  });
  return out;
}

function response(contextId, cmd, field) {
  return commandPdu(contextId, [
    implicitElement(0x0002, uiValue(cmd.sopClass)),
    implicitElement(0x0100, us(field)),
    implicitElement(0x0120, us(cmd.messageId)),
    implicitElement(0x0800, us(0x0101)),
    implicitElement(0x0900, us(0)),
    ...(cmd.sopInstance ? [implicitElement(0x1000, uiValue(cmd.sopInstance))] : []),
  ]);
}

function explicitElement(element, vr, value) {
  const b = Buffer.alloc(8 + value.length + (vr === 'OB' ? 4 : 0));
  b.writeUInt16LE(0x0002, 0);
  b.writeUInt16LE(element, 2);
  b.write(vr, 4, 'latin1');
  if (vr === 'OB') {
    b.writeUInt32LE(value.length, 8);
    value.copy(b, 12);
  } else {
    b.writeUInt16LE(value.length, 6);
    value.copy(b, 8);
  }
  return b;
}

/** Preamble, DICM and a file meta group for one instance. */
function fileMeta(cmd, transferSyntax) {
  const els = Buffer.concat([
    explicitElement(0x0001, 'OB', Buffer.from([0, 1])),
    explicitElement(0x0002, 'UI', uiValue(cmd.sopClass)),
    explicitElement(0x0003, 'UI', uiValue(cmd.sopInstance)),
    explicitElement(0x0010, 'UI', uiValue(transferSyntax)),
    explicitElement(0x0012, 'UI', uiValue(IMPLEMENTATION_UID)),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(els.length, 0);
  const head = Buffer.alloc(132);
  head.write('DICM', 128, 'latin1');
  return Buffer.concat([head, explicitElement(0x0000, 'UL', length), els]);
}

class Connection {
  constructor(socket) {
    this.socket = socket;
    this.header = Buffer.alloc(6);
    this.headerHave = 0;
    this.pduType = 0;
    this.pduLeft = 0;
    this.body = undefined;
    this.bodyHave = 0;
    this.pdvHeader = Buffer.alloc(6);
    this.pdvHeaderHave = 0;
    this.pdvLeft = 0;
    this.pdvContext = 0;
    this.pdvControl = 0;
    this.command = [];
    this.pending = undefined;
    this.fd = -1;
    this.writes = [];
    this.contexts = new Map();
  }

  receive(chunk) {
    let at = 0;
    while (at < chunk.length) {
      if (this.pduLeft === 0) {
        const take = Math.min(6 - this.headerHave, chunk.length - at);
        chunk.copy(this.header, this.headerHave, at, at + take);
        this.headerHave += take;
        at += take;
        if (this.headerHave < 6) break;
        this.headerHave = 0;
        this.pduType = this.header[0];
        this.pduLeft = this.header.readUInt32BE(2);
        if (this.pduType !== 0x04) {
          this.body = Buffer.allocUnsafe(this.pduLeft);
          this.bodyHave = 0;
        }
        if (this.pduLeft === 0) this.control();
        continue;
      }
      if (this.pduType !== 0x04) {
        const take = Math.min(this.pduLeft, chunk.length - at);
        chunk.copy(this.body, this.bodyHave, at, at + take);
        this.bodyHave += take;
        this.pduLeft -= take;
        at += take;
        if (this.pduLeft === 0) this.control();
        continue;
      }
      at = this.pdata(chunk, at);
    }
    this.flush();
  }

  pdata(chunk, at) {
    if (this.pdvLeft === 0) {
      const take = Math.min(6 - this.pdvHeaderHave, chunk.length - at);
      chunk.copy(this.pdvHeader, this.pdvHeaderHave, at, at + take);
      this.pdvHeaderHave += take;
      this.pduLeft -= take;
      if (this.pdvHeaderHave < 6) return at + take;
      this.pdvHeaderHave = 0;
      this.pdvLeft = this.pdvHeader.readUInt32BE(0) - 2;
      this.pdvContext = this.pdvHeader[4];
      this.pdvControl = this.pdvHeader[5];
      at += take;
      if (this.pdvLeft === 0) this.pdvEnd();
      return at;
    }
    const take = Math.min(this.pdvLeft, chunk.length - at);
    const view = chunk.subarray(at, at + take);
    if (this.pdvControl & 1) this.command.push(Buffer.from(view));
    else this.writes.push(view);
    this.pdvLeft -= take;
    this.pduLeft -= take;
    if (this.pdvLeft === 0) this.pdvEnd();
    return at + take;
  }

  pdvEnd() {
    if (!(this.pdvControl & 2)) return;
    if (this.pdvControl & 1) {
      const cmd = commandValues(Buffer.concat(this.command));
      this.command = [];
      if (cmd.field === 0x0030) {
        this.socket.write(response(this.pdvContext, cmd, 0x8030));
        return;
      }
      this.pending = cmd;
      const name = path.join(dir, `${cmd.sopInstance}.dcm`);
      this.fd = fs.openSync(name, 'w');
      this.writes.push(fileMeta(cmd, this.contexts.get(this.pdvContext) ?? '1.2.840.10008.1.2.1'));
      return;
    }
    this.flush();
    fs.closeSync(this.fd);
    this.fd = -1;
    this.socket.write(response(this.pdvContext, this.pending, 0x8001));
    this.pending = undefined;
  }

  flush() {
    if (this.writes.length === 0 || this.fd < 0) return;
    fs.writevSync(this.fd, this.writes);
    this.writes = [];
  }

  control() {
    const type = this.pduType;
    const body = this.body;
    this.body = undefined;
    if (type === 0x01) {
      const { pdu, contexts } = acceptFor(body);
      this.contexts = contexts;
      this.socket.write(pdu);
    } else if (type === 0x05) {
      this.socket.end(Buffer.from([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    } else {
      this.socket.destroy();
    }
  }
}

const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (accepted) => {
  const handle = accepted._handle;
  accepted._handle = null;
  accepted.destroy();
  let connection;
  const socket = new net.Socket({
    handle, readable: true, writable: true, allowHalfOpen: false,
    onread: {
      buffer: READ,
      callback: (n, buf) => {
        try {
          connection.receive(buf.subarray(0, n));
        } catch {
          socket.destroy();
        }
        return true;
      },
    },
  });
  socket.setNoDelay(true);
  connection = new Connection(socket);
  socket.on('error', () => socket.destroy());
  socket.resume();
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
