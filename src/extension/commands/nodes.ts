// DICOM: Add Node… (a wizard that ends with a test echo), Edit Node…, Remove Node….
import vscode = require('vscode');
import type { RemoteNode } from '../config';
import { removeNode, saveNode } from '../config';
import { notify } from '../ui';
import { ask, choose, pickNode } from './pick';
import type { CommandDeps } from './deps';
import { echoNode } from './echo';
import { AddNodeArgs, Field, NEW_NODE_QUESTIONS, editableFields, nameProblem } from './node-fields';

export type NodeCommandDeps = Pick<CommandDeps, 'nodes' | 'state' | 'secrets' | 'log' | 'tree'>;

export async function addNode(deps: NodeCommandDeps, argument?: unknown): Promise<RemoteNode | undefined> {
  const args: AddNodeArgs = argument && typeof argument === 'object' && !('kind' in argument && (argument as { kind: unknown }).kind === 'node') ? argument as AddNodeArgs : {};
  const title = 'Add Node';
  const kind = args.kind ?? await choose(title, [
    { label: '$(server) DIMSE node', description: 'AE title, host and port: C-ECHO, C-FIND, C-MOVE, C-GET, C-STORE', value: 'dimse' as const },
    { label: '$(globe) DICOMweb node', description: 'base URL: QIDO-RS, WADO-RS, STOW-RS', value: 'dicomweb' as const },
  ], 'What kind of node?');
  if (!kind) return undefined;
  const name = args.name ?? await ask({ title, prompt: 'Name shown in the Nodes view', placeHolder: 'e.g. Hospital PACS', validate: (t) => nameProblem(t) });
  if (!name) return undefined;
  const clash = nameProblem(name);
  if (clash) {
    void notify('error', clash);
    return undefined;
  }
  const answer = await NEW_NODE_QUESTIONS[kind](name, args, title);
  if (!answer) return undefined;
  if ('problem' in answer) {
    void notify('error', `Add Node: ${answer.problem}`);
    return undefined;
  }
  const { node, secret } = answer;
  if (secret) await deps.secrets.set(name, secret);
  await saveNode(node);
  deps.log.info(`node ${node.name} added (${deps.nodes.backend(node).address()})`);
  deps.tree.refresh();
  if (args.echo === false) return node;
  await echoNode(deps, node.name);
  return node;
}

export interface EditNodeArgs {
  node: string;
  field: Field;
  value: string;
}

export async function editNode(deps: NodeCommandDeps, arg?: unknown): Promise<RemoteNode | undefined> {
  const direct = arg && typeof arg === 'object' && 'field' in arg ? arg as EditNodeArgs : undefined;
  const backend = await pickNode(deps, direct ? direct.node : arg, { title: 'Edit Node', needs: 'edit' });
  const node = backend?.settings;
  if (!backend || !node) return undefined;
  const title = `Edit ${node.name}`;
  const hasSecret = (await deps.secrets.get(node.name)) !== undefined;
  const fields = editableFields(node, hasSecret);
  const field = direct?.field ?? await choose(title, fields.map((f) => ({ label: f.label, description: f.description, value: f.field })), 'What to change?');
  if (!field) return undefined;
  const editable = fields.find((f) => f.field === field);
  if (!editable) {
    void notify('error', `Edit Node: ${field} does not apply to ${backend.kindLabel}.`);
    return undefined;
  }
  const value = direct?.value ?? await editable.ask(title);
  if (value === undefined) return undefined;
  if (field === 'secret') {
    await deps.secrets.set(node.name, value || undefined);
    void notify('info', value ? `The secret of ${node.name} is stored.` : `The secret of ${node.name} is removed.`);
    return node;
  }
  const changed = editable.apply(value.trim());
  if (typeof changed === 'string') {
    void notify('error', `Edit Node: ${changed}`);
    return undefined;
  }
  await saveNode(changed, node.name);
  if (changed.name !== node.name) {
    await deps.secrets.rename(node.name, changed.name);
    await deps.state.rename(node.name, changed.name);
  }
  deps.log.info(`node ${node.name} changed: ${field}`);
  deps.tree.refresh();
  return changed;
}

export async function removeNodeCommand(deps: NodeCommandDeps, arg?: unknown): Promise<boolean> {
  const confirmed = arg && typeof arg === 'object' && (arg as { confirmed?: unknown }).confirmed === true;
  const backend = await pickNode(deps, arg, { title: 'Remove Node', needs: 'edit' });
  if (!backend) return false;
  const name = backend.node.name;
  if (!confirmed) {
    const answer = await vscode.window.showWarningMessage(`Remove the node "${name}" (${backend.address()}) and its stored secret?`, { modal: true }, 'Remove');
    if (answer !== 'Remove') return false;
  }
  const removed = await removeNode(name);
  await deps.secrets.delete(name);
  await deps.state.forget(name);
  if (removed) deps.log.info(`node ${name} removed`);
  else void notify('warning', `${name} is not in dicomNetwork.nodes of the user or workspace settings; nothing was removed.`);
  deps.tree.refresh();
  return removed;
}
