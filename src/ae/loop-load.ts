// How busy this process's event loop has been lately: performance.eventLoopUtilization over
// windows of at least `windowMs`, sampled when asked. The fair share holds a calling AE to its
// share only while the SCP's one thread is busy enough for one AE's requests to delay another's;
// parallel associations that mostly wait on a slow network cost the thread little and are not held.
// Node's global performance: importing node:perf_hooks would load it into every command's start.
import type { EventLoopUtilization } from 'node:perf_hooks';

export class LoopLoad {
  private last: EventLoopUtilization = performance.eventLoopUtilization();
  private lastAt = performance.now();
  private utilization = 0;

  /** @param threshold the share of the time the loop must have been busy (0 to 1; 0 = always busy) */
  constructor(readonly threshold: number, readonly windowMs = 100) {
    if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`The event loop's busy threshold must be from 0 to 1 (it is ${threshold}).`);
  }

  busy(): boolean {
    if (this.threshold === 0) return true;
    const now = performance.now();
    if (now - this.lastAt >= this.windowMs) {
      const current = performance.eventLoopUtilization();
      this.utilization = performance.eventLoopUtilization(current, this.last).utilization;
      this.last = current;
      this.lastAt = now;
    }
    return this.utilization >= this.threshold;
  }
}
