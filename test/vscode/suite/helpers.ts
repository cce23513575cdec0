// Shared by the extension-host tests: the extension's API, the fixture peers, bounded waits.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { DicomNetworkApi } from '../../../src/extension/extension';
import type { TreeElement } from '../../../src/extension/tree/elements';
import { waitUntil } from '../../helpers/wait';
import { FixtureInfo, fixtureInfoFromEnv } from '../fixtures/info';

export const EXTENSION_ID = 'dicomnet.dicom-network';

export async function extensionApi(): Promise<DicomNetworkApi> {
  const ext = vscode.extensions.getExtension<DicomNetworkApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  return ext.isActive ? ext.exports : ext.activate();
}

export function info(): FixtureInfo {
  return fixtureInfoFromEnv();
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with a workspace folder open');
  return folder.uri.fsPath;
}

/** Polls `check` until it returns a value other than undefined/false; fails after `timeoutMs`. */
export function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  return waitUntil(what, check, { timeoutMs, intervalMs: 100 });
}

export async function roots(api: DicomNetworkApi): Promise<TreeElement[]> {
  return (await api.tree.getChildren(undefined)) ?? [];
}

export async function root(api: DicomNetworkApi, name: string): Promise<TreeElement> {
  const found = (await roots(api)).find((e) => e.kind === 'node' && e.node.name === name);
  assert.ok(found, `no node "${name}" in the tree`);
  return found;
}

export async function children(api: DicomNetworkApi, e: TreeElement): Promise<TreeElement[]> {
  return (await api.tree.getChildren(e)) ?? [];
}

export async function label(api: DicomNetworkApi, e: TreeElement): Promise<{ label: string; description: string; contextValue: string }> {
  const item = await api.tree.getTreeItem(e);
  const l = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
  return { label: l, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue ?? '' };
}

export async function setNodeFilter(node: string, filter: Record<string, string>): Promise<void> {
  await vscode.commands.executeCommand('dicomNetwork.queryNode', { node, filter });
}

/** pydicom's reading of a file: the independent oracle for what arrived (async: the extension host keeps running). */
export function pydicomUids(files: readonly string[]): Promise<{ file: string; sop: string; study: string; series: string }[]> {
  if (files.length === 0) return Promise.resolve([]);
  const script = 'import json,sys,pydicom\nprint(json.dumps([dict(file=f,sop=str(d.SOPInstanceUID),study=str(d.StudyInstanceUID),series=str(d.SeriesInstanceUID)) for f in sys.argv[1:] for d in [pydicom.dcmread(f, stop_before_pixels=True)]]))';
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`pydicom failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout));
    });
  });
}
