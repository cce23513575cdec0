// Builds the dicomnet npm package (the engine and the CLI) from src/ into a staging folder and packs
// it with `npm pack`:
//   dist/index.cjs   src/index.ts bundled (CommonJS); dependencies stay external and are declared
//   dist/index.mjs   the ES module entry: re-exports index.cjs, so both module systems share one copy
//   dist/cli.cjs     the dicomnet command (bin): loads cli-main.cjs, the tool, through a V8 code
//                    cache kept in the user's cache folder (src/cli/code-cache.ts), or for echo,
//                    find and get their own bundle (src/cli/bundles.ts)
//   dist/cli-main.cjs the command-line tool
//   dist/cli-echo.cjs, cli-find.cjs, cli-get.cjs  those commands alone (scripts/cli-bundles.mjs)
//   dist/dictionary-data.cjs  the data dictionary's table (200 kB), required by the bundles
//                    instead of bundled into each
//   dist/codec-worker.js  the codec worker thread both start for conversions (dcmjs-codecs, a
//                    declared dependency, finds its WebAssembly module in node_modules)
// Bundles are minified except for names (stack traces and error classes stay readable), without
// source maps.
//   dist/types/      declarations from tsc; dist/index.d.mts points the ES module entry at them
// package.json is packaging/dicomnet/package.json with the repository's version and the runtime
// dependencies the bundles import (ranges from the root package.json).
import { execFileSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { cliBuilds, sharedDictionary } from '../cli-bundles.mjs';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The package a bare import names ('pako/lib/x' → 'pako', '@s/p/x' → '@s/p'). */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

async function bundle(root, entry, outfile, extra = {}) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    metafile: true,
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    ...extra,
  });
  const imported = new Set();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const i of input.imports) {
      // Relative paths here are type-only imports esbuild dropped; bare ones are real dependencies.
      if (i.external && !BUILTINS.has(i.path) && !/^[./]/.test(i.path)) imported.add(packageOf(i.path));
    }
  }
  return imported;
}

/** dist/index.mjs: one named export per export of index.cjs. */
function writeEsmEntry(dist) {
  const names = Object.keys(createRequire(import.meta.url)(join(dist, 'index.cjs'))).sort();
  const bad = names.filter((n) => !/^[A-Za-z_$][\w$]*$/.test(n));
  if (bad.length) throw new Error(`index.cjs exports names that are not identifiers: ${bad.join(', ')}.`);
  writeFileSync(join(dist, 'index.mjs'), [
    '// The ES module entry of dicomnet: the CommonJS build re-exported, so that require() and import',
    '// share one copy of the engine (instanceof and module state hold across both).',
    "import engine from './index.cjs';",
    '',
    `export const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = engine;`,
    '',
  ].join('\n'));
  writeFileSync(join(dist, 'index.d.mts'), "export * from './types/index.js';\n");
  return names;
}

/**
 * Removes the declaration files that index.d.ts does not reach (tsc writes one per compiled
 * module): the package ships the types of its API, not of every internal module.
 */
function pruneDeclarations(typesDir) {
  const reached = new Set();
  const pending = [join(typesDir, 'index.d.ts')];
  while (pending.length) {
    const file = pending.pop();
    if (reached.has(file)) continue;
    reached.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from\s+|import\()['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, ''));
      pending.push(readdirSync(dirname(target)).includes(`${target.split('/').pop()}.d.ts`) ? `${target}.d.ts` : join(target, 'index.d.ts'));
    }
  }
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const file of walk(typesDir)) if (!reached.has(file)) rmSync(file);
  for (const file of reached) if (!file.startsWith(typesDir)) throw new Error(`${relative(typesDir, file)} is outside the declarations folder.`);
}

/**
 * Builds and packs the package; returns the tarball's path.
 * @param {{ root: string, stage: string, out: string, version: string }} o
 */
export async function packDicomnet(o) {
  const [root, stage, out] = [o.root, o.stage, o.out].map((p) => resolve(p));
  const { version } = o;
  rmSync(stage, { recursive: true, force: true });
  const dist = join(stage, 'dist');
  mkdirSync(dist, { recursive: true });

  const imported = new Set([
    ...await bundle(root, 'src/index.ts', join(dist, 'index.cjs'), { plugins: [sharedDictionary] }),
    ...(await Promise.all(cliBuilds(dist, 'cli.cjs').map(({ entryPoints: [entry], outfile, ...extra }) => bundle(root, entry, outfile, extra)))).flatMap((s) => [...s]),
    ...await bundle(root, 'src/dicom/codecs/codec-worker.ts', join(dist, 'codec-worker.js'), { plugins: [sharedDictionary] }),
  ]);
  writeEsmEntry(dist);
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p', join(root, 'packaging', 'dicomnet', 'tsconfig.json'), '--outDir', join(dist, 'types')], { stdio: 'inherit' });
  pruneDeclarations(join(dist, 'types'));

  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dependencies = {};
  for (const name of [...imported].sort()) {
    const range = rootManifest.dependencies?.[name];
    if (!range) throw new Error(`The dicomnet package imports "${name}", which is not a dependency in package.json.`);
    dependencies[name] = range;
  }
  const template = JSON.parse(readFileSync(join(root, 'packaging', 'dicomnet', 'package.json'), 'utf8'));
  const { name, description, ...rest } = template;
  const manifest = { name, version, description, ...rest, dependencies };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(root, 'packaging', 'dicomnet', 'README.md'), join(stage, 'README.md'));
  copyFileSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
  copyFileSync(join(root, 'CHANGELOG.md'), join(stage, 'CHANGELOG.md'));

  mkdirSync(out, { recursive: true });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--loglevel=warn', '--pack-destination', out], {
    cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  }));
  return join(out, packed[0].filename);
}
