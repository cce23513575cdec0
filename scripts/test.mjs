// The project's test command: builds, compiles the tests, then runs each suite.
// Usage: node scripts/test.mjs [unit|interop|package|vscode ...]   (no argument = all suites)
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

const all = ['unit', 'interop', 'package', 'vscode'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

// Test files run two at a time: most wait on a peer, a socket or the disk part of the time, and
// none depends on the machine being otherwise idle (node --test's default is one less than the
// number of cores: one, on the 2-core machines CI runs on).
const nodeTest = (dir) => ['--test', '--test-concurrency=2', '--test-reporter=spec', dir];

const timings = [];
function timed(suite, fn) {
  const started = Date.now();
  const ok = fn();
  timings.push(`${suite} ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ok;
}

if (run('node', ['esbuild.mjs']) !== 0) process.exit(1);
// A fresh out/: compiled tests of deleted sources must not run.
rmSync('out', { recursive: true, force: true });
if (run('npx', ['tsc', '-p', '.']) !== 0) process.exit(1);

let failed = false;
for (const suite of wanted) {
  if (suite === 'package') {
    // `npm run package` writes release/ (the VSIX and the npm tarball) and leaves the production
    // build in dist/; the development build comes back afterwards for the suites that follow.
    console.log('\n=== suite: package ===');
    if (!timed(suite, () => run('node', ['scripts/package.mjs']) === 0 && run('node', nodeTest('out/test/package')) === 0)) failed = true;
    if (run('node', ['esbuild.mjs']) !== 0) process.exit(1);
    continue;
  }
  if (suite === 'vscode') {
    if (existsSync('out/test/vscode/run.js')) {
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
