// `npm start`: builds the extension, makes sure the VS Code tools are installed, and serves a
// real VS Code (code-server) on 127.0.0.1 with this repository's extension installed and the
// demo workspace .tools/demo-workspace/ open. Stays up until Ctrl-C.
//
// Usage: node scripts/start.mjs [--port N] [--no-build]
//   --port N    serve on 127.0.0.1:N (default 8080, or a free port when 8080 is taken)
//   --no-build  skip `node esbuild.mjs`
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ensureVscodeTools, missingDebianPackages, repoRoot } from './vscode-tools.mjs';

const stateDir = join(repoRoot, '.tools', 'code-server-state'); // kept between runs: UI state, settings
const demoWorkspace = join(repoRoot, '.tools', 'demo-workspace');
const log = (msg) => console.log(`[start] ${msg}`);

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function choosePort() {
  const asked = argValue('--port');
  if (asked !== undefined) {
    const port = Number(asked);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port wants a number from 1 to 65535, not "${asked}".`);
    if (!(await portIsFree(port))) throw new Error(`Port ${port} on 127.0.0.1 is already in use.`);
    return port;
  }
  if (await portIsFree(8080)) return 8080;
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function healthy(url) {
  return new Promise((resolve) => {
    const req = get(`${url}/healthz`, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function prepareDemoWorkspace() {
  mkdirSync(demoWorkspace, { recursive: true });
  const readme = join(demoWorkspace, 'README.md');
  if (!existsSync(readme)) {
    writeFileSync(
      readme,
      '# DICOM Network demo workspace\n\nOpened by `npm start`. Files received by the local SCP land here.\n',
    );
  }
}

// The extension goes in as a symlink to the repository, named publisher.name-version as VS Code
// expects; a fresh extensions folder each start keeps VS Code's extensions.json in step.
function installExtensionLink(extensionsDir) {
  const { publisher, name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  rmSync(extensionsDir, { recursive: true, force: true });
  mkdirSync(extensionsDir, { recursive: true });
  symlinkSync(repoRoot, join(extensionsDir, `${publisher}.${name}-${version}`), 'dir');
  return `${publisher}.${name}`;
}

// Defaults for keys a person has not set; their own settings win.
function writeUserSettings(userDataDir) {
  const file = join(userDataDir, 'User', 'settings.json');
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // absent or hand-edited with comments: leave a hand-edited file alone
    if (existsSync(file)) return;
  }
  const defaults = {
    'chat.disableAIFeatures': true,
    'workbench.startupEditor': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'git.openRepositoryInParentFolders': 'never', // the demo workspace sits inside this repository
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...defaults, ...current }, null, 2) + '\n');
}

// ─── HOOK: demo PACS ─────────────────────────────────────────────────────────────────────
// A later step starts the demo PACS here, before code-server, e.g.
//   spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'scp', '--port', '11112',
//         '--aet', 'DEMO_PACS', '--dir', join(demoWorkspace, 'pacs')], { detached: true, stdio: 'inherit' })
// and returns an async function that stops it (called on Ctrl-C, after code-server is stopped).
// Each started service should print its address so a person can point the extension at it.
async function startDemoServices() {
  return async () => {};
}
// ─────────────────────────────────────────────────────────────────────────────────────────

async function main() {
  if (!process.argv.includes('--no-build')) {
    log('building the extension (node esbuild.mjs)');
    const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('The build failed (node esbuild.mjs).');
  }
  const { node24Path, codeServerEntry } = ensureVscodeTools();
  for (const m of missingDebianPackages().filter((d) => !d.forInstall)) {
    log(`note: Debian package ${m.pkg} is missing (${m.why}); not needed for npm start`);
  }

  prepareDemoWorkspace();
  const userDataDir = join(stateDir, 'user-data');
  const extensionsDir = join(stateDir, 'extensions');
  const configFile = join(stateDir, 'config.yaml');
  mkdirSync(stateDir, { recursive: true });
  writeUserSettings(userDataDir);
  const extensionId = installExtensionLink(extensionsDir);

  const port = await choosePort();
  const stopDemoServices = await startDemoServices();
  const authority = `127.0.0.1:${port}`;
  writeFileSync(configFile, `bind-addr: ${authority}\nauth: none\ncert: false\n`);
  const env = {
    ...process.env,
    PATH: `${dirname(node24Path)}:${process.env.PATH}`,
    // code-server's heartbeat and logs go under XDG folders, whatever --user-data-dir says
    XDG_DATA_HOME: join(stateDir, 'xdg-data'),
    XDG_CONFIG_HOME: join(stateDir, 'xdg-config'),
  };
  for (const k of Object.keys(env)) {
    if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_') || ['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'NODE_OPTIONS'].includes(k)) {
      delete env[k];
    }
  }
  const server = spawn(
    node24Path,
    [
      codeServerEntry,
      '--config', configFile,
      '--bind-addr', authority,
      '--auth', 'none',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      demoWorkspace,
    ],
    { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  let exited = false;
  const exitPromise = new Promise((resolve) => server.once('exit', (code, signal) => ((exited = true), resolve(code ?? (signal ? 1 : 0)))));

  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    log('stopping code-server');
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {}
    await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-server.pid, 'SIGKILL'); // whatever it left behind (file watcher, extension host)
    } catch {}
    await stopDemoServices();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('exit', () => {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {}
  });

  const url = `http://${authority}`;
  const deadline = Date.now() + 30_000;
  while (!(await healthy(url))) {
    if (exited || Date.now() > deadline) {
      console.error(`[start] code-server did not come up on ${authority}.`);
      await stopAll(1);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`extension ${extensionId} installed from ${repoRoot}`);
  log(`VS Code is ready: ${url}/?folder=${encodeURIComponent(demoWorkspace)}`);
  log('after rebuilding (npm run build), run "Developer: Reload Window" in the browser; Ctrl-C stops everything');
  const code = await exitPromise;
  if (!stopping) {
    log(`code-server exited with code ${code}`);
    await stopAll(code === 0 ? 0 : 1);
  }
}

main().catch((err) => {
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
