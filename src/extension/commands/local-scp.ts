// DICOM: Start / Stop Local SCP, the status bar's menu, Copy AE Configuration, Reveal Storage Folder.
import * as fs from 'node:fs';
import vscode = require('vscode');
import { notify } from '../ui';
import type { CommandDeps } from './deps';

export type LocalScpDeps = Pick<CommandDeps, 'scp' | 'log'>;

export async function startLocalScp({ scp }: Pick<CommandDeps, 'scp'>): Promise<boolean> {
  const ok = await scp.start({ interactive: true });
  if (ok) {
    const e = scp.effective();
    vscode.window.setStatusBarMessage(`Local SCP ${e.aeTitle} listening on ${e.bindAddress}:${e.port}`, 4000);
  }
  return ok;
}

export async function stopLocalScp({ scp }: Pick<CommandDeps, 'scp'>): Promise<void> {
  await scp.stop();
}

export async function copyAeConfiguration({ scp }: Pick<CommandDeps, 'scp'>): Promise<string> {
  const config = scp.aeConfiguration();
  await vscode.env.clipboard.writeText(config.text);
  void notify('info', `Copied: AE title ${config.aeTitle}, host ${config.host}, port ${config.port}. Add it to the PACS's known AEs so it can send C-MOVE results here.`
    + (config.loopbackOnly ? ' The local SCP listens on this machine only (bindAddress 127.0.0.1).' : ''));
  return config.text;
}

export async function revealStorageFolder({ scp }: Pick<CommandDeps, 'scp'>): Promise<string> {
  const folder = scp.storageFolder();
  fs.mkdirSync(folder, { recursive: true });
  const uri = vscode.Uri.file(folder);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
  return folder;
}

/** The status bar item's menu: start/stop, open the folder, copy the AE configuration, the log. */
export async function localScpMenu(deps: LocalScpDeps): Promise<void> {
  const { scp, log } = deps;
  const e = scp.effective();
  const running = scp.running;
  const stats = scp.stats();
  const items: (vscode.QuickPickItem & { run: () => unknown })[] = [
    running
      ? { label: '$(debug-stop) Stop the local SCP', description: `${e.aeTitle} on ${e.bindAddress}:${e.port}`, run: () => stopLocalScp(deps) }
      : { label: '$(play) Start the local SCP', description: `${e.aeTitle} on ${e.bindAddress}:${e.port}`, run: () => startLocalScp(deps) },
    { label: '$(folder-opened) Open the storage folder', description: vscode.workspace.asRelativePath(e.folder), run: () => revealStorageFolder(deps) },
    { label: '$(copy) Copy AE configuration', description: 'what a PACS must know to send here', run: () => copyAeConfiguration(deps) },
    { label: '$(output) Show log', run: () => log.show() },
    { label: '$(gear) Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'dicomNetwork.localScp') },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Local SCP: ${running ? `running, ${stats?.received ?? 0} received, ${stats?.instances ?? 0} instances stored` : scp.state}`,
  });
  await picked?.run();
}
