// The local SCP as the window sees it: start/stop with the settings of the moment, what the status
// bar and the tree show, port conflicts answered with the next free port, and the AE
// configuration a PACS needs to send to it.
import * as os from 'node:os';
import vscode = require('vscode');
import { LocalScpConfig, localScpConfig, setLocalScpPort, storageFolderPath } from '../config';
import { isEngineLoaded, loadEngine } from '../engine-loader';
import type { LocalScp } from '../engine';
import type { LocalScpStats } from '../engine';
import { Log } from '../log';
import { notify, sentence } from '../ui';

export type ScpState = 'stopped' | 'starting' | 'running' | 'stopping';

/** Thrown when the local archive is asked for while its SCP is stopped. */
export class LocalScpStoppedError extends Error {
  override name = 'LocalScpStoppedError';
  constructor() {
    super('the local SCP is stopped');
  }
}

export interface AeConfiguration {
  aeTitle: string;
  host: string;
  port: number;
  /** Listening on loopback only: a PACS on another machine cannot reach it. */
  loopbackOnly: boolean;
  text: string;
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || address.startsWith('127.') || address === '::1';
}

function isAnyAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}

function externalAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return os.hostname();
}

export class LocalScpController implements vscode.Disposable {
  private scp: LocalScp | undefined;
  private pending: Promise<boolean> | undefined;
  private changeTimer: NodeJS.Timeout | undefined;
  private current: ScpState = 'stopped';
  /** Why the last start failed, shown in the tree and the status bar tooltip. */
  lastError: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Log, private readonly globalStorage: vscode.Uri) {}

  get state(): ScpState {
    return this.current;
  }

  private setState(state: ScpState): void {
    this.current = state;
    this.changed.fire();
  }

  config(): LocalScpConfig {
    return localScpConfig();
  }

  /** The storage folder (absolute) for the settings of the moment. */
  folder(): string {
    return storageFolderPath(this.config().storageFolder, this.globalStorage);
  }

  /** The settings the running SCP was started with, else the current ones. */
  effective(): LocalScpConfig & { folder: string } {
    const s = this.scp?.settings;
    return s ? { ...this.config(), aeTitle: s.aeTitle, port: this.scp!.port, bindAddress: s.bindAddress, folder: s.folder } : { ...this.config(), folder: this.folder() };
  }

  get running(): boolean {
    return this.current === 'running' && this.scp !== undefined;
  }

  get instance(): LocalScp | undefined {
    return this.running ? this.scp : undefined;
  }

  /** Where retrieved instances go: the running SCP's folder, else the one of the settings. */
  storageFolder(): string {
    return this.instance?.settings.folder ?? this.folder();
  }

  stats(): LocalScpStats | undefined {
    return this.scp?.stats();
  }

  /** Whether the running SCP still matches the settings (port, AE title, address, folder). */
  matchesSettings(): boolean {
    if (!this.scp) return true;
    const c = this.config();
    const s = this.scp.settings;
    return c.aeTitle === s.aeTitle && c.port === s.port && c.bindAddress === s.bindAddress && this.folder() === s.folder && c.storeAs === (s.storeAs ?? '');
  }

  /** Starts the SCP; false when it could not (the reason has been shown). Never waits for a person's answer. */
  start(options: { interactive?: boolean } = {}): Promise<boolean> {
    if (this.running) return Promise.resolve(true);
    this.pending ??= this.doStart(options.interactive ?? true).finally(() => { this.pending = undefined; });
    return this.pending;
  }

  private async doStart(interactive: boolean): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      this.lastError = 'the local SCP does not run in an untrusted workspace';
      if (interactive) void notify('warning', 'The local SCP does not run in an untrusted workspace.', 'Manage Workspace Trust').then((a) => {
        if (a) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      this.changed.fire();
      return false;
    }
    const c = this.config();
    const folder = this.folder();
    this.setState('starting');
    const engine = loadEngine();
    try {
      const scp = await engine.LocalScp.start({ aeTitle: c.aeTitle, port: c.port, bindAddress: c.bindAddress, folder, idleTimeoutSeconds: c.idleTimeoutSeconds, storeAs: c.storeAs }, this.log);
      this.scp = scp;
      this.lastError = undefined;
      scp.onStored(() => this.changedSoon());
      scp.onChange(() => this.changedSoon());
      this.setState('running');
      return true;
    } catch (error) {
      this.scp = undefined;
      this.setState('stopped');
      if (error instanceof engine.PortInUseError) {
        await this.portInUse(error.port, c.bindAddress, interactive);
      } else {
        this.lastError = engine.describeError(error);
        this.log.error(`local SCP could not start: ${this.lastError}`);
        void notify('error', `The local SCP could not start: ${sentence(this.lastError)}`, 'Show Log').then((a) => { if (a) this.log.show(); });
      }
      this.changed.fire();
      return false;
    }
  }

  private async portInUse(port: number, host: string, interactive: boolean): Promise<void> {
    const next = await loadEngine().nextFreePort(port, host);
    this.lastError = `port ${port} on ${host} is already in use`;
    this.log.warn(`local SCP could not start: ${this.lastError}${next ? `; port ${next} is free` : ''}`);
    const message = `The local SCP cannot listen on port ${port}: it is already in use on ${host} (another DICOM server, or the SCP of another window).`;
    const actions = next ? [`Use Port ${next}`, 'Open Settings'] : ['Open Settings'];
    void notify(interactive ? 'error' : 'warning', message, ...actions).then(async (choice) => {
      if (choice === `Use Port ${next}` && next) {
        await setLocalScpPort(next);
        await this.start({ interactive: true });
      } else if (choice === 'Open Settings') {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'dicomNetwork.localScp.port');
      }
    });
  }

  async stop(): Promise<void> {
    if (this.pending) await this.pending.catch(() => undefined);
    const scp = this.scp;
    if (!scp) return;
    this.setState('stopping');
    try {
      await scp.stop();
    } finally {
      this.scp = undefined;
      this.setState('stopped');
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start({ interactive: true });
  }

  /** The running SCP, starting it when needed; undefined when it cannot run (the reason was shown). */
  async ensureRunning(): Promise<LocalScp | undefined> {
    if (!this.running) await this.start({ interactive: true });
    return this.instance;
  }

  /** What a PACS must be told so that C-MOVE can reach this SCP. */
  aeConfiguration(): AeConfiguration {
    const e = this.effective();
    const loopbackOnly = isLoopback(e.bindAddress);
    const host = isAnyAddress(e.bindAddress) ? externalAddress() : e.bindAddress;
    const lines = [`AE title: ${e.aeTitle}`, `Host: ${host}`, `Port: ${e.port}`];
    if (loopbackOnly) {
      lines.push('', `The local SCP listens on ${e.bindAddress} only: a PACS on another machine cannot reach it. Set dicomNetwork.localScp.bindAddress to 0.0.0.0 for that.`);
    }
    return { aeTitle: e.aeTitle, host, port: e.port, loopbackOnly, text: lines.join('\n') };
  }

  private changedSoon(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.changed.fire();
    }, 250);
  }

  /** Whether the engine has been loaded (the SCP cannot have run otherwise). */
  get engineLoaded(): boolean {
    return isEngineLoaded();
  }

  dispose(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    void this.scp?.stop();
    this.scp = undefined;
    this.changed.dispose();
  }
}
