// One DICOM association as seen by the upper layer: a socket, the PDU reader and the PS3.8
// state machine. It knows PDUs and presentation contexts, not DIMSE messages.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { Action, EVENTS, Event, STATES, State, transition } from './fsm-table';
import { AbortReason, AssociationAbortedError, AssociationRejectedError, NetworkError, PduDecodeError, TimeoutError } from './errors';
import { decodePdu } from './pdu-decode';
import { encodePDataParts, encodePdu } from './pdu-encode';
import { PduReader } from './pdu-reader';
import {
  AAbort, AAssociateAc, AAssociateRj, AAssociateRq, Pdu, Pdv,
  PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, PDU_ASSOCIATE_RQ, PDU_P_DATA_TF, PDU_RELEASE_RP, PDU_RELEASE_RQ,
} from './pdu-types';
import { NegotiatedContext, contextsFromAc } from './negotiated';
import { AssociationEvents, AssociationRole, AssociationTimeouts, DEFAULT_TIMEOUTS, TransportConnection } from './association-types';
import { AssociationTimers } from './association-timers';
import { describeSocketError } from './socket-errors';

export {
  DEFAULT_TIMEOUTS, type AssociationRole, type TransportConnection, type AssociationTimeouts, type PduDirection, type AssociationEvents,
} from './association-types';
export { describeSocketError } from './socket-errors';

type Waiter = { resolve: () => void; reject: (e: Error) => void };

/**
 * Drives the state machine for one transport connection. Local primitives (request, accept,
 * reject, send, release, abort) and transport/PDU events all go through `fire()`, which looks
 * the action up in the standard's table.
 */
export class Association extends EventEmitter<AssociationEvents> {
  state: State = 'Sta1';
  readonly role: AssociationRole;
  socket: net.Socket | undefined;
  request: AAssociateRq | undefined;
  acceptance: AAssociateAc | undefined;
  rejection: AAssociateRj | undefined;
  /** Negotiated presentation contexts (accepted and rejected), by ID. */
  contexts = new Map<number, NegotiatedContext>();
  /** Our maximum P-DATA-TF length as advertised (0 = unlimited). */
  readonly ourMaxPdu: number;
  /** The peer's maximum (0 = unlimited). */
  peerMaxPdu = 0;
  /** The error that ended the association, once closed. */
  closeError: Error | undefined;
  readonly timeouts: AssociationTimeouts;

  private reader: PduReader;
  private readonly timers: AssociationTimers;
  private pendingAbort: { source: number; reason: number } | undefined;
  private associateWaiter: Waiter | undefined;
  private releaseWaiter: Waiter | undefined;
  private drainWaiters: Waiter[] = [];
  private closedPromise: Promise<Error | undefined>;
  private resolveClosed!: (e: Error | undefined) => void;
  private lastPdu: Pdu | undefined;
  private finished = false;

  constructor(role: AssociationRole, options: { maxPduLength: number; timeouts?: Partial<AssociationTimeouts> }) {
    super();
    this.role = role;
    this.ourMaxPdu = options.maxPduLength;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.timers = new AssociationTimers(this.timeouts, {
      artim: () => this.fire('Evt18'),
      acse: (error) => {
        this.closeError ??= error;
        this.failWaiters(error);
        if (transition('Evt15', this.state)) this.fire('Evt15');
      },
      idle: (error) => {
        this.closeError ??= error;
        this.failWaiters(this.closeError);
        if (transition('Evt15', this.state)) this.fire('Evt15');
      },
    });
    this.reader = new PduReader({ maxPDataLength: this.ourMaxPdu }, (raw) => this.onRawPdu(raw), (e) => this.onBadPdu(e), {
      start: (length) => this.onPDataStart(length),
      piece: (contextId, header, data, pdvDone) => this.onPDataPiece(contextId, header, data, pdvDone),
      end: () => this.onPDataEnd(),
    });
    this.closedPromise = new Promise((resolve) => { this.resolveClosed = resolve; });
  }

  /** Resolves when the association reaches Sta1 for good, with the error that ended it if any. */
  whenClosed(): Promise<Error | undefined> {
    return this.closedPromise;
  }

  get isEstablished(): boolean {
    return this.state === 'Sta6';
  }

  // ---------------------------------------------------------------- local primitives

  /** Evt1 + Evt2: open the transport (done by the caller's socket factory) and send the A-ASSOCIATE-RQ. */
  requestAssociation(connectSocket: () => TransportConnection, rq: AAssociateRq, connectTimeoutMs: number): Promise<void> {
    this.request = rq;
    return new Promise<void>((resolve, reject) => {
      this.associateWaiter = { resolve, reject };
      this.fire('Evt1', { connectSocket, connectTimeoutMs });
    });
  }

  /** Evt5: an incoming transport connection for an acceptor. */
  acceptTransport(socket: net.Socket): void {
    this.fire('Evt5', { socket });
  }

  /** Evt7: accept the association with this A-ASSOCIATE-AC. */
  accept(ac: AAssociateAc): void {
    this.fire('Evt7', { ac });
  }

  /** Evt8: reject the association. */
  reject(rj: AAssociateRj): void {
    this.fire('Evt8', { rj });
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
    const corked = this.socket;
    corked?.cork();
    try {
      for (const pdvs of pdus) this.fire('Evt9', { pdvs });
    } finally {
      corked?.uncork();
    }
    const socket = this.socket;
    if (!socket || !socket.writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /** Evt11: ask for release and wait for the A-RELEASE-RP (collisions handled as the table says). */
  release(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.releaseWaiter = { resolve, reject };
      this.fire('Evt11');
    });
  }

  /** Evt14: answer the peer's release request. */
  respondRelease(): void {
    this.fire('Evt14');
  }

  /** Evt15: abort (service-user source). Safe to call in any state. */
  abort(): void {
    if (this.state === 'Sta1' || this.state === 'Sta2' || this.state === 'Sta13') {
      if (this.state === 'Sta2') this.closeTransport();
      return;
    }
    this.fire('Evt15');
  }

  /** Stop or resume reading from the socket (receive-side backpressure, e.g. while a disk catches up). */
  pauseReading(): void { this.socket?.pause(); }
  resumeReading(): void { this.socket?.resume(); }

  // ---------------------------------------------------------------- state machine

  private fire(event: Event, payload?: unknown): void {
    if (this.finished && event !== 'Evt1' && event !== 'Evt5') return;
    const action = transition(event, this.state);
    if (!action) {
      if (event === 'Evt17' || event === 'Evt18') return; // transport gone or timer raced a state change
      throw new Error(`cannot ${EVENTS[event]} while the association is in ${this.state} (${STATES[this.state]})`);
    }
    const from = this.state;
    const to = this.perform(action, payload);
    this.state = to;
    this.emit('state', from, to, event, action);
    if (to === 'Sta6' || to === 'Sta7' || to === 'Sta8') this.timers.touchIdle(); else this.timers.stopIdle();
    if (to === 'Sta1') this.finish();
    // Indications go to the user only once the state reflects the action, so a user that
    // reacts at once (sends, releases, aborts) sees the right state.
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  private deferred: (() => void)[] = [];
  private after(callback: () => void): void {
    this.deferred.push(callback);
  }

  private perform(action: Action, payload: any): State {
    switch (action) {
      case 'AE-1': return this.openTransport(payload.connectSocket, payload.connectTimeoutMs);
      case 'AE-2':
        this.send(this.request!);
        this.timers.startAcseTimer('no A-ASSOCIATE response from the peer');
        return 'Sta5';
      case 'AE-3': {
        this.timers.stopAcseTimer();
        const ac = this.lastPdu as AAssociateAc;
        this.acceptance = ac;
        this.peerMaxPdu = ac.userInformation.maximumLength ?? 0;
        this.contexts = contextsFromAc(this.request!, ac);
        this.settle(this.associateWaiter, undefined);
        return 'Sta6';
      }
      case 'AE-4': {
        this.timers.stopAcseTimer();
        const rj = this.lastPdu as AAssociateRj;
        this.rejection = rj;
        const error = new AssociationRejectedError(rj.result, rj.source, rj.reason);
        this.closeError = error;
        this.settle(this.associateWaiter, error);
        this.closeTransport();
        return 'Sta1';
      }
      case 'AE-5':
        this.attachSocket(payload.socket);
        this.timers.startArtim();
        return 'Sta2';
      case 'AE-6': {
        this.timers.stopArtim();
        const rq = this.lastPdu as AAssociateRq;
        this.request = rq;
        if ((rq.protocolVersion & 1) === 0) {
          this.rejection = { type: PDU_ASSOCIATE_RJ, result: 1, source: 2, reason: 2 };
          this.send(this.rejection);
          this.timers.startArtim();
          return 'Sta13';
        }
        this.peerMaxPdu = rq.userInformation.maximumLength ?? 0;
        this.after(() => this.emit('associateRequested', rq));
        return 'Sta3';
      }
      case 'AE-7': {
        const ac = payload.ac as AAssociateAc;
        this.acceptance = ac;
        this.contexts = contextsFromAc(this.request!, ac);
        this.send(ac);
        return 'Sta6';
      }
      case 'AE-8':
        this.rejection = payload.rj;
        this.send(payload.rj);
        this.timers.startArtim();
        return 'Sta13';
      case 'DT-1':
        this.sendPDataNow(payload.pdvs);
        return 'Sta6';
      case 'DT-2':
        // The PDVs follow as they stream in (onPDataPiece).
        this.pdataAccepted = true;
        return 'Sta6';
      case 'AR-1':
        this.send({ type: PDU_RELEASE_RQ });
        this.timers.startAcseTimer('no A-RELEASE response from the peer');
        return 'Sta7';
      case 'AR-2':
        this.after(() => this.emit('releaseRequested'));
        return 'Sta8';
      case 'AR-3':
        this.timers.stopAcseTimer();
        this.settle(this.releaseWaiter, undefined);
        this.closeTransport();
        return 'Sta1';
      case 'AR-4':
        this.send({ type: PDU_RELEASE_RP });
        this.timers.startArtim();
        return 'Sta13';
      case 'AR-5':
        this.timers.stopArtim();
        return 'Sta1';
      case 'AR-6':
        this.pdataAccepted = true;
        return 'Sta7';
      case 'AR-7':
        this.sendPDataNow(payload.pdvs);
        return 'Sta8';
      case 'AR-8':
        // Release collision: both sides asked. We answer on our own; no user decision is needed.
        if (this.role === 'requestor') {
          this.after(() => { if (this.state === 'Sta9') this.fire('Evt14'); });
          return 'Sta9';
        }
        return 'Sta10';
      case 'AR-9':
        this.send({ type: PDU_RELEASE_RP });
        return 'Sta11';
      case 'AR-10':
        this.after(() => { if (this.state === 'Sta12') this.fire('Evt14'); });
        return 'Sta12';
      case 'AA-1': {
        const abort = this.pendingAbort ?? { source: 0, reason: 0 };
        this.pendingAbort = undefined;
        this.send({ type: PDU_ABORT, source: abort.source, reason: abort.reason });
        this.closeError ??= abort.source === 0
          ? new AssociationAbortedError('association aborted locally', 0, 0)
          : AssociationAbortedError.fromPdu(abort.source, abort.reason, false);
        this.failWaiters(this.closeError);
        this.timers.startArtim();
        return 'Sta13';
      }
      case 'AA-2':
        this.timers.stopArtim();
        this.closeError ??= this.state === 'Sta2'
          ? new TimeoutError('no A-ASSOCIATE-RQ arrived before the ARTIM timer expired')
          : this.state === 'Sta4' ? new AssociationAbortedError('connection attempt abandoned') : undefined;
        if (this.closeError) this.failWaiters(this.closeError);
        this.closeTransport();
        return 'Sta1';
      case 'AA-3': {
        const abort = this.lastPdu as AAbort;
        this.closeError = AssociationAbortedError.fromPdu(abort.source, abort.reason, true);
        this.failWaiters(this.closeError);
        this.closeTransport();
        return 'Sta1';
      }
      case 'AA-4':
        this.closeError ??= new AssociationAbortedError(this.state === 'Sta4'
          ? 'the connection could not be opened'
          : 'the peer closed the connection without releasing the association');
        this.failWaiters(this.closeError);
        return 'Sta1';
      case 'AA-5':
        this.timers.stopArtim();
        return 'Sta1';
      case 'AA-6':
        return 'Sta13';
      case 'AA-7': {
        const abort = this.pendingAbort ?? { source: 2, reason: AbortReason.UnexpectedPdu };
        this.pendingAbort = undefined;
        this.send({ type: PDU_ABORT, source: abort.source, reason: abort.reason });
        return 'Sta13';
      }
      case 'AA-8': {
        const abort = this.pendingAbort ?? { source: 2, reason: AbortReason.UnexpectedPdu };
        this.pendingAbort = undefined;
        this.send({ type: PDU_ABORT, source: 2, reason: abort.reason });
        this.closeError ??= AssociationAbortedError.fromPdu(2, abort.reason, false);
        this.failWaiters(this.closeError);
        this.timers.startArtim();
        return 'Sta13';
      }
    }
  }

  // ---------------------------------------------------------------- transport

  private openTransport(connectSocket: () => TransportConnection, connectTimeoutMs: number): State {
    let socket: net.Socket;
    let readyEvent: string;
    try {
      ({ socket, readyEvent } = connectSocket());
    } catch (error) {
      const failure = new NetworkError(`could not open a connection: ${(error as Error).message}`);
      queueMicrotask(() => { this.closeError = failure; this.failWaiters(failure); this.fire('Evt17'); });
      return 'Sta4';
    }
    const timer = setTimeout(() => {
      const error = new TimeoutError(`no TCP connection within ${connectTimeoutMs / 1000} s`);
      this.closeError = error;
      this.failWaiters(error);
      this.fire('Evt15');
    }, connectTimeoutMs);
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      if (this.state === 'Sta4') this.fire('Evt2');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (this.state === 'Sta4') this.closeError ??= new NetworkError(describeSocketError(err), err.code);
    });
    this.attachSocket(socket);
    return 'Sta4';
  }

  private attachSocket(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    socket.on('drain', () => this.flushDrainWaiters());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!this.closeError && this.state !== 'Sta13' && this.state !== 'Sta4') {
        this.closeError = new NetworkError(describeSocketError(err), err.code);
      }
    });
    socket.on('close', () => {
      this.flushDrainWaiters(this.closeError ?? new NetworkError('the connection closed'));
      if (this.state !== 'Sta1') this.fire('Evt17');
    });
  }

  private closeTransport(): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    socket.end();
    // A peer that never closes its side must not keep the socket alive.
    setTimeout(() => socket.destroy(), 1000).unref();
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
    const parts = encodePDataParts(pdvs);
    socket.cork();
    for (const part of parts) socket.write(part);
    socket.uncork();
    this.timers.touchIdle();
    if (this.listenerCount('pdu') > 0) this.emit('pdu', 'sent', { type: PDU_P_DATA_TF, pdvs }, parts[0].readUInt32BE(2));
  }

  private flushDrainWaiters(error?: Error): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) error ? w.reject(error) : w.resolve();
  }

  // ---------------------------------------------------------------- received PDUs

  private onRawPdu(raw: Buffer): void {
    const decoded = decodePdu(raw);
    if (!decoded.ok) return this.onBadPdu(decoded.error);
    const pdu = decoded.pdu;
    this.lastPdu = pdu;
    this.timers.touchIdle();
    if (this.listenerCount('pdu') > 0) this.emit('pdu', 'received', pdu, raw.length - 6);
    switch (pdu.type) {
      case PDU_ASSOCIATE_RQ: return this.fire('Evt6');
      case PDU_ASSOCIATE_AC: return this.fire('Evt3');
      case PDU_ASSOCIATE_RJ: return this.fire('Evt4');
      case PDU_P_DATA_TF: return this.fire('Evt10');
      case PDU_RELEASE_RQ: return this.fire('Evt12');
      case PDU_RELEASE_RP: return this.fire('Evt13');
      case PDU_ABORT: return this.fire('Evt16');
    }
  }

  /** Whether the P-DATA-TF being received was accepted by the state machine (DT-2, AR-6). */
  private pdataAccepted = false;
  /** PDVs of the P-DATA-TF being received, kept only for tracing. */
  private tracedPdvs: { contextId: number; header: number; pieces: Buffer[] }[] | undefined;
  private pdataLength = 0;
  private tracedPdvOpen = false;

  private onPDataStart(length: number): void {
    this.timers.touchIdle();
    this.pdataAccepted = false;
    this.pdataLength = length;
    this.tracedPdvs = this.listenerCount('pdu') > 0 ? [] : undefined;
    this.tracedPdvOpen = false;
    this.fire('Evt10');
  }

  private onPDataPiece(contextId: number, header: number, data: Buffer, pdvDone: boolean): void {
    if (this.tracedPdvs) {
      if (!this.tracedPdvOpen) {
        this.tracedPdvs.push({ contextId, header, pieces: [] });
        this.tracedPdvOpen = true;
      }
      this.tracedPdvs[this.tracedPdvs.length - 1].pieces.push(data);
      if (pdvDone) this.tracedPdvOpen = false;
    }
    if (this.pdataAccepted) this.emit('pdv', contextId, (header & 1) !== 0, (header & 2) !== 0, data, pdvDone);
  }

  private onPDataEnd(): void {
    const traced = this.tracedPdvs;
    this.tracedPdvs = undefined;
    if (traced && this.listenerCount('pdu') > 0) {
      const pdvs: Pdv[] = traced.map((p) => ({ contextId: p.contextId, isCommand: (p.header & 1) !== 0, isLast: (p.header & 2) !== 0, data: Buffer.concat(p.pieces) }));
      this.emit('pdu', 'received', { type: PDU_P_DATA_TF, pdvs }, this.pdataLength);
    }
  }

  private onBadPdu(error: PduDecodeError): void {
    this.pendingAbort = { source: 2, reason: error.abortReason };
    this.closeError ??= new AssociationAbortedError(`association aborted: received an invalid PDU (${error.message})`, 2, error.abortReason);
    this.fire('Evt19');
  }

  /** Abort because the DIMSE layer found a protocol violation inside P-DATA. */
  abortAsProvider(reason: number, message: string): void {
    if (this.state === 'Sta1' || this.state === 'Sta13') return;
    this.closeError ??= new AssociationAbortedError(`association aborted: ${message}`, 2, reason);
    this.pendingAbort = { source: 2, reason };
    this.fire('Evt19');
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
    if (this.closeError) this.failWaiters(this.closeError);
    else this.settle(this.associateWaiter, new AssociationAbortedError('the association ended before it was established'));
    this.settle(this.releaseWaiter, undefined);
    const socket = this.socket;
    if (socket && !socket.destroyed) setTimeout(() => socket.destroy(), 1000).unref();
    this.emit('closed', this.closeError);
    this.resolveClosed(this.closeError);
  }
}
