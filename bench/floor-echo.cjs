#!/usr/bin/env node
// The least Node.js does for one C-ECHO (reference rows of `npm run bench`, scenario 5; not
// product code, in no package): node:net, one association with the Verification context, one
// C-ECHO, the release. Run, it is a whole process (Node's start, the echo, one line out; CommonJS,
// so no ES module loader); required, `echo` is the same association in the caller's process. No
// options beyond the peer, no checks beyond the PDU types and the status; a process has no time
// limit (the bench bounds the process), a required `echo` takes one.
//
//   node bench/floor-echo.cjs --port P [--aec AET]
'use strict';
const net = require('node:net');
const { RELEASE_RQ, associateRq, commandElements, commandPdu, implicitElement, pduFramer, uiValue, us } = require('./floor-pdu.cjs');

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/** The status (0000,0900) of the command set in a P-DATA-TF body holding one whole command PDV. */
function statusOf(body) {
  let status;
  commandElements(body.subarray(6), (element, value) => {
    if (element === 0x0900 && value.length === 2) status = value.readUInt16LE(0);
  });
  return status;
}

/**
 * One association to 127.0.0.1:port: resolves once released, rejects with what went wrong (and
 * closes the connection). `limitMs`: fail, and close, if it has not ended by then.
 */
function echo(port, calledAe, limitMs) {
  return new Promise((resolve, reject) => {
    const request = associateRq(calledAe, new Map([[1, { sopClass: VERIFICATION, transferSyntax: IMPLICIT_VR_LITTLE_ENDIAN }]]), 16384);
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    let ended = false;
    const end = (error) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const fail = (message) => end(new Error(message));
    const timer = limitMs === undefined ? undefined : setTimeout(() => fail(`the association to 127.0.0.1:${port} did not end within ${limitMs / 1000} s`), limitMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', pduFramer((type, body) => {
      try {
        if (type === 0x02) {
          socket.write(commandPdu(1, [implicitElement(0x0002, uiValue(VERIFICATION)), implicitElement(0x0100, us(0x0030)),
            implicitElement(0x0110, us(1)), implicitElement(0x0800, us(0x0101))]));
        } else if (type === 0x04) {
          const status = statusOf(body);
          if (status !== 0) fail(`C-ECHO status ${status === undefined ? 'missing' : `0x${status.toString(16)}`}`);
          else socket.write(RELEASE_RQ);
        } else if (type === 0x06) {
          end();
        } else {
          fail(`unexpected PDU type ${type}`);
        }
      } catch (error) {
        fail(`a malformed PDU: ${error.message}`);
      }
      return !ended;
    }));
    socket.on('error', (error) => fail(error.message));
    socket.on('close', () => fail('the peer closed the connection before the release'));
  });
}

module.exports = { echo };

if (require.main === module) {
  let port = 104;
  let calledAe = 'ANY-SCP';
  for (let i = 2; i < process.argv.length; i++) {
    if (process.argv[i] === '--port') port = Number(process.argv[++i]);
    else if (process.argv[i] === '--aec') calledAe = process.argv[++i];
  }
  if (!Number.isInteger(port) || calledAe === undefined) {
    process.stderr.write('floor-echo: usage: node floor-echo.cjs --port P [--aec AET]\n');
    process.exit(2);
  }
  echo(port, calledAe).then(() => process.stdout.write(`C-ECHO ${calledAe}@127.0.0.1:${port}: success\n`), (error) => {
    process.stderr.write(`floor-echo: ${error.message}\n`);
    process.exitCode = 1;
  });
}
