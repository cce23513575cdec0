// The extension bundle (dist/extension.js) as VS Code loads it at activation. Each module takes
// VS Code's API object as it is (`import vscode = require('vscode')`): `import * as vscode` makes
// esbuild copy the object into a namespace of its own in every importing module, one getter per API
// name (some 500), which cost about 30 ms of CPU time while the bundle loaded (5–6 ms without).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/processes';

test('dist/extension.js requires vscode without copying its API object into namespaces', () => {
  const bundle = readFileSync(path.join(REPO_ROOT, 'dist', 'extension.js'), 'utf8');
  assert.ok((bundle.match(/require\("vscode"\)/g) ?? []).length > 0, 'the bundle requires vscode');
  assert.deepEqual(bundle.match(/[\w$]+\(require\("vscode"\)\)/g) ?? [], [], 'a module imports vscode as an ES namespace (import * as vscode, or named imports): use import vscode = require(\'vscode\')');
});
