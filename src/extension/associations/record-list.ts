// The association records the extension keeps, without VS Code: the last `capacity` closed ones
// and every open one, by id; updates of open ones passed on at most once per interval each (a
// C-STORE of 1,000 files changes its record 2,000 times), openings and closings at once.
import type { AssociationRecord } from '../../ae';

/** setTimeout/clearTimeout, replaceable in tests. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How long updates of one open association are held back at most (ms). */
export const UPDATE_INTERVAL_MS = 250;

export class AssociationList {
  /** Closed records by id, oldest first (a Map keeps insertion order). */
  private readonly closed = new Map<string, AssociationRecord>();
  private readonly open = new Map<string, AssociationRecord>();
  /** Open records with updates not yet passed on. */
  private readonly held = new Set<string>();
  private flushTimer: unknown;
  private limit: number;

  constructor(capacity: number, private readonly changed: (record: AssociationRecord) => void,
    private readonly timers: Timers = REAL_TIMERS, private readonly intervalMs = UPDATE_INTERVAL_MS) {
    this.limit = checkedCapacity(capacity);
  }

  get capacity(): number {
    return this.limit;
  }

  /** Keeps at most `capacity` closed records from now on (the oldest go first). */
  set capacity(value: number) {
    this.limit = checkedCapacity(value);
    this.trim();
  }

  opened(record: AssociationRecord): void {
    this.open.set(record.id, record);
    this.changed(record);
  }

  updated(record: AssociationRecord): void {
    if (!this.open.has(record.id)) return;
    this.open.set(record.id, record);
    this.held.add(record.id);
    this.flushTimer ??= this.timers.set(() => this.flush(), this.intervalMs);
  }

  closedRecord(record: AssociationRecord): void {
    this.open.delete(record.id);
    this.held.delete(record.id);
    this.closed.set(record.id, record);
    this.trim();
    this.changed(record);
  }

  get(id: string): AssociationRecord | undefined {
    return this.open.get(id) ?? this.closed.get(id);
  }

  /** The closed records, oldest first, then the open ones in the order they opened. */
  all(): AssociationRecord[] {
    return [...this.closed.values(), ...this.open.values()];
  }

  /** Forgets the closed records (open ones stay: they are still running). */
  clear(): void {
    this.closed.clear();
  }

  dispose(): void {
    if (this.flushTimer !== undefined) this.timers.clear(this.flushTimer);
    this.flushTimer = undefined;
    this.held.clear();
  }

  private flush(): void {
    this.flushTimer = undefined;
    const ids = [...this.held];
    this.held.clear();
    for (const id of ids) {
      const record = this.open.get(id);
      if (record) this.changed(record);
    }
  }

  private trim(): void {
    for (const id of this.closed.keys()) {
      if (this.closed.size <= this.limit) break;
      this.closed.delete(id);
    }
  }
}

function checkedCapacity(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`the number of associations kept must be a whole number of at least 1 (it is ${value})`);
  return value;
}
