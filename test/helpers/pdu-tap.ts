// What really went over the wire, for checking association records against it: a TCP proxy on
// 127.0.0.1 between an SCU and an SCP that cuts both byte streams into PDUs and keeps them, and a
// small reader of those bytes (PS3.8 9.3, PS3.7 E) written apart from src/net and src/dimse, so a
// record is compared with the wire and not with the engine's own reading of it. It can also hold
// back the SCU's PDUs after a point (an SCP that never sees the rest of a data set), and always
// lets an A-ABORT through.
import * as net from 'node:net';

export type Side = 'client' | 'server';

export interface TappedPdu {
  from: Side;
  type: number;
  /** The whole PDU, header included. */
  bytes: Buffer;
}

export interface PduTapOptions {
  /** Asked after each client PDU is forwarded: true holds every later client PDU but an A-ABORT. */
  holdClientAfter?: (pdu: TappedPdu, forwarded: readonly TappedPdu[]) => boolean;
}

export interface PduTap {
  port: number;
  /** The PDUs forwarded, both ways, in the order the tap passed them on. */
  readonly pdus: TappedPdu[];
  /** Client PDUs held back (never forwarded). */
  readonly held: TappedPdu[];
  /** Every PDU the tap read, forwarded or held, in the order it read them: what the client's connection carried. */
  readonly read: TappedPdu[];
  /** Resolves with `check()`'s first value other than undefined, checked as PDUs pass; fails after `ms` naming `what`. */
  until<T>(what: string, check: () => T | undefined, ms?: number): Promise<T>;
  /** Resolves when both connections of the (one) proxied association have closed; fails after `ms` naming `what`. */
  closed(what: string, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export const PDU = { ASSOCIATE_RQ: 1, ASSOCIATE_AC: 2, ASSOCIATE_RJ: 3, P_DATA: 4, RELEASE_RQ: 5, RELEASE_RP: 6, ABORT: 7 } as const;

function pduSplitter(onPdu: (bytes: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 6) {
      const total = pending.readUInt32BE(2) + 6;
      if (pending.length < total) return;
      onPdu(Buffer.from(pending.subarray(0, total)));
      pending = pending.subarray(total);
    }
  };
}

export async function startPduTap(targetPort: number, options: PduTapOptions = {}): Promise<PduTap> {
  const pdus: TappedPdu[] = [];
  const held: TappedPdu[] = [];
  const read: TappedPdu[] = [];
  const wakers = new Set<() => void>();
  const wake = () => { for (const w of [...wakers]) w(); };
  let holding = false;
  let openSockets = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    client.setNoDelay(true);
    for (const s of [client, upstream]) {
      openSockets++;
      sockets.add(s);
      s.on('close', () => { openSockets--; sockets.delete(s); wake(); });
      s.on('error', () => undefined);
    }
    client.on('data', pduSplitter((bytes) => {
      const pdu: TappedPdu = { from: 'client', type: bytes[0]!, bytes };
      read.push(pdu);
      if (holding && pdu.type !== PDU.ABORT) {
        held.push(pdu);
        wake();
        return;
      }
      pdus.push(pdu);
      upstream.write(bytes);
      if (!holding && options.holdClientAfter?.(pdu, pdus)) holding = true;
      wake();
    }));
    upstream.on('data', pduSplitter((bytes) => {
      const pdu: TappedPdu = { from: 'server', type: bytes[0]!, bytes };
      read.push(pdu);
      pdus.push(pdu);
      client.write(bytes);
      wake();
    }));
    // Either side closing (or resetting) ends the other: what the far end then sees is a closed connection.
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  async function until<T>(what: string, check: () => T | undefined, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what} (tap saw ${pdus.map((p) => `${p.from}:${p.type}`).join(' ')})`);
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(timer); wakers.delete(done); resolve(); };
        const timer = setTimeout(done, left);
        wakers.add(done);
      });
    }
  }

  return {
    port: (server.address() as net.AddressInfo).port,
    pdus,
    held,
    read,
    until,
    closed: (what, ms = 10_000) => until(what, () => (connections > 0 && openSockets === 0 ? true : undefined), ms).then(() => undefined),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ─── reading the PDUs (PS3.8 9.3) ───────────────────────────────────────────────────────────────

export interface WireContext {
  id: number;
  /** A-ASSOCIATE-AC only. */
  result?: number;
  abstractSyntax?: string;
  transferSyntaxes: string[];
}

export interface WireAssociate {
  calledAeTitle: string;
  callingAeTitle: string;
  contexts: WireContext[];
  maxPdu?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
}

const text = (b: Buffer) => b.toString('latin1').replace(/[\0 ]+$/, '').trim();

/** An A-ASSOCIATE-RQ or -AC: AE titles, presentation contexts and the user information we check. */
export function readAssociate(pdu: Buffer): WireAssociate {
  const out: WireAssociate = { calledAeTitle: text(pdu.subarray(10, 26)), callingAeTitle: text(pdu.subarray(26, 42)), contexts: [] };
  const end = 6 + pdu.readUInt32BE(2);
  for (let at = 74; at + 4 <= end;) {
    const type = pdu[at]!;
    const length = pdu.readUInt16BE(at + 2);
    const body = pdu.subarray(at + 4, at + 4 + length);
    if (type === 0x20 || type === 0x21) {
      const context: WireContext = { id: body[0]!, transferSyntaxes: [] };
      if (type === 0x21) context.result = body[2];
      for (let s = 4; s + 4 <= body.length;) {
        const subType = body[s]!;
        const subLength = body.readUInt16BE(s + 2);
        const value = text(body.subarray(s + 4, s + 4 + subLength));
        if (subType === 0x30) context.abstractSyntax = value;
        if (subType === 0x40 && value) context.transferSyntaxes.push(value);
        s += 4 + subLength;
      }
      out.contexts.push(context);
    } else if (type === 0x50) {
      for (let s = 0; s + 4 <= body.length;) {
        const subType = body[s]!;
        const subLength = body.readUInt16BE(s + 2);
        const value = body.subarray(s + 4, s + 4 + subLength);
        if (subType === 0x51) out.maxPdu = value.readUInt32BE(0);
        if (subType === 0x52) out.implementationClassUid = text(value);
        if (subType === 0x55) out.implementationVersionName = text(value);
        s += 4 + subLength;
      }
    }
    at += 4 + length;
  }
  return out;
}

/** An A-ASSOCIATE-RJ's result, source and reason. */
export function readReject(pdu: Buffer): { result: number; source: number; reason: number } {
  return { result: pdu[7]!, source: pdu[8]!, reason: pdu[9]! };
}

/** An A-ABORT's source and reason. */
export function readAbort(pdu: Buffer): { source: number; reason: number } {
  return { source: pdu[8]!, reason: pdu[9]! };
}

// ─── the DIMSE command sets inside P-DATA-TF (PS3.7 E, always Implicit VR Little Endian) ───────

export interface WireCommand {
  from: Side;
  contextId: number;
  commandField: number;
  messageId?: number;
  respondingTo?: number;
  status?: number;
  /** The command says a data set follows (Command Data Set Type other than 0101H). */
  hasDataset: boolean;
  /** Bytes of the data set that followed the command (summed over its fragments). */
  datasetBytes: number;
  /** Its last fragment passed. */
  datasetComplete: boolean;
}

const COMMAND_NAMES: Record<number, string> = {
  0x0001: 'C-STORE-RQ', 0x8001: 'C-STORE-RSP', 0x0020: 'C-FIND-RQ', 0x8020: 'C-FIND-RSP', 0x0030: 'C-ECHO-RQ', 0x8030: 'C-ECHO-RSP',
  0x0FFF: 'C-CANCEL-RQ',
};

export function commandName(field: number): string {
  return COMMAND_NAMES[field] ?? `0x${field.toString(16).padStart(4, '0')}`;
}

function readCommandSet(bytes: Buffer, from: Side, contextId: number): WireCommand {
  const command: WireCommand = { from, contextId, commandField: -1, hasDataset: false, datasetBytes: 0, datasetComplete: false };
  for (let at = 0; at + 8 <= bytes.length;) {
    const element = bytes.readUInt16LE(at + 2);
    const length = bytes.readUInt32LE(at + 4);
    const value = bytes.subarray(at + 8, at + 8 + length);
    if (bytes.readUInt16LE(at) === 0x0000) {
      if (element === 0x0100) command.commandField = value.readUInt16LE(0);
      if (element === 0x0110) command.messageId = value.readUInt16LE(0);
      if (element === 0x0120) command.respondingTo = value.readUInt16LE(0);
      if (element === 0x0900) command.status = value.readUInt16LE(0);
      if (element === 0x0800) command.hasDataset = value.readUInt16LE(0) !== 0x0101;
    }
    at += 8 + length;
  }
  return command;
}

/** The DIMSE commands in the forwarded P-DATA-TF PDUs, in order, each with the size of its data set. */
export function wireCommands(pdus: readonly TappedPdu[]): WireCommand[] {
  const commands: WireCommand[] = [];
  const fragments: Record<Side, Buffer[]> = { client: [], server: [] };
  const lastCommand: Partial<Record<Side, WireCommand>> = {};
  for (const pdu of pdus) {
    if (pdu.type !== PDU.P_DATA) continue;
    const end = pdu.bytes.length;
    for (let at = 6; at + 6 <= end;) {
      const itemLength = pdu.bytes.readUInt32BE(at);
      const contextId = pdu.bytes[at + 4]!;
      const header = pdu.bytes[at + 5]!;
      const fragment = pdu.bytes.subarray(at + 6, at + 4 + itemLength);
      if (header & 0x01) {
        fragments[pdu.from].push(fragment);
        if (header & 0x02) {
          const command = readCommandSet(Buffer.concat(fragments[pdu.from]), pdu.from, contextId);
          fragments[pdu.from] = [];
          commands.push(command);
          lastCommand[pdu.from] = command;
        }
      } else if (lastCommand[pdu.from]) {
        lastCommand[pdu.from]!.datasetBytes += fragment.length;
        if (header & 0x02) lastCommand[pdu.from]!.datasetComplete = true;
      }
      at += 4 + itemLength;
    }
  }
  return commands;
}
