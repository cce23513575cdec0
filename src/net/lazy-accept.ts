// Connections a plain-TCP net.Server accepts, held as bare handles until they send something. A
// net.Socket costs more than the rest of an SCP's work on a connection that never speaks (a flood
// of silent connections is mostly that), so it is built only once a connection has sent its first
// few bytes (a PDU header: a slow flood's byte at a time builds none); until then a connection is
// its handle, its address, those bytes and one callback. Relies on net.Server internals
// (its listening handle's `onconnection`, the handles' `onread`); where they are not there,
// `acceptLazily` says so and the server keeps accepting sockets the ordinary way.
// Accepting is not throttled: Node has no way to pause a listening handle short of closing it, and
// the kernel's accept queue is first come, first served, so a pause would keep a real peer behind
// the flood's queued connections; each turn of the loop accepts one connection (libuv 1.45+) and
// handles the other connections' I/O of that turn with it.
import * as net from 'node:net';
import { socketWithFirstBytes } from './shared-reads';

/** A connection that has sent nothing yet. */
export interface UnreadConnection {
  /** The peer's address (without its port). */
  readonly address: string;
  readonly port: number;
  /**
   * Called once: with a socket (reading into the shared buffer) when the first `firstBytes` bytes
   * have arrived (they go to the listeners added during this call, before anything later), or with
   * undefined when the peer closed (or reset) the connection first. Not called after close().
   */
  onFirstBytes: ((socket: net.Socket | undefined) => void) | undefined;
  /** Bytes received and held so far (fewer than it takes to build the socket). */
  readonly received: number;
  /** Closes the connection at once (nothing is reported). */
  close(): void;
}

interface TcpHandle {
  onread: ((arrayBuffer: ArrayBuffer | undefined) => void) | null;
  readStart(): number;
  readStop(): number;
  /** Node's mark of a handle that reads: its sockets call readStart() only on a handle without it. */
  reading?: boolean;
  getpeername(out: { address: string; family: string; port: number }): number;
  close(): void;
}

interface ListeningHandle {
  onconnection: ((status: number, handle: TcpHandle | undefined) => void) | undefined;
  setNoDelay?(enable: boolean): number;
}

class Unread implements UnreadConnection {
  onFirstBytes: ((socket: net.Socket | undefined) => void) | undefined;
  private handle: TcpHandle | undefined;
  /** What arrived before there were `firstBytes` bytes (at most that many, less one, in all); most connections never have any. */
  private early: ArrayBuffer[] | undefined;
  private earlyLength = 0;

  constructor(handle: TcpHandle, readonly address: string, readonly port: number, private readonly noDelay: boolean,
    private readonly server: net.Server, private readonly firstBytes: number) {
    this.handle = handle;
    // Without a user buffer Node hands each read over as an ArrayBuffer of exactly the bytes read,
    // and nothing (undefined) for the end of the stream or an error.
    handle.onread = (arrayBuffer) => this.read(arrayBuffer);
  }

  get received(): number {
    return this.earlyLength;
  }

  close(): void {
    const handle = this.handle;
    this.handle = undefined;
    this.onFirstBytes = undefined;
    handle?.close();
  }

  private read(arrayBuffer: ArrayBuffer | undefined): void {
    const handle = this.handle;
    if (!handle) return;
    if (arrayBuffer && this.earlyLength + arrayBuffer.byteLength < this.firstBytes) {
      (this.early ??= []).push(arrayBuffer);
      this.earlyLength += arrayBuffer.byteLength;
      return;
    }
    const first = this.onFirstBytes;
    this.handle = undefined;
    this.onFirstBytes = undefined;
    if (!arrayBuffer) {
      handle.close();
      first?.(undefined);
      return;
    }
    // It goes on reading: the socket built over it takes the reads over. Stopped here, the socket
    // would start it again at once (for libuv two more epoll_ctl calls, the first failing).
    handle.reading = true;
    const bytes = this.early === undefined ? Buffer.from(arrayBuffer) : Buffer.concat([...this.early, arrayBuffer].map((b) => new Uint8Array(b)));
    this.early = undefined;
    socketWithFirstBytes(handle, this.server, bytes, (socket) => first?.(socket), this.noDelay);
  }
}

/**
 * From now on (`server` listens, plain TCP) each new connection goes to `onConnection` as an
 * UnreadConnection instead of to the server's 'connection' event, and gets its socket once it has
 * sent `firstBytes` bytes (at least 1). False (nothing changed) when this Node does not have the
 * internals it needs.
 */
export function acceptLazily(server: net.Server, onConnection: (connection: UnreadConnection) => void, firstBytes = 1): boolean {
  const listening = (server as unknown as { _handle?: ListeningHandle | null })._handle;
  if (!listening || typeof listening.onconnection !== 'function') return false;
  // Linux gives an accepted connection the listening socket's TCP_NODELAY: set once here, it saves
  // a system call per connection (its socket knows it has it, so setNoDelay(true) does nothing).
  const noDelay = process.platform === 'linux' && listening.setNoDelay?.(true) === 0;
  // getpeername() writes address, family and port into the object it is given: one object that
  // already has them is overwritten in place, where a fresh one grows three properties per connection.
  const peer = { address: '', family: '', port: 0 };
  listening.onconnection = (status, handle) => {
    if (status !== 0 || !handle) return;
    peer.address = '';
    if (handle.getpeername(peer) !== 0 || !peer.address) {
      handle.close(); // gone before we saw it
      return;
    }
    const connection = new Unread(handle, peer.address, peer.port, noDelay, server, Math.max(1, firstBytes));
    if (handle.readStart() !== 0) {
      connection.close();
      return;
    }
    onConnection(connection);
  };
  return true;
}
