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
}

/**
 * When the bounds are enforced after an admission. The default enforces at once. A server passes
 * `afterNextRead`: a flood accepted in one batch together with a real peer must not push the
 * real peer out before its already-received request has even been read.
 */
export type Enforcement = (enforce: () => void) => void;

/** Runs `enforce` after the event loop's next I/O phase (two turns of setImmediate). */
export const afterNextRead: Enforcement = (enforce) => { setImmediate(() => setImmediate(enforce)); };

/**
 * The connections waiting to speak, oldest first, overall and per source. Over a bound, the
 * oldest waiting connection of the source that holds the most (for the per-source bound: of that
 * source) is closed, until the bounds hold again.
 */
export class WaitingRoom {
  private readonly all = new Set<Slot>();
  private readonly bySource = new Map<string, Set<Slot>>();
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
    return this.all.size;
  }

  countFrom(source: string): number {
    return this.bySource.get(source)?.size ?? 0;
  }

  /**
   * Admits a connection from `source`; `evict` is called (at most once) if it is later closed to
   * make room. Over a bound, the room is brought back within its bounds (when the enforcement says).
   */
  admit(source: string, evict: (cause: EvictionCause) => void): WaitingSlot {
    const slot: Slot = { source, serial: ++this.serial, evict };
    this.all.add(slot);
    let set = this.bySource.get(source);
    if (!set) this.bySource.set(source, set = new Set());
    set.add(slot);
    if ((set.size > this.limits.maxWaitingPerSource || this.all.size > this.limits.maxWaiting) && !this.scheduled) {
      this.scheduled = true;
      this.enforcement(() => { this.scheduled = false; this.enforce(); });
    }
    return slot;
  }

  /** Closes the oldest waiting connection of the source holding the most; false when none waits. */
  evictOne(cause: EvictionCause): boolean {
    if (this.all.size === 0) return false;
    this.evictOldest(this.heaviestSource(), cause);
    return true;
  }

  /** The connection spoke (or closed): it no longer waits. Safe to call more than once. */
  leave(slot: WaitingSlot): void {
    const s = slot as Slot;
    if (!this.all.delete(s)) return;
    const set = this.bySource.get(s.source);
    set?.delete(s);
    if (set && set.size === 0) this.bySource.delete(s.source);
  }

  /** Brings the room back within its bounds, oldest first. */
  private enforce(): void {
    for (const set of [...this.bySource.values()]) {
      while (set.size > this.limits.maxWaitingPerSource) this.evictOldest(set, 'source-limit');
    }
    while (this.all.size > this.limits.maxWaiting) this.evictOne('waiting-limit');
  }

  private heaviestSource(): Set<Slot> {
    let heaviest: Set<Slot> | undefined;
    for (const set of this.bySource.values()) if (!heaviest || set.size > heaviest.size) heaviest = set;
    return heaviest!;
  }

  private evictOldest(set: Set<Slot>, cause: EvictionCause): void {
    const oldest = set.values().next().value as Slot;
    this.leave(oldest);
    oldest.evict(cause);
  }
}
