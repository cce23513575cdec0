// Opening and closing associations for the extension, with one log line per association and, at
// trace level, every PDU and DIMSE message.
import { ClientAssociation, ProposedContext } from '../../ae';
import { associateOptionsOf, describePeer } from '../../ae';
import { TraceSink, traceMessages, tracePdus } from '../../ae';
import { RoleSelection } from '../../net';
import { describeError } from './errors';
import { markAssociation, recordedApplicationEntity, recordIdOf } from './recorder';
import { DimseTarget, EngineLog } from './types';

/** The log's trace level as a trace sink, or undefined when tracing is off (attaching the tracer costs time). */
export function traceSinkOf(log: EngineLog): TraceSink | undefined {
  return log.traceEnabled() ? (line) => log.trace(line) : undefined;
}

/** The prefix of an association's trace lines: the peer's AE title. */
export function tracePrefix(target: DimseTarget): string {
  return `[${target.calledAeTitle}] `;
}

export interface OpenOptions {
  roles?: readonly RoleSelection[];
  signal?: AbortSignal;
  /** What the association is for, e.g. "C-FIND": goes into the log line. */
  purpose: string;
}

function identityNote(target: DimseTarget, client: ClientAssociation): string {
  if (!target.identity) return '';
  return client.userIdentityResponse !== undefined ? '; user identity confirmed' : '; user identity not confirmed by the peer';
}

/** Opens an association; logs its outcome. Errors keep their type; their message is made readable. */
export async function openAssociation(target: DimseTarget, contexts: readonly ProposedContext[], log: EngineLog, options: OpenOptions): Promise<ClientAssociation> {
  const who = describePeer(target);
  const sink = traceSinkOf(log);
  const prefix = tracePrefix(target);
  let recordId: string | undefined;
  try {
    const request = associateOptionsOf(target, { contexts, roles: options.roles, signal: options.signal });
    const client = await recordedApplicationEntity(target).associate(request, (a) => {
      recordId = recordIdOf(a);
      if (sink) tracePdus(a, sink, prefix);
    });
    if (sink) traceMessages(client.channel, sink, prefix);
    log.info(`association ${who} for ${options.purpose}: accepted (${client.acceptedContexts.length} of ${contexts.length} presentation contexts${identityNote(target, client)})`);
    return client;
  } catch (error) {
    log.warn(`association ${who} for ${options.purpose}: ${describeError(error, target)}`);
    throw markAssociation(error, recordId);
  }
}

export async function closeAssociation(client: ClientAssociation, target: DimseTarget, log: EngineLog): Promise<void> {
  const established = client.association.isEstablished;
  await client.releaseOrAbort();
  log.info(`association ${describePeer(target)}: ${established ? 'released' : 'closed'}`);
}

/** Runs `fn` on a new association and always releases (or aborts) it afterwards. */
export async function withAssociation<T>(target: DimseTarget, contexts: readonly ProposedContext[], log: EngineLog,
  options: OpenOptions, fn: (client: ClientAssociation) => Promise<T>): Promise<T> {
  const client = await openAssociation(target, contexts, log, options);
  const recordId = recordIdOf(client.association);
  try {
    return await fn(client);
  } catch (error) {
    throw markAssociation(error, recordId);
  } finally {
    await closeAssociation(client, target, log);
  }
}
