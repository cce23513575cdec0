// Entry of the extension-host suite (the @vscode/test-electron contract): VS Code loads this
// module inside the extension host and awaits run(); a rejection means the suite failed.
// Runs every *.test.js next to it with mocha's BDD interface.
//
// Under node out/test/vscode/run.js the peers already run and the user settings point at them.
// Started any other way (desktop VS Code's "Extension Tests"), the suite starts the peers itself
// and writes those settings before the tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { FIXTURES_ENV } from '../fixtures/info';
import { suiteStartMarker } from '../harness/protocol';

async function ownPeers(): Promise<(() => Promise<void>) | undefined> {
  if (process.env[FIXTURES_ENV]) return undefined;
  // A computed path keeps the peers' code out of the suite's own module graph when not needed.
  const { startFixtures } = require(join(__dirname, '..', 'fixtures', 'index')) as typeof import('../fixtures/index');
  // In desktop VS Code the extension host is Electron: the peers' `node dist/cli.js` children need it to act as Node.
  if (process.versions.electron) process.env.ELECTRON_RUN_AS_NODE = '1';
  const peers = await startFixtures();
  const config = vscode.workspace.getConfiguration();
  for (const [key, value] of Object.entries(peers.userSettings())) await config.update(key, value, vscode.ConfigurationTarget.Global);
  return () => peers.stop();
}

export async function run(): Promise<void> {
  const stopPeers = await ownPeers();
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000 });
  const grep = process.env.DICOMNET_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  console.log(suiteStartMarker);
  try {
    await new Promise<void>((resolveRun, reject) => {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed.`));
        else resolveRun();
      });
    });
  } finally {
    await stopPeers?.();
  }
}
