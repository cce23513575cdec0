// The files and folders a command on the Explorer or the editor title was invoked on.
import * as path from 'node:path';
import vscode = require('vscode');

export function isUri(v: unknown): v is vscode.Uri {
  return v instanceof vscode.Uri || (!!v && typeof v === 'object' && typeof (v as vscode.Uri).fsPath === 'string' && typeof (v as vscode.Uri).scheme === 'string');
}

/** The paths a command invocation names: explorer selection (uri, uris), editor resource, or { paths }; else asks with a file dialog. */
export async function pathsOf(first: unknown, second: unknown, dialog: { title: string; openLabel: string }): Promise<string[] | undefined> {
  if (Array.isArray(second) && second.length > 0 && second.every(isUri)) return second.map((u) => u.fsPath);
  if (isUri(first)) return [first.fsPath];
  if (first && typeof first === 'object' && Array.isArray((first as { paths: string[] }).paths)) return (first as { paths: string[] }).paths;
  const active = vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
  if (active && active.scheme === 'file' && active.fsPath.toLowerCase().endsWith('.dcm')) return [active.fsPath];
  const picked = await vscode.window.showOpenDialog({
    title: dialog.title, openLabel: dialog.openLabel, canSelectFiles: true, canSelectFolders: true, canSelectMany: true,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.map((u) => u.fsPath);
}

function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
  return input?.uri;
}

export function describePaths(paths: readonly string[]): string {
  return paths.length === 1 ? path.basename(paths[0]) : `${paths.length} items`;
}
