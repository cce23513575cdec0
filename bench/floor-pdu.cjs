// What the Node floor's SCP and SCUs (floor-scp.mjs, floor-scu.mjs, floor-echo.cjs) encode:
// A-ASSOCIATE items and requests, UI values, implicit VR little endian command elements, and a
// command set in a P-DATA-TF of its own; how they read a command set's elements; and how the SCUs
// cut what they read into PDUs. CommonJS, so that floor-echo.cjs loads it without the ES module
// loader (its row is the least a Node.js process takes to echo).
'use strict';

/** An A-ASSOCIATE-RQ/AC item or sub-item: type, reserved byte, 16-bit length, body. */
function item(type, body) {
  const b = Buffer.alloc(4 + body.length);
  b[0] = type;
  b.writeUInt16BE(body.length, 2);
  body.copy(b, 4);
  return b;
}

/** A UI value padded to even length with a NUL, as bytes. */
function uiValue(text) {
  return Buffer.from(text.length % 2 === 1 ? `${text}\0` : text, 'latin1');
}

/** An implicit VR little endian element of group 0000 (a command's). */
function implicitElement(element, value) {
  const b = Buffer.alloc(8 + value.length);
  b.writeUInt16LE(element, 2);
  b.writeUInt32LE(value.length, 4);
  value.copy(b, 8);
  return b;
}

/** A US value. */
function us(n) {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
}

/**
 * A command set's elements (implicit VR little endian, group 0000): onElement(element, value) for
 * each whole one, in order; an element that runs past the end ends the walk.
 */
function commandElements(command, onElement) {
  for (let at = 0; at + 8 <= command.length;) {
    const end = at + 8 + command.readUInt32LE(at + 4);
    if (end > command.length) return;
    onElement(command.readUInt16LE(at + 2), command.subarray(at + 8, end));
    at = end;
  }
}

/** The command set of `elements` (group length first) as one P-DATA-TF with one last command fragment. */
function commandPdu(contextId, elements) {
  const els = Buffer.concat(elements);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(els.length, 0);
  const command = Buffer.concat([implicitElement(0x0000, length), els]);
  const pdu = Buffer.alloc(12 + command.length);
  pdu[0] = 0x04;
  pdu.writeUInt32BE(6 + command.length, 2);
  pdu.writeUInt32BE(2 + command.length, 6);
  pdu[10] = contextId;
  pdu[11] = 0x03;
  command.copy(pdu, 12);
  return pdu;
}

/**
 * An A-ASSOCIATE-RQ from FLOORSCU to `calledAe`: `contexts` maps each presentation context ID to
 * its SOP class and (one) transfer syntax; `maxPdu` is the largest PDU we take.
 */
function associateRq(calledAe, contexts, maxPdu) {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0);
  fixed.write(calledAe.padEnd(16), 4, 16, 'latin1');
  fixed.write('FLOORSCU'.padEnd(16), 20, 16, 'latin1');
  const items = [item(0x10, Buffer.from('1.2.840.10008.3.1.1.1', 'latin1'))];
  for (const [id, c] of contexts) {
    const head = Buffer.from([id, 0, 0, 0]);
    items.push(item(0x20, Buffer.concat([head, item(0x30, Buffer.from(c.sopClass, 'latin1')), item(0x40, Buffer.from(c.transferSyntax, 'latin1'))])));
  }
  const max = Buffer.alloc(4);
  max.writeUInt32BE(maxPdu, 0);
  items.push(item(0x50, Buffer.concat([item(0x51, max), item(0x52, Buffer.from('1.2.826.0.1.3680043.10.1471.98', 'latin1'))])));
  const body = Buffer.concat([fixed, ...items]);
  const pdu = Buffer.alloc(6);
  pdu[0] = 0x01;
  pdu.writeUInt32BE(body.length, 2);
  return Buffer.concat([pdu, body]);
}

/**
 * A socket 'data' listener that cuts the stream into PDUs: onPdu(type, body) for each whole one, in
 * order, until it returns false.
 */
function pduFramer(onPdu) {
  let buffered = Buffer.alloc(0);
  return (data) => {
    buffered = buffered.length ? Buffer.concat([buffered, data]) : data;
    while (buffered.length >= 6 && buffered.length >= 6 + buffered.readUInt32BE(2)) {
      const end = 6 + buffered.readUInt32BE(2);
      const [type, body] = [buffered[0], buffered.subarray(6, end)];
      buffered = buffered.subarray(end);
      if (onPdu(type, body) === false) return;
    }
  };
}

/** An A-RELEASE-RQ. */
const RELEASE_RQ = Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);

module.exports = { associateRq, commandElements, commandPdu, implicitElement, item, pduFramer, uiValue, us, RELEASE_RQ };
