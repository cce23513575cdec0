// `npm run package`: the two things this repository ships, into release/ (git-ignored):
//   release/dicom-network-<version>.vsix   the VS Code extension, by @vscode/vsce (its
//                                          vscode:prepublish makes the production bundles)
//   release/dicomnet-<version>.tgz         the engine and the dicomnet CLI, by npm pack
// Both carry package.json's version. Prints what each holds, its size against the budget in
// packaging/budgets.json, and the paths last. `--vsix-only` makes only the VSIX.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packDicomnet } from './packaging/dicomnet.mjs';
import { vsixReadme } from './packaging/vsix-readme.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const release = join(root, 'release');
const build = join(root, 'build');
const say = (line) => console.log(`[package] ${line}`);

function fail(sentence) {
  console.error(`npm run package: ${sentence}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}).`);
  return r;
}

/** The release checks that need no build: one version everywhere, a changelog entry for it. */
function checkVersion(version) {
  const constant = readFileSync(join(root, 'src', 'dicom', 'version.ts'), 'utf8').match(/VERSION = '([^']*)'/)?.[1];
  if (constant !== version) fail(`src/dicom/version.ts says ${constant}, package.json ${version}: run node scripts/sync-version.mjs.`);
  const firstEntry = readFileSync(join(root, 'CHANGELOG.md'), 'utf8').match(/^## (\S+)/m)?.[1];
  if (firstEntry !== version) fail(`CHANGELOG.md starts at ${firstEntry ?? 'no version'}, not at ${version}: add a "## ${version}" section at the top.`);
}

const MB = (n) => `${(n / 1e6).toFixed(2)} MB`;

const vsixOnly = process.argv.includes('--vsix-only');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { version } = manifest;
checkVersion(version);
const budgets = JSON.parse(readFileSync(join(root, 'packaging', 'budgets.json'), 'utf8'));
rmSync(release, { recursive: true, force: true });
rmSync(build, { recursive: true, force: true });
mkdirSync(join(build, 'vsix'), { recursive: true });
mkdirSync(release, { recursive: true });

// The extension. vsce runs vscode:prepublish (the production build into dist/), then packs what
// .vscodeignore allows. There is no repository to rewrite README links against: the README it
// gets has none (scripts/packaging/vsix-readme.mjs).
const readme = join(build, 'vsix', 'README.md');
try {
  writeFileSync(readme, vsixReadme(readFileSync(join(root, 'README.md'), 'utf8')));
} catch (error) {
  fail(error.message);
}
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const readmeArg = ['--readme-path', relative(root, readme)];
const vsix = join(release, `${manifest.name}-${version}.vsix`);
say('the extension (vsce package)');
run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', ...readmeArg, '--out', vsix]);
say('what the VSIX ships (vsce ls):');
run(process.execPath, [vsce, 'ls', '--no-dependencies', ...readmeArg]);

// The engine and the CLI.
let tarball;
if (!vsixOnly) {
  say('the engine and the CLI (npm pack of build/dicomnet)');
  tarball = await packDicomnet({ root, stage: join(build, 'dicomnet'), out: release, version });
  const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.trim().split('\n');
  const declarations = listing.filter((f) => f.startsWith('package/dist/types/'));
  say(`what the npm package ships:\n${listing.filter((f) => !declarations.includes(f)).map((f) => `  ${f}`).join('\n')}\n  package/dist/types/ (${declarations.length} declaration files)`);
}

let over = false;
console.log('');
for (const [label, file, budget] of [['VSIX', vsix, budgets.vsix], ['npm ', tarball, budgets.npm]]) {
  if (!file) continue;
  const size = statSync(file).size;
  const within = size <= budget.maxBytes;
  over ||= !within;
  console.log(`${label} ${file}  ${MB(size)} (budget ${MB(budget.maxBytes)}${within ? '' : ': OVER'})`);
}
if (over) fail('an artifact is over its size budget in packaging/budgets.json.');
