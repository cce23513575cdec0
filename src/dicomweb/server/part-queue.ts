// The parts of a multipart answer in order, where some are conversions (an instance or a frame
// through the codec pool). Conversions run a few parts ahead of the one being sent, each is
// complete before its part starts, and one that fails is left out with its sentence: the parts
// before it and after it still go out. The first part is made before the status line is sent,
// so an answer whose every part fails is an error status, not an empty 200.

import type { MultipartWritePart } from '../multipart';

export interface ProducedPart {
  part: MultipartWritePart;
  /** Called once the part has been written (or the answer abandoned). */
  dispose?(): Promise<void>;
}

export interface PartSource {
  /** Names the part in a failure sentence: "Instance 1.2.3", "Frame 2". */
  label: string;
  /** The part runs a conversion: worth starting ahead of its turn. */
  converts: boolean;
  make(): Promise<ProducedPart>;
}

type Outcome = { ok: true; produced: ProducedPart } | { ok: false; error: Error };

export class PartQueue {
  private readonly started: Array<Promise<Outcome> | undefined>;
  private next = 0;
  /** One sentence per part left out, in order. */
  readonly failures: string[] = [];

  constructor(private readonly sources: readonly PartSource[], private readonly lookahead: number) {
    this.started = new Array(sources.length).fill(undefined);
  }

  get total(): number {
    return this.sources.length;
  }

  /** Some part runs a conversion (and may fail once the answer is under way). */
  get converts(): boolean {
    return this.sources.some((s) => s.converts);
  }

  private start(i: number): Promise<Outcome> {
    let p = this.started[i];
    if (!p) {
      p = this.sources[i]!.make().then(
        (produced): Outcome => ({ ok: true, produced }),
        (error: unknown): Outcome => ({ ok: false, error: error instanceof Error ? error : new Error(String(error)) }),
      );
      this.started[i] = p;
    }
    return p;
  }

  private startAhead(): void {
    let ahead = 0;
    for (let i = this.next; i < this.sources.length && ahead < this.lookahead; i++) {
      if (!this.sources[i]!.converts) continue;
      ahead++;
      void this.start(i);
    }
  }

  private fail(i: number, error: Error): void {
    const message = error.message.replace(/\.$/, '');
    this.failures.push(`${this.sources[i]!.label} was left out: ${message}.`);
  }

  /** Makes parts until one succeeds (it stays at the head); false when every part failed. */
  async ready(): Promise<boolean> {
    while (this.next < this.sources.length) {
      this.startAhead();
      const outcome = await this.start(this.next);
      if (outcome.ok) return true;
      this.fail(this.next, outcome.error);
      this.next++;
    }
    return false;
  }

  /**
   * The parts from the head on. A part that fails after the answer began is left out (its
   * sentence is added to `failures` and given to onLateFailure). Abandoning the iteration (the
   * client went away) disposes of every part made ahead.
   */
  async *parts(onLateFailure?: (sentence: string) => void): AsyncGenerator<MultipartWritePart> {
    let current: ProducedPart | undefined;
    try {
      while (this.next < this.sources.length) {
        this.startAhead();
        const i = this.next;
        const outcome = await this.start(i);
        this.next++;
        if (!outcome.ok) {
          this.fail(i, outcome.error);
          onLateFailure?.(this.failures[this.failures.length - 1]!);
          continue;
        }
        current = outcome.produced;
        yield current.part;
        // The writer asks for the next part only once this one's body has been written.
        await current.dispose?.();
        current = undefined;
      }
    } finally {
      await current?.dispose?.();
      for (let i = this.next; i < this.sources.length; i++) {
        const p = this.started[i];
        if (!p) continue;
        const outcome = await p;
        if (outcome.ok) await outcome.produced.dispose?.();
      }
    }
  }
}
