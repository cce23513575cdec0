// The packaged-extension smoke run's artifact and record: where `npm run package` writes the VSIX,
// and test-results/vscode/packaged-extension.json, which the run writes and `npm run bench` reads.
// No imports beyond Node's: the benchmark bundles this module too.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The name of the smoke run's one UI test (run.ts checks a --grep against it). */
export const PACKAGED_TEST_NAME = 'the packaged extension, installed from its VSIX: Nodes view, Echo, Find… results, CT_small.dcm decoded';

export interface PackagedExtensionRun {
  version: string;
  measuredAt: string;
  vsixBytes: number;
  /** VS Code's own measure (Developer: Show Running Extensions): code loading plus the activate() call. */
  activationMs: number;
  /** activate() alone, as the extension logs it ("DICOM Network … activated in N ms"). */
  activateCallMs?: number;
  /** Installed files under dist/ and their sizes in bytes. */
  bundles: Record<string, number>;
}

/** release/<name>-<version>.vsix, as scripts/package.mjs names it. */
export function packagedVsix(repo: string): string {
  const { name, version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; version: string };
  return join(repo, 'release', `${name}-${version}.vsix`);
}

export function packagedRunFile(repo: string): string {
  return join(repo, 'test-results', 'vscode', 'packaged-extension.json');
}

/** Every file under `dir`, relative to `root`, with its size. */
export function fileSizes(root: string, dir = root): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) Object.assign(sizes, fileSizes(root, full));
    else sizes[relative(root, full)] = statSync(full).size;
  }
  return sizes;
}

export function writePackagedRun(repo: string, run: PackagedExtensionRun): string {
  const file = packagedRunFile(repo);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  return file;
}
