// Workspace trust: in an untrusted workspace no association is opened.
import vscode = require('vscode');

/** False (and says why) when the workspace is not trusted. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`${what} is disabled in an untrusted workspace.`, 'Manage Workspace Trust').then((a) => {
    if (a) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
