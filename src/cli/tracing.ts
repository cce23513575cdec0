// --verbose and --trace output on stderr.
import { Association } from '../net/association';
import { formatPdu } from '../net/trace';
import { Pdu } from '../net/pdu-types';
import { Command, commandName } from '../dimse/command';
import { DimseChannel } from '../dimse/channel';
import { formatStatus } from '../dimse/status';
import { uidName } from '../dicom/uids';

export interface TraceLevel {
  verbose: boolean;
  trace: boolean;
}

const namer = (uid: string) => uidName(uid);

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function describeCommand(command: Command, datasetLength?: number): string {
  const parts = [commandName(command)];
  if (command.messageId !== undefined) parts.push(`id ${command.messageId}`);
  if (command.messageIdBeingRespondedTo !== undefined) parts.push(`for id ${command.messageIdBeingRespondedTo}`);
  const sopClass = command.affectedSopClassUid ?? command.requestedSopClassUid;
  if (sopClass) parts.push(uidName(sopClass) ?? sopClass);
  if (command.affectedSopInstanceUid ?? command.requestedSopInstanceUid) parts.push(`instance ${command.affectedSopInstanceUid ?? command.requestedSopInstanceUid}`);
  if (command.actionTypeId !== undefined) parts.push(`action type ${command.actionTypeId}`);
  if (command.eventTypeId !== undefined) parts.push(`event type ${command.eventTypeId}`);
  if (command.moveDestination) parts.push(`destination ${command.moveDestination}`);
  if (command.status !== undefined) parts.push(`status ${formatStatus(command.status)}`);
  if (command.numberOfRemainingSuboperations !== undefined || command.numberOfCompletedSuboperations !== undefined) {
    parts.push(`remaining ${command.numberOfRemainingSuboperations ?? '-'} completed ${command.numberOfCompletedSuboperations ?? '-'} failed ${command.numberOfFailedSuboperations ?? '-'} warning ${command.numberOfWarningSuboperations ?? '-'}`);
  }
  if (command.errorComment) parts.push(`comment "${command.errorComment}"`);
  if (command.errorId !== undefined) parts.push(`error ID 0x${command.errorId.toString(16).toUpperCase()}`);
  if (datasetLength !== undefined) parts.push(`+ data set ${datasetLength} bytes`);
  return parts.join(', ');
}

export function tracePdu(prefix: string, direction: 'sent' | 'received', pdu: Pdu, length: number): void {
  log(`${prefix}${direction === 'sent' ? '>>' : '<<'} ${formatPdu(pdu, length, namer).replace(/\n/g, `\n${prefix}   `)}`);
}

export function attachAssociationTrace(association: Association, level: TraceLevel, prefix = ''): void {
  if (level.trace) association.on('pdu', (direction, pdu, length) => tracePdu(prefix, direction, pdu, length));
  if (level.trace) association.on('state', (from, to, event, action) => log(`${prefix}   ${from} + ${event} -> ${action} -> ${to}`));
}

export function attachChannelTrace(channel: DimseChannel, level: TraceLevel, prefix = ''): void {
  if (!level.trace && !level.verbose) return;
  channel.on('message', (direction, contextId, command, datasetLength) =>
    log(`${prefix}${direction === 'sent' ? '>>' : '<<'} ${describeCommand(command, datasetLength)} (context ${contextId})`));
}
