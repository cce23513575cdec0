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
    if (run('node', ['scripts/package.mjs']) !== 0 || run('node', ['--test', '--test-reporter=spec', 'out/test/package']) !== 0) failed = true;
    if (run('node', ['esbuild.mjs']) !== 0) process.exit(1);
    continue;
  }
  if (suite === 'vscode') {
    if (existsSync('out/test/vscode/run.js')) {
      console.log('\n=== suite: vscode ===');
      if (run('node', ['out/test/vscode/run.js']) !== 0) failed = true;
    }
    continue;
  }
  const dir = `out/test/${suite}`;
  if (!existsSync(dir)) continue;
  console.log(`\n=== suite: ${suite} ===`);
  if (run('node', ['--test', '--test-reporter=spec', dir]) !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
