// The ARTIM, ACSE and idle timers of one association; expiry is reported to the owner.
import { TimeoutError } from './errors';
import { AssociationTimeouts } from './association-types';
import { keepTimerList } from './timer-lists';

export interface TimerExpiry {
  /** ARTIM expired (Evt18). */
  artim(): void;
  /** No A-ASSOCIATE or A-RELEASE response in time. */
  acse(error: TimeoutError): void;
  /** No PDU in either direction for idleMs. */
  idle(error: TimeoutError): void;
}

export class AssociationTimers {
  private artim: NodeJS.Timeout | undefined;
  private acseTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly timeouts: AssociationTimeouts, private readonly expired: TimerExpiry) {
    keepTimerList(timeouts.artimMs);
    keepTimerList(timeouts.acseMs);
    keepTimerList(timeouts.idleMs);
  }

  startArtim(): void {
    this.stopArtim();
    this.artim = setTimeout(() => { this.artim = undefined; this.expired.artim(); }, this.timeouts.artimMs);
  }

  stopArtim(): void {
    if (this.artim) clearTimeout(this.artim);
    this.artim = undefined;
  }

  startAcseTimer(what: string): void {
    this.stopAcseTimer();
    this.acseTimer = setTimeout(() => {
      this.acseTimer = undefined;
      this.expired.acse(new TimeoutError(`${what} within ${this.timeouts.acseMs / 1000} s`));
    }, this.timeouts.acseMs);
  }

  stopAcseTimer(): void {
    if (this.acseTimer) clearTimeout(this.acseTimer);
    this.acseTimer = undefined;
  }

  touchIdle(): void {
    if (!this.timeouts.idleMs) return;
    if (this.idleTimer) { this.idleTimer.refresh(); return; }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.expired.idle(new TimeoutError(`the association was idle for ${this.timeouts.idleMs / 1000} s`));
    }, this.timeouts.idleMs);
  }

  stopIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
