// Bounded waits for a named condition: tests and harnesses never sleep for a fixed time. A
// wait that runs out says what it waited for and, when given, what it saw last.

export interface WaitOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** How often `probe` runs (default 20 ms). */
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
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const interval = options.intervalMs ?? 20;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) {
      const detail = options.detail?.();
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail ? `; ${detail}` : '.'}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, left)));
  }
}

/** Resolves as `promise` does; fails after `timeoutMs` (default 10 s) naming `what`. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds left before `deadline` (at least 1, so Playwright never reads 0 as "no timeout"). */
export function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}
