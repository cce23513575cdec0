// The VSIX that `npm run package` writes: what it holds (everything the extension loads, nothing from
// the development tree), its size budget, and what the Extensions view and the Marketplace show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as path from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import { REPO_ROOT, run } from '../helpers/processes';
import { readZip } from '../helpers/zip';
import { BUDGETS, VERSION, artifact, developmentFile, pngSize } from './artifacts';

const vsix = artifact('vsix');
const zip = readZip(vsix);
const files = zip.entries.map((e) => e.name).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
const text = (name: string) => zip.read(`extension/${name}`).toString('utf8');
const manifest = JSON.parse(text('package.json')) as {
  main: string; icon: string; version: string; categories: string[]; keywords: string[]; license: string;
  contributes: { walkthroughs: { steps: { media: { markdown?: string; image?: string } }[] }[] };
};

describe('the VSIX', () => {
  it('holds every file the extension loads', () => {
    const needed = [
      manifest.main.replace(/^\.\//, ''), 'dist/engine.js', 'dist/pixel-worker.js', 'dist/dcmjs-native-codecs.wasm',
      'dist/media/webview/query-results.js', 'dist/media/webview/query-results.css',
      'dist/media/webview/dataset-viewer.js', 'dist/media/webview/dataset-viewer.css', 'dist/media/webview/codicon.css',
      manifest.icon,
      ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.markdown ?? s.media.image ?? '')),
    ];
    // The codicon font the stylesheet points at.
    for (const [, url] of text('dist/media/webview/codicon.css').matchAll(/url\(["']?\.?\/?([^"')?#]+)/g)) needed.push(`dist/media/webview/${url}`);
    const missing = needed.filter((f) => !files.includes(f));
    assert.deepEqual(missing, [], `the VSIX lacks ${missing.join(', ')}`);
  });

  it('holds nothing from src/, test/, bench/, docs/, .ci/ or node_modules/, and no source maps', () => {
    const problems = files.map(developmentFile).filter((p) => p !== undefined);
    assert.deepEqual(problems, []);
  });

  it('holds production bundles: minified, without source map references', () => {
    for (const bundle of files.filter((f) => f.endsWith('.js'))) {
      const code = text(bundle);
      assert.doesNotMatch(code, /sourceMappingURL/, `${bundle} points at a source map`);
      // esbuild heads each module with a "// src/…" comment unless it minifies.
      assert.doesNotMatch(code, /^\/\/ (src|media|node_modules)\//m, `${bundle} is not minified`);
    }
  });

  it(`is within its size budget (${BUDGETS.vsix.maxBytes / 1e6} MB)`, () => {
    const size = statSync(vsix).size;
    assert.ok(size <= BUDGETS.vsix.maxBytes, `the VSIX is ${size} bytes; its budget is ${BUDGETS.vsix.maxBytes} (packaging/budgets.json)`);
  });

  it('has the version, an MIT LICENSE, a CHANGELOG that starts at this version, and categories and keywords for PACS work', () => {
    assert.equal(manifest.version, VERSION);
    assert.equal(manifest.license, 'MIT');
    assert.match(text('LICENSE.txt'), /^MIT License/);
    assert.equal(text('changelog.md').match(/^## (\S+)/m)?.[1], VERSION, 'the first section of CHANGELOG.md is not this version');
    assert.ok(manifest.categories.length > 0 && !manifest.categories.every((c) => c === 'Other'), `categories: ${manifest.categories.join(', ')}`);
    for (const keyword of ['dicom', 'pacs', 'dimse', 'dicomweb', 'c-store', 'c-find', 'c-move', 'c-get', 'worklist']) {
      assert.ok(manifest.keywords.includes(keyword), `keyword ${keyword} is missing`);
    }
    const vsixManifest = zip.read('extension.vsixmanifest').toString('utf8');
    assert.match(vsixManifest, /<Icon>extension\/media\/icon\.png<\/Icon>/);
    assert.match(vsixManifest, /<License>extension\/LICENSE\.txt<\/License>/);
  });

  it('has a 128 x 128 PNG icon, the one scripts/make-icon.mjs draws', async () => {
    assert.deepEqual(pngSize(zip.read(`extension/${manifest.icon}`)), { width: 128, height: 128 });
    assert.ok(zip.read(`extension/${manifest.icon}`).equals(readFileSync(path.join(REPO_ROOT, manifest.icon))));
    const check = await run(process.execPath, [path.join(REPO_ROOT, 'scripts', 'make-icon.mjs'), '--check']);
    assert.equal(check.code, 0, check.stderr);
  });

  it('has a README for the Extensions view: no image, no link into a repository, no developer sections', () => {
    const readme = text('readme.md');
    assert.match(readme, /^# DICOM Network\n/);
    assert.match(readme, /^## Using the extension$/m);
    assert.doesNotMatch(readme, /!\[|<img\b/i, 'the README shows an image, which the Extensions view cannot load from the package');
    const links = [...readme.matchAll(/\]\(([^)\s]+)/g)].map((m) => m[1]);
    assert.deepEqual(links.filter((l) => !/^(https:|command:|#)/.test(l)), [], 'links that lead nowhere from the Extensions view');
    for (const heading of ['Quick start', 'Layout', 'Tests', 'Releasing']) assert.ok(!readme.includes(`\n## ${heading}\n`), `the README has the developer section "${heading}"`);
  });
});
