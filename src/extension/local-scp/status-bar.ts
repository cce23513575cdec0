// The local SCP in the status bar: "DICOM SCP :11112 · 12 received"; a click opens its menu.
import vscode = require('vscode');
import type { LocalScpController } from './controller';

export class ScpStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private wanted = false;

  constructor(private readonly scp: LocalScpController) {
    this.item = vscode.window.createStatusBarItem('dicomNetwork.localScp', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'DICOM Local SCP';
    this.item.command = 'dicomNetwork.localScpMenu';
    scp.onDidChange(() => this.update());
  }

  /** The item shows once DICOM features are in use (the view opened, a command run, the SCP started). */
  show(): void {
    this.wanted = true;
    this.update();
  }

  update(): void {
    const e = this.scp.effective();
    const stats = this.scp.stats();
    switch (this.scp.state) {
      case 'running':
        this.item.text = `$(radio-tower) DICOM SCP :${e.port} · ${stats?.received ?? 0} received`;
        this.item.backgroundColor = undefined;
        break;
      case 'starting':
        this.item.text = '$(sync~spin) DICOM SCP starting…';
        break;
      case 'stopping':
        this.item.text = '$(sync~spin) DICOM SCP stopping…';
        break;
      default:
        this.item.text = '$(circle-slash) DICOM SCP stopped';
        this.item.backgroundColor = this.scp.lastError ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**Local SCP** ${this.scp.state}${this.scp.lastError && this.scp.state === 'stopped' ? ` — ${this.scp.lastError}` : ''}\n\n`);
    tip.appendCodeblock(this.scp.aeConfiguration().text, 'text');
    if (stats) tip.appendMarkdown(`\n${stats.received} received since start; ${stats.studies} studies, ${stats.instances} instances stored`);
    tip.appendMarkdown('\n\nClick to start, stop or open the storage folder.');
    this.item.tooltip = tip;
    if (this.wanted || this.scp.state !== 'stopped') this.item.show();
  }

  /** What the item shows now (undefined while hidden). */
  get text(): string | undefined {
    return this.wanted || this.scp.state !== 'stopped' ? this.item.text : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
