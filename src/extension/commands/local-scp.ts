// DICOM: Start / Stop Local SCP, the status bar's menu, Copy AE Configuration, Reveal Storage Folder.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { App } from '../app';
import { notify } from '../ui/notify';

export async function startLocalScp(app: App): Promise<boolean> {
  const ok = await app.scp.start({ interactive: true });
  if (ok) {
    const e = app.scp.effective();
    vscode.window.setStatusBarMessage(`Local SCP ${e.aeTitle} listening on ${e.bindAddress}:${e.port}`, 4000);
  }
  return ok;
}

export async function stopLocalScp(app: App): Promise<void> {
  await app.scp.stop();
}

export async function copyAeConfiguration(app: App): Promise<string> {
  const config = app.scp.aeConfiguration();
  await vscode.env.clipboard.writeText(config.text);
  void notify('info', `Copied: AE title ${config.aeTitle}, host ${config.host}, port ${config.port}. Add it to the PACS's known AEs so it can send C-MOVE results here.`
    + (config.loopbackOnly ? ' The local SCP listens on this machine only (bindAddress 127.0.0.1).' : ''));
  return config.text;
}

export async function revealStorageFolder(app: App): Promise<string> {
  const folder = app.scp.running ? app.scp.effective().folder : app.scp.folder();
  fs.mkdirSync(folder, { recursive: true });
  const uri = vscode.Uri.file(folder);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
  return folder;
}

/** The status bar item's menu: start/stop, open the folder, copy the AE configuration, the log. */
export async function localScpMenu(app: App): Promise<void> {
  const e = app.scp.effective();
  const running = app.scp.running;
  const stats = app.scp.stats();
  const items: (vscode.QuickPickItem & { run: () => unknown })[] = [
    running
      ? { label: '$(debug-stop) Stop the local SCP', description: `${e.aeTitle} on ${e.bindAddress}:${e.port}`, run: () => stopLocalScp(app) }
      : { label: '$(play) Start the local SCP', description: `${e.aeTitle} on ${e.bindAddress}:${e.port}`, run: () => startLocalScp(app) },
    { label: '$(folder-opened) Open the storage folder', description: vscode.workspace.asRelativePath(e.folder), run: () => revealStorageFolder(app) },
    { label: '$(copy) Copy AE configuration', description: 'what a PACS must know to send here', run: () => copyAeConfiguration(app) },
    { label: '$(output) Show log', run: () => app.log.show() },
    { label: '$(gear) Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'dicomNetwork.localScp') },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Local SCP: ${running ? `running, ${stats?.received ?? 0} received, ${stats?.instances ?? 0} instances stored` : app.scp.state}`,
  });
  await picked?.run();
}
