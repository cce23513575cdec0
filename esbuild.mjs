// Bundles the extension, the CLI and the webview scripts into dist/.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const targets = [];
if (existsSync('src/cli/main.ts')) {
  targets.push({
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  });
}
if (existsSync('src/extension/extension.ts')) {
  targets.push({
    ...common,
    // Two bundles: the thin extension entry, and the engine facade it require()s on first use
    // (so activation does not evaluate the engine).
    entryPoints: existsSync('src/extension/engine/facade.ts')
      ? { extension: 'src/extension/extension.ts', engine: 'src/extension/engine/facade.ts' }
      : { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  });
}
const mediaEntries = existsSync('media')
  ? readdirSync('media').filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).map((f) => join('media', f))
  : [];
if (mediaEntries.length > 0) {
  targets.push({
    ...common,
    entryPoints: mediaEntries,
    outdir: 'dist/media',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'css', '.ttf': 'file', '.woff2': 'file' },
  });
}

if (watch) {
  for (const t of targets) (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
