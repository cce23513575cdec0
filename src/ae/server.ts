// The SCP side of the engine: listens, negotiates associations, and hands requests to the
// services it was given.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Association } from '../net/association';
import { answerContexts, answerRoles } from '../net/negotiation';
import {
  AAssociateAc, AAssociateRq, DICOM_APPLICATION_CONTEXT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, Pdu,
  SopClassExtendedNegotiation, emptyUserInformation,
} from '../net/pdu-types';
import { RejectReason, RejectResult, RejectSource } from '../net/reasons';
import { AbortReason } from '../net/errors';
import { Command, commandName } from '../dimse/command';
import { DimseChannel, IncomingMessage } from '../dimse/channel';
import { ServiceAssociation } from '../services/context';
import { ScpService } from '../services/scp-service';
import { VerificationScp } from '../services/verification-scp';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, validateAeTitle } from './identity';
import { DEFAULT_MAX_PDU, DEFAULT_TIMEOUTS, Timeouts, TlsOptions } from './options';
import { PresentedIdentity, presentedIdentity } from './user-identity';

export type IdentityDecision = boolean | { accept: boolean; serverResponse?: Buffer };

export interface ServerOptions {
  aeTitle: string;
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  maxPduLength?: number;
  maxSendPduLength?: number;
  /** Concurrent associations; more are rejected transiently with "local limit exceeded". */
  maxAssociations?: number;
  /** When set, only these calling AE titles may associate. */
  acceptCallingAeTitles?: readonly string[];
  /** Reject requests whose called AE title is not ours (default: accept any). */
  requireCalledAeTitle?: boolean;
  /** Services besides Verification (which is always offered). */
  services?: readonly ScpService[];
  /** Pick the proposer's first acceptable transfer syntax (default true) rather than ours. */
  preferProposerTransferSyntax?: boolean;
  timeouts?: Partial<Timeouts>;
  tls?: TlsOptions;
  /** Decides on user identity negotiation; without it, presented identities are ignored (accepted). */
  authenticate?: (identity: PresentedIdentity, request: AAssociateRq) => IdentityDecision | Promise<IdentityDecision>;
  /** Answers SOP class extended negotiation items (default: none answered, i.e. not supported). */
  extendedNegotiation?: (items: readonly SopClassExtendedNegotiation[], request: AAssociateRq) => SopClassExtendedNegotiation[];
  implementationClassUid?: string;
  implementationVersionName?: string;
}

export interface AssociationInfo {
  id: number;
  remoteAddress: string;
  callingAeTitle: string;
  calledAeTitle: string;
}

export interface ServerEvents {
  associationRequested: [info: AssociationInfo, request: AAssociateRq];
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
  constructor(readonly result: number, readonly source: number, readonly reason: number, readonly text: string) {}
}

export class DicomServer extends EventEmitter<ServerEvents> {
  readonly aeTitle: string;
  readonly options: ServerOptions;
  readonly timeouts: Timeouts;
  private server: net.Server | tls.Server | undefined;
  private services: ScpService[];
  private active = new Set<Association>();
  private nextId = 1;

  constructor(options: ServerOptions) {
    super();
    this.aeTitle = validateAeTitle(options.aeTitle, 'AE title');
    this.options = options;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.services = [new VerificationScp(), ...(options.services ?? [])];
  }

  get associationCount(): number {
    return this.active.size;
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  /** Starts listening; rejects with a readable error (e.g. the port is in use). */
  listen(): Promise<void> {
    const onConnection = (socket: net.Socket) => this.onConnection(socket);
    const t = this.options.tls;
    this.server = t
      ? tls.createServer({
        ca: t.ca, cert: t.cert, key: t.key, passphrase: t.passphrase, ciphers: t.ciphers, minVersion: t.minVersion,
        requestCert: t.requestCert ?? false, rejectUnauthorized: t.rejectUnauthorized ?? true,
      }, onConnection)
      : net.createServer({ noDelay: true }, onConnection);
    // A TLS handshake that fails never becomes an association; it must not crash the server.
    this.server.on('tlsClientError', () => undefined);
    return new Promise((resolve, reject) => {
      this.server!.once('error', (err: NodeJS.ErrnoException) => {
        reject(new Error(err.code === 'EADDRINUSE'
          ? `port ${this.options.port} is already in use`
          : err.code === 'EACCES' ? `no permission to listen on port ${this.options.port}` : `cannot listen: ${err.message}`));
      });
      this.server!.listen(this.options.port, this.options.host ?? '127.0.0.1', () => resolve());
    });
  }

  /** Stops accepting; aborts associations still open after `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const pending = [...this.active].map((a) => a.whenClosed());
    const timer = setTimeout(() => { for (const a of this.active) a.abort(); }, graceMs);
    await Promise.all(pending);
    clearTimeout(timer);
    await closed;
    this.server = undefined;
  }

  private onConnection(socket: net.Socket): void {
    socket.setNoDelay(true);
    const info: AssociationInfo = {
      id: this.nextId++, remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`, callingAeTitle: '', calledAeTitle: '',
    };
    const association = new Association('acceptor', {
      maxPduLength: this.options.maxPduLength ?? DEFAULT_MAX_PDU,
      timeouts: { artimMs: this.timeouts.artimMs, acseMs: this.timeouts.acseMs, idleMs: this.timeouts.idleMs },
    });
    this.active.add(association);
    if (this.listenerCount('pdu') > 0) {
      association.on('pdu', (direction, pdu, length) => this.emit('pdu', info, direction, pdu, length));
    }
    association.on('associateRequested', (rq) => {
      info.callingAeTitle = rq.callingAeTitle;
      info.calledAeTitle = rq.calledAeTitle;
      this.emit('associationRequested', info, rq);
      this.negotiate(info, association, rq).catch((error: Error) => {
        this.emit('serviceError', info, error);
        association.abort();
      });
    });
    association.on('closed', (error) => {
      this.active.delete(association);
      if (association.acceptance) {
        if (error) this.emit('aborted', info, error); else this.emit('released', info);
      }
    });
    socket.on('error', () => undefined);
    association.acceptTransport(socket);
  }

  private async negotiate(info: AssociationInfo, association: Association, rq: AAssociateRq): Promise<void> {
    const decision = await this.decide(rq);
    if (!association.isAwaitingLocalAssociateResponse) return; // the peer went away while we decided
    if (decision instanceof Rejection) {
      this.emit('rejected', info, decision.text);
      association.reject({ type: PDU_ASSOCIATE_RJ, result: decision.result, source: decision.source, reason: decision.reason });
      return;
    }
    association.accept(decision);
    this.emit('accepted', info, association);
    this.serve(info, association);
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
    // This association is already counted in `active`.
    if (o.maxAssociations !== undefined && this.active.size > o.maxAssociations) {
      return new Rejection(RejectResult.Transient, RejectSource.ServiceProviderPresentation, RejectReason.LocalLimitExceeded,
        `already ${o.maxAssociations} associations open (the limit)`);
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
    const contextTable = new Map<string, readonly string[]>();
    for (const service of this.services) for (const [uid, syntaxes] of service.contexts()) if (!contextTable.has(uid)) contextTable.set(uid, syntaxes);
    const presentationContexts = answerContexts(rq.presentationContexts, {
      preferProposerOrder: o.preferProposerTransferSyntax ?? true,
      transferSyntaxesFor: (uid) => contextTable.get(uid) ?? this.firstDefined((s) => s.fallbackTransferSyntaxes?.(uid)),
    });
    info.roleSelections = answerRoles(rq.userInformation.roleSelections,
      (uid, proposed) => this.firstDefined((s) => s.roles?.(uid, proposed)) ?? { scu: true, scp: false });
    if (o.extendedNegotiation && rq.userInformation.sopClassExtended.length > 0) {
      info.sopClassExtended = o.extendedNegotiation(rq.userInformation.sopClassExtended, rq);
    }
    return {
      type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle,
      applicationContext: DICOM_APPLICATION_CONTEXT, presentationContexts, userInformation: info,
    };
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
        if (!service) {
          association.abortAsProvider(AbortReason.UnexpectedPduParameter,
            `${commandName(message.command)} is not supported on presentation context ${message.contextId}`);
          return;
        }
        const work = service.handle(sa, message).catch((error: Error) => {
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
