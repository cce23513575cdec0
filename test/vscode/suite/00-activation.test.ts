/// <reference types="mocha" />
// Activation is lazy: the extension activates without evaluating the engine bundle; the first
// DICOM command loads it. Runs first (file name), before anything else touches the engine.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, extensionApi, info } from './helpers';

function engineInRequireCache(): boolean {
  return Object.keys(require.cache).some((k) => k.endsWith(`${path.sep}dist${path.sep}engine.js`));
}

describe('lazy activation', () => {
  it('activates on startup without loading the engine', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    assert.deepEqual(ext.packageJSON.activationEvents, ['onStartupFinished']);
    const api = await extensionApi();
    assert.equal(ext.isActive, true);
    assert.equal(api.engineLoaded(), false, 'the engine was loaded by activation');
    assert.equal((globalThis as Record<string, unknown>).__dicomNetworkEngineLoaded, undefined);
    assert.equal(engineInRequireCache(), false, 'dist/engine.js is in require.cache after activation');
    // Listing the nodes (what the view shows first) needs no engine either.
    const roots = await api.tree.getChildren(undefined);
    assert.ok((roots ?? []).length >= 2);
    assert.equal(api.engineLoaded(), false, 'listing the nodes loaded the engine');
  });

  it('loads the engine on the first DICOM command', async () => {
    const api = await extensionApi();
    const result = await vscode.commands.executeCommand<{ ok: boolean }>('dicomNetwork.echoNode', info().demoPacs.name);
    assert.equal(result?.ok, true);
    assert.equal(api.engineLoaded(), true);
    assert.equal((globalThis as Record<string, unknown>).__dicomNetworkEngineLoaded, true);
    assert.equal(engineInRequireCache(), true);
  });
});
