// The SCP's front door: every TCP connection from its accept until its A-ASSOCIATE-RQ has arrived
// (TLS handshake included). Such connections wait in a WaitingRoom with their own bounds (so they
// never take an association slot), each within the ARTIM time, and the bytes they may hold
// before they have spoken are bounded in all. Once the request is in, the server takes over.
import * as net from 'node:net';
import type * as tls from 'node:tls';
import { Association } from '../net';
import { NetworkError, TimeoutError } from '../net';
import { UnreadConnection, onReceived, readsShared } from '../net';
import { EvictionCause, WaitingLimits, WaitingRoom, WaitingSlot, afterNextRead } from './admission';
import { TlsOptions } from './options';

// node:tls (and crypto under it) is required when TLS is used: loading it costs every process at start-up.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const loadTls = (): typeof tls => require('node:tls') as typeof tls;

export interface GateOptions extends WaitingLimits {
  /** Bytes all waiting connections may hold at once (a partly received A-ASSOCIATE-RQ). */
  maxWaitingBytes: number;
  /** ARTIM (PS3.8 9.1.5): the TLS handshake and the A-ASSOCIATE-RQ must both be done this long after the TCP accept. */
  artimMs: number;
  tls?: TlsOptions;
}

/** Why a connection ended before its A-ASSOCIATE-RQ arrived. */
export type DropCause = EvictionCause | 'waiting-bytes' | 'artim' | 'tls' | 'peer' | 'shutdown';

export interface WaitingConnection {
  readonly id: number;
  /** The peer's address, without its port. */
  readonly source: string;
  /** address:port */
  readonly remoteAddress: string;
}

export interface GateHooks {
  /** The transport is ready (TCP, or TLS after its handshake): build and wire the association; the gate starts it. */
  open(socket: net.Socket, connection: WaitingConnection): Association;
  /** The connection ended while waiting; `message` is one sentence saying why. */
  dropped(connection: WaitingConnection, cause: DropCause, message: string): void;
}

/**
 * A connection waiting to speak. Until its first bytes it may be only an UnreadConnection (no
 * socket): a silent connection costs this record, its handle and its place in the room.
 */
class Waiting implements WaitingConnection {
  slot!: WaitingSlot;
  /** Its socket, once there is one (at once for TLS and for sockets accepted the ordinary way). */
  socket: net.Socket | undefined;
  unread: UnreadConnection | undefined;
  association: Association | undefined;
  /** ARTIM: when it must have spoken (performance.now() time). */
  deadline = 0;
  /** Set when we close it: the cause reported once it is gone. */
  closing: { cause: DropCause; message: string } | undefined;
  /** It spoke, or it was reported dropped: the gate is done with it. */
  done = false;
  bytes = 0;
  /** Stops counting what it sends. */
  stopCounting: (() => void) | undefined;

  constructor(readonly id: number, readonly source: string, readonly port: number | undefined) {}

  get remoteAddress(): string {
    return `${this.source}:${this.port}`;
  }
}

const EVICTION_MESSAGES: Record<EvictionCause, string> = {
  'waiting-limit': 'closed to make room: too many connections were waiting for their A-ASSOCIATE-RQ',
  'source-limit': 'closed to make room: too many connections from this address were waiting for their A-ASSOCIATE-RQ',
};

export class ConnectionGate {
  private readonly room: WaitingRoom;
  /** Waiting connections in the order they came, which is also the order of their ARTIM deadlines. */
  private readonly waiting = new Set<Waiting>();
  private readonly tls: tls.Server | undefined;
  /** Connections in their TLS handshake, by address:port (how the TLS server's sockets are matched to them). */
  private readonly handshaking = new Map<string, Waiting>();
  /** One timer for every ARTIM deadline, set for the oldest waiting connection's. */
  private sweep: NodeJS.Timeout | undefined;
  private waitingBytes = 0;
  private nextId = 1;

  constructor(private readonly options: GateOptions, private readonly hooks: GateHooks) {
    this.room = new WaitingRoom(options, afterNextRead);
    if (!(options.maxWaitingBytes > 0)) throw new RangeError(`maxWaitingBytes must be positive (it is ${options.maxWaitingBytes}).`);
    this.tls = options.tls && this.tlsServer(options.tls);
  }

  /** Connections waiting now. */
  get size(): number {
    return this.waiting.size;
  }

  /** A plain TCP connection that has sent nothing yet: its socket is built with its first PDU header's bytes. */
  acceptUnread(unread: UnreadConnection): void {
    const c = this.admit(unread.address, unread.port);
    c.unread = unread;
    unread.onFirstBytes = (socket) => {
      c.unread = undefined;
      if (!socket) this.close(c, 'peer', 'the peer closed the connection before sending a PDU');
      else if (!c.closing && !c.done) this.open(c, socket);
      else socket.destroy();
    };
  }

  /** A new TCP connection (from a plain net.Server, TLS or not: TLS is set up here, inside the bounds). */
  accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    const source = socket.remoteAddress;
    if (!source) { socket.destroy(); return; } // gone before we saw it
    const c = this.admit(source, socket.remotePort);
    if (this.tls) {
      socket.setNoDelay(true);
      c.socket = socket;
      this.watchClose(c, socket);
      this.handshaking.set(c.remoteAddress, c);
      this.tls.emit('connection', socket);
    } else {
      this.whenReadable(c, socket);
    }
  }

  /** A new connection takes its place in the room, with its ARTIM deadline. */
  private admit(source: string, port: number | undefined): Waiting {
    const c = new Waiting(this.nextId++, source, port);
    c.deadline = performance.now() + this.options.artimMs;
    this.waiting.add(c);
    c.slot = this.room.admit(source, (cause) => this.close(c, cause, EVICTION_MESSAGES[cause]));
    this.armSweep();
    return c;
  }

  /** A socket that ends before the association took over: the peer's doing. */
  private watchClose(c: Waiting, socket: net.Socket): void {
    socket.once('close', () => {
      if (c.association) return; // the association reports its own end
      this.close(c, 'peer', this.tls && this.handshaking.get(c.remoteAddress) === c
        ? 'the peer closed the connection during the TLS handshake' : 'the peer closed the connection without sending anything');
    });
  }

  private armSweep(): void {
    if (this.sweep || this.waiting.size === 0) return;
    const oldest = this.waiting.values().next().value as Waiting;
    this.sweep = setTimeout(() => this.sweepArtim(), Math.max(1, Math.ceil(oldest.deadline - performance.now())));
  }

  /** Closes every waiting connection past its deadline (they are in deadline order), then waits for the next. */
  private sweepArtim(): void {
    this.sweep = undefined;
    const now = performance.now();
    const seconds = this.options.artimMs / 1000;
    for (const c of this.waiting) {
      if (c.deadline > now) break;
      this.close(c, 'artim', this.tls && this.handshaking.get(c.remoteAddress) === c
        ? `no TLS handshake within ${seconds} s (ARTIM)` : `no A-ASSOCIATE-RQ within ${seconds} s (ARTIM)`);
    }
    this.armSweep();
  }

  /** Closes every waiting connection (the server is shutting down). */
  closeAll(): void {
    for (const c of [...this.waiting]) this.close(c, 'shutdown', 'the server is shutting down');
    clearTimeout(this.sweep);
    this.sweep = undefined;
  }

  /**
   * TLS over the accepted socket, by a tls.Server that never listens: it is handed each raw socket,
   * so Node's own server-side handshake (client certificate checks included) runs inside our bounds.
   * It does not reject unauthorized clients itself, so the refusal has a cause we can report.
   */
  private tlsServer(t: TlsOptions): tls.Server {
    const server = loadTls().createServer({
      ca: t.ca, cert: t.cert, key: t.key, passphrase: t.passphrase, ciphers: t.ciphers, minVersion: t.minVersion,
      requestCert: t.requestCert ?? false, rejectUnauthorized: false,
    });
    const connectionOf = (secure: tls.TLSSocket) => this.handshaking.get(`${secure.remoteAddress}:${secure.remotePort}`);
    server.on('secureConnection', (secure: tls.TLSSocket) => {
      const c = connectionOf(secure);
      if (!c || c.closing) { secure.destroy(); return; }
      this.handshaking.delete(c.remoteAddress);
      c.socket = secure;
      secure.on('error', () => undefined);
      if (t.requestCert && (t.rejectUnauthorized ?? true) && !secure.authorized) {
        const sent = Object.keys(secure.getPeerCertificate()).length > 0;
        this.close(c, 'tls', sent ? `the client certificate was not accepted (${secure.authorizationError})` : 'no client certificate was sent');
        return;
      }
      this.start(c, secure);
    });
    server.on('tlsClientError', (error: Error, secure: tls.TLSSocket) => {
      const c = connectionOf(secure);
      if (c) this.close(c, 'tls', `the TLS handshake failed: ${error.message}`);
    });
    return server;
  }

  /**
   * A socket accepted the ordinary way: the association is built only once it has something to
   * say, so a silent connection costs its socket, a slot and its deadline.
   */
  private whenReadable(c: Waiting, socket: net.Socket): void {
    c.socket = socket;
    this.watchClose(c, socket);
    if (readsShared(socket)) {
      // Its first bytes: the association built here listens from this very chunk on.
      const stop = onReceived(socket, () => {
        stop();
        if (!c.closing && !c.done) this.start(c, socket);
      });
      return;
    }
    const onReadable = () => {
      socket.off('readable', onReadable);
      if (!c.closing && !c.done) this.start(c, socket);
    };
    socket.on('readable', onReadable);
  }

  /** An unread connection sent its first bytes: it has a socket now, and the association starts on them. */
  private open(c: Waiting, socket: net.Socket): void {
    socket.on('error', () => undefined);
    c.socket = socket;
    this.watchClose(c, socket);
    this.start(c, socket);
  }

  private start(c: Waiting, socket: net.Socket): void {
    if (!this.tls) socket.setNoDelay(true);
    const association = this.hooks.open(socket, c);
    c.association = association;
    this.countBytes(c, socket);
    association.once('associateRequested', () => this.spoke(c));
    association.once('closed', (error) => {
      if (c.done) return;
      const artim = error instanceof TimeoutError;
      this.report(c, c.closing?.cause ?? (artim ? 'artim' : 'peer'), c.closing?.message
        ?? (artim ? `no A-ASSOCIATE-RQ within ${this.options.artimMs / 1000} s (ARTIM)` : error?.message ?? 'the peer closed the connection before sending an A-ASSOCIATE-RQ'));
    });
    association.acceptTransport(socket);
  }

  /** We close a waiting connection; it is reported once its association (if any) has closed. */
  private close(c: Waiting, cause: DropCause, message: string): void {
    if (c.done || c.closing) return;
    c.closing = { cause, message };
    this.release(c);
    // The association (if the peer began to speak) ends with the reason, which its record shows.
    c.association?.abort(cause === 'artim' ? new TimeoutError(message) : new NetworkError(message));
    c.unread?.close();
    c.unread = undefined;
    c.socket?.destroy();
    if (!c.association) this.report(c, cause, message);
  }

  private spoke(c: Waiting): void {
    if (c.done) return;
    c.done = true;
    this.release(c);
  }

  private report(c: Waiting, cause: DropCause, message: string): void {
    if (c.done) return;
    c.done = true;
    this.release(c);
    this.hooks.dropped(c, cause, message);
  }

  /** Gives back everything a waiting connection held: its slot, its bytes (its deadline goes with it). */
  private release(c: Waiting): void {
    if (!this.waiting.delete(c)) return;
    if (this.tls && this.handshaking.get(c.remoteAddress) === c) this.handshaking.delete(c.remoteAddress);
    this.room.leave(c.slot);
    this.waitingBytes -= c.bytes;
    c.bytes = 0;
    c.stopCounting?.();
    c.stopCounting = undefined;
  }

  /**
   * Counts what a waiting connection has sent: the partly received A-ASSOCIATE-RQ its PDU reader
   * holds (the TLS layer bounds its own records). Over the budget, the biggest holder goes.
   */
  private countBytes(c: Waiting, socket: net.Socket): void {
    c.stopCounting = onReceived(socket, (chunk) => {
      if (!this.waiting.has(c)) return;
      c.bytes += chunk.length;
      this.waitingBytes += chunk.length;
      while (this.waitingBytes > this.options.maxWaitingBytes) {
        let biggest = c;
        for (const w of this.waiting) if (w.bytes > biggest.bytes) biggest = w;
        this.close(biggest, 'waiting-bytes', `closed to make room: connections waiting for their A-ASSOCIATE-RQ held more than ${this.options.maxWaitingBytes} bytes`);
      }
    });
  }
}
