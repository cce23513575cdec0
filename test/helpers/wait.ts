// Bounded waits for a named condition: tests and harnesses never sleep for a fixed time. A
// wait that runs out says what it waited for and, when given, what it saw last.

export interface WaitOptions {
  timeoutMs: number;
  /** How often `probe` runs (default 100 ms). */
  intervalMs?: number;
  /** Appended to the failure message: the state last seen, e.g. the lines of a log. */
  detail?: () => string;
}

/**
 * Runs `probe` until it returns something other than undefined/false and returns that.
 * Fails after `timeoutMs` with "Timed out after N ms waiting for <what>".
 */
export async function waitUntil<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) {
      const detail = options.detail?.();
      throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${what}${detail ? `; ${detail}` : '.'}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, left)));
  }
}

/** Milliseconds left before `deadline` (at least 1, so Playwright never reads 0 as "no timeout"). */
export function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}
