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

function ascii(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** A 16-byte AE title field: the title left-aligned, padded with spaces. */
export function aeTitleField(title: string): Buffer {
  const field = Buffer.alloc(16, 0x20);
  field.write(title.slice(0, 16), 0, 'latin1');
  return field;
}

function u16(value: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(value, 0);
  return b;
}

/** An item with a one-byte type, a reserved byte and a two-byte length. */
function item(type: number, body: Buffer): Buffer {
  if (body.length > MAX_ITEM_LENGTH) {
    throw new RangeError(`item 0x${type.toString(16)} would be ${body.length} bytes, more than the 65535 an item can hold`);
  }
  const header = Buffer.allocUnsafe(4);
  header[0] = type;
  header[1] = 0;
  header.writeUInt16BE(body.length, 2);
  return Buffer.concat([header, body]);
}

/** A two-byte length followed by the bytes (used inside sub-items). */
function lengthPrefixed(body: Buffer): Buffer {
  return Buffer.concat([u16(body.length), body]);
}

function pduHeader(type: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(6);
  header[0] = type;
  header[1] = 0;
  header.writeUInt32BE(length, 2);
  return header;
}

function encodeContextRq(ctx: PresentationContextRq): Buffer {
  const parts = [Buffer.concat([Buffer.from([ctx.id]), ctx.reserved ?? Buffer.alloc(3)]), item(ITEM_ABSTRACT_SYNTAX, ascii(ctx.abstractSyntax))];
  for (const ts of ctx.transferSyntaxes) parts.push(item(ITEM_TRANSFER_SYNTAX, ascii(ts)));
  return item(ITEM_PRESENTATION_CONTEXT_RQ, Buffer.concat(parts));
}

function encodeContextAc(ctx: PresentationContextAc): Buffer {
  return item(ITEM_PRESENTATION_CONTEXT_AC, Buffer.concat([
    Buffer.from([ctx.id, 0, ctx.result, 0]),
    item(ITEM_TRANSFER_SYNTAX, ascii(ctx.transferSyntax)),
  ]));
}

function encodeSubItems(info: UserInformation): Map<number, Buffer[]> {
  const byType = new Map<number, Buffer[]>();
  const add = (type: number, body: Buffer) => {
    const list = byType.get(type) ?? [];
    list.push(item(type, body));
    byType.set(type, list);
  };
  if (info.maximumLength !== undefined) {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(info.maximumLength >>> 0, 0);
    add(SUB_MAXIMUM_LENGTH, b);
  }
  if (info.implementationClassUid !== undefined) add(SUB_IMPLEMENTATION_CLASS_UID, ascii(info.implementationClassUid));
  if (info.asyncOperationsWindow) {
    add(SUB_ASYNC_OPERATIONS_WINDOW, Buffer.concat([
      u16(info.asyncOperationsWindow.maxOperationsInvoked), u16(info.asyncOperationsWindow.maxOperationsPerformed),
    ]));
  }
  for (const role of info.roleSelections) {
    add(SUB_ROLE_SELECTION, Buffer.concat([lengthPrefixed(ascii(role.sopClassUid)), Buffer.from([role.scuRole, role.scpRole])]));
  }
  if (info.implementationVersionName !== undefined) add(SUB_IMPLEMENTATION_VERSION_NAME, ascii(info.implementationVersionName));
  for (const ext of info.sopClassExtended) {
    add(SUB_SOP_CLASS_EXTENDED, Buffer.concat([lengthPrefixed(ascii(ext.sopClassUid)), ext.serviceClassApplicationInformation]));
  }
  for (const common of info.sopClassCommonExtended) {
    const related = Buffer.concat(common.relatedGeneralSopClassUids.map((uid) => lengthPrefixed(ascii(uid))));
    add(SUB_SOP_CLASS_COMMON_EXTENDED, Buffer.concat([
      lengthPrefixed(ascii(common.sopClassUid)), lengthPrefixed(ascii(common.serviceClassUid)), lengthPrefixed(related),
    ]));
  }
  if (info.userIdentityRq) {
    const id = info.userIdentityRq;
    add(SUB_USER_IDENTITY_RQ, Buffer.concat([
      Buffer.from([id.type, id.positiveResponseRequested ? 1 : 0]),
      lengthPrefixed(id.primaryField), lengthPrefixed(id.secondaryField),
    ]));
  }
  if (info.userIdentityAc) add(SUB_USER_IDENTITY_AC, lengthPrefixed(info.userIdentityAc.serverResponse));
  for (const unknown of info.unknown) add(unknown.type, unknown.data);
  return byType;
}

function encodeUserInformation(info: UserInformation): Buffer {
  const byType = encodeSubItems(info);
  const parts: Buffer[] = [];
  // Re-emit in received order when known (byte-exact round trips), then whatever is left in type order.
  for (const type of info.order ?? []) {
    const list = byType.get(type);
    const next = list?.shift();
    if (next) parts.push(next);
  }
  for (const type of [...byType.keys()].sort((a, b) => a - b)) parts.push(...(byType.get(type) ?? []));
  return item(ITEM_USER_INFORMATION, Buffer.concat(parts));
}

function encodeAssociate(pdu: AAssociateRq | AAssociateAc): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(pdu.protocolVersion, 0);
  aeTitleField(pdu.calledAeTitle).copy(fixed, 4);
  aeTitleField(pdu.callingAeTitle).copy(fixed, 20);
  const contexts = pdu.type === PDU_ASSOCIATE_RQ
    ? pdu.presentationContexts.map(encodeContextRq)
    : pdu.presentationContexts.map(encodeContextAc);
  const body = Buffer.concat([
    fixed,
    item(ITEM_APPLICATION_CONTEXT, ascii(pdu.applicationContext)),
    ...contexts,
    encodeUserInformation(pdu.userInformation),
  ]);
  return Buffer.concat([pduHeader(pdu.type, body.length), body]);
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
  headers[0] = PDU_P_DATA_TF;
  headers[1] = 0;
  headers.writeUInt32BE(pDataLength(pdvs), 2);
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < pdvs.length; i++) {
    const pdv = pdvs[i];
    const at = 6 + 6 * i;
    headers.writeUInt32BE(pdv.data.length + 2, at);
    headers[at + 4] = pdv.contextId;
    headers[at + 5] = (pdv.isCommand ? 1 : 0) | (pdv.isLast ? 2 : 0);
    parts.push(headers.subarray(start, at + 6));
    if (pdv.data.length > 0) parts.push(pdv.data);
    start = at + 6;
  }
  if (pdvs.length === 0) parts.push(headers);
  return parts;
}

function encodePData(pdu: PDataTf): Buffer {
  return Buffer.concat(encodePDataParts(pdu.pdvs));
}

export function encodePdu(pdu: Pdu): Buffer {
  switch (pdu.type) {
    case PDU_ASSOCIATE_RQ:
    case PDU_ASSOCIATE_AC:
      return encodeAssociate(pdu);
    case PDU_ASSOCIATE_RJ:
      return encodeReject(pdu);
    case PDU_P_DATA_TF:
      return encodePData(pdu);
    case PDU_RELEASE_RQ:
    case PDU_RELEASE_RP:
      return Buffer.concat([pduHeader(pdu.type, 4), Buffer.alloc(4)]);
    case PDU_ABORT:
      return encodeAbort(pdu);
  }
}
