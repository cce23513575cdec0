// Reading and writing the extension's settings (dicomNetwork.*).
import * as path from 'node:path';
import vscode = require('vscode');
import { ParsedNodes, RemoteNode, nodeToSetting, parseNodes } from './nodes';

const SECTION = 'dicomNetwork';

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

export function readNodes(): ParsedNodes {
  return parseNodes(config().get('nodes'));
}

/** The settings scope that holds the effective node list (a workspace list replaces the user list). */
function nodesTarget(): vscode.ConfigurationTarget {
  const inspected = config().inspect<unknown[]>('nodes');
  if (inspected?.workspaceFolderValue !== undefined) return vscode.ConfigurationTarget.WorkspaceFolder;
  if (inspected?.workspaceValue !== undefined) return vscode.ConfigurationTarget.Workspace;
  return vscode.ConfigurationTarget.Global;
}

function rawNodes(): unknown[] {
  const value = config().get<unknown>('nodes');
  return Array.isArray(value) ? [...value] : [];
}

function nameOf(entry: unknown): string | undefined {
  return entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string' ? (entry as { name: string }).name.trim() : undefined;
}

/** Adds a node, or replaces the entry named `replacing` (keeping its place and any keys we do not know). */
export async function saveNode(node: RemoteNode, replacing?: string): Promise<void> {
  const list = rawNodes();
  const entry = nodeToSetting(node);
  const index = replacing === undefined ? -1 : list.findIndex((e) => nameOf(e) === replacing);
  if (index >= 0) {
    const old = list[index] as Record<string, unknown>;
    const known = ['name', 'type', 'aeTitle', 'host', 'port', 'tls', 'callingAeTitle', 'retrieveMethod', 'storageCommitment', 'username', 'url', 'auth', 'studyFilter'];
    const kept = Object.fromEntries(Object.entries(old).filter(([k]) => !known.includes(k)));
    list[index] = { ...kept, ...entry };
  } else {
    list.push(entry);
  }
  await config().update('nodes', list, nodesTarget());
}

export async function removeNode(name: string): Promise<boolean> {
  const list = rawNodes();
  const kept = list.filter((e) => nameOf(e) !== name);
  if (kept.length === list.length) return false;
  await config().update('nodes', kept, nodesTarget());
  return true;
}

export interface LocalScpConfig {
  aeTitle: string;
  port: number;
  bindAddress: string;
  autoStart: boolean;
  /** As written in the setting (relative to the workspace, or absolute). */
  storageFolder: string;
  /** Abort an association idle this long (0 = never). */
  idleTimeoutSeconds: number;
  /** Transfer syntax to store received instances in (a name such as jpeg-ls-lossless, or a UID); '' = as received. */
  storeAs: string;
}

function nonNegative(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function localScpConfig(): LocalScpConfig {
  const c = config();
  const port = c.get<number>('localScp.port', 11112);
  return {
    aeTitle: (c.get<string>('localScp.aeTitle', 'DICOMNET') || 'DICOMNET').trim(),
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 11112,
    bindAddress: (c.get<string>('localScp.bindAddress', '127.0.0.1') || '127.0.0.1').trim(),
    autoStart: c.get<boolean>('localScp.autoStart', false),
    storageFolder: (c.get<string>('localScp.storageFolder', 'dicom-inbox') || 'dicom-inbox').trim(),
    idleTimeoutSeconds: nonNegative(c.get<number>('localScp.idleTimeoutSeconds', 120), 120),
    storeAs: (c.get<string>('localScp.storeAs', '') ?? '').trim(),
  };
}

/** The storage folder as an absolute path: relative to the first workspace folder, else to the extension's storage. */
export function storageFolderPath(setting: string, globalStorage: vscode.Uri): string {
  if (path.isAbsolute(setting)) return setting;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (root && root.scheme === 'file') return path.join(root.fsPath, setting);
  return path.join(globalStorage.fsPath, setting);
}

/** Writes the local SCP port where it will take effect (the workspace when one is open). */
export async function setLocalScpPort(port: number): Promise<void> {
  const inspected = config().inspect<number>('localScp.port');
  const target = inspected?.workspaceValue !== undefined || vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await config().update('localScp.port', port, target);
}

export function timeoutSeconds(): number {
  const t = config().get<number>('timeoutSeconds', 30);
  return typeof t === 'number' && t > 0 ? t : 30;
}

/** How long to wait for a storage commitment report once the N-ACTION was accepted. */
export function commitmentWaitSeconds(): number {
  const t = config().get<number>('storageCommitment.waitSeconds', 60);
  return typeof t === 'number' && t > 0 ? t : 60;
}

export function affectsNodes(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(`${SECTION}.nodes`);
}

export function affectsLocalScp(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(`${SECTION}.localScp`);
}

export const DEFAULT_ASSOCIATIONS_KEPT = 100;
export const MAX_ASSOCIATIONS_KEPT = 10_000;

/** How many closed associations the DICOM Associations view keeps (dicomNetwork.associations.keep). */
export function associationsKept(): number {
  const n = config().get<number>('associations.keep', DEFAULT_ASSOCIATIONS_KEPT);
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_ASSOCIATIONS_KEPT) : DEFAULT_ASSOCIATIONS_KEPT;
}

export function affectsAssociations(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(`${SECTION}.associations`);
}
