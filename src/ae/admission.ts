// Bounds on connections that hold a slot without doing any work yet: TCP connections an SCP has
// accepted that have not sent their A-ASSOCIATE-RQ (or not finished their TLS handshake), and idle
// HTTP connections. A full bound never refuses the newcomer: it closes the oldest waiting
// connection instead. Behind a NAT (and on loopback) a flood and a real peer share one address,
// and a real peer speaks within a round trip of connecting, so the newest connection is the one
// most likely to be real; an attacker can only push out connections older than a real peer's
// handshake, i.e. its own.

export interface WaitingLimits {
  /** Connections waiting at once, from all sources. */
  maxWaiting: number;
  /** Connections waiting at once from one source address. */
  maxWaitingPerSource: number;
}

/** Why a waiting connection was closed to make room. */
export type EvictionCause = 'waiting-limit' | 'source-limit';

export interface WaitingSlot {
  readonly source: string;
  /** Order of admission (lower = older). */
  readonly serial: number;
}

interface Slot extends WaitingSlot {
  evict(cause: EvictionCause): void;
  /** Its source's connections, while it waits (undefined once it left). */
  from: Source | undefined;
}

/** One address's waiting connections, oldest first. */
interface Source {
  readonly address: string;
  readonly slots: Set<Slot>;
}

/**
 * When the bounds are enforced after an admission. The default enforces at once. A server passes
 * `afterNextRead`: a flood accepted in one batch together with a real peer must not push the
 * real peer out before its already-received request has even been read.
 */
export type Enforcement = (enforce: () => void) => void;

/**
 * Runs `enforce` after the event loop's next I/O phase (two turns of setImmediate). libuv 1.45 and
 * later accept one connection per turn (one accept(2) per readiness of the listening socket; the
 * UV_TCP_SINGLE_ACCEPT variable is gone), so a batch comes only from older ones; under a flood
 * the wait still pays: two or three connections are admitted per enforcement and closed together,
 * where enforcing after every turn cost the SCP up to 15 % more CPU per churned connection.
 */
export const afterNextRead: Enforcement = (enforce) => { setImmediate(() => setImmediate(enforce)); };

/**
 * The connections waiting to speak, oldest first, overall and per source. Over a bound, the
 * oldest waiting connection of the source that holds the most (for the per-source bound: of that
 * source) is closed, until the bounds hold again.
 */
export class WaitingRoom {
  private count = 0;
  private readonly bySource = new Map<string, Source>();
  /**
   * Sources by how many connections they hold (index = count; each set in the order its sources
   * reached that count), and the highest count held: the heaviest source is found without a scan.
   */
  private readonly byCount: Array<Set<Source> | undefined> = [];
  private maxCount = 0;
  private serial = 0;
  private scheduled = false;
  readonly limits: WaitingLimits;

  constructor(limits: WaitingLimits, private readonly enforcement: Enforcement = (enforce) => enforce()) {
    this.limits = { maxWaiting: limits.maxWaiting, maxWaitingPerSource: limits.maxWaitingPerSource };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1 (it is ${value}).`);
    }
  }

  get size(): number {
    return this.count;
  }

  countFrom(source: string): number {
    return this.bySource.get(source)?.slots.size ?? 0;
  }

  /**
   * Admits a connection from `source`; `evict` is called (at most once) if it is later closed to
   * make room. Over a bound, the room is brought back within its bounds (when the enforcement says).
   */
  admit(source: string, evict: (cause: EvictionCause) => void): WaitingSlot {
    let from = this.bySource.get(source);
    if (!from) this.bySource.set(source, from = { address: source, slots: new Set() });
    const slot: Slot = { source, serial: ++this.serial, evict, from };
    this.regroup(from, () => from.slots.add(slot));
    this.count++;
    if ((from.slots.size > this.limits.maxWaitingPerSource || this.count > this.limits.maxWaiting) && !this.scheduled) {
      this.scheduled = true;
      this.enforcement(() => { this.scheduled = false; this.enforce(); });
    }
    return slot;
  }

  /** Closes the oldest waiting connection of the source holding the most; false when none waits. */
  evictOne(cause: EvictionCause): boolean {
    if (this.count === 0) return false;
    this.evictOldest(this.heaviestSource(), cause);
    return true;
  }

  /** The connection spoke (or closed): it no longer waits. Safe to call more than once. */
  leave(slot: WaitingSlot): void {
    const s = slot as Slot;
    const from = s.from;
    if (!from) return;
    s.from = undefined;
    this.regroup(from, () => from.slots.delete(s));
    this.count--;
    if (from.slots.size === 0) this.bySource.delete(from.address);
  }

  /** Brings the room back within its bounds, oldest first: each source, then the total. */
  private enforce(): void {
    while (this.maxCount > this.limits.maxWaitingPerSource) this.evictOldest(this.heaviestSource(), 'source-limit');
    while (this.count > this.limits.maxWaiting) this.evictOne('waiting-limit');
  }

  /** Changes a source's connections, keeping its place among the sources by count. */
  private regroup(from: Source, change: () => void): void {
    this.byCount[from.slots.size]?.delete(from);
    change();
    const n = from.slots.size;
    if (n > 0) (this.byCount[n] ??= new Set()).add(from);
    if (n > this.maxCount) this.maxCount = n;
    while (this.maxCount > 0 && !this.byCount[this.maxCount]?.size) this.maxCount--;
  }

  private heaviestSource(): Source {
    return this.byCount[this.maxCount]!.values().next().value as Source;
  }

  private evictOldest(from: Source, cause: EvictionCause): void {
    const oldest = from.slots.values().next().value as Slot;
    this.leave(oldest);
    oldest.evict(cause);
  }
}
