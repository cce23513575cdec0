// Opening and closing associations for the extension, with one log line per association and, at
// trace level, every PDU and DIMSE message.
import { readFileSync } from 'node:fs';
import { ApplicationEntity, AssociateOptions, ClientAssociation, ProposedContext } from '../../ae/client';
import { TlsOptions } from '../../ae/options';
import { UserIdentity } from '../../ae/user-identity';
import { describeCommand } from '../../cli/tracing';
import { uidName } from '../../dicom/uids';
import { Association } from '../../net/association';
import { RoleSelection } from '../../net/pdu-types';
import { formatPdu } from '../../net/trace';
import { describeError } from './errors';
import { DimseTarget, EngineLog } from './types';

export function applicationEntity(target: DimseTarget): ApplicationEntity {
  const ms = Math.max(1, target.timeoutSeconds) * 1000;
  return new ApplicationEntity({ aeTitle: target.callingAeTitle, timeouts: { connectMs: ms, acseMs: ms, dimseMs: ms } });
}

function tlsOptions(target: DimseTarget): TlsOptions | undefined {
  const t = target.tls;
  if (!t) return undefined;
  const read = (file: string | undefined, what: string) => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`the TLS ${what} file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  return { ca: read(t.caFile, 'CA'), cert: read(t.certFile, 'certificate'), key: read(t.keyFile, 'key'), rejectUnauthorized: t.rejectUnauthorized ?? true };
}

function userIdentity(target: DimseTarget): UserIdentity | undefined {
  if (!target.username) return undefined;
  return target.password !== undefined && target.password !== ''
    ? { kind: 'password', username: target.username, password: target.password }
    : { kind: 'username', username: target.username };
}

export function describeTarget(target: DimseTarget): string {
  return `${target.callingAeTitle} → ${target.calledAeTitle}@${target.host}:${target.port}`;
}

export function associateOptions(target: DimseTarget, contexts: readonly ProposedContext[], roles?: readonly RoleSelection[], signal?: AbortSignal): AssociateOptions {
  return {
    host: target.host,
    port: target.port,
    calledAeTitle: target.calledAeTitle,
    callingAeTitle: target.callingAeTitle,
    contexts,
    roles,
    userIdentity: userIdentity(target),
    tls: tlsOptions(target),
    signal,
  };
}

/** Every PDU, state change and DIMSE message of an association, at trace level. */
export function attachTrace(association: Association, log: EngineLog, prefix: string): void {
  if (!log.traceEnabled()) return;
  association.on('pdu', (direction, pdu, length) => {
    log.trace(`${prefix}${direction === 'sent' ? '>>' : '<<'} ${formatPdu(pdu, length, uidName).replace(/\n/g, `\n${prefix}   `)}`);
  });
  association.on('state', (from, to, event, action) => log.trace(`${prefix}   ${from} + ${event} -> ${action} -> ${to}`));
}

function attachChannelTrace(client: ClientAssociation, log: EngineLog, prefix: string): void {
  if (!log.traceEnabled()) return;
  client.channel.on('message', (direction, contextId, command, datasetLength) =>
    log.trace(`${prefix}${direction === 'sent' ? '>>' : '<<'} ${describeCommand(command, datasetLength)} (context ${contextId})`));
}

export interface OpenOptions {
  roles?: readonly RoleSelection[];
  signal?: AbortSignal;
  /** What the association is for, e.g. "C-FIND": goes into the log line. */
  purpose: string;
}

/** Opens an association; logs its outcome. Errors keep their type; their message is made readable. */
export async function openAssociation(target: DimseTarget, contexts: readonly ProposedContext[], log: EngineLog, options: OpenOptions): Promise<ClientAssociation> {
  const ae = applicationEntity(target);
  const who = describeTarget(target);
  const prefix = `[${target.calledAeTitle}] `;
  try {
    const client = await ae.associate(associateOptions(target, contexts, options.roles, options.signal), (a) => attachTrace(a, log, prefix));
    attachChannelTrace(client, log, prefix);
    log.info(`association ${who} for ${options.purpose}: accepted (${client.acceptedContexts.length} of ${contexts.length} presentation contexts)`);
    return client;
  } catch (error) {
    log.warn(`association ${who} for ${options.purpose}: ${describeError(error, target)}`);
    throw error;
  }
}

export async function closeAssociation(client: ClientAssociation, target: DimseTarget, log: EngineLog): Promise<void> {
  const established = client.association.isEstablished;
  await client.releaseOrAbort();
  log.info(`association ${describeTarget(target)}: ${established ? 'released' : 'closed'}`);
}

/** Runs `fn` on a new association and always releases (or aborts) it afterwards. */
export async function withAssociation<T>(target: DimseTarget, contexts: readonly ProposedContext[], log: EngineLog,
  options: OpenOptions, fn: (client: ClientAssociation) => Promise<T>): Promise<T> {
  const client = await openAssociation(target, contexts, log, options);
  try {
    return await fn(client);
  } finally {
    await closeAssociation(client, target, log);
  }
}
