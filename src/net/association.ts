// One DICOM association as seen by the upper layer: the transport connection, the PDU reader and
// the callers waiting on them, driven by the PS3.8 state machine (the table in fsm-table.ts, the
// actions in fsm-actions.ts). It knows PDUs and presentation contexts, not DIMSE messages.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { EVENTS, Event, STATES, State, transition } from './fsm-table';
import { ACTIONS, ActionContext, AssociationRecord, FiredEvent, pduReceived } from './fsm-actions';
import { AssociationAbortedError, NetworkError, PduDecodeError, TimeoutError } from './errors';
import { decodePdu } from './pdu-decode';
import { encodePDataBuffer, encodePDataParts, encodePdu, pDataLength } from './pdu-encode';
import { PduReader } from './pdu-reader';
import { AAssociateAc, AAssociateRj, AAssociateRq, Pdu, Pdv, PDU_P_DATA_TF } from './pdu-types';
import { NegotiatedContext } from './negotiated';
import { AssociationEvents, AssociationRole, AssociationTimeouts, DEFAULT_ASSOCIATION_TIMEOUTS, TransportConnection } from './association-types';
import { AssociationTimers } from './association-timers';
import { ReceivedPDataTrace } from './pdata-trace';
import { describeSocketError } from './socket-errors';
import { onReceived } from './shared-reads';
import { keepTimerList } from './timer-lists';

type Waiter = { resolve: () => void; reject: (e: Error) => void };

/** P-DATA-TF PDUs up to this length are copied into one buffer and written at once; larger ones go out as their parts. */
const SMALL_PDATA_BYTES = 16 * 1024;

/** States in which P-DATA may flow: the idle timer runs there. */
const DATA_TRANSFER_STATES: ReadonlySet<State> = new Set<State>(['Sta6', 'Sta7', 'Sta8']);

/**
 * Drives the state machine for one transport connection. Local primitives (request, accept,
 * reject, send, release, abort) and transport/PDU events all go through `fire()`, which looks
 * the action up in the standard's table and runs it.
 */
export class Association extends EventEmitter<AssociationEvents> {
  readonly role: AssociationRole;
  /** Our maximum P-DATA-TF length as advertised (0 = unlimited). */
  readonly ourMaxPdu: number;
  readonly timeouts: AssociationTimeouts;

  private current: State = 'Sta1';
  private readonly record: AssociationRecord = {
    request: undefined, acceptance: undefined, rejection: undefined, contexts: new Map(), peerMaxPdu: 0, closeError: undefined,
  };
  private readonly context: ActionContext;
  private socket: net.Socket | undefined;
  private reader: PduReader;
  private readonly timers: AssociationTimers;
  private associateWaiter: Waiter | undefined;
  private releaseWaiter: Waiter | undefined;
  private drainWaiters: Waiter[] = [];
  private closedPromise: Promise<Error | undefined>;
  private resolveClosed!: (e: Error | undefined) => void;
  private finished = false;
  /** Indications for the user, given once the state reflects the action that raised them. */
  private deferred: (() => void)[] = [];
  /** Whether the P-DATA-TF being received was accepted by the state machine (DT-2, AR-6). */
  private pdataAccepted = false;
  private pdataTrace: ReceivedPDataTrace | undefined;
  /** The socket will be destroyed if it has not closed a second after we closed our side. */
  private destroyTimerSet = false;

  constructor(role: AssociationRole, options: { maxPduLength: number; timeouts?: Partial<AssociationTimeouts> }) {
    super();
    this.role = role;
    this.ourMaxPdu = options.maxPduLength;
    this.timeouts = { ...DEFAULT_ASSOCIATION_TIMEOUTS, ...options.timeouts };
    this.timers = new AssociationTimers(this.timeouts, {
      artim: () => this.fire({ event: 'Evt18' }),
      acse: (error) => this.abortWith(error),
      idle: (error) => this.abortWith(error),
    });
    this.reader = new PduReader({ maxPDataLength: this.ourMaxPdu }, (raw) => this.onRawPdu(raw), (e) => this.onBadPdu(e), {
      start: (length) => this.onPDataStart(length),
      piece: (contextId, header, data, pdvDone) => this.onPDataPiece(contextId, header, data, pdvDone),
      end: () => this.onPDataEnd(),
    });
    this.context = new Association.ActionsView(this);
    this.closedPromise = new Promise((resolve) => { this.resolveClosed = resolve; });
  }

  /** Resolves when the association reaches Sta1 for good, with the error that ended it if any. */
  whenClosed(): Promise<Error | undefined> {
    return this.closedPromise;
  }

  // ---------------------------------------------------------------- what callers may read

  /** The PS3.8 state, for tracing; callers decide with the predicates below. */
  get state(): State { return this.current; }
  get request(): AAssociateRq | undefined { return this.record.request; }
  get acceptance(): AAssociateAc | undefined { return this.record.acceptance; }
  get rejection(): AAssociateRj | undefined { return this.record.rejection; }
  /** Negotiated presentation contexts (accepted and rejected), by ID. */
  get contexts(): ReadonlyMap<number, NegotiatedContext> { return this.record.contexts; }
  /** The peer's maximum P-DATA-TF length (0 = unlimited). */
  get peerMaxPdu(): number { return this.record.peerMaxPdu; }
  /** The error that ended the association, once closed (undefined after a normal release). */
  get closeError(): Error | undefined { return this.record.closeError; }

  /** Established and ready for data transfer (Sta6). */
  get isEstablished(): boolean { return this.current === 'Sta6'; }
  /** Acceptor: the peer's A-ASSOCIATE-RQ waits for accept() or reject() (Sta3). */
  get isAwaitingLocalAssociateResponse(): boolean { return this.allows('Evt7'); }
  /** release() may be called (Sta6). */
  get canRelease(): boolean { return this.allows('Evt11'); }
  /** The peer asked to release and waits for respondRelease() (Sta8, or Sta9/Sta12 in a collision). */
  get isReleaseRequested(): boolean { return this.allows('Evt14'); }

  private allows(event: Event): boolean {
    return transition(event, this.current) !== undefined;
  }

  // ---------------------------------------------------------------- local primitives

  /** Evt1 + Evt2: open the transport (done by the caller's socket factory) and send the A-ASSOCIATE-RQ. */
  requestAssociation(connectSocket: () => TransportConnection, rq: AAssociateRq, connectTimeoutMs: number): Promise<void> {
    this.record.request = rq;
    return new Promise<void>((resolve, reject) => {
      this.associateWaiter = { resolve, reject };
      this.fire({ event: 'Evt1', connectSocket, connectTimeoutMs });
    });
  }

  /** Evt5: an incoming transport connection for an acceptor. */
  acceptTransport(socket: net.Socket): void {
    this.fire({ event: 'Evt5', socket });
  }

  /** Evt7: accept the association with this A-ASSOCIATE-AC. */
  accept(ac: AAssociateAc): void {
    this.fire({ event: 'Evt7', ac });
  }

  /** Evt8: reject the association. */
  reject(rj: AAssociateRj): void {
    this.fire({ event: 'Evt8', rj });
  }

  /**
   * Evt9: send one P-DATA-TF. Resolves when the socket can take more (backpressure), so a
   * sender that awaits each call never buffers more than one socket high-water mark.
   */
  sendPData(pdvs: Pdv[]): Promise<void> {
    return this.sendPDataMany([pdvs]);
  }

  /** Several P-DATA-TF PDUs written together (one system call when the socket allows it). */
  sendPDataMany(pdus: Pdv[][]): Promise<void> {
    const corked = pdus.length > 1 ? this.socket : undefined;
    corked?.cork();
    try {
      for (const pdvs of pdus) this.fire({ event: 'Evt9', pdvs });
    } finally {
      corked?.uncork();
    }
    const socket = this.socket;
    if (!socket || !socket.writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /** Evt11: ask for release and wait for the A-RELEASE-RP (collisions handled as the table says). */
  release(): Promise<void> {
    // Once closed, nothing would ever answer: say why it ended instead of waiting forever.
    if (this.finished) return Promise.reject(this.record.closeError ?? new AssociationAbortedError('the association is already released'));
    return new Promise<void>((resolve, reject) => {
      this.releaseWaiter = { resolve, reject };
      this.fire({ event: 'Evt11' });
    });
  }

  /** Evt14: answer the peer's release request (see `isReleaseRequested`). */
  respondRelease(): void {
    this.fire({ event: 'Evt14' });
  }

  /** Evt15: abort (service-user source). Safe to call in any state; `cause` is what the association ends with. */
  abort(cause?: Error): void {
    if (cause && !this.finished) this.record.closeError ??= cause;
    if (this.allows('Evt15')) this.fire({ event: 'Evt15' });
    else if (this.current === 'Sta2') this.closeTransport();
  }

  /**
   * Evt19: abort because the DIMSE layer found a protocol violation inside P-DATA, or gave up
   * waiting (`cause`, e.g. its TimeoutError, is then what the association ends with).
   */
  abortAsProvider(reason: number, message: string, cause?: Error): void {
    if (this.current === 'Sta1' || this.current === 'Sta13') return;
    if (cause) this.record.closeError ??= cause;
    this.abortForProtocolError(reason, message);
  }

  /** Stop or resume reading from the socket (receive-side backpressure, e.g. while a disk catches up). */
  pauseReading(): void { this.socket?.pause(); }
  resumeReading(): void { this.socket?.resume(); }

  // ---------------------------------------------------------------- state machine

  private fire(fired: FiredEvent): void {
    const event = fired.event;
    if (this.finished && event !== 'Evt1' && event !== 'Evt5') return;
    const action = transition(event, this.current);
    if (!action) {
      if (event === 'Evt17' || event === 'Evt18') return; // transport gone or timer raced a state change
      throw new Error(`cannot ${EVENTS[event]} while the association is in ${this.current} (${STATES[this.current]})`);
    }
    const from = this.current;
    const to = ACTIONS[action].run(this.context, fired);
    this.current = to;
    this.emit('state', from, to, event, action);
    if (DATA_TRANSFER_STATES.has(to)) this.timers.touchIdle(); else this.timers.stopIdle();
    if (to === 'Sta1') this.finish();
    // Indications go to the user only once the state reflects the action, so a user that
    // reacts at once (sends, releases, aborts) sees the right state.
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  private after(callback: () => void): void {
    this.deferred.push(callback);
  }

  /**
   * What the actions may do to this association: one small object whose methods live on its
   * prototype (a literal of closures cost each association a dozen function objects).
   */
  private static readonly ActionsView = class implements ActionContext {
    constructor(private readonly a: Association) {}
    get role(): AssociationRole { return this.a.role; }
    get state(): State { return this.a.current; }
    get record(): AssociationRecord { return this.a.record; }
    get timers(): AssociationTimers { return this.a.timers; }
    openTransport(connectSocket: () => TransportConnection, timeoutMs: number): void { this.a.openTransport(connectSocket, timeoutMs); }
    attachTransport(socket: net.Socket): void { this.a.attachSocket(socket); }
    send(pdu: Pdu): void { this.a.send(pdu); }
    sendPData(pdvs: Pdv[]): void { this.a.sendPDataNow(pdvs); }
    closeTransport(): void { this.a.closeTransport(); }
    deliverPData(): void { this.a.pdataAccepted = true; }
    indicateAssociateRequest(rq: AAssociateRq): void { this.a.after(() => this.a.emit('associateRequested', rq)); }
    indicateReleaseRequest(): void { this.a.after(() => this.a.emit('releaseRequested')); }
    respondToReleaseCollision(): void { this.a.after(() => { if (this.a.isReleaseRequested) this.a.respondRelease(); }); }
    confirmAssociation(error?: Error): void { this.a.settle(this.a.associateWaiter, error); }
    confirmRelease(): void { this.a.settle(this.a.releaseWaiter, undefined); }
    failWaiters(error: Error): void { this.a.failWaiters(error); }
  };

  /** A timer expired: the waiting callers get its error and the association is aborted (Evt15) if it still can be. */
  private abortWith(error: Error): void {
    this.record.closeError ??= error;
    this.failWaiters(this.record.closeError);
    if (this.allows('Evt15')) this.fire({ event: 'Evt15' });
  }

  // ---------------------------------------------------------------- transport

  private openTransport(connectSocket: () => TransportConnection, connectTimeoutMs: number): void {
    let socket: net.Socket;
    let readyEvent: string;
    try {
      ({ socket, readyEvent } = connectSocket());
    } catch (error) {
      const failure = new NetworkError(`could not open a connection: ${(error as Error).message}`);
      queueMicrotask(() => { this.record.closeError = failure; this.failWaiters(failure); this.fire({ event: 'Evt17' }); });
      return;
    }
    keepTimerList(connectTimeoutMs);
    const timer = setTimeout(() => {
      const error = new TimeoutError(`no TCP connection within ${connectTimeoutMs / 1000} s`);
      this.record.closeError = error;
      this.failWaiters(error);
      this.fire({ event: 'Evt15' });
    }, connectTimeoutMs);
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      if (this.current === 'Sta4') this.fire({ event: 'Evt2' });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (this.current === 'Sta4') this.record.closeError ??= new NetworkError(describeSocketError(err), err.code);
    });
    this.attachSocket(socket);
  }

  private attachSocket(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    onReceived(socket, (chunk, borrowed) => this.onBytes(chunk, borrowed));
    socket.on('drain', () => this.flushDrainWaiters());
    socket.on('end', () => {
      // The peer closed its side while we wait for exactly that (Sta13: after an A-RELEASE-RP,
      // A-ASSOCIATE-RJ or A-ABORT, everything we send is sent). Close at once: Node would first
      // shut our side down (a shutdown(2) and its stream bookkeeping) and close after. With bytes
      // still queued it does that, so they go out before the FIN.
      if (this.current === 'Sta13' && socket.writableLength === 0) socket.destroy();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!this.record.closeError && this.current !== 'Sta13' && this.current !== 'Sta4') {
        this.record.closeError = new NetworkError(describeSocketError(err), err.code);
      }
    });
    socket.on('close', () => {
      if (this.drainWaiters.length > 0) this.flushDrainWaiters(this.record.closeError ?? new NetworkError('the connection closed'));
      if (this.current !== 'Sta1') this.fire({ event: 'Evt17' });
    });
  }

  private closeTransport(): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    // The actions close the transport once the peer has answered (A-RELEASE-RP, A-ASSOCIATE-RJ,
    // A-ABORT) or ARTIM gave up on it: with nothing of ours still queued, close the descriptor at
    // once (the kernel sends what it holds, then the FIN) rather than shut our side down, wait for
    // the peer's FIN and close then (a shutdown(2), a timer and another turn of the event loop
    // per association). TLS ends with its close_notify; a connection still opening ends as before.
    if (socket.writableLength === 0 && !socket.connecting && !('encrypted' in socket)) {
      socket.destroy();
      return;
    }
    socket.end();
    this.destroyUnlessClosedSoon(socket);
  }

  /** Once per association (closing the transport and finishing both ask for it). */
  private destroyUnlessClosedSoon(socket: net.Socket): void {
    if (this.destroyTimerSet) return;
    this.destroyTimerSet = true;
    destroyUnlessClosedWithin(socket, 1000);
  }

  private send(pdu: Pdu): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    const raw = encodePdu(pdu);
    socket.write(raw);
    this.timers.touchIdle();
    if (this.listenerCount('pdu') > 0) this.emit('pdu', 'sent', pdu, raw.length - 6);
  }

  private sendPDataNow(pdvs: Pdv[]): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) throw new NetworkError('the connection is closed');
    const length = pDataLength(pdvs);
    if (length <= SMALL_PDATA_BYTES) {
      // A command or a small data set: copied into one buffer, one write (no cork, no writev).
      socket.write(encodePDataBuffer(pdvs, length));
    } else {
      const parts = encodePDataParts(pdvs);
      socket.cork();
      for (const part of parts) socket.write(part);
      socket.uncork();
    }
    this.timers.touchIdle();
    if (this.listenerCount('pdu') > 0) this.emit('pdu', 'sent', { type: PDU_P_DATA_TF, pdvs }, length);
  }

  private flushDrainWaiters(error?: Error): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) error ? w.reject(error) : w.resolve();
  }

  // ---------------------------------------------------------------- received PDUs

  private onBytes(chunk: Buffer, borrowed: boolean): void {
    if (!borrowed) {
      this.reader.push(chunk);
      return;
    }
    try {
      this.reader.push(chunk, true);
    } finally {
      // The P-DATA pieces given out were views of a buffer the next read overwrites.
      this.pdataTrace?.keepCopies();
      this.emit('viewsExpiring');
    }
  }

  private onRawPdu(raw: Buffer): void {
    const decoded = decodePdu(raw);
    if (!decoded.ok) return this.onBadPdu(decoded.error);
    this.timers.touchIdle();
    if (this.listenerCount('pdu') > 0) this.emit('pdu', 'received', decoded.pdu, raw.length - 6);
    this.fire(pduReceived(decoded.pdu));
  }

  private onPDataStart(length: number): void {
    this.timers.touchIdle();
    this.pdataAccepted = false;
    this.pdataTrace = this.listenerCount('pdu') > 0 ? new ReceivedPDataTrace(length) : undefined;
    this.fire({ event: 'Evt10' });
  }

  private onPDataPiece(contextId: number, header: number, data: Buffer, pdvDone: boolean): void {
    this.pdataTrace?.piece(contextId, header, data, pdvDone);
    if (!this.pdataAccepted) return;
    this.emit('pdv', contextId, (header & 1) !== 0, (header & 2) !== 0, data, pdvDone);
  }

  private onPDataEnd(): void {
    const trace = this.pdataTrace;
    this.pdataTrace = undefined;
    if (trace && this.listenerCount('pdu') > 0) this.emit('pdu', 'received', trace.pdu(), trace.length);
  }

  private onBadPdu(error: PduDecodeError): void {
    this.abortForProtocolError(error.abortReason, `received an invalid PDU (${error.message})`);
  }

  private abortForProtocolError(reason: number, message: string): void {
    this.record.closeError ??= new AssociationAbortedError(`association aborted: ${message}`, 2, reason);
    this.fire({ event: 'Evt19', reason });
  }

  // ---------------------------------------------------------------- completion

  private settle(waiter: Waiter | undefined, error: Error | undefined): void {
    if (!waiter) return;
    if (waiter === this.associateWaiter) this.associateWaiter = undefined;
    if (waiter === this.releaseWaiter) this.releaseWaiter = undefined;
    error ? waiter.reject(error) : waiter.resolve();
  }

  private failWaiters(error: Error): void {
    this.settle(this.associateWaiter, error);
    this.settle(this.releaseWaiter, error);
    this.flushDrainWaiters(error);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.pdataAccepted = false;
    this.reader.stop();
    this.timers.stopArtim();
    this.timers.stopAcseTimer();
    this.timers.stopIdle();
    const closeError = this.record.closeError;
    if (closeError) this.failWaiters(closeError);
    else if (this.associateWaiter) this.settle(this.associateWaiter, new AssociationAbortedError('the association ended before it was established'));
    this.settle(this.releaseWaiter, undefined);
    const socket = this.socket;
    if (socket && !socket.destroyed) this.destroyUnlessClosedSoon(socket);
    this.emit('closed', closeError);
    this.resolveClosed(closeError);
  }
}

/**
 * A peer that never closes its side must not keep the socket alive. The timer goes when the socket
 * closes: it would otherwise hold the socket, and through its listeners the association, for the
 * whole delay (at a thousand short associations a second, a thousand closed associations).
 */
function destroyUnlessClosedWithin(socket: net.Socket, ms: number): void {
  const timer = setTimeout(() => socket.destroy(), ms).unref();
  socket.once('close', () => clearTimeout(timer));
}
