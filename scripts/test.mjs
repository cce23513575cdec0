// The project's test command: builds, compiles the tests, then runs each suite.
// Usage: node scripts/test.mjs [layers|unit|interop|package|vscode ...]   (no argument = all suites)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const all = ['layers', 'unit', 'interop', 'package', 'vscode'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

// Test files run two at a time: most wait on a peer, a socket or the disk part of the time, and
// none depends on the machine being otherwise idle (node --test's default is one less than the
// number of cores: one, on the 2-core machines CI runs on).
const nodeTest = (dir) => ['--test', '--test-concurrency=2', '--test-reporter=spec', dir];

// The dicomnet processes the suites start keep their V8 code cache in one temporary folder for the
// whole run, removed at the end, never in the user's ~/.cache/dicomnet (test/helpers/processes.ts
// hands it on as DICOMNET_CACHE_DIR).
const codeCacheDir = mkdtempSync(join(tmpdir(), 'dicomnet-test-code-cache-'));
process.env.DICOMNET_TEST_CODE_CACHE_DIR = codeCacheDir;
process.env.DICOMNET_CACHE_DIR = codeCacheDir;
process.once('exit', () => rmSync(codeCacheDir, { recursive: true, force: true }));
// Ctrl-C or a CI timeout: the suite running now gets the signal too; remove the folder after it.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

const timings = [];
function timed(suite, fn) {
  const started = Date.now();
  const ok = fn();
  timings.push(`${suite} ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ok;
}

// The import rules of src/ (src/README.md): dependency-cruiser with .dependency-cruiser.cjs. First
// and alone when asked for: it reads the sources, not the build.
if (wanted.includes('layers')) {
  console.log('\n=== suite: layers ===');
  if (!timed('layers', () => run('npx', ['depcruise', 'src', '--config', '.dependency-cruiser.cjs']) === 0)) {
    if (timings.length) console.log(`\n${timings.join('; ')}`);
    process.exit(1);
  }
  if (wanted.length === 1) process.exit(0);
}

if (run('node', ['esbuild.mjs']) !== 0) process.exit(1);
// A fresh out/: compiled tests of deleted sources must not run.
rmSync('out', { recursive: true, force: true });
if (run('npx', ['tsc', '-p', '.']) !== 0) process.exit(1);

// The vscode suite also runs the packaged extension (release/<name>-<version>.vsix). When the
// package suite did not just write it and it is missing or older than what goes into it, it is
// packaged here (the VSIX alone), and the development build comes back into dist/ afterwards.
const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const vsix = `release/${name}-${version}.vsix`;
const vsixInputs = ['src', 'media', 'package.json', '.vscodeignore', 'esbuild.mjs', 'README.md', 'CHANGELOG.md', 'LICENSE', 'scripts/package.mjs', 'scripts/packaging'];
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((e) => newestMtime(join(path, e))));
}
function vsixIsStale() {
  if (!existsSync(vsix)) return 'missing';
  const built = statSync(vsix).mtimeMs;
  return vsixInputs.some((p) => newestMtime(p) > built) ? 'older than its sources' : undefined;
}

let failed = false;
let packaged = false;
for (const suite of wanted) {
  if (suite === 'layers') continue;
  if (suite === 'package') {
    // `npm run package` writes release/ (the VSIX and the npm tarball) and leaves the production
    // build in dist/; the development build comes back afterwards for the suites that follow.
    console.log('\n=== suite: package ===');
    if (!timed(suite, () => (packaged = run('node', ['scripts/package.mjs']) === 0) && run('node', nodeTest('out/test/package')) === 0)) failed = true;
    if (run('node', ['esbuild.mjs']) !== 0) process.exit(1);
    continue;
  }
  if (suite === 'vscode') {
    if (existsSync('out/test/vscode/run.js')) {
      const stale = packaged ? undefined : vsixIsStale();
      if (stale) {
        console.log(`\n${vsix} is ${stale}: packaging it for the vscode suite's packaged-extension run`);
        if (run('node', ['scripts/package.mjs', '--vsix-only']) !== 0) failed = true;
        if (run('node', ['esbuild.mjs']) !== 0) process.exit(1);
      }
      console.log('\n=== suite: vscode ===');
      if (!timed(suite, () => run('node', ['out/test/vscode/run.js']) === 0)) failed = true;
    }
    continue;
  }
  const dir = `out/test/${suite}`;
  if (!existsSync(dir)) continue;
  console.log(`\n=== suite: ${suite} ===`);
  if (!timed(suite, () => run('node', nodeTest(dir)) === 0)) failed = true;
}
if (timings.length > 1) console.log(`\n${timings.join('; ')}`);
process.exit(failed ? 1 : 0);
