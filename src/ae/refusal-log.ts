// Turns a stream of refusals (connections closed or associations rejected) into log lines at
// most once per source and cause per interval, so a flood of a thousand connections a second
// writes one line, and then one summary per interval, instead of a thousand.

/** Why a connection or association was refused or closed before doing any work. */
export type RefusalCause =
  /** A-ASSOCIATE-RJ: the established associations are at maxAssociations. */
  | 'association-limit'
  /** A-ASSOCIATE-RJ: the calling AE at its address had maxAssociationsPerAe established, and none ended in time. */
  | 'ae-limit'
  /** A-ASSOCIATE-RJ for another reason (AE title, application context, user identity). */
  | 'rejected'
  /** A waiting connection closed to make room: too many connections waiting in all. */
  | 'waiting-limit'
  /** A waiting connection closed to make room: too many waiting from its source address. */
  | 'source-limit'
  /** No A-ASSOCIATE-RQ (or no finished TLS handshake) within the ARTIM timeout. */
  | 'artim'
  /** The TLS handshake failed. */
  | 'tls';

export interface Refusal {
  /** The peer's address (without its port). */
  source: string;
  cause: RefusalCause;
  /** One sentence: what happened, for the first occurrence of the interval. */
  message: string;
  /** How many refusals this line stands for: 1 for the first, more for a summary. */
  count: number;
  /** A summary of the refusals since the last line for this source and cause. */
  repeated: boolean;
  /** The interval a summary covers, in ms. */
  intervalMs: number;
}

interface Window {
  suppressed: number;
  message: string;
  timer: NodeJS.Timeout;
}

export class RefusalDigest {
  /** Open windows by cause, then source (no key string built per refusal: a flood records thousands a second). */
  private readonly windows = new Map<RefusalCause, Map<string, Window>>();

  constructor(private readonly intervalMs: number, private readonly emit: (refusal: Refusal) => void) {
    if (!(intervalMs > 0)) throw new RangeError(`The refusal log interval must be positive (it is ${intervalMs}).`);
  }

  record(source: string, cause: RefusalCause, message: string): void {
    let ofCause = this.windows.get(cause);
    if (!ofCause) this.windows.set(cause, ofCause = new Map());
    const open = ofCause.get(source);
    if (open) {
      open.suppressed++;
      open.message = message;
      return;
    }
    this.emit({ source, cause, message, count: 1, repeated: false, intervalMs: this.intervalMs });
    this.openWindow(ofCause, source, cause);
  }

  /** Drops what is pending (at shutdown); no summary is written. */
  close(): void {
    for (const ofCause of this.windows.values()) for (const w of ofCause.values()) clearTimeout(w.timer);
    this.windows.clear();
  }

  private openWindow(ofCause: Map<string, Window>, source: string, cause: RefusalCause): void {
    const window: Window = { suppressed: 0, message: '', timer: setTimeout(() => this.closeWindow(ofCause, source, cause), this.intervalMs) };
    window.timer.unref();
    ofCause.set(source, window);
  }

  private closeWindow(ofCause: Map<string, Window>, source: string, cause: RefusalCause): void {
    const window = ofCause.get(source)!;
    ofCause.delete(source);
    if (window.suppressed === 0) return;
    this.emit({ source, cause, message: window.message, count: window.suppressed, repeated: true, intervalMs: this.intervalMs });
    // Keep counting: a flood that goes on gets one line per interval.
    this.openWindow(ofCause, source, cause);
  }
}

/** The log line for a refusal: "refused 10.0.0.7 [artim]: …", or a summary with its count. */
export function formatRefusal(r: Refusal): string {
  return r.repeated
    ? `refused ${r.source} [${r.cause}] ${r.count} more time${r.count === 1 ? '' : 's'} in the last ${r.intervalMs >= 1000 ? `${Math.round(r.intervalMs / 1000)} s` : `${r.intervalMs} ms`}; the last: ${r.message}`
    : `refused ${r.source} [${r.cause}]: ${r.message}`;
}
