// The SCP side of the engine: listens, negotiates associations, and hands requests to the
// services it was given.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { Association } from '../net';
import { answerContexts, answerRoles } from '../net';
import { PDU_HEADER_LENGTH, acceptLazily, adoptWithSharedReads } from '../net';
import {
  AAssociateAc, AAssociateRq, DICOM_APPLICATION_CONTEXT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, Pdu, RoleSelection,
  SopClassExtendedNegotiation, emptyUserInformation,
} from '../net';
import { RejectReason, RejectResult, RejectSource } from '../net';
import { Command, commandName, refusalOf } from '../dimse';
import { Status } from '../dimse';
import { DimseChannel, IncomingMessage } from '../dimse';
import { ServiceAssociation } from '../services';
import { ScpService } from '../services';
import { VerificationScp } from '../services';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, validateAeTitle } from './identity';
import { DEFAULT_MAX_PDU, DEFAULT_TIMEOUTS, Timeouts, TlsOptions } from './options';
import { PresentedIdentity, presentedIdentity } from './user-identity';
import { ConnectionGate, DropCause, WaitingConnection } from './connection-gate';
import { FittedLimits, fitToOpenFiles, openFiles } from './open-files';
import { Refusal, RefusalCause, RefusalDigest } from './refusal-log';
import { CallingAeShares } from './calling-ae-shares';
import { LoopLoad } from './loop-load';
import { AssociationRecorder } from './recording';

/** Outstanding operations a peer may invoke on one of our associations unless configured otherwise. */
export const DEFAULT_ASYNC_OPERATIONS = 16;

/**
 * Our answer to a proposed window: we perform up to `limit` of the peer's operations at once (no
 * more than it proposed; its 0 means unlimited) and invoke one at a time ourselves.
 */
function grantedWindow(proposedInvoked: number, limit: number): { maxOperationsInvoked: number; maxOperationsPerformed: number } {
  const performed = Math.max(1, proposedInvoked === 0 ? limit : Math.min(proposedInvoked, limit));
  return { maxOperationsInvoked: 1, maxOperationsPerformed: performed };
}

export type IdentityDecision = boolean | { accept: boolean; serverResponse?: Buffer };

/** The server could not listen; `code` is Node's (EADDRINUSE when the port is taken, EACCES, …). */
export class ListenError extends Error {
  override name = 'ListenError';
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

export interface ServerOptions {
  aeTitle: string;
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  maxPduLength?: number;
  maxSendPduLength?: number;
  /**
   * Established associations at once; an A-ASSOCIATE-RQ beyond them is rejected transiently with
   * "local limit exceeded". Connections that have not sent their request yet do not count.
   */
  maxAssociations?: number;
  /**
   * Established associations one calling AE title at one address may have at once (default: no
   * limit of its own). A request beyond them waits for one of them to end, up to
   * `perAeWaitMs` (default 10 s), and is then rejected transiently with "local limit exceeded".
   * Set, it replaces the fair share.
   */
  maxAssociationsPerAe?: number;
  perAeWaitMs?: number;
  /**
   * The fair share, when maxAssociationsPerAe is not set (default 2; 0 = none): while more than one
   * calling AE uses the SCP, one calling AE title at one address with this many associations
   * established has a further request wait for one of them to end, up to `fairShareWaitMs`
   * (default 1 s), and then accepted anyway. It delays and never refuses. It holds only while the
   * event loop was busy at least `fairShareBusyAbove` of the last 100 ms (default 0.2; 0 = always):
   * associations that wait on a slow network are not held.
   */
  fairSharePerAe?: number;
  fairShareWaitMs?: number;
  fairShareBusyAbove?: number;
  /**
   * Connections waiting for their A-ASSOCIATE-RQ (TLS handshake included), in all (default 4096).
   * When full, the oldest waiting connection of the address holding the most is closed to make room.
   * Both waiting bounds are lowered to fit under the process's open-file limit (`waitingLimits`).
   */
  maxWaiting?: number;
  /** Connections waiting for their A-ASSOCIATE-RQ from one address (default 1024); when full, its oldest is closed. */
  maxWaitingPerSource?: number;
  /** Bytes all waiting connections may hold in partly received requests (default 32 MiB). */
  maxWaitingBytes?: number;
  /** Refusals of one cause from one address are logged (the `refused` event) at most once per this interval (default 60 s). */
  refusalLogIntervalMs?: number;
  /** When set, only these calling AE titles may associate. */
  acceptCallingAeTitles?: readonly string[];
  /** Reject requests whose called AE title is not ours (default: accept any). */
  requireCalledAeTitle?: boolean;
  /** Services besides Verification (which is always offered). */
  services?: readonly ScpService[];
  /** Pick the proposer's first acceptable transfer syntax (default true) rather than ours. */
  preferProposerTransferSyntax?: boolean;
  /**
   * artimMs bounds the wait for a new connection's A-ASSOCIATE-RQ (and for its TLS handshake);
   * idleMs defaults to SERVER_DEFAULT_IDLE_MS here (0 = never).
   */
  timeouts?: Partial<Timeouts>;
  tls?: TlsOptions;
  /** Decides on user identity negotiation; without it, presented identities are ignored (accepted). */
  authenticate?: (identity: PresentedIdentity, request: AAssociateRq) => IdentityDecision | Promise<IdentityDecision>;
  /**
   * Operations a peer may have outstanding on one association (PS3.7 D.3.3.3), granted when it
   * proposes an asynchronous operations window (default 16; 1 answers "one at a time"). Requests
   * are served as they arrive and answered by Message ID.
   */
  maxAsyncOperations?: number;
  /** Answers SOP class extended negotiation items (default: none answered, i.e. not supported). */
  extendedNegotiation?: (items: readonly SopClassExtendedNegotiation[], request: AAssociateRq) => SopClassExtendedNegotiation[];
  implementationClassUid?: string;
  implementationVersionName?: string;
  /** Records every association this server takes (the association inspector). */
  recorder?: AssociationRecorder;
}

export interface AssociationInfo {
  id: number;
  remoteAddress: string;
  callingAeTitle: string;
  calledAeTitle: string;
}

export interface ServerEvents {
  /** A connection ended before its A-ASSOCIATE-RQ arrived (every one; `refused` is the rate-limited log). */
  dropped: [info: AssociationInfo, cause: DropCause, message: string];
  /** A refusal worth a log line: at most one per address and cause per refusalLogIntervalMs, with a count. */
  refused: [refusal: Refusal];
  associationRequested: [info: AssociationInfo, request: AAssociateRq];
  /** A request waits for an association of its calling AE (at its address) to end: maxAssociationsPerAe. */
  queued: [info: AssociationInfo, reason: string];
  accepted: [info: AssociationInfo, association: Association];
  rejected: [info: AssociationInfo, reason: string];
  released: [info: AssociationInfo];
  aborted: [info: AssociationInfo, error: Error];
  pdu: [info: AssociationInfo, direction: 'sent' | 'received', pdu: Pdu, length: number];
  request: [info: AssociationInfo, command: Command];
  /** A service failed in a way the protocol could not report (the association was aborted). */
  serviceError: [info: AssociationInfo, error: Error];
}

class Rejection {
  constructor(readonly result: number, readonly source: number, readonly reason: number, readonly text: string,
    readonly cause: RefusalCause = 'rejected') {}
}

/** An association that negotiated and then sends nothing is aborted after this (dicomnet scp, the extension's local SCP). */
export const SERVER_DEFAULT_IDLE_MS = 120_000;
/**
 * Waiting connections. A peer behind the same address as a flood must speak before the per-source
 * bound turns over (bound ÷ the flood's connection rate): large enough to outlast a peer's pause of
 * a few tens of milliseconds at 10,000 connections a second. A waiting connection costs the SCP about
 * 2 KB and a file descriptor.
 */
export const DEFAULT_MAX_WAITING = 4096;
export const DEFAULT_MAX_WAITING_PER_SOURCE = 1024;
export const DEFAULT_MAX_WAITING_BYTES = 32 * 1024 * 1024;
const DEFAULT_REFUSAL_LOG_INTERVAL_MS = 60_000;
/** Associations the open-file reckoning sets descriptors aside for when maxAssociations is not set. */
const ASSOCIATIONS_RESERVED_WITHOUT_LIMIT = 32;
/** How long a request beyond its calling AE's share waits for a slot (less than the usual 30 s ACSE timeouts of clients). */
export const DEFAULT_PER_AE_WAIT_MS = 10_000;
/** The fair share's associations per calling AE, and how long a request beyond it waits before it is accepted anyway. */
export const DEFAULT_FAIR_SHARE = 2;
export const DEFAULT_FAIR_SHARE_WAIT_MS = 1000;
/** The share of the last 100 ms the SCP's event loop must have been busy for the fair share to hold anybody. */
export const DEFAULT_FAIR_SHARE_BUSY_ABOVE = 0.2;

/** The per-AE limit when one is set, else the fair share unless it is 0. */
function sharesOf(o: ServerOptions, maxWaiting: number): CallingAeShares | undefined {
  if (o.maxAssociationsPerAe !== undefined) return new CallingAeShares(o.maxAssociationsPerAe, o.perAeWaitMs ?? DEFAULT_PER_AE_WAIT_MS, maxWaiting);
  const share = o.fairSharePerAe ?? DEFAULT_FAIR_SHARE;
  if (share === 0) return undefined;
  const load = new LoopLoad(o.fairShareBusyAbove ?? DEFAULT_FAIR_SHARE_BUSY_ABOVE);
  return new CallingAeShares(share, o.fairShareWaitMs ?? DEFAULT_FAIR_SHARE_WAIT_MS, maxWaiting, { busy: () => load.busy() });
}

/** Drops that are worth a log line (a peer that closes or sends garbage is its own business). */
const LOGGED_DROPS: ReadonlySet<DropCause> = new Set(['waiting-limit', 'source-limit', 'waiting-bytes', 'artim', 'tls']);

export class DicomServer extends EventEmitter<ServerEvents> {
  readonly aeTitle: string;
  readonly options: ServerOptions;
  readonly timeouts: Timeouts;
  private server: net.Server | undefined;
  private gate: ConnectionGate | undefined;
  private services: ScpService[];
  private contexts: ReadonlyMap<string, readonly string[]> | undefined;
  /** Associations whose request arrived (negotiating or established), until they close. */
  private speaking = new Set<Association>();
  /** Associations accepted and not yet closed: what maxAssociations counts. */
  private established = new Set<Association>();
  private readonly refusals: RefusalDigest;
  private fittedLimits: FittedLimits | undefined;
  /** Slots per calling AE title and address: maxAssociationsPerAe, or the fair share. */
  private readonly shares: CallingAeShares | undefined;

  constructor(options: ServerOptions) {
    super();
    this.aeTitle = validateAeTitle(options.aeTitle, 'AE title');
    this.options = options;
    this.timeouts = { ...DEFAULT_TIMEOUTS, idleMs: SERVER_DEFAULT_IDLE_MS, ...options.timeouts };
    this.services = [new VerificationScp(), ...(options.services ?? [])];
    const reserved = options.maxAssociations ?? ASSOCIATIONS_RESERVED_WITHOUT_LIMIT;
    this.shares = sharesOf(options, reserved);
    this.refusals = new RefusalDigest(options.refusalLogIntervalMs ?? DEFAULT_REFUSAL_LOG_INTERVAL_MS, (r) => this.emit('refused', r));
  }

  /** Established associations (what maxAssociations counts). */
  get associationCount(): number {
    return this.established.size;
  }

  /** Connections waiting for their A-ASSOCIATE-RQ (or TLS handshake). */
  get waitingCount(): number {
    return this.gate?.size ?? 0;
  }

  /** The bounds on waiting connections in force since listen(), with the open-file limit when they were lowered to fit it. */
  get waitingLimits(): FittedLimits | undefined {
    return this.fittedLimits;
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  /** Starts listening; rejects with a readable error (e.g. the port is in use). */
  listen(): Promise<void> {
    const o = this.options;
    // Plain TCP even with TLS: the gate counts a connection from its accept and runs the
    // handshake inside the waiting bounds, so a flood of stalled handshakes is bounded too.
    const limits = fitToOpenFiles({
      maxWaiting: o.maxWaiting ?? DEFAULT_MAX_WAITING,
      maxWaitingPerSource: o.maxWaitingPerSource ?? DEFAULT_MAX_WAITING_PER_SOURCE,
      // Requests waiting for their calling AE's share hold a connection each, as many as associations.
    }, (o.maxAssociations ?? ASSOCIATIONS_RESERVED_WITHOUT_LIMIT) * (this.shares ? 2 : 1), openFiles());
    this.fittedLimits = limits;
    const gate = new ConnectionGate({
      maxWaiting: limits.maxWaiting,
      maxWaitingPerSource: limits.maxWaitingPerSource,
      maxWaitingBytes: o.maxWaitingBytes ?? DEFAULT_MAX_WAITING_BYTES,
      artimMs: this.timeouts.artimMs,
      tls: o.tls,
    }, {
      open: (socket, connection) => this.open(socket, connection),
      dropped: (connection, cause, message) => {
        if (this.listenerCount('dropped') > 0) this.emit('dropped', this.infoOf(connection), cause, message);
        if (LOGGED_DROPS.has(cause)) this.refusals.record(connection.source, cause as RefusalCause, message);
      },
    });
    this.gate = gate;
    // Plain TCP connections are taken over before anything is read, to read into the shared
    // buffer (see shared-reads.ts), and held as bare handles until they send something
    // (lazy-accept.ts); where Node does not allow that, they are accepted as sockets and adopted.
    // TLS reads through its own layer.
    const shareReads = !o.tls;
    const server = net.createServer({ noDelay: true, pauseOnConnect: shareReads },
      (socket) => gate.accept(shareReads ? adoptWithSharedReads(socket) : socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(new ListenError(err.code === 'EADDRINUSE'
          ? `port ${o.port} is already in use`
          : err.code === 'EACCES' ? `no permission to listen on port ${o.port}` : `cannot listen: ${err.message}`, err.code));
      });
      server.listen(o.port, o.host ?? '127.0.0.1', () => {
        // A socket only for a PDU header's worth of bytes: a slow flood's byte at a time builds none.
        if (shareReads) acceptLazily(server, (unread) => gate.acceptUnread(unread), PDU_HEADER_LENGTH);
        resolve();
      });
    });
  }

  /** Stops accepting; closes waiting connections at once, aborts associations still open after `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.gate?.closeAll();
    this.shares?.close();
    const pending = [...this.speaking].map((a) => a.whenClosed());
    const timer = setTimeout(() => { for (const a of this.speaking) a.abort(); }, graceMs);
    await Promise.all(pending);
    clearTimeout(timer);
    await closed;
    this.refusals.close();
    this.server = undefined;
    this.gate = undefined;
  }

  private infoOf(connection: WaitingConnection): AssociationInfo {
    return { id: connection.id, remoteAddress: connection.remoteAddress, callingAeTitle: '', calledAeTitle: '' };
  }

  /** Builds the association of a connection whose transport is ready; the gate starts it. */
  private open(socket: net.Socket, connection: WaitingConnection): Association {
    const info = this.infoOf(connection);
    const association = new Association('acceptor', {
      maxPduLength: this.options.maxPduLength ?? DEFAULT_MAX_PDU,
      timeouts: { artimMs: this.timeouts.artimMs, acseMs: this.timeouts.acseMs, idleMs: this.timeouts.idleMs },
    });
    this.options.recorder?.watch(association, 'inbound', connection.remoteAddress);
    if (this.listenerCount('pdu') > 0) {
      association.on('pdu', (direction, pdu, length) => this.emit('pdu', info, direction, pdu, length));
    }
    association.on('associateRequested', (rq) => {
      this.speaking.add(association);
      info.callingAeTitle = rq.callingAeTitle;
      info.calledAeTitle = rq.calledAeTitle;
      this.emit('associationRequested', info, rq);
      this.negotiate(info, connection.source, association, rq).catch((error: Error) => {
        this.emit('serviceError', info, error);
        association.abort();
      });
    });
    association.on('closed', (error) => {
      this.speaking.delete(association);
      this.established.delete(association);
      if (association.acceptance) {
        if (error) this.emit('aborted', info, error); else this.emit('released', info);
      }
    });
    return association;
  }

  private async negotiate(info: AssociationInfo, source: string, association: Association, rq: AAssociateRq): Promise<void> {
    let decision = await this.decide(rq);
    if (!association.isAwaitingLocalAssociateResponse) return; // the peer went away while we decided
    if (!(decision instanceof Rejection) && this.shares) {
      decision = await this.waitForShare(this.shares, info, source, association) ?? decision;
      if (!association.isAwaitingLocalAssociateResponse) return; // the peer went away while it waited
    }
    // Checked last and with no await before accept(), so concurrent requests never overshoot.
    const max = this.options.maxAssociations;
    if (!(decision instanceof Rejection) && max !== undefined && this.established.size >= max) {
      decision = new Rejection(RejectResult.Transient, RejectSource.ServiceProviderPresentation, RejectReason.LocalLimitExceeded,
        `already ${max} associations established (the limit)`, 'association-limit');
    }
    if (decision instanceof Rejection) {
      this.emit('rejected', info, decision.text);
      this.refusals.record(source, decision.cause, `association from ${info.callingAeTitle || '?'} rejected: ${decision.text}`);
      association.reject({ type: PDU_ASSOCIATE_RJ, result: decision.result, source: decision.source, reason: decision.reason });
      return;
    }
    this.established.add(association);
    association.accept(decision);
    this.emit('accepted', info, association);
    this.serve(info, association);
  }

  /**
   * Takes a slot of the request's calling AE's share, waiting for one when they are taken, and
   * gives it back when the association closes; the rejection when none came free in time.
   */
  private async waitForShare(shares: CallingAeShares, info: AssociationInfo, source: string, association: Association): Promise<Rejection | undefined> {
    const key = CallingAeShares.keyOf(info.callingAeTitle, source);
    const limit = `${info.callingAeTitle} at ${source} has ${shares.max} associations established (the ${shares.fair ? 'fair share while other AEs are served' : 'per-AE limit'})`;
    let taken = shares.take(key);
    if (typeof taken !== 'boolean') {
      this.emit('queued', info, `${limit}; waiting up to ${shares.waitMs / 1000} s for one to end${shares.fair ? ', then accepted anyway' : ''}`);
      taken = await taken;
    }
    if (!taken) {
      return new Rejection(RejectResult.Transient, RejectSource.ServiceProviderPresentation, RejectReason.LocalLimitExceeded,
        `${limit} and no slot came free for another`, 'ae-limit');
    }
    if (association.isAwaitingLocalAssociateResponse) association.once('closed', () => shares.release(key));
    else shares.release(key);
    return undefined;
  }

  private async decide(rq: AAssociateRq): Promise<AAssociateAc | Rejection> {
    const o = this.options;
    if (rq.applicationContext !== DICOM_APPLICATION_CONTEXT) {
      return new Rejection(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.ApplicationContextNotSupported,
        `application context ${rq.applicationContext} is not supported`);
    }
    if (o.requireCalledAeTitle && rq.calledAeTitle !== this.aeTitle) {
      return new Rejection(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized,
        `called AE title "${rq.calledAeTitle}" is not ours ("${this.aeTitle}")`);
    }
    if (o.acceptCallingAeTitles && !o.acceptCallingAeTitles.includes(rq.callingAeTitle)) {
      return new Rejection(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized,
        `calling AE title "${rq.callingAeTitle}" is not in the accepted list`);
    }
    const info = emptyUserInformation();
    info.maximumLength = o.maxPduLength ?? DEFAULT_MAX_PDU;
    info.implementationClassUid = o.implementationClassUid ?? IMPLEMENTATION_CLASS_UID;
    info.implementationVersionName = o.implementationVersionName ?? IMPLEMENTATION_VERSION_NAME;
    const identityRq = rq.userInformation.userIdentityRq;
    if (identityRq && o.authenticate) {
      const verdict = await o.authenticate(presentedIdentity(identityRq), rq);
      const accepted = typeof verdict === 'boolean' ? verdict : verdict.accept;
      if (!accepted) {
        return new Rejection(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.NoReasonGiven,
          `user identity "${presentedIdentity(identityRq).primary}" was not accepted`);
      }
      if (identityRq.positiveResponseRequested) {
        const response = typeof verdict === 'object' && verdict.serverResponse ? verdict.serverResponse : Buffer.alloc(0);
        info.userIdentityAc = { serverResponse: response };
      }
    }
    const contextTable = this.contextTable();
    const presentationContexts = answerContexts(rq.presentationContexts, {
      preferProposerOrder: o.preferProposerTransferSyntax ?? true,
      transferSyntaxesFor: (uid) => contextTable.get(uid) ?? this.firstDefined((s) => s.fallbackTransferSyntaxes?.(uid)),
    });
    const window = rq.userInformation.asyncOperationsWindow;
    if (window) info.asyncOperationsWindow = grantedWindow(window.maxOperationsInvoked, o.maxAsyncOperations ?? DEFAULT_ASYNC_OPERATIONS);
    info.roleSelections = answerRoles(rq.userInformation.roleSelections, (uid, proposed) => this.grantedRoles(uid, proposed));
    if (o.extendedNegotiation && rq.userInformation.sopClassExtended.length > 0) {
      info.sopClassExtended = o.extendedNegotiation(rq.userInformation.sopClassExtended, rq);
    }
    return {
      type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle,
      applicationContext: DICOM_APPLICATION_CONTEXT, presentationContexts, userInformation: info,
    };
  }

  /** What each abstract syntax is offered with: the first service's answer. Built once (a service's table is fixed). */
  private contextTable(): ReadonlyMap<string, readonly string[]> {
    if (!this.contexts) {
      const table = new Map<string, readonly string[]>();
      for (const service of this.services) for (const [uid, syntaxes] of service.contexts()) if (!table.has(uid)) table.set(uid, syntaxes);
      this.contexts = table;
    }
    return this.contexts;
  }

  /** A role is granted when any service grants it (Storage Commitment: one service takes N-ACTIONs, another N-EVENT-REPORTs). */
  private grantedRoles(uid: string, proposed: RoleSelection): { scu: boolean; scp: boolean } {
    const answers = this.services.map((s) => s.roles?.(uid, proposed)).filter((r) => r !== undefined);
    if (answers.length === 0) return { scu: true, scp: false };
    return { scu: answers.some((r) => r.scu), scp: answers.some((r) => r.scp) };
  }

  private firstDefined<T>(pick: (s: ScpService) => T | undefined): T | undefined {
    for (const service of this.services) {
      const value = pick(service);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private serve(info: AssociationInfo, association: Association): void {
    const channel = new DimseChannel(association, {
      dimseTimeoutMs: this.timeouts.dimseMs,
      maxSendPdu: this.options.maxSendPduLength ?? 1024 * 1024,
    });
    this.options.recorder?.watchChannel(channel);
    const sa: ServiceAssociation = { association, channel, peerAeTitle: info.callingAeTitle, localAeTitle: info.calledAeTitle || this.aeTitle };
    const inFlight = new Set<Promise<void>>();
    const serviceFor = (contextId: number, command: Command): ScpService | undefined => {
      const ctx = association.contexts.get(contextId);
      return ctx ? this.services.find((s) => s.handles(command, ctx.abstractSyntax)) : undefined;
    };
    channel.setRequestHooks({
      sinkFor: (contextId, command) => serviceFor(contextId, command)?.sinkFor?.(sa, contextId, command),
      onRequest: (message: IncomingMessage) => {
        this.emit('request', info, message.command);
        const service = serviceFor(message.contextId, message.command);
        // A request no service performs on this context is refused with a status, not an abort.
        const refusal = () => refusalOf(message.command, Status.UnrecognizedOperation,
          `${commandName(message.command)} is not supported on presentation context ${message.contextId}`);
        const work = (service ? service.handle(sa, message) : channel.send(message.contextId, refusal())).catch((error: Error) => {
          this.emit('serviceError', info, error);
          association.abort();
        });
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
      },
    });
    association.on('releaseRequested', () => {
      // Answer the release once every request in progress has sent its final response.
      void Promise.all([...inFlight]).then(() => {
        if (association.isReleaseRequested) association.respondRelease();
      });
    });
  }
}
