// A one-line progress bar on a terminal (stderr), redrawn at most every 100 ms.

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export function formatRate(bytes: number, ms: number): string {
  return ms > 0 ? `${formatBytes((bytes * 1000) / ms)}/s` : '-';
}

export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();
  private drawn = false;
  readonly enabled: boolean;

  constructor(private readonly totalItems: number, private readonly totalBytes: number, private readonly label: string,
    stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true && totalItems > 0;
    this.stream = stream;
  }

  private readonly stream: NodeJS.WriteStream;

  update(items: number, bytes: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const elapsed = now - this.started;
    const fraction = this.totalBytes > 0 ? Math.min(1, bytes / this.totalBytes) : items / this.totalItems;
    const width = 24;
    const filled = Math.round(fraction * width);
    const rate = elapsed > 0 ? bytes / elapsed : 0;
    const eta = rate > 0 && this.totalBytes > bytes ? `ETA ${Math.ceil((this.totalBytes - bytes) / rate / 1000)} s` : '';
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${items}/${this.totalItems} ${this.label} ${formatBytes(bytes)} ${formatRate(bytes, elapsed)} ${eta}`;
    this.stream.write(`\r${line.padEnd(Math.min(this.stream.columns ?? 100, 120) - 1).slice(0, (this.stream.columns ?? 100) - 1)}`);
    this.drawn = true;
  }

  /** Removes the bar so normal output can follow on a clean line. */
  clear(): void {
    if (this.drawn) this.stream.write(`\r${' '.repeat(Math.min(this.stream.columns ?? 100, 120) - 1)}\r`);
    this.drawn = false;
  }
}
