// Options shared by the SCU and SCP sides of the engine.
import type { SecureContextOptions } from 'node:tls';
import type { AssociationRecorder } from './recording';

export interface Timeouts {
  /** TCP (and TLS) connection set-up. */
  connectMs: number;
  /** A-ASSOCIATE and A-RELEASE answers. */
  acseMs: number;
  /** Longest silence while a DIMSE response is awaited (C-STOREs of a C-GET and data still arriving count as traffic). 0 = no limit. */
  dimseMs: number;
  /** An established association with no traffic. 0 = no limit. */
  idleMs: number;
  /** ARTIM timer (PS3.8 §9.1.5). */
  artimMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 15_000, acseMs: 30_000, dimseMs: 60_000, idleMs: 0, artimMs: 10_000 };

/** Our default receive limit: large PDUs move bulk data with fewer headers and system calls. */
export const DEFAULT_MAX_PDU = 262_144;

export interface TlsOptions extends Pick<SecureContextOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'ciphers' | 'minVersion'> {
  /** Verify the peer's certificate (default true). A server asks for client certificates when this is set with `ca`. */
  rejectUnauthorized?: boolean;
  /** Server side: request a client certificate. */
  requestCert?: boolean;
  /** Client side: the name to check the server's certificate against (default: the host). */
  servername?: string;
}

export interface AeOptions {
  aeTitle: string;
  /** Our maximum receive PDU length (0 = unlimited). */
  maxPduLength?: number;
  /** Largest PDU we send to a peer that sets no limit. */
  maxSendPduLength?: number;
  timeouts?: Partial<Timeouts>;
  implementationClassUid?: string;
  implementationVersionName?: string;
  /** Records every association this AE opens (the association inspector). */
  recorder?: AssociationRecorder;
}
