// Activation: builds the collaborators once (settings, secrets, per-node state, the log, the local
// SCP, the node backends, the Nodes view, the webviews) and gives each command the ones it uses.
// Nothing here loads the engine (dist/engine.js): that happens when a DICOM view or command first needs it.
import vscode = require('vscode');
import type { NodeMatch } from './associations';
import { AssociationStore } from './associations';
import { AssociationsView } from './associations';
import { NodeDirectory } from './backends';
import { commandHandlers, registerCommands } from './commands';
import type { CommandDeps } from './commands';
import { openRows, retrieveRows } from './commands';
import { LOCAL_NODE_NAME } from './config';
import { affectsAssociations, affectsLocalScp, affectsNodes, associationsKept, localScpConfig, readNodes } from './config';
import { isEngineLoaded, loadEngine, onEngineLoaded } from './engine-loader';
import { LocalScpController } from './local-scp';
import { Log } from './log';
import { NodeSecrets } from './secrets';
import { NodeState } from './state';
import type { TreeElement } from './tree';
import { NodesProvider } from './tree';
import { nodesTree } from './tree';
import { recentMessages, ShownMessage } from './ui';
import { ScpStatusBar } from './local-scp';
import { OPEN_DATASET_COMMAND, registerWebviews } from './webviews';
import type { AssociationPanelInfo } from './webviews';
import type { DatasetSessionInfo } from './webviews';
import type { QueryRunState } from '../shared';

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
  /** The associations the extension made or took (what the DICOM Associations view shows). */
  associations: AssociationStore;
  /** The DICOM Associations view's provider (what it shows, its filter, description and message). */
  associationsView: AssociationsView;
  /** The folder of this extension's logs (the "DICOM Network" log file is in it). */
  logFolder(): string;
  webviews: {
    /** The query results panels open now, oldest first. */
    queryPanels(): { title: string; level: string; state: QueryRunState; message?: string; associationId?: string; matches: number }[];
    /** The dataset viewers open now, with their frame requests. */
    datasetSessions(): DatasetSessionInfo[];
    /** The association detail panels open now, with the view each was last sent. */
    associationPanels(): AssociationPanelInfo[];
  };
}

let localScp: LocalScpController | undefined;

export function activate(context: vscode.ExtensionContext): DicomNetworkApi {
  const started = performance.now();
  const log = new Log();
  // Fed by the engine's shared recorder once the engine loads (activation does not load it).
  const associations = new AssociationStore(associationsKept());
  const followRecorder = onEngineLoaded((engine) => associations.attach(engine.associationRecorder()));
  const secrets = new NodeSecrets(context.secrets);
  const state = new NodeState(context.workspaceState, context.globalState);
  const scp = new LocalScpController(log, context.globalStorageUri);
  localScp = scp;
  const nodes = new NodeDirectory({ log, scp, secrets }, state);
  const provider = new NodesProvider(nodes, state);
  const treeView = vscode.window.createTreeView<TreeElement>('dicomNetwork.nodes', { treeDataProvider: provider, showCollapseAll: true });
  const tree = nodesTree(provider, treeView);
  const retrieval = { nodes, state, scp, log, tree };
  // The DICOM parser and decoder come from the engine bundle, loaded when a viewer first opens.
  const webviews = registerWebviews(context, {
    log,
    associations,
    recordTools: () => loadEngine(),
    viewerEngine: () => loadEngine().viewerEngine,
    retrieve: async (request) => { await retrieveRows(retrieval, request); },
    open: async (request) => { await openRows(retrieval, request); },
  });
  const deps: CommandDeps = { log, nodes, state, secrets, scp, tree, webviews, associations };
  const associationsView = new AssociationsView(associations, (): NodeMatch[] => [
    ...readNodes().nodes.flatMap((n) => (n.kind === 'dimse' ? [{ kind: 'remote' as const, name: n.name, host: n.host, port: n.port, aeTitle: n.aeTitle }] : [])),
    { kind: 'local', name: LOCAL_NODE_NAME, aeTitle: localScpConfig().aeTitle, port: scp.effective().port },
  ]);
  const handlers = { ...commandHandlers(deps), ...associationsView.commandHandlers() };
  const statusBar = new ScpStatusBar(scp);
  const inUse = () => statusBar.show();
  if (treeView.visible) inUse();

  let localRefresh: NodeJS.Timeout | undefined;
  const refreshLocalSoon = () => {
    if (localRefresh) return;
    localRefresh = setTimeout(() => {
      localRefresh = undefined;
      provider.refreshNode(LOCAL_NODE_NAME);
    }, 1000);
  };
  let lastScpState = scp.state;
  context.subscriptions.push(
    log,
    associations,
    followRecorder,
    associationsView,
    provider,
    scp,
    statusBar,
    treeView,
    ...registerCommands(handlers, log, inUse),
    treeView.onDidChangeVisibility((e) => { if (e.visible) inUse(); }),
    scp.onDidChange(() => {
      // A start or stop changes what the local archive can list; new instances only its count.
      if (scp.state !== lastScpState) {
        lastScpState = scp.state;
        provider.refreshNode(LOCAL_NODE_NAME);
      } else {
        provider.refreshNode(LOCAL_NODE_NAME, { requery: false });
        refreshLocalSoon();
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsAssociations(e)) associations.capacity = associationsKept();
      if (affectsNodes(e)) provider.refresh();
      if (affectsLocalScp(e)) {
        statusBar.update();
        if (scp.running && !scp.matchesSettings()) {
          log.info('local SCP settings changed: restarting it');
          void scp.restart();
        } else {
          provider.refreshNode(LOCAL_NODE_NAME, { requery: false });
        }
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      provider.refresh();
      if (localScpConfig().autoStart) void scp.start({ interactive: false });
    }),
    { dispose: () => { if (localRefresh) clearTimeout(localRefresh); } },
  );

  if (localScpConfig().autoStart && vscode.workspace.isTrusted) {
    inUse();
    void scp.start({ interactive: false });
  }
  const version = (context.extension.packageJSON as { version?: string }).version ?? 'unknown';
  log.info(`DICOM Network ${version} activated in ${(performance.now() - started).toFixed(1)} ms`);

  return {
    tree: provider,
    engineLoaded: isEngineLoaded,
    commandIds: () => [...Object.keys(handlers), OPEN_DATASET_COMMAND],
    localScp: {
      state: () => scp.state,
      port: () => scp.effective().port,
      folder: () => scp.effective().folder,
      stats: () => scp.stats(),
      statusBarText: () => statusBar.text,
    },
    recentMessages,
    associations,
    associationsView,
    logFolder: () => context.logUri.fsPath,
    webviews: {
      queryPanels: () => webviews.queryPanels().map((p) => ({ title: p.title, level: p.level, ...p.runState, matches: p.matchCount })),
      datasetSessions: () => webviews.datasetSessions(),
      associationPanels: () => webviews.associationPanels(),
    },
  };
}

export async function deactivate(): Promise<void> {
  const current = localScp;
  localScp = undefined;
  await current?.stop();
}
