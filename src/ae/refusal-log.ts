// Turns a stream of refusals (connections closed or associations rejected) into log lines at
// most once per source and cause per interval, so a flood of a thousand connections a second
// writes one line, and then one summary per interval, instead of a thousand.

/** Why a connection or association was refused or closed before doing any work. */
export type RefusalCause =
  /** A-ASSOCIATE-RJ: the established associations are at maxAssociations. */
  | 'association-limit'
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
  private readonly windows = new Map<string, Window>();

  constructor(private readonly intervalMs: number, private readonly emit: (refusal: Refusal) => void) {
    if (!(intervalMs > 0)) throw new RangeError(`The refusal log interval must be positive (it is ${intervalMs}).`);
  }

  record(source: string, cause: RefusalCause, message: string): void {
    const key = `${cause} ${source}`;
    const open = this.windows.get(key);
    if (open) {
      open.suppressed++;
      open.message = message;
      return;
    }
    this.emit({ source, cause, message, count: 1, repeated: false, intervalMs: this.intervalMs });
    this.openWindow(key, source, cause);
  }

  /** Drops what is pending (at shutdown); no summary is written. */
  close(): void {
    for (const w of this.windows.values()) clearTimeout(w.timer);
    this.windows.clear();
  }

  private openWindow(key: string, source: string, cause: RefusalCause): void {
    const window: Window = { suppressed: 0, message: '', timer: setTimeout(() => this.closeWindow(key, source, cause), this.intervalMs) };
    window.timer.unref();
    this.windows.set(key, window);
  }

  private closeWindow(key: string, source: string, cause: RefusalCause): void {
    const window = this.windows.get(key)!;
    this.windows.delete(key);
    if (window.suppressed === 0) return;
    this.emit({ source, cause, message: window.message, count: window.suppressed, repeated: true, intervalMs: this.intervalMs });
    // Keep counting: a flood that goes on gets one line per interval.
    this.openWindow(key, source, cause);
  }
}

/** The log line for a refusal: "refused 10.0.0.7 [artim]: …", or a summary with its count. */
export function formatRefusal(r: Refusal): string {
  return r.repeated
    ? `refused ${r.source} [${r.cause}] ${r.count} more time${r.count === 1 ? '' : 's'} in the last ${r.intervalMs >= 1000 ? `${Math.round(r.intervalMs / 1000)} s` : `${r.intervalMs} ms`}; the last: ${r.message}`
    : `refused ${r.source} [${r.cause}]: ${r.message}`;
}
