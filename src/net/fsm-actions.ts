// The actions of the DICOM upper layer state machine (PS3.8 §9.2, Tables 9-6 to 9-9): one named
// function each, listed in ACTIONS beside the standard's description. An action works on the
// association through an ActionContext and returns the next state; which action runs for which
// event in which state is the table's business (fsm-table.ts).
import * as net from 'node:net';
import { AbortReason, AssociationAbortedError, AssociationRejectedError, TimeoutError } from './errors';
import { Action, Event, State } from './fsm-table';
import { NegotiatedContext, contextsFromAc } from './negotiated';
import {
  AAbort, AAssociateAc, AAssociateRj, AAssociateRq, Pdu, Pdv,
  PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, PDU_ASSOCIATE_RQ, PDU_P_DATA_TF, PDU_RELEASE_RP, PDU_RELEASE_RQ,
} from './pdu-types';
import { RejectReason, RejectResult, RejectSource } from './reasons';
import { AssociationRole, TransportConnection } from './association-types';
import { AssociationTimers } from './association-timers';

/** An event as fired, with what it carries: a received PDU, or the parameters of a local primitive. */
export type FiredEvent =
  | { event: 'Evt1'; connectSocket: () => TransportConnection; connectTimeoutMs: number }
  | { event: 'Evt3'; pdu: AAssociateAc }
  | { event: 'Evt4'; pdu: AAssociateRj }
  | { event: 'Evt5'; socket: net.Socket }
  | { event: 'Evt6'; pdu: AAssociateRq }
  | { event: 'Evt7'; ac: AAssociateAc }
  | { event: 'Evt8'; rj: AAssociateRj }
  | { event: 'Evt9'; pdvs: Pdv[] }
  | { event: 'Evt16'; pdu: AAbort }
  // An invalid PDU, or a protocol violation found inside P-DATA: `reason` goes into the A-ABORT.
  | { event: 'Evt19'; reason: number }
  // P-DATA-TF (Evt10) carries nothing here: its PDVs stream to the user after the transition.
  | { event: Exclude<Event, 'Evt1' | 'Evt3' | 'Evt4' | 'Evt5' | 'Evt6' | 'Evt7' | 'Evt8' | 'Evt9' | 'Evt16' | 'Evt19'> };

export type Fired<E extends Event> = Extract<FiredEvent, { event: E }>;

/** The event a received PDU is (Evt3, 4, 6, 10, 12, 13 or 16). */
export function pduReceived(pdu: Pdu): FiredEvent {
  switch (pdu.type) {
    case PDU_ASSOCIATE_RQ: return { event: 'Evt6', pdu };
    case PDU_ASSOCIATE_AC: return { event: 'Evt3', pdu };
    case PDU_ASSOCIATE_RJ: return { event: 'Evt4', pdu };
    case PDU_P_DATA_TF: return { event: 'Evt10' };
    case PDU_RELEASE_RQ: return { event: 'Evt12' };
    case PDU_RELEASE_RP: return { event: 'Evt13' };
    case PDU_ABORT: return { event: 'Evt16', pdu };
  }
}

/** What an association negotiated and how it ended, as the actions record it. */
export interface AssociationRecord {
  request: AAssociateRq | undefined;
  acceptance: AAssociateAc | undefined;
  rejection: AAssociateRj | undefined;
  /** Negotiated presentation contexts (accepted and rejected), by ID. */
  contexts: Map<number, NegotiatedContext>;
  /** The peer's maximum P-DATA-TF length (0 = unlimited). */
  peerMaxPdu: number;
  /** The error that ends the association; undefined for a normal release. */
  closeError: Error | undefined;
}

/** The association as its actions see it: its record, timers and transport, and the user waiting on it. */
export interface ActionContext {
  readonly role: AssociationRole;
  /** The state the event arrived in. */
  readonly state: State;
  readonly record: AssociationRecord;
  readonly timers: AssociationTimers;
  /** Opens the transport connection with the caller's socket factory; Evt2 or Evt17 follows. */
  openTransport(connectSocket: () => TransportConnection, timeoutMs: number): void;
  /** Takes an incoming transport connection. */
  attachTransport(socket: net.Socket): void;
  send(pdu: Pdu): void;
  sendPData(pdvs: Pdv[]): void;
  /** Closes our side of the transport connection (the peer's close arrives as Evt17). */
  closeTransport(): void;
  /** P-DATA indication: the PDVs of the P-DATA-TF being received go to the user as they stream in. */
  deliverPData(): void;
  /** A-ASSOCIATE indication, given to the user once the new state is in place. */
  indicateAssociateRequest(rq: AAssociateRq): void;
  /** A-RELEASE indication, given to the user once the new state is in place; the user answers with Evt14. */
  indicateReleaseRequest(): void;
  /** In a release collision the A-RELEASE response (Evt14) is issued on the user's behalf, once the new state is in place. */
  respondToReleaseCollision(): void;
  /** A-ASSOCIATE confirmation to the user who asked: accepted (no error) or rejected. */
  confirmAssociation(error?: Error): void;
  /** A-RELEASE confirmation to the user who asked. */
  confirmRelease(): void;
  /** Every caller still waiting (for the association, a release, the socket to drain) gets this error. */
  failWaiters(error: Error): void;
}

// ------------------------------------------------------------------ association establishment

function AE_1(ctx: ActionContext, { connectSocket, connectTimeoutMs }: Fired<'Evt1'>): State {
  ctx.openTransport(connectSocket, connectTimeoutMs);
  return 'Sta4';
}

function AE_2(ctx: ActionContext): State {
  ctx.send(ctx.record.request!);
  ctx.timers.startAcseTimer('no A-ASSOCIATE response from the peer');
  return 'Sta5';
}

function AE_3(ctx: ActionContext, { pdu: ac }: Fired<'Evt3'>): State {
  ctx.timers.stopAcseTimer();
  const record = ctx.record;
  record.acceptance = ac;
  record.peerMaxPdu = ac.userInformation.maximumLength ?? 0;
  record.contexts = contextsFromAc(record.request!, ac);
  ctx.confirmAssociation();
  return 'Sta6';
}

function AE_4(ctx: ActionContext, { pdu: rj }: Fired<'Evt4'>): State {
  ctx.timers.stopAcseTimer();
  ctx.record.rejection = rj;
  const error = new AssociationRejectedError(rj.result, rj.source, rj.reason);
  ctx.record.closeError = error;
  ctx.confirmAssociation(error);
  ctx.closeTransport();
  return 'Sta1';
}

function AE_5(ctx: ActionContext, { socket }: Fired<'Evt5'>): State {
  ctx.attachTransport(socket);
  ctx.timers.startArtim();
  return 'Sta2';
}

/** The service provider accepts every request whose protocol version has bit 0 set; the user decides the rest. */
function AE_6(ctx: ActionContext, { pdu: rq }: Fired<'Evt6'>): State {
  ctx.timers.stopArtim();
  ctx.record.request = rq;
  if ((rq.protocolVersion & 1) === 0) {
    return sendRejection(ctx, {
      type: PDU_ASSOCIATE_RJ, result: RejectResult.Permanent, source: RejectSource.ServiceProviderAcse, reason: RejectReason.ProtocolVersionNotSupported,
    });
  }
  ctx.record.peerMaxPdu = rq.userInformation.maximumLength ?? 0;
  ctx.indicateAssociateRequest(rq);
  return 'Sta3';
}

function AE_7(ctx: ActionContext, { ac }: Fired<'Evt7'>): State {
  ctx.record.acceptance = ac;
  ctx.record.contexts = contextsFromAc(ctx.record.request!, ac);
  ctx.send(ac);
  return 'Sta6';
}

function AE_8(ctx: ActionContext, { rj }: Fired<'Evt8'>): State {
  return sendRejection(ctx, rj);
}

function sendRejection(ctx: ActionContext, rj: AAssociateRj): State {
  ctx.record.rejection = rj;
  ctx.send(rj);
  ctx.timers.startArtim();
  return 'Sta13';
}

// ------------------------------------------------------------------ data transfer

function DT_1(ctx: ActionContext, { pdvs }: Fired<'Evt9'>): State {
  ctx.sendPData(pdvs);
  return 'Sta6';
}

function DT_2(ctx: ActionContext): State {
  ctx.deliverPData();
  return 'Sta6';
}

// ------------------------------------------------------------------ association release

function AR_1(ctx: ActionContext): State {
  ctx.send({ type: PDU_RELEASE_RQ });
  ctx.timers.startAcseTimer('no A-RELEASE response from the peer');
  return 'Sta7';
}

function AR_2(ctx: ActionContext): State {
  ctx.indicateReleaseRequest();
  return 'Sta8';
}

function AR_3(ctx: ActionContext): State {
  ctx.timers.stopAcseTimer();
  ctx.confirmRelease();
  ctx.closeTransport();
  return 'Sta1';
}

function AR_4(ctx: ActionContext): State {
  ctx.send({ type: PDU_RELEASE_RP });
  ctx.timers.startArtim();
  return 'Sta13';
}

function AR_5(ctx: ActionContext): State {
  ctx.timers.stopArtim();
  return 'Sta1';
}

function AR_6(ctx: ActionContext): State {
  ctx.deliverPData();
  return 'Sta7';
}

function AR_7(ctx: ActionContext, { pdvs }: Fired<'Evt9'>): State {
  ctx.sendPData(pdvs);
  return 'Sta8';
}

/** Both sides asked to release. The requestor answers at once; the acceptor waits for the requestor's answer (AR-10). */
function AR_8(ctx: ActionContext): State {
  if (ctx.role !== 'requestor') return 'Sta10';
  ctx.respondToReleaseCollision();
  return 'Sta9';
}

function AR_9(ctx: ActionContext): State {
  ctx.send({ type: PDU_RELEASE_RP });
  return 'Sta11';
}

function AR_10(ctx: ActionContext): State {
  ctx.respondToReleaseCollision();
  return 'Sta12';
}

// ------------------------------------------------------------------ association abort

/** The error that ends the association, unless an earlier one already explains it; every waiting caller gets it. */
function endWith(ctx: ActionContext, error: Error | undefined): void {
  ctx.record.closeError ??= error;
  if (ctx.record.closeError) ctx.failWaiters(ctx.record.closeError);
}

/** The reason an A-ABORT from the service provider gives: the invalid PDU's, or an unexpected PDU. */
function providerAbortReason(fired: FiredEvent): number {
  return fired.event === 'Evt19' ? fired.reason : AbortReason.UnexpectedPdu;
}

/** A local abort (Evt15) goes out from the service user; an invalid PDU before the A-ASSOCIATE-RQ (Evt19) from the provider. */
function AA_1(ctx: ActionContext, fired: FiredEvent): State {
  if (fired.event === 'Evt19') {
    ctx.send({ type: PDU_ABORT, source: 2, reason: fired.reason });
    endWith(ctx, AssociationAbortedError.fromPdu(2, fired.reason, false));
  } else {
    ctx.send({ type: PDU_ABORT, source: 0, reason: 0 });
    endWith(ctx, new AssociationAbortedError('association aborted locally', 0, 0));
  }
  ctx.timers.startArtim();
  return 'Sta13';
}

/** Sta2 runs this for an ARTIM expiry (Evt18) and for a received A-ABORT (Evt16): the error says which. */
function AA_2(ctx: ActionContext, fired: FiredEvent): State {
  ctx.timers.stopArtim();
  endWith(ctx, ctx.state === 'Sta2' ? (fired.event === 'Evt16'
    ? AssociationAbortedError.fromPdu(fired.pdu.source, fired.pdu.reason, true)
    : new TimeoutError('no A-ASSOCIATE-RQ arrived before the ARTIM timer expired'))
    : ctx.state === 'Sta4' ? new AssociationAbortedError('connection attempt abandoned') : undefined);
  ctx.closeTransport();
  return 'Sta1';
}

function AA_3(ctx: ActionContext, { pdu }: Fired<'Evt16'>): State {
  ctx.record.closeError = AssociationAbortedError.fromPdu(pdu.source, pdu.reason, true);
  ctx.failWaiters(ctx.record.closeError);
  ctx.closeTransport();
  return 'Sta1';
}

function AA_4(ctx: ActionContext): State {
  endWith(ctx, new AssociationAbortedError(ctx.state === 'Sta4'
    ? 'the connection could not be opened'
    : 'the peer closed the connection without releasing the association'));
  return 'Sta1';
}

function AA_5(ctx: ActionContext): State {
  ctx.timers.stopArtim();
  return 'Sta1';
}

function AA_6(): State {
  return 'Sta13';
}

function AA_7(ctx: ActionContext, fired: FiredEvent): State {
  ctx.send({ type: PDU_ABORT, source: 2, reason: providerAbortReason(fired) });
  return 'Sta13';
}

function AA_8(ctx: ActionContext, fired: FiredEvent): State {
  const reason = providerAbortReason(fired);
  ctx.send({ type: PDU_ABORT, source: 2, reason });
  endWith(ctx, AssociationAbortedError.fromPdu(2, reason, false));
  ctx.timers.startArtim();
  return 'Sta13';
}

// ------------------------------------------------------------------ the actions as data

export interface FsmAction {
  /** The standard's description of the action. */
  readonly description: string;
  /** The one event whose payload the action reads (the table maps it from no other event). */
  readonly reads?: Event;
  run(ctx: ActionContext, fired: FiredEvent): State;
}

function action(description: string, run: (ctx: ActionContext, fired: FiredEvent) => State): FsmAction {
  return { description, run };
}

function actionOn<E extends Event>(event: E, description: string, run: (ctx: ActionContext, fired: Fired<E>) => State): FsmAction {
  return {
    description,
    reads: event,
    run: (ctx, fired) => {
      if (fired.event !== event) throw new Error(`"${description}" runs on ${event}, not on ${fired.event}`);
      return run(ctx, fired as Fired<E>);
    },
  };
}

export const ACTIONS: Record<Action, FsmAction> = {
  'AE-1': actionOn('Evt1', 'Issue TRANSPORT CONNECT request primitive to local transport service', AE_1),
  'AE-2': action('Send A-ASSOCIATE-RQ-PDU', AE_2),
  'AE-3': actionOn('Evt3', 'Issue A-ASSOCIATE confirmation (accept) primitive', AE_3),
  'AE-4': actionOn('Evt4', 'Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection', AE_4),
  'AE-5': actionOn('Evt5', 'Issue Transport connection response primitive; start ARTIM timer', AE_5),
  'AE-6': actionOn('Evt6', 'Stop ARTIM timer and if A-ASSOCIATE-RQ acceptable by service-provider: issue A-ASSOCIATE '
    + 'indication primitive (Sta3); otherwise issue A-ASSOCIATE-RJ-PDU and start ARTIM timer (Sta13)', AE_6),
  'AE-7': actionOn('Evt7', 'Send A-ASSOCIATE-AC PDU', AE_7),
  'AE-8': actionOn('Evt8', 'Send A-ASSOCIATE-RJ PDU and start ARTIM timer', AE_8),
  'DT-1': actionOn('Evt9', 'Send P-DATA-TF PDU', DT_1),
  'DT-2': action('Send P-DATA indication primitive', DT_2),
  'AR-1': action('Send A-RELEASE-RQ PDU', AR_1),
  'AR-2': action('Issue A-RELEASE indication primitive', AR_2),
  'AR-3': action('Issue A-RELEASE confirmation primitive, and close transport connection', AR_3),
  'AR-4': action('Issue A-RELEASE-RP PDU and start ARTIM timer', AR_4),
  'AR-5': action('Stop ARTIM timer', AR_5),
  'AR-6': action('Issue P-DATA indication', AR_6),
  'AR-7': actionOn('Evt9', 'Issue P-DATA-TF PDU', AR_7),
  'AR-8': action('Issue A-RELEASE indication (release collision): if association-requestor, next state is Sta9, if not Sta10', AR_8),
  'AR-9': action('Send A-RELEASE-RP PDU', AR_9),
  'AR-10': action('Issue A-RELEASE confirmation primitive', AR_10),
  'AA-1': action('Send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM timer', AA_1),
  'AA-2': action('Stop ARTIM timer if running. Close transport connection', AA_2),
  'AA-3': actionOn('Evt16', 'If (service-user initiated abort): issue A-ABORT indication and close transport connection; '
    + 'otherwise (service-provider initiated abort): issue A-P-ABORT indication and close transport connection', AA_3),
  'AA-4': action('Issue A-P-ABORT indication primitive', AA_4),
  'AA-5': action('Stop ARTIM timer', AA_5),
  'AA-6': action('Ignore PDU', AA_6),
  'AA-7': action('Send A-ABORT PDU', AA_7),
  'AA-8': action('Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM timer', AA_8),
};
