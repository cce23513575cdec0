// Encoding of PDUs (PS3.8 §9.3) into the bytes sent on the wire.
import {
  AAbort, AAssociateAc, AAssociateRj, AAssociateRq, PDataTf, Pdu, Pdv, PresentationContextAc,
  PresentationContextRq, UserInformation,
  ITEM_ABSTRACT_SYNTAX, ITEM_APPLICATION_CONTEXT, ITEM_PRESENTATION_CONTEXT_AC, ITEM_PRESENTATION_CONTEXT_RQ,
  ITEM_TRANSFER_SYNTAX, ITEM_USER_INFORMATION, PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ,
  PDU_ASSOCIATE_RQ, PDU_P_DATA_TF, PDU_RELEASE_RP, PDU_RELEASE_RQ, SUB_ASYNC_OPERATIONS_WINDOW,
  SUB_IMPLEMENTATION_CLASS_UID, SUB_IMPLEMENTATION_VERSION_NAME, SUB_MAXIMUM_LENGTH, SUB_ROLE_SELECTION,
  SUB_SOP_CLASS_COMMON_EXTENDED, SUB_SOP_CLASS_EXTENDED, SUB_USER_IDENTITY_AC, SUB_USER_IDENTITY_RQ,
} from './pdu-types';

const MAX_ITEM_LENGTH = 0xffff;

/**
 * Writes a PDU into one scratch buffer (item lengths filled in once their bodies are written) and
 * hands out a copy of exactly its bytes: one allocation per PDU instead of one per field and item
 * (an A-ASSOCIATE-AC was a few dozen small buffers and as many concatenations).
 */
class PduWriter {
  private buffer = Buffer.allocUnsafe(4096);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.pos + n));
    this.buffer.copy(bigger, 0, 0, this.pos);
    this.buffer = bigger;
  }

  u8(value: number): void {
    this.room(1);
    this.buffer[this.pos++] = value;
  }

  u16(value: number): void {
    this.room(2);
    this.buffer.writeUInt16BE(value, this.pos);
    this.pos += 2;
  }

  u32(value: number): void {
    this.room(4);
    this.buffer.writeUInt32BE(value, this.pos);
    this.pos += 4;
  }

  latin1(text: string): void {
    this.room(text.length);
    this.pos += this.buffer.write(text, this.pos, text.length, 'latin1');
  }

  bytes(data: Uint8Array): void {
    this.room(data.length);
    this.buffer.set(data, this.pos);
    this.pos += data.length;
  }

  /** `count` bytes of `value`. */
  fill(value: number, count: number): void {
    this.room(count);
    this.buffer.fill(value, this.pos, this.pos + count);
    this.pos += count;
  }

  /** A 16-byte AE title field: the title left-aligned, padded with spaces. */
  aeTitle(title: string): void {
    this.room(16);
    this.buffer.fill(0x20, this.pos, this.pos + 16);
    this.buffer.write(title.slice(0, 16), this.pos, 'latin1');
    this.pos += 16;
  }

  /** Starts an item (type, reserved byte, two-byte length to come): returns where its body starts. */
  beginItem(type: number): number {
    this.u8(type);
    this.u8(0);
    return this.beginPrefixed();
  }

  endItem(type: number, bodyStart: number): void {
    const length = this.pos - bodyStart;
    if (length > MAX_ITEM_LENGTH) {
      throw new RangeError(`item 0x${type.toString(16)} would be ${length} bytes, more than the 65535 an item can hold`);
    }
    this.buffer.writeUInt16BE(length, bodyStart - 2);
  }

  /** Starts bytes preceded by their two-byte length (inside sub-items): returns where they start. */
  beginPrefixed(): number {
    this.room(2);
    this.pos += 2;
    return this.pos;
  }

  endPrefixed(start: number): void {
    this.buffer.writeUInt16BE(this.pos - start, start - 2); // RangeError past 65535
  }

  item(type: number, text: string): void {
    const start = this.beginItem(type);
    this.latin1(text);
    this.endItem(type, start);
  }

  prefixed(data: Uint8Array | string): void {
    const start = this.beginPrefixed();
    if (typeof data === 'string') this.latin1(data); else this.bytes(data);
    this.endPrefixed(start);
  }

  /** A PDU header whose length is filled in by `endPdu`. */
  beginPdu(type: number): void {
    this.pos = 0;
    this.u8(type);
    this.u8(0);
    this.u32(0);
  }

  /** The PDU written since `beginPdu`, as a buffer of its own. */
  endPdu(): Buffer {
    this.buffer.writeUInt32BE(this.pos - 6, 2);
    const pdu = Buffer.allocUnsafe(this.pos);
    this.buffer.copy(pdu, 0, 0, this.pos);
    this.pos = 0;
    if (this.buffer.length > 64 * 1024) this.buffer = Buffer.allocUnsafe(4096); // an unusually large request
    return pdu;
  }
}

const writer = new PduWriter();

function pduHeader(type: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(6);
  header[0] = type;
  header[1] = 0;
  header.writeUInt32BE(length, 2);
  return header;
}

function writeContextRq(w: PduWriter, ctx: PresentationContextRq): void {
  const start = w.beginItem(ITEM_PRESENTATION_CONTEXT_RQ);
  w.u8(ctx.id);
  if (ctx.reserved) w.bytes(ctx.reserved); else w.fill(0, 3);
  w.item(ITEM_ABSTRACT_SYNTAX, ctx.abstractSyntax);
  for (const ts of ctx.transferSyntaxes) w.item(ITEM_TRANSFER_SYNTAX, ts);
  w.endItem(ITEM_PRESENTATION_CONTEXT_RQ, start);
}

function writeContextAc(w: PduWriter, ctx: PresentationContextAc): void {
  const start = w.beginItem(ITEM_PRESENTATION_CONTEXT_AC);
  w.u8(ctx.id);
  w.u8(0);
  w.u8(ctx.result);
  w.u8(0);
  w.item(ITEM_TRANSFER_SYNTAX, ctx.transferSyntax);
  w.endItem(ITEM_PRESENTATION_CONTEXT_AC, start);
}

/** One user information sub-item: its type and how its body is written. */
type SubItem = [type: number, body: (w: PduWriter) => void];

/**
 * The sub-items of `info`, in the order they are written when nothing else says (ascending type:
 * the order of the standard's table, unknown ones placed by their type).
 */
function subItems(info: UserInformation): SubItem[] {
  const items: SubItem[] = [];
  const maximumLength = info.maximumLength;
  if (maximumLength !== undefined) items.push([SUB_MAXIMUM_LENGTH, (w) => w.u32(maximumLength >>> 0)]);
  const classUid = info.implementationClassUid;
  if (classUid !== undefined) items.push([SUB_IMPLEMENTATION_CLASS_UID, (w) => w.latin1(classUid)]);
  const window = info.asyncOperationsWindow;
  if (window) items.push([SUB_ASYNC_OPERATIONS_WINDOW, (w) => { w.u16(window.maxOperationsInvoked); w.u16(window.maxOperationsPerformed); }]);
  for (const role of info.roleSelections) {
    items.push([SUB_ROLE_SELECTION, (w) => { w.prefixed(role.sopClassUid); w.u8(role.scuRole); w.u8(role.scpRole); }]);
  }
  const versionName = info.implementationVersionName;
  if (versionName !== undefined) items.push([SUB_IMPLEMENTATION_VERSION_NAME, (w) => w.latin1(versionName)]);
  for (const ext of info.sopClassExtended) {
    items.push([SUB_SOP_CLASS_EXTENDED, (w) => { w.prefixed(ext.sopClassUid); w.bytes(ext.serviceClassApplicationInformation); }]);
  }
  for (const common of info.sopClassCommonExtended) {
    items.push([SUB_SOP_CLASS_COMMON_EXTENDED, (w) => {
      w.prefixed(common.sopClassUid);
      w.prefixed(common.serviceClassUid);
      const related = w.beginPrefixed();
      for (const uid of common.relatedGeneralSopClassUids) w.prefixed(uid);
      w.endPrefixed(related);
    }]);
  }
  const identityRq = info.userIdentityRq;
  if (identityRq) {
    items.push([SUB_USER_IDENTITY_RQ, (w) => {
      w.u8(identityRq.type);
      w.u8(identityRq.positiveResponseRequested ? 1 : 0);
      w.prefixed(identityRq.primaryField);
      w.prefixed(identityRq.secondaryField);
    }]);
  }
  const identityAc = info.userIdentityAc;
  if (identityAc) items.push([SUB_USER_IDENTITY_AC, (w) => w.prefixed(identityAc.serverResponse)]);
  for (const unknown of info.unknown) items.push([unknown.type, (w) => w.bytes(unknown.data)]);
  // Stable: items of one type keep their order.
  if (info.unknown.length > 0) items.sort((a, b) => a[0] - b[0]);
  return items;
}

function writeUserInformation(w: PduWriter, info: UserInformation): void {
  let items = subItems(info);
  // Re-emit in received order when known (byte-exact round trips), then whatever is left in type order.
  if (info.order) {
    const first: SubItem[] = [];
    for (const type of info.order) {
      const at = items.findIndex((i) => i[0] === type);
      if (at >= 0) first.push(...items.splice(at, 1));
    }
    items = [...first, ...items];
  }
  const start = w.beginItem(ITEM_USER_INFORMATION);
  for (const [type, body] of items) {
    const subStart = w.beginItem(type);
    body(w);
    w.endItem(type, subStart);
  }
  w.endItem(ITEM_USER_INFORMATION, start);
}

function encodeAssociate(pdu: AAssociateRq | AAssociateAc): Buffer {
  const w = writer;
  w.beginPdu(pdu.type);
  w.u16(pdu.protocolVersion);
  w.fill(0, 2);
  w.aeTitle(pdu.calledAeTitle);
  w.aeTitle(pdu.callingAeTitle);
  w.fill(0, 32);
  w.item(ITEM_APPLICATION_CONTEXT, pdu.applicationContext);
  if (pdu.type === PDU_ASSOCIATE_RQ) for (const ctx of pdu.presentationContexts) writeContextRq(w, ctx);
  else for (const ctx of pdu.presentationContexts) writeContextAc(w, ctx);
  writeUserInformation(w, pdu.userInformation);
  return w.endPdu();
}

function encodeReject(pdu: AAssociateRj): Buffer {
  return Buffer.concat([pduHeader(PDU_ASSOCIATE_RJ, 4), Buffer.from([0, pdu.result, pdu.source, pdu.reason])]);
}

function encodeAbort(pdu: AAbort): Buffer {
  return Buffer.concat([pduHeader(PDU_ABORT, 4), Buffer.from([0, 0, pdu.source, pdu.reason])]);
}

/** Total bytes of a P-DATA-TF PDU carrying these PDVs. */
export function pDataLength(pdvs: readonly Pdv[]): number {
  let length = 0;
  for (const pdv of pdvs) length += 6 + pdv.data.length;
  return length;
}

/**
 * The P-DATA-TF as a list of buffers (headers interleaved with the PDV payloads), so large payloads
 * are written to the socket without being copied into one buffer. The PDU header and the first
 * PDV's header are one buffer: a PDU with one PDV (every data fragment) is two writes, not three.
 */
export function encodePDataParts(pdvs: readonly Pdv[]): Buffer[] {
  const headers = Buffer.allocUnsafe(6 + 6 * pdvs.length);
  writePDataHeader(headers, pDataLength(pdvs));
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < pdvs.length; i++) {
    const pdv = pdvs[i];
    const at = 6 + 6 * i;
    writePdvHeader(headers, at, pdv);
    parts.push(headers.subarray(start, at + 6));
    if (pdv.data.length > 0) parts.push(pdv.data);
    start = at + 6;
  }
  if (pdvs.length === 0) parts.push(headers);
  return parts;
}

/** The P-DATA-TF in one buffer (its PDV payloads copied: for small PDUs, written in one piece). */
export function encodePDataBuffer(pdvs: readonly Pdv[], length = pDataLength(pdvs)): Buffer {
  const out = Buffer.allocUnsafe(6 + length);
  writePDataHeader(out, length);
  let at = 6;
  for (const pdv of pdvs) {
    writePdvHeader(out, at, pdv);
    out.set(pdv.data, at + 6);
    at += 6 + pdv.data.length;
  }
  return out;
}

function writePDataHeader(out: Buffer, length: number): void {
  out[0] = PDU_P_DATA_TF;
  out[1] = 0;
  out.writeUInt32BE(length, 2);
}

/** A PDV's item length, presentation context and message control header (PS3.8 E.2). */
function writePdvHeader(out: Buffer, at: number, pdv: Pdv): void {
  out.writeUInt32BE(pdv.data.length + 2, at);
  out[at + 4] = pdv.contextId;
  out[at + 5] = (pdv.isCommand ? 1 : 0) | (pdv.isLast ? 2 : 0);
}

export function encodePdu(pdu: Pdu): Buffer {
  switch (pdu.type) {
    case PDU_ASSOCIATE_RQ:
    case PDU_ASSOCIATE_AC:
      return encodeAssociate(pdu);
    case PDU_ASSOCIATE_RJ:
      return encodeReject(pdu);
    case PDU_P_DATA_TF:
      return encodePDataBuffer(pdu.pdvs);
    case PDU_RELEASE_RQ:
    case PDU_RELEASE_RP:
      return Buffer.concat([pduHeader(pdu.type, 4), Buffer.alloc(4)]);
    case PDU_ABORT:
      return encodeAbort(pdu);
  }
}
