// A peer as the CLI's options and the extension's node settings describe it, turned into the
// engine's options in one place: the ApplicationEntity's and each associate() call's.
import { readFileSync } from 'node:fs';
import { RoleSelection } from '../net';
import { ApplicationEntity } from './client';
import { AssociateOptions, ProposedContext } from './requestor';
import { AeOptions, Timeouts, TlsOptions } from './options';
import { UserIdentity } from './user-identity';

/** A PEM input: a file to read, or the PEM text or bytes themselves. */
export type PemSource = { file: string } | { pem: string | Buffer };

export interface TlsProfile {
  /** Certificate authorities to trust (default: the system's). */
  ca?: PemSource;
  /** Our certificate, presented to the peer. */
  cert?: PemSource;
  /** The private key of `cert`. */
  key?: PemSource;
  /** Verify the peer's certificate (default true). */
  rejectUnauthorized?: boolean;
}

/** User identity negotiation (PS3.7 D.3.3.7): a username alone, or with a password. */
export interface IdentityProfile {
  username: string;
  /** Absent or empty: the username alone (type 1); else username and passcode (type 2). */
  password?: string;
}

export interface PeerProfile {
  host: string;
  port: number;
  /** The peer's AE title. */
  calledAeTitle: string;
  /** Ours. */
  callingAeTitle: string;
  /** DICOM over TLS (PS3.15 B.1); absent: plain TCP. */
  tls?: TlsProfile;
  identity?: IdentityProfile;
  /** One limit for connecting, for association answers and for each DIMSE answer (default: the engine's). */
  timeoutSeconds?: number;
  /** Our largest receive PDU (0 = unlimited; default: the engine's). */
  maxPduLength?: number;
}

/** A PEM file named in a profile could not be read. */
export class PemFileError extends Error {
  override name = 'PemFileError';
  readonly code = 'PEM_FILE_UNREADABLE';
  constructor(readonly file: string, readonly what: string, reason: string) {
    super(`the TLS ${what} file ${file} cannot be read (${reason})`);
  }
}

function pem(source: PemSource | undefined, what: string): string | Buffer | undefined {
  if (!source) return undefined;
  if ('pem' in source) return source.pem;
  try {
    return readFileSync(source.file);
  } catch (error) {
    throw new PemFileError(source.file, what, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

/** The TLS options of a profile, its PEM files read now. @throws PemFileError */
export function tlsOptionsOf(tls: TlsProfile): TlsOptions {
  return { ca: pem(tls.ca, 'CA'), cert: pem(tls.cert, 'certificate'), key: pem(tls.key, 'key'), rejectUnauthorized: tls.rejectUnauthorized ?? true };
}

/**
 * The identity sub-item of a profile. A positive response is always requested: a peer that
 * checks the identity then says so in its A-ASSOCIATE-AC (ClientAssociation.userIdentityResponse),
 * and one that does not support user identity ignores the request (PS3.7 D.3.3.7).
 */
export function userIdentityOf(identity: IdentityProfile): UserIdentity {
  return identity.password !== undefined && identity.password !== ''
    ? { kind: 'password', username: identity.username, password: identity.password, positiveResponseRequested: true }
    : { kind: 'username', username: identity.username, positiveResponseRequested: true };
}

function timeoutsOf(seconds: number | undefined): Partial<Timeouts> | undefined {
  if (seconds === undefined) return undefined;
  if (!(seconds > 0)) throw new RangeError(`the timeout must be a positive number of seconds, not ${seconds}`);
  const ms = Math.round(seconds * 1000);
  return { connectMs: ms, acseMs: ms, dimseMs: ms };
}

/** The ApplicationEntity options of a profile. @throws RangeError for a bad AE title or timeout */
export function aeOptionsOf(profile: PeerProfile): AeOptions {
  return { aeTitle: profile.callingAeTitle, maxPduLength: profile.maxPduLength, timeouts: timeoutsOf(profile.timeoutSeconds) };
}

export function applicationEntityOf(profile: PeerProfile): ApplicationEntity {
  return new ApplicationEntity(aeOptionsOf(profile));
}

export interface AssociationRequest {
  contexts: readonly ProposedContext[];
  roles?: readonly RoleSelection[];
  signal?: AbortSignal;
}

/** Everything of an association but what it is for (for callers that plan contexts themselves, e.g. storeFileList). @throws PemFileError */
export function connectionOptionsOf(profile: PeerProfile, signal?: AbortSignal): Omit<AssociateOptions, 'contexts'> {
  return {
    host: profile.host,
    port: profile.port,
    calledAeTitle: profile.calledAeTitle,
    callingAeTitle: profile.callingAeTitle,
    userIdentity: profile.identity ? userIdentityOf(profile.identity) : undefined,
    tls: profile.tls ? tlsOptionsOf(profile.tls) : undefined,
    signal,
  };
}

/** The associate() options of a profile for one association. @throws PemFileError */
export function associateOptionsOf(profile: PeerProfile, request: AssociationRequest): AssociateOptions {
  return { ...connectionOptionsOf(profile, request.signal), contexts: request.contexts, roles: request.roles };
}

/** "DICOMNET → PACS@10.0.0.5:104", for log lines. */
export function describePeer(profile: Pick<PeerProfile, 'host' | 'port' | 'calledAeTitle' | 'callingAeTitle'>): string {
  return `${profile.callingAeTitle} → ${profile.calledAeTitle}@${profile.host}:${profile.port}`;
}
