#!/usr/bin/env node
// The least a Node.js process does for one C-ECHO (a reference row of `npm run bench`, scenario 5;
// not product code, in no package): Node's start, node:net, one association with the Verification
// context, one C-ECHO, the release, one line out. CommonJS, so no ES module loader; no arguments
// beyond the peer; no checks beyond the PDU types and the status; no timeouts (the bench bounds
// the process).
//
//   node bench/floor-echo.cjs --port P [--aec AET]
'use strict';
const net = require('node:net');
const { RELEASE_RQ, associateRq, commandPdu, implicitElement, uiValue, us } = require('./floor-pdu.cjs');

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
let port = 104;
let calledAe = 'ANY-SCP';
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--port') port = Number(process.argv[++i]);
  else if (process.argv[i] === '--aec') calledAe = process.argv[++i];
}

function fail(message) {
  process.stderr.write(`floor-echo: ${message}\n`);
  process.exit(1);
}

/** The status (0000,0900) of the command set in a P-DATA-TF body holding one whole command PDV. */
function statusOf(body) {
  for (let at = 6; at + 8 <= body.length;) {
    const length = body.readUInt32LE(at + 4);
    if (body.readUInt16LE(at) === 0x0000 && body.readUInt16LE(at + 2) === 0x0900 && length === 2) return body.readUInt16LE(at + 8);
    at += 8 + length;
  }
  return undefined;
}

const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
let buffered = Buffer.alloc(0);
let released = false;
socket.on('connect', () => socket.write(associateRq(calledAe, new Map([[1, { sopClass: VERIFICATION, transferSyntax: IMPLICIT_VR_LITTLE_ENDIAN }]]), 16384)));
socket.on('data', (data) => {
  buffered = buffered.length ? Buffer.concat([buffered, data]) : data;
  while (buffered.length >= 6 && buffered.length >= 6 + buffered.readUInt32BE(2)) {
    const type = buffered[0];
    const body = buffered.subarray(6, 6 + buffered.readUInt32BE(2));
    buffered = buffered.subarray(6 + body.length);
    if (type === 0x02) {
      socket.write(commandPdu(1, [implicitElement(0x0002, uiValue(VERIFICATION)), implicitElement(0x0100, us(0x0030)),
        implicitElement(0x0110, us(1)), implicitElement(0x0800, us(0x0101))]));
    } else if (type === 0x04) {
      const status = statusOf(body);
      if (status !== 0) fail(`C-ECHO status ${status === undefined ? 'missing' : `0x${status.toString(16)}`}`);
      socket.write(RELEASE_RQ);
    } else if (type === 0x06) {
      released = true;
      process.stdout.write(`C-ECHO ${calledAe}@127.0.0.1:${port}: success\n`);
      socket.destroy();
    } else {
      fail(`unexpected PDU type ${type}`);
    }
  }
});
socket.on('error', (error) => fail(error.message));
socket.on('close', () => {
  if (!released) fail('the peer closed the connection before the release');
});
