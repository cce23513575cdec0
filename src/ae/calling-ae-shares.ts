// At most `max` established associations for one calling AE title at one address. A further
// request from it is not refused at once: it waits for one of them to end, up to `waitMs`. A client
// that opens associations back to back on many connections (a router, a retry loop, a flood of
// short associations) is slowed to the pace of its own associations, instead of putting that many
// in front of every other peer's on the SCP's one thread; a client that waits for its answer is
// served as soon as its turn comes.
//
// Two kinds: a limit (maxAssociationsPerAe: a wait that runs out is a refusal) and a fair share
// (the default): the share holds only while the SCP is busy (`busy()`) and another calling AE uses
// it (holds or waits for a slot now, or did within `recentMs`), and a wait that runs out admits the
// request anyway, so a fair share delays and never refuses.

interface Sighting {
  key: string;
  at: number;
}

interface Waiter {
  resolve: (granted: boolean) => void;
  timer: NodeJS.Timeout;
}

/** How long a calling AE that ended its last association still counts as using the SCP (fair share). */
export const FAIR_SHARE_RECENT_MS = 2000;

/** What makes a share fair (see the top of this file). */
export interface Fairness {
  /** How long a key that gave back its last slot still counts as about (default FAIR_SHARE_RECENT_MS). */
  recentMs?: number;
  /** Whether the SCP is busy enough for a hold to matter (default: always). */
  busy?: () => boolean;
}

export class CallingAeShares {
  readonly fair: boolean;
  private readonly recentMs: number;
  private readonly busy: (() => boolean) | undefined;
  /** Slots taken per key (calling AE title and address). */
  private readonly taken = new Map<string, number>();
  /** Requests waiting per key, oldest first. */
  private readonly waiting = new Map<string, Waiter[]>();
  private waitingCount = 0;
  /** The key last seen (taking or giving back a slot), and the other key seen before it. */
  private latest: Sighting | undefined;
  private other: Sighting | undefined;

  /**
   * @param max slots per key
   * @param waitMs how long a request beyond them waits for a slot
   * @param maxWaiting requests waiting in all; beyond it a request is refused at once (admitted, when fair)
   * @param fairness a fair share, not a limit: held only while another key is about (and `busy()`
   *   says so), admitted when the wait runs out
   */
  constructor(readonly max: number, readonly waitMs: number, readonly maxWaiting: number, fairness?: Fairness) {
    this.fair = fairness !== undefined;
    this.recentMs = fairness?.recentMs ?? FAIR_SHARE_RECENT_MS;
    this.busy = fairness?.busy;
    for (const [name, value] of [['associations per calling AE', max], ['requests waiting for one', maxWaiting]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`The limit of ${name} must be a positive integer (it is ${value}).`);
    }
  }

  /** The calling AE title and the address it came from, as one key. */
  static keyOf(callingAeTitle: string, source: string): string {
    return `${callingAeTitle}\u0000${source}`;
  }

  /**
   * Takes a slot for `key`: true at once when one is free (and nobody of the key waits), else a
   * promise of one: true when a slot was handed over, false when the wait ran out or too many
   * requests wait already (when fair: true then too). Whoever gets true owns the slot and must
   * `release` it.
   */
  take(key: string): boolean | Promise<boolean> {
    if (this.fair && !this.contended(key)) {
      // Nobody else about (any more): no hold, and the key's held requests, older, go first.
      this.seen(key);
      this.admitWaiting(key);
      return this.admit(key);
    }
    this.seen(key);
    if ((this.taken.get(key) ?? 0) < this.max && !this.waiting.has(key)) return this.admit(key);
    if (this.waitingCount >= this.maxWaiting) return this.fair && this.admit(key);
    return new Promise<boolean>((resolve) => {
      let queue = this.waiting.get(key);
      if (!queue) this.waiting.set(key, queue = []);
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.unqueue(key, waiter);
          resolve(this.fair && this.admit(key));
        }, this.waitMs),
      };
      queue.push(waiter);
      this.waitingCount++;
    });
  }

  /**
   * Gives a slot back: to the key's oldest waiting request when the key is within its share (when
   * fair and nobody else is about, to every waiting request of the key).
   */
  release(key: string): void {
    this.seen(key);
    const count = (this.taken.get(key) ?? 0) - 1;
    if (count > 0) this.taken.set(key, count); else this.taken.delete(key);
    if (this.fair && !this.contended(key)) {
      this.admitWaiting(key);
      return;
    }
    const next = this.waiting.get(key)?.[0];
    if (next && count < this.max) this.handOver(key, next);
  }

  /** Requests waiting for a slot, in all. */
  get waitingSize(): number {
    return this.waitingCount;
  }

  /** Ends every wait with false (the server is closing). */
  close(): void {
    for (const [key, queue] of [...this.waiting]) {
      for (const waiter of [...queue]) {
        this.unqueue(key, waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(false);
      }
    }
  }

  private handOver(key: string, waiter: Waiter): void {
    this.unqueue(key, waiter);
    clearTimeout(waiter.timer);
    waiter.resolve(this.admit(key));
  }

  private admitWaiting(key: string): void {
    for (const waiter of [...this.waiting.get(key) ?? []]) this.handOver(key, waiter);
  }

  private admit(key: string): true {
    this.taken.set(key, (this.taken.get(key) ?? 0) + 1);
    return true;
  }

  private seen(key: string): void {
    if (!this.fair) return;
    if (this.latest && this.latest.key !== key) this.other = this.latest;
    this.latest = { key, at: performance.now() };
  }

  /** The SCP is busy, and another key holds or waits for a slot, or was seen within recentMs. */
  private contended(key: string): boolean {
    if (this.busy && !this.busy()) return false;
    const others = (map: Map<string, unknown>) => map.size - (map.has(key) ? 1 : 0);
    if (others(this.taken) > 0 || others(this.waiting) > 0) return true;
    const other = this.latest?.key !== key ? this.latest : this.other;
    return other !== undefined && performance.now() - other.at < this.recentMs;
  }

  private unqueue(key: string, waiter: Waiter): void {
    const queue = this.waiting.get(key);
    const at = queue?.indexOf(waiter) ?? -1;
    if (!queue || at < 0) return;
    queue.splice(at, 1);
    this.waitingCount--;
    if (queue.length === 0) this.waiting.delete(key);
  }
}
