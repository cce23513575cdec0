/// <reference types="mocha" />
// Runs inside VS Code's extension host: the real `vscode` API against the built extension.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const extensionId = 'dicomnet.dicom-network';

describe('DICOM Network extension', () => {
  let ext: vscode.Extension<unknown>;

  // Commands are registered by activate(); each test must also pass when run alone (--grep).
  before(async () => {
    const found = vscode.extensions.getExtension(extensionId);
    assert.ok(found, `${extensionId} is not loaded`);
    ext = found;
    await ext.activate();
  });

  it('is installed from this repository and active', () => {
    assert.equal(ext.isActive, true);
    assert.equal(ext.packageJSON.name, 'dicom-network');
    assert.equal(ext.packageJSON.main, './dist/extension.js');
  });

  it('registers dicomNetwork.showLog', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('dicomNetwork.showLog'));
  });

  it('runs dicomNetwork.showLog', async () => {
    await vscode.commands.executeCommand('dicomNetwork.showLog');
  });

  it('contributes the Nodes and DICOM Associations views to the DICOM container', async () => {
    const views = ext.packageJSON?.contributes?.views?.dicomNetwork as { id: string; name: string }[] | undefined;
    assert.deepEqual(views?.map((v) => [v.id, v.name]), [['dicomNetwork.nodes', 'Nodes'], ['dicomNetwork.associations', 'DICOM Associations']]);
    // A view's focus command exists only when VS Code registered the view.
    await vscode.commands.executeCommand('dicomNetwork.nodes.focus');
    await vscode.commands.executeCommand('dicomNetwork.associations.focus');
  });
});
