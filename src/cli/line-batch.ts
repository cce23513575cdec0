// Output lines of a long-running command (the SCP's log), written together once per turn of the
// event loop: a busy server makes one system call per turn instead of one per line.

export interface LineBatch {
  /** Queues one line (without its newline). */
  say(line: string): void;
  /** Writes what is queued now. */
  flush(): void;
}

export function lineBatch(write: (text: string) => void): LineBatch {
  let lines: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    lines = [];
    write(text);
  };
  return {
    say(line) {
      lines.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
