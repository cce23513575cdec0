// What the Node floor's SCP and SCU (floor-scp.mjs, floor-scu.mjs) both encode: A-ASSOCIATE items,
// UI values, implicit VR little endian command elements, and a command set in a P-DATA-TF of its own.

/** An A-ASSOCIATE-RQ/AC item or sub-item: type, reserved byte, 16-bit length, body. */
export function item(type, body) {
  const b = Buffer.alloc(4 + body.length);
  b[0] = type;
  b.writeUInt16BE(body.length, 2);
  body.copy(b, 4);
  return b;
}

/** A UI value padded to even length with a NUL, as bytes. */
export function uiValue(text) {
  return Buffer.from(text.length % 2 === 1 ? `${text}\0` : text, 'latin1');
}

/** An implicit VR little endian element of group 0000 (a command's). */
export function implicitElement(element, value) {
  const b = Buffer.alloc(8 + value.length);
  b.writeUInt16LE(element, 2);
  b.writeUInt32LE(value.length, 4);
  value.copy(b, 8);
  return b;
}

/** A US value. */
export function us(n) {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
}

/** The command set of `elements` (group length first) as one P-DATA-TF with one last command fragment. */
export function commandPdu(contextId, elements) {
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
