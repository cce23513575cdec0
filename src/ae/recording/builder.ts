// Builds the record of one association from its own events: the state machine's transitions, the
// DIMSE messages its channel carries, and (when asked) its PDUs. Data sets are looked at as they
// pass (an identifier is summarised, a size counted) and never kept.
import { Association } from '../../net';
import { AAssociateAc, AAssociateRq, Pdu } from '../../net';
import { encodePdu } from '../../net';
import { Command, commandName, hasDataset, isResponse } from '../../dimse';
import { DimseChannel } from '../../dimse';
import { ServiceName, serviceOfCommand, statusClass, statusName } from '../../dimse';
import { summariseIdentifier } from './identifier';
import { recordNegotiation, syntax } from './negotiation';
import { outcomeOf } from './outcome';
import { AssociationDirection, AssociationRecord, RECORD_VERSION, RecordedMessage, RecordedPdu } from './record';

export interface BuilderLimits {
  /** Messages listed per association; more are counted (default 1000). */
  maxMessages: number;
  /** PDUs listed per association, when PDUs are recorded at all. */
  maxPdus: number;
  recordPdus: boolean;
}

const PDU_NAMES: Record<number, string> = {
  1: 'A-ASSOCIATE-RQ', 2: 'A-ASSOCIATE-AC', 3: 'A-ASSOCIATE-RJ', 4: 'P-DATA-TF', 5: 'A-RELEASE-RQ', 6: 'A-RELEASE-RP', 7: 'A-ABORT',
};
const PDU_HEAD_BYTES = 24;
/** C-GET, C-FIND, C-MOVE requests carry an identifier worth summarising. */
const QUERY_REQUESTS = new Set([0x0010, 0x0020, 0x0021]);

interface Outstanding {
  message: RecordedMessage;
  sentAt: number;
  service: ServiceName;
}

export class RecordBuilder {
  readonly record: AssociationRecord;
  private readonly started = performance.now();
  private connected = false;
  private abortSentBy: 'us' | 'peer' | undefined;
  private releaseRequestedBy: 'us' | 'peer' | undefined;
  private readonly outstanding = new Map<string, Outstanding>();
  /** Messages whose data set is still going out or coming in (streamed, or received and not yet whole). */
  private readonly awaitingDataset = new Map<Command, RecordedMessage>();
  /** What the record's negotiation was read from. */
  private negotiatedRq: AAssociateRq | undefined;
  private negotiatedAc: AAssociateAc | undefined;

  constructor(id: string, readonly association: Association, direction: AssociationDirection, peerAddress: string,
    private readonly limits: BuilderLimits, private readonly changed: () => void, closed: () => void) {
    this.record = {
      version: RECORD_VERSION, id, direction, peerAddress, callingAeTitle: '', calledAeTitle: '',
      startedAt: new Date().toISOString(), messages: [],
    };
    if (limits.recordPdus) {
      this.record.pdus = [];
      association.on('pdu', (dir, pdu, length) => this.onPdu(dir, pdu, length));
    }
    association.on('state', (_from, to, event, action) => {
      if (event === 'Evt2' || event === 'Evt5') this.connected = true;
      if (action === 'AA-1' || action === 'AA-7' || action === 'AA-8') this.abortSentBy ??= 'us';
      if (event === 'Evt16' && to === 'Sta1' && !this.record.outcome) this.abortSentBy ??= 'peer';
      if (action === 'AR-1') this.releaseRequestedBy ??= 'us';
      if (action === 'AR-2') this.releaseRequestedBy ??= 'peer';
      if (event === 'Evt3' || event === 'Evt4' || event === 'Evt6' || event === 'Evt7' || event === 'Evt8') this.changed();
    });
    association.on('closed', (error) => {
      this.finish(error);
      closed();
    });
  }

  watchChannel(channel: DimseChannel): void {
    channel.on('message', (direction, contextId, command, datasetLength, dataset) =>
      this.onMessage(direction, contextId, command, datasetLength, dataset));
    // A received message is listed when its command arrived, so that one whose data set never
    // comes whole (the peer aborted mid-C-STORE) is still in the record.
    channel.on('commandReceived', (contextId, command) => {
      const message = this.describe(this.elapsed(), 'received', contextId, command);
      this.awaitingDataset.set(command, message);
      this.append(message);
    });
    channel.on('datasetStreamed', (_direction, _contextId, command, length) => {
      const message = this.awaitingDataset.get(command);
      if (!message) return;
      message.datasetBytes = length;
      this.awaitingDataset.delete(command);
    });
  }

  /**
   * The record as it stands: negotiation read from the association when its A-ASSOCIATE-RQ or
   * answer is new (a listener of 'updated' asks after every message: a C-STORE of 1,000 files must
   * not rebuild a table of 128 presentation contexts 2,000 times).
   */
  snapshot(): AssociationRecord {
    const rq = this.association.request;
    const ac = this.association.acceptance;
    if (rq && (rq !== this.negotiatedRq || ac !== this.negotiatedAc)) {
      this.record.callingAeTitle = rq.callingAeTitle;
      this.record.calledAeTitle = rq.calledAeTitle;
      this.record.negotiation = recordNegotiation(rq, ac);
      this.negotiatedRq = rq;
      this.negotiatedAc = ac;
    }
    return this.record;
  }

  private elapsed(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }

  private finish(error: Error | undefined): void {
    const association = this.association;
    this.snapshot();
    this.record.durationMs = this.elapsed();
    this.record.outcome = outcomeOf({
      direction: this.record.direction, error, rejection: association.rejection, requested: association.request !== undefined,
      accepted: association.acceptance !== undefined, connected: this.connected,
      abortSentBy: this.abortSentBy, releaseRequestedBy: this.releaseRequestedBy,
    });
    this.outstanding.clear();
    for (const message of this.awaitingDataset.values()) message.datasetIncomplete = true;
    this.awaitingDataset.clear();
  }

  /** A message's fields that its command alone gives. */
  private describe(at: number, direction: 'sent' | 'received', contextId: number, command: Command): RecordedMessage {
    const message: RecordedMessage = { at, direction, contextId, command: commandName(command), commandField: command.commandField };
    if (command.messageId !== undefined) message.messageId = command.messageId;
    if (command.messageIdBeingRespondedTo !== undefined) message.respondingTo = command.messageIdBeingRespondedTo;
    const sopClass = command.affectedSopClassUid ?? command.requestedSopClassUid;
    if (sopClass) message.sopClass = syntax(sopClass);
    const sopInstance = command.affectedSopInstanceUid ?? command.requestedSopInstanceUid;
    if (sopInstance) message.sopInstanceUid = sopInstance;
    if (command.moveDestination) message.moveDestination = command.moveDestination;
    if (command.errorComment) message.errorComment = command.errorComment;
    if (command.numberOfRemainingSuboperations !== undefined || command.numberOfCompletedSuboperations !== undefined
      || command.numberOfFailedSuboperations !== undefined || command.numberOfWarningSuboperations !== undefined) {
      message.suboperations = {
        remaining: command.numberOfRemainingSuboperations, completed: command.numberOfCompletedSuboperations,
        failed: command.numberOfFailedSuboperations, warning: command.numberOfWarningSuboperations,
      };
    }
    return message;
  }

  private onMessage(direction: 'sent' | 'received', contextId: number, command: Command, datasetLength: number | undefined,
    dataset: Buffer | undefined): void {
    // Received with a data set: listed already when its command arrived.
    const listed = direction === 'received' ? this.awaitingDataset.get(command) : undefined;
    const message = listed ?? this.describe(this.elapsed(), direction, contextId, command);
    const at = message.at;
    const sopClass = command.affectedSopClassUid ?? command.requestedSopClassUid;
    if (datasetLength !== undefined) {
      message.datasetBytes = datasetLength;
      this.awaitingDataset.delete(command);
    } else if (hasDataset(command)) {
      this.awaitingDataset.set(command, message);
    }
    const field = command.commandField & 0x7fff;
    if (isResponse(command)) this.onResponse(message, command, direction);
    else if (command.messageId !== undefined && field !== 0x0fff) {
      const service = serviceOfCommand(field, sopClass);
      if (QUERY_REQUESTS.has(field) && dataset) {
        const ts = this.association.contexts.get(contextId)?.transferSyntax;
        if (ts) message.identifier = summariseIdentifier(dataset, ts);
        if (field === 0x0020) message.matches = 0;
      }
      // Requests of both directions share message IDs only with their own side's responses.
      this.outstanding.set(`${direction}:${command.messageId}`, { message, sentAt: at, service });
    }
    if (listed) this.changed();
    else this.append(message);
  }

  private onResponse(message: RecordedMessage, command: Command, direction: 'sent' | 'received'): void {
    const key = `${direction === 'sent' ? 'received' : 'sent'}:${command.messageIdBeingRespondedTo}`;
    const request = this.outstanding.get(key);
    if (request) message.responseMs = Math.round((message.at - request.sentAt) * 10) / 10;
    if (command.status !== undefined) {
      const service = request?.service ?? serviceOfCommand(command.commandField, command.affectedSopClassUid);
      const code = command.status;
      message.status = {
        code, hex: `0x${code.toString(16).toUpperCase().padStart(4, '0')}`, class: statusClass(code), meaning: statusName(code, service),
      };
      const cls = message.status.class;
      if (request && request.message.matches !== undefined && cls === 'pending' && hasDataset(command)) request.message.matches++;
      if (request && cls !== 'pending') this.outstanding.delete(key);
    }
  }

  private append(message: RecordedMessage): void {
    if (this.record.messages.length < this.limits.maxMessages) this.record.messages.push(message);
    else this.record.messagesOmitted = (this.record.messagesOmitted ?? 0) + 1;
    this.changed();
  }

  private onPdu(direction: 'sent' | 'received', pdu: Pdu, length: number): void {
    const pdus = this.record.pdus!;
    if (pdus.length >= this.limits.maxPdus) {
      this.record.pdusOmitted = (this.record.pdusOmitted ?? 0) + 1;
      return;
    }
    let head: string;
    try {
      head = encodePdu(pdu).subarray(0, PDU_HEAD_BYTES).toString('hex');
    } catch {
      head = '';
    }
    const entry: RecordedPdu = { at: this.elapsed(), direction, type: PDU_NAMES[pdu.type] ?? `type ${pdu.type}`, typeCode: pdu.type, length, head };
    pdus.push(entry);
  }
}
