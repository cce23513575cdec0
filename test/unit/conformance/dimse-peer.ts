// A scripted peer one level above the raw-PDU one: it accepts (or requests) an association, then
// sends exactly the DIMSE messages a test scripts and records every message and PDU it receives,
// so a test can make our engine face a peer that behaves as no well-behaved implementation does
// (no pending responses, slow sub-operations, a release request of its own).
import * as net from 'node:net';
import { decodeCommand, encodeCommand, Command } from '../../../src/dimse/command';
import { decodePdu } from '../../../src/net/pdu-decode';
import { encodePdu } from '../../../src/net/pdu-encode';
import { PduReader } from '../../../src/net/pdu-reader';
import {
  AAbort, AAssociateAc, AAssociateRq, DICOM_APPLICATION_CONTEXT, PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RQ, PDU_P_DATA_TF, Pdu, Pdv,
  emptyUserInformation,
} from '../../../src/net/pdu-types';
import { waitFor } from '../../helpers/in-process';

export interface ReceivedMessage {
  contextId: number;
  command: Command;
  dataset?: Buffer;
}

export class DimsePeer {
  readonly pdus: Pdu[] = [];
  readonly messages: ReceivedMessage[] = [];
  closed = false;
  request: AAssociateRq | undefined;
  private waiters: (() => void)[] = [];
  private command: Buffer[] = [];
  private dataset: Buffer[] = [];
  private pendingCommand: { contextId: number; command: Command } | undefined;

  constructor(readonly socket: net.Socket, private readonly answer?: (rq: AAssociateRq) => AAssociateAc) {
    const reader = new PduReader({ maxPDataLength: 0 }, (raw) => this.onPdu(raw), () => this.socket.destroy());
    socket.on('data', (chunk) => reader.push(chunk));
    socket.on('close', () => { this.closed = true; this.notify(); });
    socket.on('error', () => undefined);
  }

  /** Listens once on a port from the OS; the peer answers A-ASSOCIATE-RQ with `answer(rq)`. */
  static async listen(answer: (rq: AAssociateRq) => AAssociateAc): Promise<{ port: number; accepted: Promise<DimsePeer>; close: () => void }> {
    const server = net.createServer();
    let resolveAccepted!: (p: DimsePeer) => void;
    const accepted = new Promise<DimsePeer>((r) => { resolveAccepted = r; });
    server.on('connection', (socket) => resolveAccepted(new DimsePeer(socket, answer)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { port: (server.address() as net.AddressInfo).port, accepted, close: () => server.close() };
  }

  private onPdu(raw: Buffer): void {
    const decoded = decodePdu(raw);
    if (!decoded.ok) return;
    const pdu = decoded.pdu;
    this.pdus.push(pdu);
    if (pdu.type === PDU_ASSOCIATE_RQ && this.answer) {
      this.request = pdu;
      this.sendPdu(this.answer(pdu));
    }
    if (pdu.type === PDU_P_DATA_TF) for (const pdv of pdu.pdvs) this.onPdv(pdv);
    this.notify();
  }

  private onPdv(pdv: Pdv): void {
    if (pdv.isCommand) {
      this.command.push(Buffer.from(pdv.data));
      if (!pdv.isLast) return;
      const command = decodeCommand(Buffer.concat(this.command));
      this.command = [];
      if (command.commandDataSetType !== undefined && command.commandDataSetType !== 0x0101) {
        this.pendingCommand = { contextId: pdv.contextId, command };
        return;
      }
      this.messages.push({ contextId: pdv.contextId, command });
      return;
    }
    this.dataset.push(Buffer.from(pdv.data));
    if (!pdv.isLast || !this.pendingCommand) return;
    this.messages.push({ ...this.pendingCommand, dataset: Buffer.concat(this.dataset) });
    this.pendingCommand = undefined;
    this.dataset = [];
  }

  sendPdu(pdu: Pdu): void {
    this.socket.write(encodePdu(pdu));
  }

  /** One DIMSE message: the command in one PDV, the data set (if any) in PDVs of at most `fragment` bytes. */
  sendMessage(contextId: number, command: Command, dataset?: Buffer, fragment = 16_000): void {
    const pdvs: Pdv[] = [{ contextId, isCommand: true, isLast: true, data: encodeCommand(command) }];
    if (dataset) {
      for (let at = 0; at < dataset.length || at === 0; at += fragment) {
        const end = Math.min(at + fragment, dataset.length);
        pdvs.push({ contextId, isCommand: false, isLast: end === dataset.length, data: dataset.subarray(at, end) });
        if (end === dataset.length) break;
      }
    }
    for (const pdv of pdvs) this.sendPdu({ type: PDU_P_DATA_TF, pdvs: [pdv] });
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves with `check()`'s first truthy value (checked on every PDU); fails on A-ABORT, close, or after `ms`. */
  until<T>(what: string, check: () => T | undefined | false, ms = 10_000): Promise<T> {
    return waitFor(what, () => {
      const value = check();
      if (value) return value;
      const abort = this.pdus.find((p) => p.type === PDU_ABORT) as AAbort | undefined;
      if (abort) throw new Error(`the association was aborted (A-ABORT source ${abort.source}, reason ${abort.reason}) while waiting for ${what}`);
      if (this.closed) throw new Error(`the connection closed while waiting for ${what}`);
      return undefined;
    }, (wake) => this.waiters.push(wake), ms);
  }

  /** The n-th (1-based) message received with this command field. */
  nth(commandField: number, n: number): ReceivedMessage | undefined {
    return this.messages.filter((m) => m.command.commandField === commandField)[n - 1];
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** An A-ASSOCIATE-AC accepting every proposed context with its first transfer syntax and every proposed role. */
export function acceptEverything(rq: AAssociateRq, maximumLength = 16384): AAssociateAc {
  const userInformation = emptyUserInformation();
  userInformation.maximumLength = maximumLength;
  userInformation.implementationClassUid = '1.2.3.4.14';
  userInformation.roleSelections = rq.userInformation.roleSelections.map((r) => ({ ...r }));
  return {
    type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: rq.presentationContexts.map((c) => ({ id: c.id, result: 0, transferSyntax: c.transferSyntaxes[0]! })),
    userInformation,
  };
}
