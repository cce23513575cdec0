// DIMSE command sets (PS3.7 §9.3, §10.3, Annex E): always Implicit VR Little Endian, group 0000,
// led by the Command Group Length.

import { trimText } from '../dicom';

export const enum CommandField {
  CStoreRq = 0x0001, CStoreRsp = 0x8001,
  CGetRq = 0x0010, CGetRsp = 0x8010,
  CFindRq = 0x0020, CFindRsp = 0x8020,
  CMoveRq = 0x0021, CMoveRsp = 0x8021,
  CEchoRq = 0x0030, CEchoRsp = 0x8030,
  NEventReportRq = 0x0100, NEventReportRsp = 0x8100,
  NGetRq = 0x0110, NGetRsp = 0x8110,
  NSetRq = 0x0120, NSetRsp = 0x8120,
  NActionRq = 0x0130, NActionRsp = 0x8130,
  NCreateRq = 0x0140, NCreateRsp = 0x8140,
  NDeleteRq = 0x0150, NDeleteRsp = 0x8150,
  CCancelRq = 0x0fff,
}

export const COMMAND_NAMES: Record<number, string> = {
  0x0001: 'C-STORE-RQ', 0x8001: 'C-STORE-RSP', 0x0010: 'C-GET-RQ', 0x8010: 'C-GET-RSP',
  0x0020: 'C-FIND-RQ', 0x8020: 'C-FIND-RSP', 0x0021: 'C-MOVE-RQ', 0x8021: 'C-MOVE-RSP',
  0x0030: 'C-ECHO-RQ', 0x8030: 'C-ECHO-RSP', 0x0100: 'N-EVENT-REPORT-RQ', 0x8100: 'N-EVENT-REPORT-RSP',
  0x0110: 'N-GET-RQ', 0x8110: 'N-GET-RSP', 0x0120: 'N-SET-RQ', 0x8120: 'N-SET-RSP',
  0x0130: 'N-ACTION-RQ', 0x8130: 'N-ACTION-RSP', 0x0140: 'N-CREATE-RQ', 0x8140: 'N-CREATE-RSP',
  0x0150: 'N-DELETE-RQ', 0x8150: 'N-DELETE-RSP', 0x0fff: 'C-CANCEL-RQ',
};

/** Command Data Set Type value meaning "no data set" (any other value means one follows). */
export const NO_DATASET = 0x0101;
export const DATASET_PRESENT = 0x0001;

export const enum Priority { Medium = 0, High = 1, Low = 2 }

export interface Command {
  commandField: number;
  commandDataSetType: number;
  messageId?: number;
  messageIdBeingRespondedTo?: number;
  affectedSopClassUid?: string;
  requestedSopClassUid?: string;
  affectedSopInstanceUid?: string;
  requestedSopInstanceUid?: string;
  priority?: number;
  status?: number;
  moveDestination?: string;
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
  numberOfRemainingSuboperations?: number;
  numberOfCompletedSuboperations?: number;
  numberOfFailedSuboperations?: number;
  numberOfWarningSuboperations?: number;
  offendingElement?: number[];
  errorComment?: string;
  errorId?: number;
  eventTypeId?: number;
  actionTypeId?: number;
  attributeIdentifierList?: number[];
}

type Kind = 'UI' | 'US' | 'AE' | 'AT' | 'LO' | 'UL';
type Key = Exclude<keyof Command, never>;

/** The command elements we know, in tag order. */
const FIELDS: ReadonlyArray<{ element: number; key: Key; kind: Kind }> = [
  { element: 0x0002, key: 'affectedSopClassUid', kind: 'UI' },
  { element: 0x0003, key: 'requestedSopClassUid', kind: 'UI' },
  { element: 0x0100, key: 'commandField', kind: 'US' },
  { element: 0x0110, key: 'messageId', kind: 'US' },
  { element: 0x0120, key: 'messageIdBeingRespondedTo', kind: 'US' },
  { element: 0x0600, key: 'moveDestination', kind: 'AE' },
  { element: 0x0700, key: 'priority', kind: 'US' },
  { element: 0x0800, key: 'commandDataSetType', kind: 'US' },
  { element: 0x0900, key: 'status', kind: 'US' },
  { element: 0x0901, key: 'offendingElement', kind: 'AT' },
  { element: 0x0902, key: 'errorComment', kind: 'LO' },
  { element: 0x0903, key: 'errorId', kind: 'US' },
  { element: 0x1000, key: 'affectedSopInstanceUid', kind: 'UI' },
  { element: 0x1001, key: 'requestedSopInstanceUid', kind: 'UI' },
  { element: 0x1002, key: 'eventTypeId', kind: 'US' },
  { element: 0x1005, key: 'attributeIdentifierList', kind: 'AT' },
  { element: 0x1008, key: 'actionTypeId', kind: 'US' },
  { element: 0x1020, key: 'numberOfRemainingSuboperations', kind: 'US' },
  { element: 0x1021, key: 'numberOfCompletedSuboperations', kind: 'US' },
  { element: 0x1022, key: 'numberOfFailedSuboperations', kind: 'US' },
  { element: 0x1023, key: 'numberOfWarningSuboperations', kind: 'US' },
  { element: 0x1030, key: 'moveOriginatorAeTitle', kind: 'AE' },
  { element: 0x1031, key: 'moveOriginatorMessageId', kind: 'US' },
];
const BY_ELEMENT = new Map(FIELDS.map((f) => [f.element, f]));

export class CommandDecodeError extends Error {
  override name = 'CommandDecodeError';
}

/** Bytes of a value as encoded (texts padded to even length). */
function valueLength(kind: Kind, value: unknown): number {
  switch (kind) {
    case 'US': return 2;
    case 'UL': return 4;
    case 'UI': case 'AE': case 'LO': {
      const n = (value as string).length; // latin1: one byte per character
      return n + (n & 1);
    }
    case 'AT': return (value as number[]).length * 4;
  }
}

/** Writes a value of `length` bytes (from valueLength) at `at`. */
function writeValue(out: Buffer, at: number, kind: Kind, value: unknown, length: number): void {
  switch (kind) {
    case 'US': out.writeUInt16LE((value as number) & 0xffff, at); return;
    case 'UL': out.writeUInt32LE((value as number) >>> 0, at); return;
    case 'UI': case 'AE': case 'LO': {
      const text = value as string;
      out.write(text, at, text.length, 'latin1');
      if (text.length < length) out[at + text.length] = kind === 'UI' ? 0 : 0x20;
      return;
    }
    case 'AT': {
      const tags = value as number[];
      for (let i = 0; i < tags.length; i++) {
        out.writeUInt16LE(tags[i] >>> 16, at + i * 4);
        out.writeUInt16LE(tags[i] & 0xffff, at + i * 4 + 2);
      }
    }
  }
}

/** The command set: group length, then each element present, in tag order (one buffer, sized first). */
export function encodeCommand(command: Command): Buffer {
  let length = 0;
  for (const field of FIELDS) {
    const value = command[field.key];
    if (value !== undefined) length += 8 + valueLength(field.kind, value);
  }
  const out = Buffer.allocUnsafe(12 + length);
  out.writeUInt32LE(0x00000000, 0);
  out.writeUInt32LE(4, 4);
  out.writeUInt32LE(length, 8);
  let at = 12;
  for (const field of FIELDS) {
    const value = command[field.key];
    if (value === undefined) continue;
    const valueBytes = valueLength(field.kind, value);
    out.writeUInt16LE(0x0000, at);
    out.writeUInt16LE(field.element, at + 2);
    out.writeUInt32LE(valueBytes, at + 4);
    writeValue(out, at + 8, field.kind, value, valueBytes);
    at += 8 + valueBytes;
  }
  return out;
}

function decodeValue(kind: Kind, element: number, b: Buffer): unknown {
  const need = (n: number) => {
    if (b.length !== n) throw new CommandDecodeError(`command element (0000,${hex4(element)}) has ${b.length} bytes instead of ${n}`);
  };
  switch (kind) {
    case 'US': need(2); return b.readUInt16LE(0);
    case 'UL': need(4); return b.readUInt32LE(0);
    case 'UI': case 'AE': case 'LO': return trimText(b, 0, b.length);
    case 'AT': {
      if (b.length % 4 !== 0) throw new CommandDecodeError(`command element (0000,${hex4(element)}) has ${b.length} bytes, not a multiple of 4`);
      const tags: number[] = [];
      for (let i = 0; i < b.length; i += 4) tags.push(((b.readUInt16LE(i) << 16) | b.readUInt16LE(i + 2)) >>> 0);
      return tags;
    }
  }
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** Decodes a complete command set. Unknown group-0000 elements are skipped; other groups are an error. */
export function decodeCommand(bytes: Buffer): Command {
  const out: Record<string, unknown> = {};
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 8) throw new CommandDecodeError(`the command set ends inside an element header at offset ${pos}`);
    const group = bytes.readUInt16LE(pos);
    const element = bytes.readUInt16LE(pos + 2);
    const length = bytes.readUInt32LE(pos + 4);
    pos += 8;
    if (group !== 0) throw new CommandDecodeError(`the command set holds an element of group ${hex4(group)}; only group 0000 is allowed`);
    if (length > bytes.length - pos) throw new CommandDecodeError(`command element (0000,${hex4(element)}) claims ${length} bytes but only ${bytes.length - pos} remain`);
    const value = bytes.subarray(pos, pos + length);
    pos += length;
    const field = BY_ELEMENT.get(element);
    if (field) out[field.key] = decodeValue(field.kind, element, value);
  }
  if (out.commandField === undefined) throw new CommandDecodeError('the command set has no Command Field (0000,0100)');
  if (out.commandDataSetType === undefined) throw new CommandDecodeError('the command set has no Command Data Set Type (0000,0800)');
  return out as unknown as Command;
}

export function hasDataset(command: Command): boolean {
  return command.commandDataSetType !== NO_DATASET;
}

export function isResponse(command: Command): boolean {
  return (command.commandField & 0x8000) !== 0;
}

export function commandName(command: Command): string {
  return COMMAND_NAMES[command.commandField] ?? `command 0x${command.commandField.toString(16).padStart(4, '0')}`;
}

/**
 * The response to a request this side does not perform: the request's response command with a
 * failure status (e.g. 0211 Unrecognized Operation, PS3.7 C.5) and a reason for the Error Comment.
 */
export function refusalOf(request: Command, status: number, errorComment: string): Command {
  const sopClass = request.affectedSopClassUid ?? request.requestedSopClassUid;
  const sopInstance = request.affectedSopInstanceUid ?? request.requestedSopInstanceUid;
  return {
    commandField: request.commandField | 0x8000, messageIdBeingRespondedTo: request.messageId,
    ...(sopClass ? { affectedSopClassUid: sopClass } : {}), ...(sopInstance ? { affectedSopInstanceUid: sopInstance } : {}),
    commandDataSetType: NO_DATASET, status, errorComment: errorComment.slice(0, 64),
  };
}
