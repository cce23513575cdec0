// Where the VS Code tools live. scripts/vscode-tools.mjs is the one source of those paths and
// the installer; it is an ES module, loaded here with a real dynamic import (TypeScript's
// CommonJS output would turn `import()` into `require()`).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The repository root: the nearest folder above this module with scripts/vscode-tools.mjs (it
 * runs from out/test/vscode/harness/, or bundled into .tools/ by scripts/start.mjs).
 */
export const repoRoot = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'vscode-tools.mjs'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No repository (scripts/vscode-tools.mjs) above ${from}.`);
  }
}

export interface VscodeTools {
  node24Path: string;
  codeServerEntry: string;
  chromiumPath: string;
  toolsDir: string;
  vscodeToolsPresent(): boolean;
  ensureVscodeTools(options?: { quiet?: boolean }): { node24Path: string; codeServerEntry: string };
}

const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

let loaded: Promise<VscodeTools> | undefined;

export function loadVscodeTools(): Promise<VscodeTools> {
  loaded ??= importEsm(pathToFileURL(resolve(repoRoot, 'scripts', 'vscode-tools.mjs')).href) as Promise<VscodeTools>;
  return loaded;
}
