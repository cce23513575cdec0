// Starts code-server (a real VS Code served to a browser) under Node 24, on loopback, in its own
// process group, with its own config, user-data and extensions folders: throw-away ones for the
// tests, or a state folder kept between runs (`npm start`, scripts/start.mjs, which bundles this
// module). The extension under test goes in as a symlink to its folder, or as a user gets it: its
// VSIX installed with `code-server --install-extension`.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '../../helpers/peers';
import { waitUntil } from '../../helpers/wait';
import { loadVscodeTools } from './tools';

export interface CodeServerOptions {
  /** Folder the workbench opens when the URL names none. */
  workspaceDir?: string;
  /** An extension folder (with package.json) to install as a symlink in the server's extensions dir. */
  extensionDir?: string;
  /** A packaged extension installed with `--install-extension` into the fresh extensions dir (no symlink, no development folder). */
  vsix?: string;
  /** Port on 127.0.0.1; a free one is chosen when absent. */
  port?: number;
  /** Merged over the harness defaults in User/settings.json. */
  userSettings?: Record<string, unknown>;
  /** More code-server arguments. */
  extraArgs?: string[];
  /** Starts VS Code with `enable-smoke-test-driver`: the workbench then honours the test payload in the URL. */
  smokeTestDriver?: boolean;
  /** Copies the server's output to this process's stdout, prefixed. */
  echoOutput?: boolean;
  /** Keeps the temporary folders after stop() (for post-mortems). */
  keepTemp?: boolean;
  /**
   * A folder kept between runs for the config, user data (UI state, settings), extensions and
   * code-server's XDG folders; never removed. Default: a fresh temporary folder.
   */
  stateDir?: string;
  /** False: User/settings.json is left as it is (the caller wrote it). Default true. */
  writeUserSettings?: boolean;
}

export interface CodeServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  /** host:port, the authority of vscode-remote:// URIs for this server. */
  authority: string;
  pid: number;
  userDataDir: string;
  extensionsDir: string;
  /** The folder `vsix` was installed into (a real folder under extensionsDir). */
  installedExtensionDir?: string;
  workspaceDir?: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Resolves with the server's exit code once it has exited (1 when a signal ended it). */
  exited: Promise<number>;
  /** Kills the whole process group and removes the temporary folders. Safe to call twice. */
  stop(): Promise<void>;
}

/** What every test server gets: no chat runtime, no welcome page, no secondary side bar, no noise. */
export const defaultUserSettings: Readonly<Record<string, unknown>> = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
};

/** Process group → temporary folder (undefined for a state folder) of every server not stopped yet. */
const liveServers = new Map<number, string | undefined>();
let exitHookInstalled = false;

// A crashed or interrupted test run must not leave servers or their folders behind.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pgid, temp] of liveServers) {
      killGroup(pgid, 'SIGKILL');
      if (temp) rmSync(temp, { recursive: true, force: true });
    }
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolveStatus) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveStatus(0));
  });
}

/** Reads publisher, name and version from an extension's package.json: the folder name VS Code expects. */
export function extensionFolderName(extensionDir: string): { id: string; folderName: string } {
  const manifest = JSON.parse(readFileSync(join(extensionDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const { publisher, name, version } = manifest;
  if (typeof publisher !== 'string' || typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`${extensionDir}/package.json lacks a publisher, name or version string.`);
  }
  return { id: `${publisher}.${name}`, folderName: `${publisher}.${name}-${version}` };
}

// Without variables that would make code-server act as a client of another VS Code, override
// the bind address, or ask for a password.
function serverEnv(node24Path: string, base: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_') || k.startsWith('CODE_SERVER_')) continue;
    if (['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'NODE_OPTIONS', 'GITHUB_TOKEN'].includes(k)) continue;
    env[k] = v;
  }
  env.PATH = `${dirname(node24Path)}:${process.env.PATH ?? ''}`;
  // code-server keeps a heartbeat file and its logs under XDG folders, whatever --user-data-dir says.
  env.XDG_DATA_HOME = join(base, 'xdg-data');
  env.XDG_CONFIG_HOME = join(base, 'xdg-config');
  return env;
}

/** How long `code-server --install-extension` may take (0.5–5 s here). */
const INSTALL_TIMEOUT_MS = 60_000;

/**
 * Installs a VSIX as a user does, with the server's own CLI, into `extensionsDir`; returns the
 * folder it was unpacked into (from VS Code's extensions.json there).
 */
function installVsix(node24Path: string, codeServerEntry: string, vsix: string, dirs: { base: string; userDataDir: string; extensionsDir: string }): string {
  const r = spawnSync(
    node24Path,
    [codeServerEntry, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, '--install-extension', resolve(vsix)],
    { cwd: dirs.base, env: serverEnv(node24Path, dirs.base), encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS },
  );
  const said = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.error || r.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (${r.error?.message ?? `exit ${r.status}`}, within ${INSTALL_TIMEOUT_MS} ms): ${said}`);
  }
  let installed: { relativeLocation?: string }[] = [];
  try {
    installed = JSON.parse(readFileSync(join(dirs.extensionsDir, 'extensions.json'), 'utf8')) as typeof installed;
  } catch {
    // reported below
  }
  const folder = installed.length === 1 ? installed[0].relativeLocation : undefined;
  if (!folder || !lstatSync(join(dirs.extensionsDir, folder), { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`code-server --install-extension ${vsix} left no single installed folder in ${dirs.extensionsDir}: ${said}`);
  }
  return join(dirs.extensionsDir, folder);
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const tools = await loadVscodeTools();
  if (!tools.vscodeToolsPresent()) {
    throw new Error('code-server is not installed: run `node scripts/vscode-tools.mjs` first.');
  }
  const port = options.port ?? (await freePort());
  const authority = `127.0.0.1:${port}`;
  const temp = options.stateDir ? undefined : mkdtempSync(join(tmpdir(), 'dicomnet-code-server-'));
  const base = options.stateDir ? resolve(options.stateDir) : temp!;
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  const configFile = join(base, 'config.yaml');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(configFile, `bind-addr: ${authority}\nauth: none\ncert: false\n`);
  if (options.writeUserSettings ?? true) {
    writeFileSync(
      join(userDataDir, 'User', 'settings.json'),
      JSON.stringify({ ...defaultUserSettings, ...options.userSettings }, null, 2),
    );
  }
  // A fresh extensions folder each start keeps VS Code's extensions.json in step with it.
  rmSync(extensionsDir, { recursive: true, force: true });
  mkdirSync(extensionsDir, { recursive: true });
  if (options.extensionDir) {
    const extensionDir = resolve(options.extensionDir);
    symlinkSync(extensionDir, join(extensionsDir, extensionFolderName(extensionDir).folderName), 'dir');
  }
  let installedExtensionDir: string | undefined;
  if (options.vsix) {
    try {
      installedExtensionDir = installVsix(tools.node24Path, tools.codeServerEntry, options.vsix, { base, userDataDir, extensionsDir });
    } catch (error) {
      if (temp) rmSync(temp, { recursive: true, force: true });
      throw error;
    }
  }

  const args = [
    tools.codeServerEntry,
    '--config', configFile,
    '--bind-addr', authority,
    '--auth', 'none',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(options.extraArgs ?? []),
    ...(options.workspaceDir ? [resolve(options.workspaceDir)] : []),
  ];
  // detached: the server leads a new session and process group (setsid), so stop() can kill
  // the file watcher, extension host and pty host it spawns along with it.
  const child: ChildProcess = spawn(tools.node24Path, args, {
    cwd: base,
    env: serverEnv(tools.node24Path, base),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) {
    if (temp) rmSync(temp, { recursive: true, force: true });
    throw new Error(`code-server could not be started with ${tools.node24Path}.`);
  }
  installExitHook();
  liveServers.set(pid, temp);

  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    if (options.echoOutput) process.stdout.write(text.replace(/^(?=.)/gm, '[code-server] '));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  const exitPromise = new Promise<number>((resolveExit) => child.once('exit', (code) => ((exited = true), resolveExit(code ?? 1))));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      killGroup(pid, 'SIGTERM');
      await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 5000))]);
    }
    // The leader may be gone while its children (watcher, extension host) are not.
    killGroup(pid, 'SIGKILL');
    liveServers.delete(pid);
    if (temp && !options.keepTemp) rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
  };

  const url = `http://${authority}`;
  try {
    await waitUntil(`code-server to answer /healthz on ${authority}`, async () => exited || (await httpStatus(`${url}/healthz`, 1000)) === 200, { timeoutMs: 30_000, intervalMs: 100 });
    if (exited) throw new Error(`code-server exited before it answered /healthz on ${authority}.`);
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)} Its output:\n${output}`);
  }

  return {
    url,
    port,
    authority,
    pid,
    userDataDir,
    extensionsDir,
    installedExtensionDir,
    workspaceDir: options.workspaceDir,
    output: () => output,
    exited: exitPromise,
    stop,
  };
}
