// PLACEHOLDER extension entry: just enough surface (output channel, one command, one tree view)
// for the VS Code test harness in test/vscode/ to prove itself. The real extension replaces it.
import * as vscode from 'vscode';

class PlaceholderNodesProvider implements vscode.TreeDataProvider<string> {
  getTreeItem(label: string): vscode.TreeItem {
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('database');
    return item;
  }

  getChildren(parent?: string): string[] {
    return parent === undefined ? ['Local archive'] : [];
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('DICOM Network', { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('dicomNetwork.showLog', () => log.show(true)),
    vscode.window.registerTreeDataProvider('dicomNetwork.nodes', new PlaceholderNodesProvider()),
  );
  log.info('DICOM Network activated');
}

export function deactivate(): void {}
