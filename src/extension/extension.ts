// Activation: registers the commands, the Nodes view and the status bar item. Nothing here loads
// the engine (dist/engine.js): that happens when a DICOM view or command first needs it.
import * as vscode from 'vscode';
import { App } from './app';
import { COMMANDS, registerCommands } from './commands/index';
import { affectsLocalScp, affectsNodes, localScpConfig } from './config/settings';
import { isEngineLoaded, loadEngine } from './engine-loader';
import { openRows, retrieveRows } from './commands/query-results';
import { Log } from './log';
import type { TreeElement } from './tree/elements';
import { recentMessages, ShownMessage } from './ui/notify';
import { ScpStatusBar } from './ui/status-bar';
import { OPEN_DATASET_COMMAND, registerWebviews, type DatasetSessionInfo } from './webviews/index';
import type { QueryRunState } from '../shared/webview-protocol';

/** What activate() returns: for tests and other extensions. */
export interface DicomNetworkApi {
  /** The Nodes view's data provider (the same one the view shows). */
  tree: vscode.TreeDataProvider<TreeElement>;
  /** Whether the engine bundle has been loaded. */
  engineLoaded(): boolean;
  /** Ids of the commands this extension registers. */
  commandIds(): string[];
  localScp: {
    state(): string;
    port(): number;
    folder(): string;
    stats(): { studies: number; series: number; instances: number; received: number } | undefined;
    statusBarText(): string | undefined;
  };
  /** The notifications shown lately, oldest first. */
  recentMessages(): ShownMessage[];
  /** The folder of this extension's logs (the "DICOM Network" log file is in it). */
  logFolder(): string;
  webviews: {
    /** The query results panels open now, oldest first. */
    queryPanels(): { title: string; level: string; state: QueryRunState; message?: string; matches: number }[];
    /** The dataset viewers open now, with their frame requests. */
    datasetSessions(): DatasetSessionInfo[];
  };
}

let app: App | undefined;

export function activate(context: vscode.ExtensionContext): DicomNetworkApi {
  const started = performance.now();
  const log = new Log();
  const current = new App(context, log);
  app = current;
  // The DICOM parser and decoder come from the engine bundle, loaded when a viewer first opens.
  current.webviews = registerWebviews(context, {
    log,
    viewerEngine: () => loadEngine().viewerEngine,
    retrieve: async (request) => { await retrieveRows(current, request); },
    open: async (request) => { await openRows(current, request); },
  });
  const statusBar = new ScpStatusBar(current.scp);
  const inUse = () => statusBar.show();
  const treeView = vscode.window.createTreeView<TreeElement>('dicomNetwork.nodes', { treeDataProvider: current.tree, showCollapseAll: true });
  current.treeView = treeView;
  if (treeView.visible) inUse();

  let localRefresh: NodeJS.Timeout | undefined;
  const refreshLocalSoon = () => {
    if (localRefresh) return;
    localRefresh = setTimeout(() => {
      localRefresh = undefined;
      current.tree.refresh(current.tree.rootOf('Local archive'));
    }, 1000);
  };
  let lastScpState = current.scp.state;
  context.subscriptions.push(
    log,
    current,
    statusBar,
    treeView,
    ...registerCommands(current, inUse),
    treeView.onDidChangeVisibility((e) => { if (e.visible) inUse(); }),
    current.scp.onDidChange(() => {
      // A start or stop changes what the local archive can list; new instances only its count.
      if (current.scp.state !== lastScpState) {
        lastScpState = current.scp.state;
        current.tree.refresh(current.tree.rootOf('Local archive'));
      } else {
        current.tree.refresh(current.tree.rootOf('Local archive'), { requery: false });
        refreshLocalSoon();
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsNodes(e)) current.tree.refresh();
      if (affectsLocalScp(e)) {
        statusBar.update();
        if (current.scp.running && !current.scp.matchesSettings()) {
          log.info('local SCP settings changed: restarting it');
          void current.scp.restart();
        } else {
          current.tree.refresh(current.tree.rootOf('Local archive'), { requery: false });
        }
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      current.tree.refresh();
      if (localScpConfig().autoStart) void current.scp.start({ interactive: false });
    }),
    { dispose: () => { if (localRefresh) clearTimeout(localRefresh); } },
  );

  if (localScpConfig().autoStart && vscode.workspace.isTrusted) {
    inUse();
    void current.scp.start({ interactive: false });
  }
  const version = (context.extension.packageJSON as { version?: string }).version ?? 'unknown';
  log.info(`DICOM Network ${version} activated in ${(performance.now() - started).toFixed(1)} ms`);

  return {
    tree: current.tree,
    engineLoaded: isEngineLoaded,
    commandIds: () => [...Object.keys(COMMANDS), OPEN_DATASET_COMMAND],
    localScp: {
      state: () => current.scp.state,
      port: () => current.scp.effective().port,
      folder: () => current.scp.effective().folder,
      stats: () => current.scp.stats(),
      statusBarText: () => statusBar.text,
    },
    recentMessages,
    logFolder: () => context.logUri.fsPath,
    webviews: {
      queryPanels: () => current.webviews.queryPanels().map((p) => ({ title: p.title, level: p.level, ...p.runState, matches: p.matchCount })),
      datasetSessions: () => current.webviews.datasetSessions(),
    },
  };
}

export async function deactivate(): Promise<void> {
  const current = app;
  app = undefined;
  await current?.scp.stop();
}
