// Keeps the records of the last N associations an ApplicationEntity or a DicomServer made or took
// (give both the same recorder to see them together). Open associations are tracked until they
// close; closed ones are kept as plain records, the oldest dropped first.
import { EventEmitter } from 'node:events';
import { Association } from '../../net';
import { DimseChannel } from '../../dimse';
import { BuilderLimits, RecordBuilder } from './builder';
import { AssociationDirection, AssociationRecord } from './record';

export interface RecorderOptions {
  /** Closed associations kept (default 100). */
  capacity?: number;
  /** Messages listed per association; beyond, they are counted (default 1000). */
  maxMessagesPerAssociation?: number;
  /** Keep each PDU's type, length and first bytes (default false). */
  recordPdus?: boolean;
}

export interface RecorderEvents {
  /** An association began (its record is live: it changes until `closed`). */
  opened: [record: AssociationRecord];
  /** Something was added to an open association's record (negotiation, a message). */
  updated: [record: AssociationRecord];
  /** An association ended: its record is final. */
  closed: [record: AssociationRecord];
}

export const DEFAULT_RECORDER_CAPACITY = 100;

export class AssociationRecorder extends EventEmitter<RecorderEvents> {
  private limit: number;
  private readonly limits: BuilderLimits;
  private readonly open = new Map<Association, RecordBuilder>();
  private closedRecords: AssociationRecord[] = [];
  private nextId = 1;

  constructor(options: RecorderOptions = {}) {
    super();
    this.limit = checkedCapacity(options.capacity ?? DEFAULT_RECORDER_CAPACITY);
    const maxMessages = options.maxMessagesPerAssociation ?? 1000;
    this.limits = { maxMessages, maxPdus: maxMessages * 4, recordPdus: options.recordPdus ?? false };
  }

  /** Closed associations kept. */
  get capacity(): number {
    return this.limit;
  }

  /** Keeps at most `capacity` closed associations from now on (the oldest are dropped first). */
  resize(capacity: number): void {
    this.limit = checkedCapacity(capacity);
    this.trim();
  }

  /** The id of the record of an association still open (e.g. to name it in an error). */
  recordIdOf(association: Association): string | undefined {
    return this.open.get(association)?.record.id;
  }

  /** Starts the record of a new association (called by the engine as it creates one). */
  watch(association: Association, direction: AssociationDirection, peerAddress: string): void {
    if (this.open.has(association)) return;
    const builder = new RecordBuilder(`${process.pid}-${this.nextId++}`, association, direction, peerAddress, this.limits,
      () => { if (this.listenerCount('updated') > 0) this.emit('updated', builder.snapshot()); },
      () => this.onClosed(association, builder));
    this.open.set(association, builder);
    if (this.listenerCount('opened') > 0) this.emit('opened', builder.snapshot());
  }

  /** Adds the DIMSE messages of an association already watched. */
  watchChannel(channel: DimseChannel): void {
    this.open.get(channel.association)?.watchChannel(channel);
  }

  /** Associations still open. */
  get openCount(): number {
    return this.open.size;
  }

  /** Closed associations held (at most `capacity`). */
  get closedCount(): number {
    return this.closedRecords.length;
  }

  /** The closed records (oldest first), then the open ones as they stand. */
  records(): AssociationRecord[] {
    return [...this.closedRecords, ...[...this.open.values()].map((b) => b.snapshot())];
  }

  /** Resolves once no watched association is open (e.g. an aborted one has seen its connection close). */
  idle(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.open.size > 0) return;
        this.off('closed', check);
        resolve();
      };
      this.on('closed', check);
    });
  }

  /** Forgets the closed records. */
  clear(): void {
    this.closedRecords = [];
  }

  private trim(): void {
    if (this.closedRecords.length > this.limit) this.closedRecords.splice(0, this.closedRecords.length - this.limit);
  }

  private onClosed(association: Association, builder: RecordBuilder): void {
    const record = builder.record;
    this.closedRecords.push(record);
    this.trim();
    this.open.delete(association);
    this.emit('closed', record);
  }
}

function checkedCapacity(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`the recorder's capacity must be a whole number of at least 1 (it is ${capacity})`);
  return capacity;
}
