// The one PDU and DIMSE trace of the engine: readable lines for every PDU, state change and DIMSE
// message of an association or a server, handed to a sink (the CLI's stderr, the extension's log).
import { uidName } from '../dicom';
import { Command, commandName } from '../dimse';
import { DimseChannel } from '../dimse';
import { formatStatus, serviceOfCommand } from '../dimse';
import { Association } from '../net';
import { Pdu } from '../net';
import { formatPdu } from '../net';
import type { AssociationInfo, DicomServer } from './server';

/** Where trace lines go, one call per line (a line may hold newlines: PDUs span several). */
export type TraceSink = (line: string) => void;

type Direction = 'sent' | 'received';

const arrow = (direction: Direction) => (direction === 'sent' ? '>>' : '<<');

/** One DIMSE command as a line: "C-FIND-RSP, id 2, for id 1, Study Root …, status 0xFF00 (Pending: matches are continuing – …)". */
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
  if (command.status !== undefined) parts.push(`status ${formatStatus(command.status, serviceOfCommand(command.commandField, sopClass))}`);
  if (command.numberOfRemainingSuboperations !== undefined || command.numberOfCompletedSuboperations !== undefined) {
    parts.push(`remaining ${command.numberOfRemainingSuboperations ?? '-'} completed ${command.numberOfCompletedSuboperations ?? '-'} failed ${command.numberOfFailedSuboperations ?? '-'} warning ${command.numberOfWarningSuboperations ?? '-'}`);
  }
  if (command.errorComment) parts.push(`comment "${command.errorComment}"`);
  if (command.errorId !== undefined) parts.push(`error ID 0x${command.errorId.toString(16).toUpperCase()}`);
  if (datasetLength !== undefined) parts.push(`+ data set ${datasetLength} bytes`);
  return parts.join(', ');
}

/** A PDU as trace lines, each continuation line indented under the prefix. */
export function pduTraceLine(prefix: string, direction: Direction, pdu: Pdu, length: number): string {
  return `${prefix}${arrow(direction)} ${formatPdu(pdu, length, uidName).replace(/\n/g, `\n${prefix}   `)}`;
}

/** Every PDU and state change of an association. */
export function tracePdus(association: Association, sink: TraceSink, prefix = ''): void {
  association.on('pdu', (direction, pdu, length) => sink(pduTraceLine(prefix, direction, pdu, length)));
  association.on('state', (from, to, event, action) => sink(`${prefix}   ${from} + ${event} -> ${action} -> ${to}`));
}

/** Every DIMSE message sent and received on a channel. */
export function traceMessages(channel: DimseChannel, sink: TraceSink, prefix = ''): void {
  channel.on('message', (direction, contextId, command, datasetLength) =>
    sink(`${prefix}${arrow(direction)} ${describeCommand(command, datasetLength)} (context ${contextId})`));
}

export interface ServerTraceOptions {
  /** Every PDU of every association. */
  pdus: boolean;
  /** Every DIMSE request received. */
  requests: boolean;
  /** The prefix of an association's lines, e.g. "[3] ". */
  prefix: (info: AssociationInfo) => string;
}

/** PDUs and requests of every association a server accepts. */
export function traceServer(server: DicomServer, sink: TraceSink, options: ServerTraceOptions): void {
  if (options.pdus) server.on('pdu', (info, direction, pdu, length) => sink(pduTraceLine(options.prefix(info), direction, pdu, length)));
  if (options.requests) server.on('request', (info, command) => sink(`${options.prefix(info)}<< ${describeCommand(command)}`));
}
