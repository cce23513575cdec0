// A raw TCP peer for state-machine tests: sends exactly the bytes a test scripts and records
// every PDU it receives, decoded with our decoder.
import * as net from 'node:net';
import { decodePdu } from '../../src/net/pdu-decode';
import { PduReader } from '../../src/net/pdu-reader';
import { Pdu } from '../../src/net/pdu-types';

export class ScriptedPeer {
  readonly received: Pdu[] = [];
  closed = false;
  private waiters: (() => void)[] = [];
  private reader: PduReader;

  constructor(readonly socket: net.Socket) {
    this.reader = new PduReader({ maxPDataLength: 0 }, (raw) => {
      const d = decodePdu(raw);
      if (d.ok) this.received.push(d.pdu);
      this.notify();
    }, () => undefined);
    socket.on('data', (chunk) => this.reader.push(chunk));
    socket.on('close', () => { this.closed = true; this.notify(); });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<ScriptedPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new ScriptedPeer(socket)));
      socket.once('error', reject);
    });
  }

  /** Listens once on a free port; resolves the peer when a client connects. */
  static async listen(): Promise<{ port: number; accepted: Promise<ScriptedPeer>; close: () => void }> {
    const server = net.createServer();
    let resolveAccepted!: (p: ScriptedPeer) => void;
    const accepted = new Promise<ScriptedPeer>((r) => { resolveAccepted = r; });
    server.on('connection', (socket) => resolveAccepted(new ScriptedPeer(socket)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { port: (server.address() as net.AddressInfo).port, accepted, close: () => server.close() };
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until a PDU of this type has been received (returns it) or fails after timeoutMs. */
  async waitForPdu(type: number, timeoutMs = 5000): Promise<Pdu> {
    return (await this.waitForPdus(type, 1, timeoutMs))[0];
  }

  /** Waits until `count` PDUs of this type have been received (returns them) or fails after timeoutMs. */
  async waitForPdus(type: number, count: number, timeoutMs = 5000): Promise<Pdu[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.filter((p) => p.type === type);
      if (found.length >= count) return found;
      if (this.closed) throw new Error(`connection closed before ${count} PDU(s) of type ${type} arrived`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${found.length} of ${count} PDU(s) of type ${type} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  async waitForClose(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the connection stayed open for ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}
