// Decoding of complete PDUs. Every length is checked against its container; any failure is a
// PduDecodeError carrying the A-ABORT reason that fits, and nothing else is thrown.
import { AbortReason, PduDecodeError } from './errors';
import {
  AAssociateAc, AAssociateRq, PDataTf, Pdu, Pdv, PresentationContextAc, PresentationContextRq,
  UserInformation, emptyUserInformation,
  ITEM_ABSTRACT_SYNTAX, ITEM_APPLICATION_CONTEXT, ITEM_PRESENTATION_CONTEXT_AC, ITEM_PRESENTATION_CONTEXT_RQ,
  ITEM_TRANSFER_SYNTAX, ITEM_USER_INFORMATION, PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ,
  PDU_ASSOCIATE_RQ, PDU_P_DATA_TF, PDU_RELEASE_RP, PDU_RELEASE_RQ, SUB_ASYNC_OPERATIONS_WINDOW,
  SUB_IMPLEMENTATION_CLASS_UID, SUB_IMPLEMENTATION_VERSION_NAME, SUB_MAXIMUM_LENGTH, SUB_ROLE_SELECTION,
  SUB_SOP_CLASS_COMMON_EXTENDED, SUB_SOP_CLASS_EXTENDED, SUB_USER_IDENTITY_AC, SUB_USER_IDENTITY_RQ,
} from './pdu-types';

export type DecodeResult = { ok: true; pdu: Pdu } | { ok: false; error: PduDecodeError };

const invalid = (message: string) => new PduDecodeError(message, AbortReason.InvalidPduParameterValue);

/** A bounds-checked cursor over one container (PDU, item or sub-item). */
class Cursor {
  private pos: number;
  constructor(private readonly buf: Buffer, start: number, private readonly end: number, private readonly what: string) {
    this.pos = start;
  }
  get remaining(): number { return this.end - this.pos; }
  get offset(): number { return this.pos; }
  private need(n: number, field: string): void {
    if (n > this.remaining) {
      throw invalid(`${this.what}: ${field} needs ${n} bytes but only ${this.remaining} remain`);
    }
  }
  u8(field: string): number { this.need(1, field); return this.buf[this.pos++]; }
  u16(field: string): number { this.need(2, field); const v = this.buf.readUInt16BE(this.pos); this.pos += 2; return v; }
  u32(field: string): number { this.need(4, field); const v = this.buf.readUInt32BE(this.pos); this.pos += 4; return v; }
  bytes(n: number, field: string): Buffer { this.need(n, field); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  skip(n: number, field: string): void { this.need(n, field); this.pos += n; }
  /** A sub-cursor over the next n bytes. */
  sub(n: number, what: string): Cursor { this.need(n, what); const c = new Cursor(this.buf, this.pos, this.pos + n, what); this.pos += n; return c; }
  /** An item header (type, reserved, 2-byte length) and a cursor over its body. */
  item(): { type: number; body: Cursor } {
    const type = this.u8('item type');
    this.skip(1, 'item reserved byte');
    const length = this.u16('item length');
    if (length > this.remaining) {
      throw invalid(`${this.what}: item 0x${hex(type)} claims ${length} bytes but only ${this.remaining} remain`);
    }
    return { type, body: this.sub(length, `item 0x${hex(type)}`) };
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** UIDs and names in items: printable ASCII; trailing NUL or space padding is dropped. */
function text(bytes: Buffer, field: string): string {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
  for (let i = 0; i < end; i++) {
    const c = bytes[i];
    if (c < 0x20 || c > 0x7e) throw invalid(`${field} contains a non-printable byte 0x${hex(c)}`);
  }
  return bytes.toString('latin1', 0, end);
}

function aeTitle(bytes: Buffer, field: string): string {
  return text(bytes, field).trim();
}

function decodeContextRq(body: Cursor, seen: Set<number>): PresentationContextRq {
  const id = body.u8('presentation context ID');
  const reserved = body.bytes(3, 'presentation context reserved bytes');
  if (id % 2 === 0) throw invalid(`presentation context ID ${id} is even; IDs must be odd (1–255)`);
  if (seen.has(id)) throw invalid(`presentation context ID ${id} appears twice`);
  seen.add(id);
  let abstractSyntax: string | undefined;
  const transferSyntaxes: string[] = [];
  while (body.remaining > 0) {
    const sub = body.item();
    if (sub.type === ITEM_ABSTRACT_SYNTAX) {
      if (abstractSyntax !== undefined) throw invalid(`presentation context ${id} has two abstract syntaxes`);
      abstractSyntax = text(sub.body.bytes(sub.body.remaining, 'abstract syntax'), 'abstract syntax');
    } else if (sub.type === ITEM_TRANSFER_SYNTAX) {
      transferSyntaxes.push(text(sub.body.bytes(sub.body.remaining, 'transfer syntax'), 'transfer syntax'));
    } else {
      throw new PduDecodeError(`presentation context ${id} has an unknown sub-item 0x${hex(sub.type)}`, AbortReason.UnrecognizedPduParameter);
    }
  }
  if (abstractSyntax === undefined) throw invalid(`presentation context ${id} has no abstract syntax`);
  if (transferSyntaxes.length === 0) throw invalid(`presentation context ${id} proposes no transfer syntax`);
  const context: PresentationContextRq = { id, abstractSyntax, transferSyntaxes };
  if (reserved.some((b) => b !== 0)) context.reserved = Buffer.from(reserved);
  return context;
}

function decodeContextAc(body: Cursor): PresentationContextAc {
  const id = body.u8('presentation context ID');
  body.skip(1, 'reserved byte');
  const result = body.u8('result/reason');
  body.skip(1, 'reserved byte');
  if (result > 4) throw invalid(`presentation context ${id} has an unknown result ${result}`);
  let transferSyntax = '';
  let count = 0;
  while (body.remaining > 0) {
    const sub = body.item();
    if (sub.type !== ITEM_TRANSFER_SYNTAX) {
      throw new PduDecodeError(`accepted presentation context ${id} has an unexpected sub-item 0x${hex(sub.type)}`, AbortReason.UnexpectedPduParameter);
    }
    transferSyntax = text(sub.body.bytes(sub.body.remaining, 'transfer syntax'), 'transfer syntax');
    count++;
  }
  if (count > 1) throw invalid(`presentation context ${id} answers with ${count} transfer syntaxes instead of one`);
  if (result === 0 && !transferSyntax) throw invalid(`presentation context ${id} is accepted without a transfer syntax`);
  return { id, result, transferSyntax };
}

function lengthPrefixed(c: Cursor, field: string): Buffer {
  const n = c.u16(`${field} length`);
  return c.bytes(n, field);
}

function decodeUserInformation(body: Cursor): UserInformation {
  const info = emptyUserInformation();
  info.order = [];
  while (body.remaining > 0) {
    const { type, body: sub } = body.item();
    info.order.push(type);
    switch (type) {
      case SUB_MAXIMUM_LENGTH:
        if (sub.remaining !== 4) throw invalid(`maximum length sub-item has ${sub.remaining} bytes instead of 4`);
        info.maximumLength = sub.u32('maximum length');
        break;
      case SUB_IMPLEMENTATION_CLASS_UID:
        info.implementationClassUid = text(sub.bytes(sub.remaining, 'implementation class UID'), 'implementation class UID');
        break;
      case SUB_IMPLEMENTATION_VERSION_NAME:
        info.implementationVersionName = text(sub.bytes(sub.remaining, 'implementation version name'), 'implementation version name');
        break;
      case SUB_ASYNC_OPERATIONS_WINDOW:
        info.asyncOperationsWindow = {
          maxOperationsInvoked: sub.u16('maximum operations invoked'),
          maxOperationsPerformed: sub.u16('maximum operations performed'),
        };
        break;
      case SUB_ROLE_SELECTION: {
        const uid = text(lengthPrefixed(sub, 'SOP class UID'), 'role selection SOP class UID');
        const scuRole = sub.u8('SCU role');
        const scpRole = sub.u8('SCP role');
        if (scuRole > 1 || scpRole > 1) throw invalid(`role selection for ${uid} has role values ${scuRole}/${scpRole}; only 0 and 1 are defined`);
        info.roleSelections.push({ sopClassUid: uid, scuRole, scpRole });
        break;
      }
      case SUB_SOP_CLASS_EXTENDED: {
        const uid = text(lengthPrefixed(sub, 'SOP class UID'), 'extended negotiation SOP class UID');
        info.sopClassExtended.push({ sopClassUid: uid, serviceClassApplicationInformation: Buffer.from(sub.bytes(sub.remaining, 'application information')) });
        break;
      }
      case SUB_SOP_CLASS_COMMON_EXTENDED: {
        const sopClassUid = text(lengthPrefixed(sub, 'SOP class UID'), 'common extended negotiation SOP class UID');
        const serviceClassUid = text(lengthPrefixed(sub, 'service class UID'), 'service class UID');
        const relatedLength = sub.u16('related general SOP class identification length');
        const related = sub.sub(relatedLength, 'related general SOP classes');
        const relatedGeneralSopClassUids: string[] = [];
        while (related.remaining > 0) relatedGeneralSopClassUids.push(text(lengthPrefixed(related, 'related SOP class UID'), 'related SOP class UID'));
        info.sopClassCommonExtended.push({ sopClassUid, serviceClassUid, relatedGeneralSopClassUids });
        break;
      }
      case SUB_USER_IDENTITY_RQ: {
        const idType = sub.u8('user identity type');
        const positive = sub.u8('positive response requested');
        const primaryField = Buffer.from(lengthPrefixed(sub, 'primary field'));
        const secondaryField = Buffer.from(lengthPrefixed(sub, 'secondary field'));
        if (idType < 1 || idType > 5) throw invalid(`user identity type ${idType} is not one of 1–5`);
        info.userIdentityRq = { type: idType, positiveResponseRequested: positive === 1, primaryField, secondaryField };
        break;
      }
      case SUB_USER_IDENTITY_AC:
        info.userIdentityAc = { serverResponse: Buffer.from(lengthPrefixed(sub, 'server response')) };
        break;
      default:
        // PS3.7 D.3.3: sub-items we do not recognise are ignored.
        info.unknown.push({ type, data: Buffer.from(sub.bytes(sub.remaining, 'unknown sub-item')) });
        continue;
    }
    if (sub.remaining !== 0) throw invalid(`user information sub-item 0x${hex(type)} has ${sub.remaining} unexpected trailing bytes`);
  }
  return info;
}

function decodeAssociate(type: number, c: Cursor): AAssociateRq | AAssociateAc {
  const protocolVersion = c.u16('protocol version');
  c.skip(2, 'reserved bytes');
  const calledAeTitle = aeTitle(c.bytes(16, 'called AE title'), 'called AE title');
  const callingAeTitle = aeTitle(c.bytes(16, 'calling AE title'), 'calling AE title');
  c.skip(32, 'reserved bytes');
  let applicationContext: string | undefined;
  let userInformation: UserInformation | undefined;
  const contextsRq: PresentationContextRq[] = [];
  const contextsAc: PresentationContextAc[] = [];
  const seenIds = new Set<number>();
  while (c.remaining > 0) {
    const { type: itemType, body } = c.item();
    switch (itemType) {
      case ITEM_APPLICATION_CONTEXT:
        if (applicationContext !== undefined) throw invalid('the PDU carries two application context items');
        applicationContext = text(body.bytes(body.remaining, 'application context'), 'application context name');
        break;
      case ITEM_PRESENTATION_CONTEXT_RQ:
        if (type !== PDU_ASSOCIATE_RQ) throw new PduDecodeError('an A-ASSOCIATE-AC carries a request presentation context item', AbortReason.UnexpectedPduParameter);
        contextsRq.push(decodeContextRq(body, seenIds));
        break;
      case ITEM_PRESENTATION_CONTEXT_AC:
        if (type !== PDU_ASSOCIATE_AC) throw new PduDecodeError('an A-ASSOCIATE-RQ carries an accept presentation context item', AbortReason.UnexpectedPduParameter);
        contextsAc.push(decodeContextAc(body));
        break;
      case ITEM_USER_INFORMATION:
        if (userInformation !== undefined) throw invalid('the PDU carries two user information items');
        userInformation = decodeUserInformation(body);
        break;
      default:
        throw new PduDecodeError(`the PDU carries an unknown item type 0x${hex(itemType)}`, AbortReason.UnrecognizedPduParameter);
    }
  }
  if (applicationContext === undefined) throw invalid('the PDU has no application context item');
  if (contextsRq.length > 128) throw invalid(`the request proposes ${contextsRq.length} presentation contexts; at most 128 are allowed`);
  userInformation ??= emptyUserInformation();
  const common = { protocolVersion, calledAeTitle, callingAeTitle, applicationContext, userInformation };
  return type === PDU_ASSOCIATE_RQ
    ? { type: PDU_ASSOCIATE_RQ, ...common, presentationContexts: contextsRq }
    : { type: PDU_ASSOCIATE_AC, ...common, presentationContexts: contextsAc };
}

function decodePData(c: Cursor): PDataTf {
  const pdvs: Pdv[] = [];
  while (c.remaining > 0) {
    const length = c.u32('PDV item length');
    if (length < 2) throw invalid(`a PDV item length of ${length} is too short (at least 2)`);
    if (length > c.remaining) throw invalid(`a PDV item claims ${length} bytes but only ${c.remaining} remain`);
    const contextId = c.u8('presentation context ID');
    const header = c.u8('message control header');
    pdvs.push({ contextId, isCommand: (header & 1) !== 0, isLast: (header & 2) !== 0, data: c.bytes(length - 2, 'PDV data') });
  }
  if (pdvs.length === 0) throw invalid('a P-DATA-TF PDU carries no PDV item');
  return { type: PDU_P_DATA_TF, pdvs };
}

function decodeFixed4(c: Cursor, name: string): Buffer {
  if (c.remaining !== 4) throw invalid(`${name} PDU has length ${c.remaining} instead of 4`);
  return c.bytes(4, name);
}

/** Decodes one complete PDU (6-byte header included). P-DATA payloads are views into `buf`, not copies. */
export function decodePdu(buf: Buffer): DecodeResult {
  try {
    if (buf.length < 6) throw invalid(`a PDU needs at least 6 bytes, got ${buf.length}`);
    const type = buf[0];
    const length = buf.readUInt32BE(2);
    if (length !== buf.length - 6) throw invalid(`the PDU header says ${length} bytes but ${buf.length - 6} follow`);
    const c = new Cursor(buf, 6, buf.length, `PDU type 0x${hex(type)}`);
    switch (type) {
      case PDU_ASSOCIATE_RQ:
      case PDU_ASSOCIATE_AC:
        return { ok: true, pdu: decodeAssociate(type, c) };
      case PDU_ASSOCIATE_RJ: {
        const b = decodeFixed4(c, 'A-ASSOCIATE-RJ');
        return { ok: true, pdu: { type: PDU_ASSOCIATE_RJ, result: b[1], source: b[2], reason: b[3] } };
      }
      case PDU_P_DATA_TF:
        return { ok: true, pdu: decodePData(c) };
      case PDU_RELEASE_RQ:
        decodeFixed4(c, 'A-RELEASE-RQ');
        return { ok: true, pdu: { type: PDU_RELEASE_RQ } };
      case PDU_RELEASE_RP:
        decodeFixed4(c, 'A-RELEASE-RP');
        return { ok: true, pdu: { type: PDU_RELEASE_RP } };
      case PDU_ABORT: {
        const b = decodeFixed4(c, 'A-ABORT');
        return { ok: true, pdu: { type: PDU_ABORT, source: b[2], reason: b[3] } };
      }
      default:
        throw new PduDecodeError(`unknown PDU type 0x${hex(type)}`, AbortReason.UnrecognizedPdu);
    }
  } catch (error) {
    if (error instanceof PduDecodeError) return { ok: false, error };
    return { ok: false, error: invalid(`the PDU could not be decoded: ${(error as Error).message}`) };
  }
}

export function isKnownPduType(type: number): boolean {
  return type >= PDU_ASSOCIATE_RQ && type <= PDU_ABORT;
}
