// Where the VS Code tools live. scripts/vscode-tools.mjs is the one source of those paths and
// the installer; it is an ES module, loaded here with a real dynamic import (TypeScript's
// CommonJS output would turn `import()` into `require()`).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository root (this file runs from out/test/vscode/harness/). */
export const repoRoot = resolve(__dirname, '..', '..', '..', '..');

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
