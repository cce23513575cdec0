// Output lines of a long-running command (the SCP's log), written together: the lines of a quiet
// moment go out on the next turn of the event loop; while lines keep coming (a peer running short
// associations back to back makes two a few hundred times a second), at most one write per
// interval. Each write is a system call and a trip through the stdout stream, which cost the SCP
// about as much per association as decoding its request.

export interface LineBatch {
  /** Queues one line (without its newline). */
  say(line: string): void;
  /** Writes what is queued now. */
  flush(): void;
}

/** How long lines may wait while the log is busy (they never wait when it was quiet). */
export const LINE_BATCH_INTERVAL_MS = 100;

export function lineBatch(write: (text: string) => void, intervalMs = LINE_BATCH_INTERVAL_MS): LineBatch {
  let lines: string[] = [];
  let scheduled = false;
  let lastWrite = -Infinity;
  const flush = () => {
    scheduled = false;
    if (lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    lines = [];
    lastWrite = Date.now();
    write(text);
  };
  return {
    say(line) {
      lines.push(line);
      if (scheduled) return;
      scheduled = true;
      // Clamped, so a clock set back cannot hold lines for longer than the interval.
      const wait = Math.min(lastWrite + intervalMs - Date.now(), intervalMs);
      if (wait > 0) setTimeout(flush, wait);
      else setImmediate(flush);
    },
    flush,
  };
}
