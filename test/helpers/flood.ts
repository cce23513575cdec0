// Hostile peers for the admission tests: TCP connections that connect and say nothing, and a
// recorder of events (the waits on effects are in wait.ts).
import { EventEmitter } from 'node:events';
import * as net from 'node:net';

export interface SilentConnection {
  socket: net.Socket;
  /** Resolves when the server has closed (or reset) the connection. */
  closed: Promise<void>;
  isClosed(): boolean;
}

/** Connects and sends nothing; resolves once connected. */
export function openSilent(port: number, host = '127.0.0.1'): Promise<SilentConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let closed = false;
    const closedPromise = new Promise<void>((r) => {
      socket.on('end', () => { closed = true; socket.destroy(); r(); });
      socket.on('close', () => { closed = true; r(); });
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed: closedPromise, isClosed: () => closed }));
    socket.once('error', reject);
  });
}

/** Records every emission of `event` (its arguments) from now on. */
export function record<A extends unknown[]>(emitter: EventEmitter<any>, event: string): A[] {
  const seen: A[] = [];
  emitter.on(event, (...args: unknown[]) => { seen.push(args as A); });
  return seen;
}

export type FloodKind = 'silent' | 'slow' | 'short';

export interface FloodOptions {
  port: number;
  host?: string;
  /** The address the flood's connections come from (another loopback address than a peer's). */
  localAddress?: string;
  kind: FloodKind;
  /** Connections (or associations) kept going at once; each is replaced as soon as it ends. */
  concurrency: number;
  /** slow: the bytes dribbled (an A-ASSOCIATE-RQ), one every `intervalMs`. */
  bytes?: Buffer;
  intervalMs?: number;
  /** short: one association (associate, C-ECHO, release) per call. */
  association?: () => Promise<unknown>;
}

/**
 * A hostile (or merely busy) client: `concurrency` workers, each opening a connection, holding it
 * (silent: saying nothing; slow: dribbling bytes) until the server closes it, and opening the next;
 * or (short) running one association after another.
 */
export class Flood {
  /** Connections opened / associations run. */
  started = 0;
  /** Connections the server closed (silent, slow), associations that failed (short). */
  ended = 0;
  failed = 0;
  private running = false;
  private readonly sockets = new Set<net.Socket>();
  private workers: Promise<void>[] = [];

  constructor(readonly options: FloodOptions) {}

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.worker());
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.workers);
  }

  private async worker(): Promise<void> {
    while (this.running) {
      this.started++;
      if (this.options.kind === 'short') {
        try { await this.options.association!(); } catch { this.failed++; }
        continue;
      }
      await this.hold();
    }
  }

  /** One connection: held until the server closes it (or the flood stops). */
  private hold(): Promise<void> {
    const o = this.options;
    return new Promise((resolve) => {
      const socket = net.connect({ host: o.host ?? '127.0.0.1', port: o.port, localAddress: o.localAddress });
      this.sockets.add(socket);
      let drip: NodeJS.Timeout | undefined;
      socket.on('error', () => undefined);
      socket.on('connect', () => {
        if (o.kind !== 'slow' || !o.bytes) return;
        let at = 0;
        drip = setInterval(() => {
          if (at >= o.bytes!.length || socket.destroyed) { clearInterval(drip); return; }
          socket.write(o.bytes!.subarray(at, ++at));
        }, o.intervalMs ?? 100);
      });
      socket.on('end', () => socket.destroy());
      socket.on('close', () => {
        clearInterval(drip);
        this.sockets.delete(socket);
        if (this.running) this.ended++;
        resolve();
      });
    });
  }
}
