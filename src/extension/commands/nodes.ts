// DICOM: Add Node… (a wizard that ends with a test echo), Edit Node…, Remove Node….
import * as vscode from 'vscode';
import {
  DicomwebAuth, DicomwebNode, DimseNode, RemoteNode, RetrieveMethod, aeTitleProblem, hostProblem, nodeAddress,
  portProblem, urlProblem, LOCAL_NODE_NAME, studyDateProblem,
} from '../config/nodes';
import { readNodes, removeNode, saveNode } from '../config/settings';
import type { App } from '../app';
import { notify } from '../ui/notify';
import { ask, choose, pickNode } from '../ui/pick';
import { echoNode } from './echo';

/** Fields Add Node… can be given instead of asking (tests, links, other extensions). */
export interface AddNodeArgs {
  kind?: 'dimse' | 'dicomweb';
  name?: string;
  aeTitle?: string;
  host?: string;
  port?: number;
  retrieveMethod?: RetrieveMethod;
  callingAeTitle?: string;
  url?: string;
  auth?: DicomwebAuth;
  username?: string;
  /** Password or token, stored in secret storage. */
  secret?: string;
  /** Run the test echo at the end (default true). */
  echo?: boolean;
}

function nameProblem(name: string, except?: string): string | undefined {
  const taken = readNodes().nodes.some((n) => n.name.toLowerCase() === name.trim().toLowerCase() && n.name !== except);
  if (taken || name.trim().toLowerCase() === LOCAL_NODE_NAME.toLowerCase()) return `There is already a node named "${name.trim()}".`;
  return undefined;
}

function portText(text: string): number {
  return Number(text.trim());
}

export async function addNode(app: App, argument?: unknown): Promise<RemoteNode | undefined> {
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
  let node: RemoteNode;
  if (kind === 'dimse') {
    const host = args.host ?? await ask({ title, prompt: 'Host name or IP address of the node', value: '127.0.0.1', validate: hostProblem });
    if (!host) return undefined;
    const portAnswer = args.port !== undefined ? String(args.port) : await ask({ title, prompt: 'TCP port', value: '104', validate: portProblem });
    if (!portAnswer) return undefined;
    const aeTitle = args.aeTitle ?? await ask({ title, prompt: 'AE title of the node (the called AE title)', placeHolder: 'e.g. PACS', validate: aeTitleProblem });
    if (!aeTitle) return undefined;
    const retrieveMethod = args.retrieveMethod ?? await choose<RetrieveMethod>(title, [
      { label: 'C-MOVE', description: 'the node sends to the local SCP (it must know its AE title, host and port)', value: 'C-MOVE' },
      { label: 'C-GET', description: 'instances come back over the same association', value: 'C-GET' },
    ], 'How should studies be retrieved from it?');
    if (!retrieveMethod) return undefined;
    const problem = hostProblem(host) ?? portProblem(portAnswer) ?? aeTitleProblem(aeTitle);
    if (problem) {
      void notify('error', `Add Node: ${problem}`);
      return undefined;
    }
    const dimse: DimseNode = {
      kind: 'dimse', name, host, port: portText(portAnswer), aeTitle: aeTitle.trim(), retrieveMethod,
      callingAeTitle: args.callingAeTitle, username: args.username, studyFilter: { studyDate: 'last7days' },
    };
    node = dimse;
  } else {
    const url = args.url ?? await ask({ title, prompt: 'Base URL of the DICOMweb service', placeHolder: 'https://pacs.example.org/dicom-web', validate: urlProblem });
    if (!url) return undefined;
    const auth = args.auth ?? await choose<DicomwebAuth>(title, [
      { label: 'None', value: 'none' },
      { label: 'Basic', description: 'user name and password', value: 'basic' },
      { label: 'Bearer token', value: 'bearer' },
    ], 'Authentication');
    if (!auth) return undefined;
    let username = args.username;
    if (auth === 'basic' && !username) {
      username = await ask({ title, prompt: 'User name' });
      if (!username) return undefined;
    }
    let secret = args.secret;
    if (auth !== 'none' && secret === undefined) {
      secret = await ask({ title, prompt: auth === 'basic' ? 'Password (kept in secret storage)' : 'Token (kept in secret storage)', password: true });
      if (secret === undefined) return undefined;
    }
    if (secret) await app.secrets.set(name, secret);
    const web: DicomwebNode = { kind: 'dicomweb', name, url: url.replace(/\/+$/, ''), auth, username, studyFilter: { studyDate: 'last7days' } };
    node = web;
  }
  if (args.secret && kind === 'dimse') await app.secrets.set(name, args.secret);
  await saveNode(node);
  app.log.info(`node ${node.name} added (${nodeAddress(node)})`);
  app.tree.refresh();
  if (args.echo === false) return node;
  await echoNode(app, node.name);
  return node;
}

type Field = 'name' | 'host' | 'port' | 'aeTitle' | 'callingAeTitle' | 'retrieveMethod' | 'tls' | 'username' | 'secret' | 'url' | 'auth' | 'studyDate';

export interface EditNodeArgs {
  node: string;
  field: Field;
  value: string;
}

async function askField(node: RemoteNode, field: Field, title: string): Promise<string | undefined> {
  switch (field) {
    case 'name': return ask({ title, prompt: 'Name', value: node.name, validate: (t) => nameProblem(t, node.name) });
    case 'host': return ask({ title, prompt: 'Host', value: node.kind === 'dimse' ? node.host : '', validate: hostProblem });
    case 'port': return ask({ title, prompt: 'Port', value: node.kind === 'dimse' ? String(node.port) : '', validate: portProblem });
    case 'aeTitle': return ask({ title, prompt: 'AE title of the node', value: node.kind === 'dimse' ? node.aeTitle : '', validate: aeTitleProblem });
    case 'callingAeTitle': return ask({ title, prompt: 'Calling AE title for this node (empty: the local SCP\'s AE title)', value: node.kind === 'dimse' ? node.callingAeTitle ?? '' : '', optional: true, validate: aeTitleProblem });
    case 'retrieveMethod': return choose(title, [{ label: 'C-MOVE', value: 'C-MOVE' }, { label: 'C-GET', value: 'C-GET' }], 'Retrieve with');
    case 'tls': return choose(title, [{ label: 'Plain TCP', value: 'off' }, { label: 'DICOM over TLS (verify the certificate)', value: 'on' }], 'Transport');
    case 'username': return ask({ title, prompt: 'User name (empty: none)', value: node.username ?? '', optional: true });
    case 'secret': return ask({ title, prompt: 'Password or token (empty: remove it). Kept in secret storage.', password: true, optional: true });
    case 'url': return ask({ title, prompt: 'Base URL', value: node.kind === 'dicomweb' ? node.url : '', validate: urlProblem });
    case 'auth': return choose(title, [{ label: 'None', value: 'none' }, { label: 'Basic', value: 'basic' }, { label: 'Bearer token', value: 'bearer' }], 'Authentication');
    case 'studyDate': return ask({ title, prompt: 'Studies listed by default: any, today, last7days, last30days, or a range 20240101-20240131', value: node.studyFilter.studyDate ?? 'any', validate: studyDateProblem });
  }
}

function withField(node: RemoteNode, field: Field, value: string): RemoteNode | string {
  const v = value.trim();
  switch (field) {
    case 'name': return nameProblem(v, node.name) ?? { ...node, name: v };
    case 'username': return { ...node, username: v || undefined };
    case 'studyDate': return studyDateProblem(v) ?? { ...node, studyFilter: { ...node.studyFilter, studyDate: v } };
    case 'secret': return node;
  }
  if (node.kind === 'dimse') {
    switch (field) {
      case 'host': return hostProblem(v) ?? { ...node, host: v };
      case 'port': return portProblem(v) ?? { ...node, port: Number(v) };
      case 'aeTitle': return aeTitleProblem(v) ?? { ...node, aeTitle: v };
      case 'callingAeTitle': return v === '' ? { ...node, callingAeTitle: undefined } : aeTitleProblem(v) ?? { ...node, callingAeTitle: v };
      case 'retrieveMethod': return v === 'C-GET' || v === 'C-MOVE' ? { ...node, retrieveMethod: v } : 'The retrieve method is C-MOVE or C-GET.';
      case 'tls': return { ...node, tls: v === 'on' || v === 'true' ? node.tls ?? {} : undefined };
      default: return `${field} does not apply to a DIMSE node.`;
    }
  }
  switch (field) {
    case 'url': return urlProblem(v) ?? { ...node, url: v.replace(/\/+$/, '') };
    case 'auth': return v === 'none' || v === 'basic' || v === 'bearer' ? { ...node, auth: v } : 'The authentication is none, basic or bearer.';
    default: return `${field} does not apply to a DICOMweb node.`;
  }
}

export async function editNode(app: App, arg?: unknown): Promise<RemoteNode | undefined> {
  const direct = arg && typeof arg === 'object' && 'field' in arg ? arg as EditNodeArgs : undefined;
  const node = await pickNode(app, direct ? direct.node : arg, { title: 'Edit Node', kinds: ['dimse', 'dicomweb'] }) as RemoteNode | undefined;
  if (!node) return undefined;
  const title = `Edit ${node.name}`;
  const hasSecret = (await app.secrets.get(node.name)) !== undefined;
  const fields: { label: string; description: string; value: Field }[] = node.kind === 'dimse' ? [
    { label: 'Name', description: node.name, value: 'name' },
    { label: 'AE title', description: node.aeTitle, value: 'aeTitle' },
    { label: 'Host', description: node.host, value: 'host' },
    { label: 'Port', description: String(node.port), value: 'port' },
    { label: 'TLS', description: node.tls ? 'on' : 'off', value: 'tls' },
    { label: 'Calling AE title', description: node.callingAeTitle ?? '(the local SCP\'s)', value: 'callingAeTitle' },
    { label: 'Retrieve method', description: node.retrieveMethod, value: 'retrieveMethod' },
    { label: 'User name', description: node.username ?? '(none)', value: 'username' },
    { label: 'Password', description: hasSecret ? '(set, in secret storage)' : '(none)', value: 'secret' },
    { label: 'Default study date', description: node.studyFilter.studyDate ?? 'any', value: 'studyDate' },
  ] : [
    { label: 'Name', description: node.name, value: 'name' },
    { label: 'URL', description: node.url, value: 'url' },
    { label: 'Authentication', description: node.auth, value: 'auth' },
    { label: 'User name', description: node.username ?? '(none)', value: 'username' },
    { label: node.auth === 'bearer' ? 'Token' : 'Password', description: hasSecret ? '(set, in secret storage)' : '(none)', value: 'secret' },
    { label: 'Default study date', description: node.studyFilter.studyDate ?? 'any', value: 'studyDate' },
  ];
  const field = direct?.field ?? await choose(title, fields, 'What to change?');
  if (!field) return undefined;
  const value = direct?.value ?? await askField(node, field, title);
  if (value === undefined) return undefined;
  if (field === 'secret') {
    await app.secrets.set(node.name, value || undefined);
    void notify('info', value ? `The secret of ${node.name} is stored.` : `The secret of ${node.name} is removed.`);
    return node;
  }
  const changed = withField(node, field, value);
  if (typeof changed === 'string') {
    void notify('error', `Edit Node: ${changed}`);
    return undefined;
  }
  await saveNode(changed, node.name);
  if (changed.name !== node.name) {
    await app.secrets.rename(node.name, changed.name);
    await app.state.rename(node.name, changed.name);
  }
  app.log.info(`node ${node.name} changed: ${field}`);
  app.tree.refresh();
  return changed;
}

export async function removeNodeCommand(app: App, arg?: unknown): Promise<boolean> {
  const confirmed = arg && typeof arg === 'object' && (arg as { confirmed?: unknown }).confirmed === true;
  const node = await pickNode(app, arg, { title: 'Remove Node', kinds: ['dimse', 'dicomweb'] });
  if (!node) return false;
  if (!confirmed) {
    const answer = await vscode.window.showWarningMessage(`Remove the node "${node.name}" (${node.kind === 'local' ? '' : nodeAddress(node as RemoteNode)}) and its stored secret?`, { modal: true }, 'Remove');
    if (answer !== 'Remove') return false;
  }
  const removed = await removeNode(node.name);
  await app.secrets.delete(node.name);
  await app.state.forget(node.name);
  if (removed) app.log.info(`node ${node.name} removed`);
  else void notify('warning', `${node.name} is not in dicomNetwork.nodes of the user or workspace settings; nothing was removed.`);
  app.tree.refresh();
  return removed;
}
