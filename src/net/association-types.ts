// The option, timeout and event types of an Association, and its default timeouts.
import * as net from 'node:net';
import { Action, Event, State } from './fsm-table';
import { AAssociateRq, Pdu } from './pdu-types';

export type AssociationRole = 'requestor' | 'acceptor';

/** A socket being opened, and the event that says it is ready ('connect', or 'secureConnect' for TLS). */
export interface TransportConnection {
  socket: net.Socket;
  readyEvent: 'connect' | 'secureConnect';
}

export interface AssociationTimeouts {
  /** ARTIM (PS3.8 §9.1.5): waiting for the A-ASSOCIATE-RQ, and for the peer to close after reject/release/abort. */
  artimMs: number;
  /** Waiting for A-ASSOCIATE-AC/RJ and for A-RELEASE-RP. */
  acseMs: number;
  /** No PDU in either direction for this long while established → abort (0 = never). */
  idleMs: number;
}

export const DEFAULT_ASSOCIATION_TIMEOUTS: AssociationTimeouts = { artimMs: 10_000, acseMs: 30_000, idleMs: 0 };

export type PduDirection = 'sent' | 'received';

export interface AssociationEvents {
  /** Every PDU sent or received (used for tracing); `length` is the PDU length from its header. */
  pdu: [direction: PduDirection, pdu: Pdu, length: number];
  state: [from: State, to: State, event: Event, action: Action];
  /** A-ASSOCIATE indication (acceptor): answer with accept() or reject(). */
  associateRequested: [rq: AAssociateRq];
  /**
   * P-DATA indication, streamed: a piece of one PDV's data (a view of the received bytes, valid
   * until the next 'viewsExpiring'). `isLast` is the PDV's last-fragment flag; it applies once
   * `pdvDone` is true.
   */
  pdv: [contextId: number, isCommand: boolean, isLast: boolean, data: Buffer, pdvDone: boolean];
  /**
   * The bytes the 'pdv' pieces so far are views of are about to be overwritten (the socket reads
   * into a shared buffer, see shared-reads.ts): whoever still holds a piece copies it now, or has
   * finished with it. Never emitted for sockets whose chunks are not reused (TLS).
   */
  viewsExpiring: [];
  /** A-RELEASE indication: the peer asked to release; answer with respondRelease() once done. */
  releaseRequested: [];
  /** The association is over (Sta1). error is undefined after a normal release. */
  closed: [error?: Error];
}
