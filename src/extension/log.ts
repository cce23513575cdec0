// The "DICOM Network" log: a LogOutputChannel. Info: one line per association and operation;
// debug: per-instance results; trace: every PDU and DIMSE message (attached only at trace level).
import vscode = require('vscode');
import type { EngineLog } from './engine';

export class Log implements EngineLog, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('DICOM Network', { log: true });
  }

  info(line: string): void { this.channel.info(line); }
  debug(line: string): void { this.channel.debug(line); }
  warn(line: string): void { this.channel.warn(line); }
  error(line: string): void { this.channel.error(line); }
  trace(line: string): void { this.channel.trace(line); }

  traceEnabled(): boolean {
    return this.channel.logLevel === vscode.LogLevel.Trace;
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
