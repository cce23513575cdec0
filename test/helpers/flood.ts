// Hostile peers for the admission tests: TCP connections that connect and say nothing, and
// waits on effects (a condition, or a number of events) that fail with a name after a bound.
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

/** Waits until `check()` holds, checking every 10 ms; fails after `timeoutMs` naming `what`. */
export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves when `promise` does; fails after `timeoutMs` naming `what`. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Records every emission of `event` (its arguments) from now on. */
export function record<A extends unknown[]>(emitter: EventEmitter<any>, event: string): A[] {
  const seen: A[] = [];
  emitter.on(event, (...args: unknown[]) => { seen.push(args as A); });
  return seen;
}
