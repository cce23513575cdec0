// The contract between the server (src/ae) and each service's SCP implementation.
import { Command } from '../dimse';
import { IncomingMessage } from '../dimse';
import { DatasetSink } from '../dimse';
import { RoleSelection } from '../net';
import { ServiceAssociation } from './context';

export interface ScpService {
  readonly name: string;
  /**
   * Abstract syntaxes this service accepts, each with its acceptable transfer syntaxes in preference
   * order; fixed for the service's life (a server reads it once).
   */
  contexts(): ReadonlyMap<string, readonly string[]>;
  /** Transfer syntaxes for an abstract syntax not in `contexts()` (e.g. unknown storage classes when promiscuous). */
  fallbackTransferSyntaxes?(abstractSyntax: string): readonly string[] | undefined;
  /** Roles granted for a proposed role selection item, when this service cares about that SOP class. */
  roles?(sopClassUid: string, proposed: RoleSelection): { scu: boolean; scp: boolean } | undefined;
  /** Whether this service handles this request on a context of this abstract syntax. */
  handles(command: Command, abstractSyntax: string): boolean;
  /** Stream the request's data set somewhere instead of buffering it (C-STORE). */
  sinkFor?(sa: ServiceAssociation, contextId: number, command: Command): DatasetSink | undefined;
  /** Handles a complete request; resolves when the final response was sent. */
  handle(sa: ServiceAssociation, request: IncomingMessage): Promise<void>;
}
