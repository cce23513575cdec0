// DICOM: Echo Node — C-ECHO, the answer as a notification and as the node's mark in the tree.
import * as vscode from 'vscode';
import type { App } from '../app';
import { isDimse } from '../targets';
import { notify, sentence } from '../ui/notify';
import { pickNode } from '../ui/pick';

export interface EchoCommandResult {
  node: string;
  ok: boolean;
  /** What the notification said. */
  message: string;
}

export async function echoNode(app: App, arg?: unknown): Promise<EchoCommandResult | undefined> {
  const node = await pickNode(app, arg, { title: 'Echo Node', kinds: ['dimse', 'local', 'dicomweb'] });
  if (!node) return undefined;
  if (!app.requireTrust('Echo')) return undefined;
  const engine = app.engine();
  let result: EchoCommandResult;
  try {
    let message: string;
    let ok: boolean;
    let status: string;
    if (isDimse(node)) {
      const target = await app.target(node);
      const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `C-ECHO ${node.name}` }, () => engine.echo(target, app.log));
      ok = outcome.ok;
      message = ok ? `Echo to ${node.name} succeeded in ${outcome.ms} ms.` : `Echo to ${node.name} answered ${outcome.statusText}.`;
      status = ok ? `success in ${outcome.ms} ms` : outcome.statusText;
    } else {
      const target = await app.webTarget(node);
      const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `QIDO-RS ${node.name}` }, () => engine.dicomwebCheck(target, app.log));
      ok = outcome.ok;
      message = `${node.name} answered a QIDO-RS search in ${outcome.ms} ms.`;
      status = `QIDO-RS answered in ${outcome.ms} ms`;
    }
    await app.state.setEchoStatus(node.name, { ok, at: new Date().toISOString(), message: status });
    void notify(ok ? 'info' : 'warning', message);
    result = { node: node.name, ok, message };
  } catch (error) {
    const reason = engine.describeError(error, app.where(node));
    await app.state.setEchoStatus(node.name, { ok: false, at: new Date().toISOString(), message: reason });
    const message = `${isDimse(node) ? 'Echo to' : 'The QIDO-RS check of'} ${node.name} failed: ${sentence(reason)}`;
    const actions = node.kind === 'local' ? ['Show Log'] : ['Edit Node…', 'Show Log'];
    if (/calling AE title not recognised/.test(reason)) actions.unshift('Copy AE Configuration');
    void notify('error', message, ...actions).then((choice) => {
      if (choice === 'Show Log') app.log.show();
      else if (choice === 'Edit Node…') void vscode.commands.executeCommand('dicomNetwork.editNode', node.name);
      else if (choice === 'Copy AE Configuration') void vscode.commands.executeCommand('dicomNetwork.copyAeConfiguration');
    });
    result = { node: node.name, ok: false, message };
  }
  app.tree.refresh(app.tree.rootOf(node.name), { requery: false });
  return result;
}
