// The requestor side of an application entity: builds the A-ASSOCIATE-RQ, opens associations,
// and the association it opens with what every SCU does on it (release, abort, C-ECHO).
// ApplicationEntity and ClientAssociation (client.ts) add the other services. A command that only
// verifies (dicomnet echo, its own bundle: src/cli/bundles.ts) uses these alone, so its bundle
// holds neither the query, retrieve, storage nor MPPS code, nor what they reach.
import * as net from 'node:net';
import type * as tls from 'node:tls';
import { Association } from '../net';
import type { TransportConnection } from '../net';
import { OperationAbortedError } from '../net';
import { connectWithSharedReads } from '../net';
import { NegotiatedContext } from '../net';
import {
  AAssociateRq, DICOM_APPLICATION_CONTEXT, PDU_ASSOCIATE_RQ, PresentationContextRq, RoleSelection,
  SopClassCommonExtendedNegotiation, SopClassExtendedNegotiation, emptyUserInformation,
} from '../net';
import { DimseChannel } from '../dimse';
import { Uids, ImplicitVRLittleEndian, ExplicitVRLittleEndian } from '../dicom';
import { ServiceAssociation } from '../services';
import { EchoResult, echoScu } from '../services';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, validateAeTitle } from './identity';
import { AeOptions, DEFAULT_MAX_PDU, DEFAULT_TIMEOUTS, Timeouts, TlsOptions } from './options';
import { UserIdentity, userIdentityItem } from './user-identity';
import type { AssociationRecorder } from './recording';

// node:tls (and crypto under it) is required when TLS is used: loading it costs every process at start-up.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const loadTls = (): typeof tls => require('node:tls') as typeof tls;

export interface ProposedContext {
  abstractSyntax: string;
  transferSyntaxes: readonly string[];
}

export interface AssociateOptions {
  host: string;
  port: number;
  calledAeTitle: string;
  /** Overrides the AE's own title for this association. */
  callingAeTitle?: string;
  contexts: readonly ProposedContext[];
  roles?: readonly RoleSelection[];
  userIdentity?: UserIdentity;
  extendedNegotiation?: readonly SopClassExtendedNegotiation[];
  commonExtendedNegotiation?: readonly SopClassCommonExtendedNegotiation[];
  asyncOperationsWindow?: { maxOperationsInvoked: number; maxOperationsPerformed: number };
  tls?: TlsOptions;
  signal?: AbortSignal;
  maxPduLength?: number;
}

/** An association this AE opened, with the titles it was requested under. */
export interface OpenedAssociation {
  association: Association;
  calledAeTitle: string;
  callingAeTitle: string;
}

/** An AE's title, limits and timeouts, and the associations it requests with them. */
export class AssociationRequestor {
  readonly aeTitle: string;
  readonly maxPduLength: number;
  readonly maxSendPduLength: number;
  readonly timeouts: Timeouts;
  readonly implementationClassUid: string;
  readonly implementationVersionName: string;
  readonly recorder: AssociationRecorder | undefined;

  constructor(options: AeOptions) {
    this.aeTitle = validateAeTitle(options.aeTitle, 'calling AE title');
    this.maxPduLength = options.maxPduLength ?? DEFAULT_MAX_PDU;
    this.maxSendPduLength = options.maxSendPduLength ?? 1024 * 1024;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.implementationClassUid = options.implementationClassUid ?? IMPLEMENTATION_CLASS_UID;
    this.implementationVersionName = options.implementationVersionName ?? IMPLEMENTATION_VERSION_NAME;
    this.recorder = options.recorder;
  }

  /** Builds the A-ASSOCIATE-RQ: context IDs 1, 3, 5, … in the order given. */
  buildRequest(options: AssociateOptions): AAssociateRq {
    if (options.contexts.length === 0) throw new RangeError('an association needs at least one presentation context');
    if (options.contexts.length > 128) throw new RangeError(`${options.contexts.length} presentation contexts were asked for; at most 128 fit in one association`);
    const presentationContexts: PresentationContextRq[] = options.contexts.map((c, i) => ({
      id: 2 * i + 1, abstractSyntax: c.abstractSyntax, transferSyntaxes: [...c.transferSyntaxes],
    }));
    const userInformation = emptyUserInformation();
    userInformation.maximumLength = options.maxPduLength ?? this.maxPduLength;
    userInformation.implementationClassUid = this.implementationClassUid;
    userInformation.implementationVersionName = this.implementationVersionName;
    if (options.asyncOperationsWindow) userInformation.asyncOperationsWindow = options.asyncOperationsWindow;
    userInformation.roleSelections = [...(options.roles ?? [])];
    userInformation.sopClassExtended = [...(options.extendedNegotiation ?? [])];
    userInformation.sopClassCommonExtended = [...(options.commonExtendedNegotiation ?? [])];
    if (options.userIdentity) userInformation.userIdentityRq = userIdentityItem(options.userIdentity);
    return {
      type: PDU_ASSOCIATE_RQ,
      protocolVersion: 1,
      calledAeTitle: validateAeTitle(options.calledAeTitle, 'called AE title'),
      // The AE's own title was checked (and trimmed) when the AE was made.
      callingAeTitle: options.callingAeTitle === undefined || options.callingAeTitle === null
        ? this.aeTitle : validateAeTitle(options.callingAeTitle, 'calling AE title'),
      applicationContext: DICOM_APPLICATION_CONTEXT,
      presentationContexts,
      userInformation,
    };
  }

  /**
   * Opens an association: the negotiated association and the titles it was requested under.
   * Rejections, aborts and timeouts reject with a readable error.
   */
  protected async open(options: AssociateOptions, onCreated?: (association: Association) => void): Promise<OpenedAssociation> {
    const rq = this.buildRequest(options);
    const association = new Association('requestor', {
      maxPduLength: rq.userInformation.maximumLength ?? this.maxPduLength,
      timeouts: { artimMs: this.timeouts.artimMs, acseMs: this.timeouts.acseMs, idleMs: this.timeouts.idleMs },
    });
    this.recorder?.watch(association, 'outbound', `${options.host}:${options.port}`);
    onCreated?.(association);
    const signal = options.signal;
    if (signal?.aborted) throw new OperationAbortedError();
    const onAbort = () => association.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await association.requestAssociation(() => openTransport(options), rq, this.timeouts.connectMs);
    } catch (error) {
      if (signal?.aborted) throw new OperationAbortedError();
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return { association, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle };
  }

  /** Opens an association for verification (C-ECHO) and release; ApplicationEntity.associate adds the other services. */
  async associateBasic(options: AssociateOptions, onCreated?: (association: Association) => void): Promise<BasicClientAssociation> {
    const { association, calledAeTitle, callingAeTitle } = await this.open(options, onCreated);
    return new BasicClientAssociation(this, association, calledAeTitle, callingAeTitle);
  }
}

export function verificationContext(): ProposedContext {
  return { abstractSyntax: Uids.Verification, transferSyntaxes: [ExplicitVRLittleEndian, ImplicitVRLittleEndian] };
}

function openTransport(options: AssociateOptions): TransportConnection {
  if (options.tls) {
    const t = options.tls;
    const socket = loadTls().connect({
      host: options.host, port: options.port, ca: t.ca, cert: t.cert, key: t.key, passphrase: t.passphrase,
      ciphers: t.ciphers, minVersion: t.minVersion, rejectUnauthorized: t.rejectUnauthorized ?? true,
      servername: t.servername ?? (net.isIP(options.host) ? undefined : options.host),
      checkServerIdentity: t.servername === undefined && net.isIP(options.host) ? () => undefined : undefined,
    });
    return { socket, readyEvent: 'secureConnect' };
  }
  return { socket: connectWithSharedReads({ host: options.host, port: options.port, noDelay: true }), readyEvent: 'connect' };
}

/** An association we requested: its negotiation, C-ECHO, release and abort. */
export class BasicClientAssociation implements ServiceAssociation {
  readonly channel: DimseChannel;
  /** The peer asked to release (and was, or is about to be, answered). */
  protected releasedByPeer = false;

  constructor(readonly ae: AssociationRequestor, readonly association: Association,
    readonly peerAeTitle: string, readonly localAeTitle: string) {
    this.channel = new DimseChannel(association, {
      dimseTimeoutMs: ae.timeouts.dimseMs,
      maxSendPdu: ae.maxSendPduLength,
    });
    ae.recorder?.watchChannel(this.channel);
    // The SCP may ask to release too (PS3.8 AR-2). It sends nothing after that, so no response
    // still awaited can come (those requests fail when the association closes): answer once
    // what we are sending has gone out.
    association.on('releaseRequested', () => {
      this.releasedByPeer = true;
      void this.channel.whenSent().then(() => { if (association.isReleaseRequested) association.respondRelease(); });
    });
  }

  get acceptedContexts(): NegotiatedContext[] {
    return [...this.association.contexts.values()].filter((c) => c.result === 0);
  }

  get rejectedContexts(): NegotiatedContext[] {
    return [...this.association.contexts.values()].filter((c) => c.result !== 0);
  }

  /** The server's user identity response (PS3.7 D.3.3.7.2), when it sent one. */
  get userIdentityResponse(): Buffer | undefined {
    return this.association.acceptance?.userInformation.userIdentityAc?.serverResponse;
  }

  get peerImplementation(): { classUid?: string; versionName?: string; maxPduLength: number } {
    const info = this.association.acceptance?.userInformation;
    return { classUid: info?.implementationClassUid, versionName: info?.implementationVersionName, maxPduLength: this.association.peerMaxPdu };
  }

  echo(): Promise<EchoResult> {
    return echoScu(this);
  }

  /** Releases the association; when the peer already asked to, waits for that release to end. */
  async release(): Promise<void> {
    if (!this.releasedByPeer) return this.association.release();
    const error = await this.association.whenClosed();
    if (error) throw error;
  }

  abort(): void {
    this.association.abort();
  }

  /** Releases when possible; aborts when the association is in a state that cannot release. */
  async releaseOrAbort(): Promise<void> {
    if (this.releasedByPeer) {
      await this.association.whenClosed();
      return;
    }
    if (this.association.canRelease) {
      try {
        await this.association.release();
        return;
      } catch {
        // fall through to abort
      }
    }
    this.association.abort();
  }
}
