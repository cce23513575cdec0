// Plain TCP sockets that read into one buffer per thread instead of a fresh 64 KiB buffer per read
// (Node's default): bulk receiving then allocates nothing per read, and the garbage collector
// stays out of the way. What they receive is a *borrowed* view, valid only during the listener
// call: the next read, on any socket of the thread, overwrites it. Whoever keeps bytes past the
// call copies them or has finished with them before returning (the association's 'readEnd').
//
// Client sockets get the buffer through net.connect's `onread` option. Sockets a net.Server
// accepts cannot be given one, so the server is created with pauseOnConnect and each accepted
// socket's handle moves, before anything was read from it, into a socket of our own created with
// `onread`; the server's connection count moves with it, so server.close() and maxConnections
// behave as before. Where that is not possible (a Node without these internals) the accepted
// socket is used as it is, and reads are delivered the ordinary way.
import * as net from 'node:net';

/** Largest single read: the kernel hands over up to this much of what is waiting in one call. */
export const SHARED_READ_BYTES = 1024 * 1024;

let sharedBuffer: Buffer | undefined;

/** The thread's read buffer (each worker thread loads this module anew and gets its own). */
function readBuffer(): Buffer {
  sharedBuffer ??= Buffer.allocUnsafe(SHARED_READ_BYTES);
  return sharedBuffer;
}

/**
 * Receives bytes. `borrowed` chunks are views of the shared buffer: valid only until the call
 * returns. Others (TLS, or sockets read the ordinary way) are the listener's to keep.
 */
export type ReadListener = (chunk: Buffer, borrowed: boolean) => void;

class SharedReads {
  private listeners: ReadListener[] = [];
  /** Copies of what arrived while nobody listened (the socket is paused meanwhile). */
  private held: Buffer[] = [];
  /** Listeners added while a chunk is being delivered: they get it too, after the others. */
  private added: ReadListener[] | undefined;

  constructor(readonly socket: net.Socket) {}

  deliver(length: number, buffer: Buffer): void {
    const chunk = buffer.subarray(0, length);
    if (this.listeners.length === 0) {
      this.held.push(Buffer.from(chunk));
      this.socket.pause();
      return;
    }
    this.handOver(chunk, true, this.listeners);
  }

  /**
   * Bytes read before this socket existed (the caller's to give away): `attach` adds the listeners
   * that take over the connection, and they get this chunk first.
   */
  introduce(chunk: Buffer, attach: () => void): void {
    this.added = [];
    try {
      attach();
    } finally {
      const added = this.added;
      this.added = undefined;
      this.handOver(chunk, false, added);
    }
  }

  private handOver(chunk: Buffer, borrowed: boolean, first: ReadListener[]): void {
    this.added = [];
    try {
      // A listener may hand over to others (the SCP's gate builds the association on the first
      // bytes): those added meanwhile get this chunk too; those removed meanwhile no longer do.
      let round = first;
      while (round.length > 0) {
        for (const listener of round) if (this.listeners.includes(listener)) listener(chunk, borrowed);
        round = this.added;
        this.added = [];
      }
    } finally {
      this.added = undefined;
    }
  }

  add(listener: ReadListener): () => void {
    this.listeners = [...this.listeners, listener];
    this.added?.push(listener);
    if (this.held.length > 0) {
      const held = this.held;
      this.held = [];
      for (const chunk of held) listener(chunk, false);
      this.socket.resume();
    }
    return () => { this.listeners = this.listeners.filter((l) => l !== listener); };
  }
}

/**
 * A socket's SharedReads, on the socket itself. Not a WeakMap: V8's young-generation collections
 * keep a WeakMap's values alive, and a SharedReads holds its socket and, through the listeners,
 * the whole association; every short association then outlived two of them and was promoted to
 * the old generation (at a thousand associations a second, 2.5 MB per young collection, each
 * taking 10 ms instead of 1, and the old generation marked and compacted again and again).
 */
const READS = Symbol('sharedReads');
type WithReads = net.Socket & { [READS]?: SharedReads };

function readsOf(socket: net.Socket): SharedReads | undefined {
  return (socket as WithReads)[READS];
}

function sharedReadsOption(reads: () => SharedReads): net.OnReadOpts {
  return { buffer: readBuffer, callback: (length, buffer) => { reads().deliver(length, buffer as Buffer); return true; } };
}

/**
 * What net.Socket's constructor sets on its copy of the options anyway (these very values). Given
 * in the options, the copy already has them and the constructor only overwrites them; added by it
 * (a megamorphic store each, missing the IC's cache), they were most of its time: about 50 µs of
 * the SCP's CPU per association.
 */
const SOCKET_DEFAULTS = { allowHalfOpen: false, emitClose: false, autoDestroy: true, decodeStrings: false } as const;

/** net.connect, reading into the shared buffer. */
export function connectWithSharedReads(options: net.TcpNetConnectOpts): net.Socket {
  let reads: SharedReads | undefined;
  const socket = net.connect({ ...options, onread: sharedReadsOption(() => reads!), ...SOCKET_DEFAULTS } as net.TcpNetConnectOpts);
  reads = new SharedReads(socket);
  (socket as WithReads)[READS] = reads;
  return socket;
}

interface NodeSocketInternals {
  _handle?: object | null;
  _server?: net.Server | null;
  server?: net.Server | null;
}

/**
 * A socket accepted by a net.Server created with `pauseOnConnect: true` (nothing read from it
 * yet), re-created over the same connection reading into the shared buffer. Returns the socket
 * to use from now on: the accepted one itself when it cannot be re-created.
 */
export function adoptWithSharedReads(accepted: net.Socket): net.Socket {
  const inner = accepted as unknown as NodeSocketInternals;
  const handle = inner._handle;
  if (!handle || accepted.destroyed || accepted.readableFlowing === true || accepted.bytesRead > 0) return accepted;
  let socket: net.Socket;
  try {
    socket = socketOverHandle(handle).socket;
  } catch {
    return accepted;
  }
  // The connection now belongs to the new socket, and so does its place in the server's count.
  const own = socket as unknown as NodeSocketInternals;
  own._server = inner._server;
  own.server = inner.server;
  inner._server = null;
  inner.server = null;
  inner._handle = null;
  accepted.destroy();
  return socket;
}

/**
 * A socket over a bare TCP handle, reading into the shared buffer: it starts reading unless the
 * handle is marked as reading already (Node's `reading`).
 * `noDelay`: the connection has TCP_NODELAY already (the socket records it without a system call).
 */
function socketOverHandle(handle: object, noDelay = false): SharedReads {
  let reads: SharedReads | undefined;
  const socket = new net.Socket({
    handle, readable: true, writable: true, noDelay, onread: sharedReadsOption(() => reads!), ...SOCKET_DEFAULTS,
  } as net.SocketConstructorOpts);
  reads = new SharedReads(socket);
  (socket as WithReads)[READS] = reads;
  return reads;
}

/**
 * A connection `server` accepted that was held as a bare handle (lazy-accept.ts), now that it has
 * sent `first`: a socket reading into the shared buffer, counted as the server's. `attach` wires
 * the socket's listeners, and they get `first` before anything read later. `noDelay`: the connection
 * has TCP_NODELAY already.
 */
export function socketWithFirstBytes(handle: object, server: net.Server, first: Buffer, attach: (socket: net.Socket) => void, noDelay = false): void {
  const reads = socketOverHandle(handle, noDelay);
  const own = reads.socket as unknown as NodeSocketInternals;
  own._server = server;
  own.server = server;
  (server as unknown as { _connections: number })._connections++;
  reads.introduce(first, () => attach(reads.socket));
}

/** Whether this socket reads into the shared buffer (its chunks are borrowed). */
export function readsShared(socket: net.Socket): boolean {
  return readsOf(socket) !== undefined;
}

/** Listens to what a socket receives, however it reads; returns the way to stop listening. */
export function onReceived(socket: net.Socket, listener: ReadListener): () => void {
  const reads = readsOf(socket);
  if (reads) return reads.add(listener);
  const onData = (chunk: Buffer) => listener(chunk, false);
  socket.on('data', onData);
  return () => { socket.off('data', onData); };
}
