// Entry of the extension-host suite (the @vscode/test-electron contract): VS Code loads this
// module inside the extension host and awaits run(); a rejection means the suite failed.
// Runs every *.test.js next to it with mocha's BDD interface.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { suiteStartMarker } from '../harness/protocol';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000 });
  const grep = process.env.DICOMNET_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  console.log(suiteStartMarker);
  return new Promise((resolveRun, reject) => {
    mocha.run((failures) => {
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed.`));
      else resolveRun();
    });
  });
}
