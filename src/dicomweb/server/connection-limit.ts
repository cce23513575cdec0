// A bound on the HTTP connections the DICOMweb server keeps open. Connections that are not being
// served (waiting for their request headers, or idle between keep-alive requests) wait in a
// WaitingRoom; when the bound is reached, the oldest of them (from the address holding the most)
// is closed for the newcomer. Only when every connection is busy with a request is the newcomer
// itself refused.
import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { WaitingRoom, WaitingSlot } from '../../ae';

export interface ConnectionLimitEvents {
  /** An idle connection was closed to make room, or a newcomer refused (every connection busy). */
  onRefused?: (source: string, what: 'closed-idle' | 'refused-busy') => void;
}

interface Tracked {
  source: string;
  slot: WaitingSlot | undefined;
  busy: number;
  /** Counted in `open` (until it closes, or is closed to make room). */
  counted: boolean;
}

export function limitConnections(http: Server, maxConnections: number, events: ConnectionLimitEvents = {}): void {
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new RangeError(`The DICOMweb connection limit must be a whole number of at least 1 (it is ${maxConnections}).`);
  }
  const room = new WaitingRoom({ maxWaiting: maxConnections, maxWaitingPerSource: maxConnections });
  const tracked = new WeakMap<Socket, Tracked>();
  let open = 0;
  const forget = (t: Tracked) => {
    if (t.counted) open--;
    t.counted = false;
  };

  const wait = (socket: Socket, t: Tracked) => {
    t.slot = room.admit(t.source, () => {
      t.slot = undefined;
      forget(t);
      events.onRefused?.(t.source, 'closed-idle');
      socket.destroy();
    });
  };

  http.on('connection', (socket: Socket) => {
    const source = socket.remoteAddress ?? '?';
    if (open >= maxConnections && !room.evictOne('waiting-limit')) {
      events.onRefused?.(source, 'refused-busy');
      socket.destroy();
      return;
    }
    open++;
    const t: Tracked = { source, slot: undefined, busy: 0, counted: true };
    tracked.set(socket, t);
    wait(socket, t);
    socket.once('close', () => {
      forget(t);
      if (t.slot) room.leave(t.slot);
      t.slot = undefined;
    });
  });

  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const t = tracked.get(socket);
    if (!t) return;
    t.busy++;
    if (t.slot) room.leave(t.slot);
    t.slot = undefined;
    res.once('close', () => {
      t.busy--;
      if (t.busy === 0 && !socket.destroyed && !t.slot) wait(socket, t);
    });
  });
}
