// The release artifacts this suite checks, written by `npm run package` (scripts/test.mjs runs it
// before the suite), and the rules both share.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/processes';

export const ROOT_MANIFEST = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  [key: string]: unknown;
};
export const VERSION = ROOT_MANIFEST.version;

/** Size budgets, in packaging/budgets.json (the README's Releasing section says why these). */
export const BUDGETS = JSON.parse(readFileSync(path.join(REPO_ROOT, 'packaging', 'budgets.json'), 'utf8')) as Record<'vsix' | 'npm', { maxBytes: number }>;

export function artifact(kind: 'vsix' | 'npm'): string {
  const file = path.join(REPO_ROOT, 'release', kind === 'vsix' ? `${ROOT_MANIFEST.name}-${VERSION}.vsix` : `dicomnet-${VERSION}.tgz`);
  if (!existsSync(file)) throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run npm run package before this suite`);
  return file;
}

/** Folders of the development tree that no artifact may hold anything from. */
const DEVELOPMENT_FOLDERS = ['src', 'test', 'bench', 'docs', '.ci', 'node_modules', 'scripts', 'out', 'build', 'release', 'packaging', '.vscode', '.tools', '.git'];

/** Why a path inside an artifact (relative to its root) must not ship, or undefined. */
export function developmentFile(relative: string): string | undefined {
  const parts = relative.split('/');
  const folder = parts.find((p) => DEVELOPMENT_FOLDERS.includes(p));
  if (folder) return `${relative} is from ${folder}/`;
  if (/\.map$/.test(relative)) return `${relative} is a source map`;
  if (/\.ts$/.test(relative) && !/\.d\.ts$/.test(relative)) return `${relative} is a TypeScript source`;
  if (/\.(vsix|tgz|log)$/.test(relative)) return `${relative} is a build or log file`;
  return undefined;
}

/** Width and height of a PNG (its IHDR chunk). */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.toString('latin1', 1, 4) !== 'PNG' || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG file');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
