// The SCU side of the engine: an ApplicationEntity opens associations; a ClientAssociation runs
// services over one of them.
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
import { Dataset } from '../dicom';
import { RetrieveOptions, RetrieveProgress, RetrieveSummary, getScu, moveScu } from '../services';
import { StoreBackend } from '../services';
import { StoreFile, StoreResult, storeDataset, storeFile } from '../services';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, validateAeTitle } from './identity';
import { LimitedFindOptions, LimitedFindSummary, limitedFind } from './limited-find';
import { AeOptions, DEFAULT_MAX_PDU, DEFAULT_TIMEOUTS, Timeouts, TlsOptions } from './options';
import { UserIdentity, userIdentityItem } from './user-identity';
import { CommitmentRequestOptions, PendingCommitment, requestCommitment } from '../services';
import { SopReference } from '../services';
import { MppsCreated, createMpps, getMpps, setMpps } from '../services';
import { NResponse } from '../services';
import { AssociationRecorder } from './recording';

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

export class ApplicationEntity {
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

  /** Opens an association. Rejections, aborts and timeouts reject with a readable error. */
  async associate(options: AssociateOptions, onCreated?: (association: Association) => void): Promise<ClientAssociation> {
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
    return new ClientAssociation(this, association, rq.calledAeTitle, rq.callingAeTitle);
  }

  /** One association, one C-ECHO, release. */
  async echo(options: Omit<AssociateOptions, 'contexts'>): Promise<EchoResult> {
    const client = await this.associate({ ...options, contexts: [verificationContext()] });
    try {
      return await client.echo();
    } finally {
      await client.releaseOrAbort();
    }
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

export class ClientAssociation implements ServiceAssociation {
  readonly channel: DimseChannel;
  /** The peer asked to release (and was, or is about to be, answered). */
  private releasedByPeer = false;

  constructor(readonly ae: ApplicationEntity, readonly association: Association,
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

  /**
   * C-FIND (or Modality Worklist with model 'worklist'): pending identifiers as they arrive.
   * With `limit`, C-CANCEL goes out at the limit and the rest of the answer is drained.
   */
  find(identifier: Dataset, options: LimitedFindOptions): AsyncGenerator<Dataset, LimitedFindSummary> {
    return limitedFind(this, identifier, options);
  }

  /** C-MOVE to a destination AE the peer knows; yields sub-operation progress. */
  move(identifier: Dataset, destination: string, options: RetrieveOptions): AsyncGenerator<RetrieveProgress, RetrieveSummary> {
    return moveScu(this, identifier, destination, options);
  }

  /** C-GET: instances come back over this association into `backend`. */
  get(identifier: Dataset, backend: StoreBackend, options: RetrieveOptions): AsyncGenerator<RetrieveProgress, RetrieveSummary> {
    return getScu(this, identifier, backend, options);
  }

  /** C-STORE of one file (on the contexts negotiated) or of a data set in memory. */
  store(input: StoreFile | Dataset): Promise<StoreResult> {
    return input instanceof Dataset ? storeDataset(this, input) : storeFile(this, input);
  }

  /**
   * Storage Commitment Request (N-ACTION, PS3.4 J.3.2): resolves once the SCP accepted it; the
   * report settles `result`, whether it comes on this association or (with `options.router`, the
   * router of a local server listening as our AE) on one the SCP opens.
   */
  requestStorageCommitment(references: readonly SopReference[], options?: CommitmentRequestOptions): Promise<PendingCommitment> {
    return requestCommitment(this, references, options);
  }

  /** MPPS N-CREATE (PS3.4 F.7.2.1); the new instance's UID is ours unless `sopInstanceUid` is null. */
  createMpps(attributes: Dataset, sopInstanceUid?: string | null): Promise<MppsCreated> {
    return createMpps(this, attributes, sopInstanceUid);
  }

  /** MPPS N-SET (PS3.4 F.7.2.2). */
  setMpps(sopInstanceUid: string, modifications: Dataset): Promise<NResponse> {
    return setMpps(this, sopInstanceUid, modifications);
  }

  /** MPPS Retrieve N-GET (PS3.4 F.8), all attributes or those listed. */
  getMpps(sopInstanceUid: string, attributes?: readonly number[]): Promise<NResponse> {
    return getMpps(this, sopInstanceUid, attributes);
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
