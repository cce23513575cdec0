// Bundles the extension, the CLI, the codec and frame-decoding workers and the webview scripts into dist/.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cliBuilds } from './scripts/cli-bundles.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const require = createRequire(import.meta.url);

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist' };

const targets = [];
if (existsSync('src/cli/main.ts')) {
  // The CLI is the executable (small: it loads another bundle through the V8 code cache,
  // src/cli/code-cache.ts), the bundles beside it, named like it with "-main" (the full tool)
  // or "-<command>" (a command's own, src/cli/bundles.ts), and the dictionary's table they share
  // (scripts/cli-bundles.mjs lists them).
  // Minified as the npm package has them (names too in a production build; the VSIX ships no CLI).
  const { outdir, ...cliNode } = node;
  for (const build of cliBuilds(outdir, 'cli.js')) targets.push({ ...cliNode, ...build });
}
if (existsSync('src/extension/extension.ts')) {
  targets.push({
    ...node,
    // Two bundles: the thin extension entry, and the engine facade it require()s on first use
    // (so activation does not evaluate the engine).
    // Modules take `vscode` with `import vscode = require('vscode')`: an ES namespace import would
    // copy the API object once per module while the bundle loads (test/unit/extension/bundle.test.ts).
    entryPoints: existsSync('src/extension/engine/facade.ts')
      ? { extension: 'src/extension/extension.ts', engine: 'src/extension/engine/facade.ts' }
      : { extension: 'src/extension/extension.ts' },
    external: ['vscode'],
  });
}
// The worker thread that decodes frames for the image preview (the codec layer bundled in; its
// WebAssembly codecs are copied next to it below).
if (existsSync('src/dicom/pixels/pixel-worker.ts')) {
  targets.push({ ...node, entryPoints: { 'pixel-worker': 'src/dicom/pixels/pixel-worker.ts' } });
}
// The codec worker threads (dcmjs-codecs bundled in; its WebAssembly module is copied next to it below).
if (existsSync('src/dicom/codecs/codec-worker.ts')) {
  targets.push({ ...node, entryPoints: { 'codec-worker': 'src/dicom/codecs/codec-worker.ts' } });
}
// The webviews' front-ends (browser, no Node), served from dist/media/webview/ only.
const webviewEntries = {
  'query-results': 'media/webview/query-results.ts',
  'dataset-viewer': 'media/webview/dataset-viewer.ts',
  'association-detail': 'media/webview/association-detail.ts',
  codicon: 'media/webview/codicon.css',
};
if (Object.values(webviewEntries).every((f) => existsSync(f))) {
  targets.push({
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/media/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.ttf': 'file' },
  });
}

// dcmjs-codecs' WebAssembly module, used by the codec workers and the preview's worker alike.
function copyCodecs() {
  let wasm;
  try {
    wasm = require.resolve('dcmjs-codecs/build/dcmjs-native-codecs.wasm');
  } catch {
    return; // not installed: conversions and the image preview say they cannot decode
  }
  mkdirSync('dist', { recursive: true });
  copyFileSync(wasm, join('dist', 'dcmjs-native-codecs.wasm'));
}

// A production build (what the VSIX ships) starts from an empty dist/: no stale bundle or source map.
if (production) rmSync('dist', { recursive: true, force: true });
copyCodecs();
if (watch) {
  for (const t of targets) (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
