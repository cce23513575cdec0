// The dataset viewer in a panel of its own, for callers that have a file but no editor (e.g. an
// instance just retrieved). One panel per file: opening it again reveals it.
import vscode = require('vscode');
import { basename } from 'node:path';
import { DatasetSession, SessionServices } from './dataset-session';
import { webviewOptions } from './resources';

export class DatasetViewerPanel implements vscode.Disposable {
  private static readonly open = new Map<string, DatasetViewerPanel>();
  private readonly session: DatasetSession;

  static show(services: SessionServices, uri: vscode.Uri, column: vscode.ViewColumn = vscode.ViewColumn.Active): DatasetViewerPanel {
    const existing = DatasetViewerPanel.open.get(uri.toString());
    if (existing) {
      existing.panel.reveal(column);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel('dicomNetwork.datasetViewerPanel', basename(uri.path), column, {
      ...webviewOptions(services.extensionUri),
      retainContextWhenHidden: true,
    });
    const p = new DatasetViewerPanel(panel, uri, services);
    DatasetViewerPanel.open.set(uri.toString(), p);
    return p;
  }

  private constructor(readonly panel: vscode.WebviewPanel, readonly uri: vscode.Uri, services: SessionServices) {
    this.session = new DatasetSession(panel.webview, uri, services);
    panel.onDidDispose(() => this.dispose());
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    DatasetViewerPanel.open.delete(this.uri.toString());
    this.session.dispose();
    this.panel.dispose();
  }
}
