// What the commands, the tree and the status bar share: settings, secrets, per-node state, the
// log, the local SCP, and the engine (loaded on first use).
import * as vscode from 'vscode';
import { StudyFilter } from './config/nodes';
import { localScpConfig, readNodes } from './config/settings';
import { Engine, loadEngine } from './engine-loader';
import type { DimseTarget } from './engine/types';
import { LocalScpController } from './local-scp-controller';
import { Log } from './log';
import { NodeSecrets } from './secrets';
import { NodeState } from './state';
import { AnyNode, LOCAL_NODE, dimseTarget, webTarget } from './targets';
import type { WebTarget } from './engine/dicomweb';
import type { DicomwebNode } from './config/nodes';
import { NodeElement, TreeElement } from './tree/elements';
import { NodesProvider } from './tree/nodes-provider';
import type { Webviews } from './webviews/register';

export class App implements vscode.Disposable {
  readonly log: Log;
  readonly secrets: NodeSecrets;
  readonly state: NodeState;
  readonly scp: LocalScpController;
  readonly tree: NodesProvider;
  /** The Nodes view, once created. */
  treeView: vscode.TreeView<TreeElement> | undefined;
  /** The query results panels and the dataset viewer; set by activate() right after construction. */
  webviews!: Webviews;

  constructor(readonly context: vscode.ExtensionContext, log: Log) {
    this.log = log;
    this.secrets = new NodeSecrets(context.secrets);
    this.state = new NodeState(context.workspaceState, context.globalState);
    this.scp = new LocalScpController(log, context.globalStorageUri);
    this.tree = new NodesProvider(this);
  }

  /** The engine facade; the first call loads it. */
  engine(): Engine {
    return loadEngine();
  }

  /** The local archive first, then the remote nodes of the settings. */
  nodes(): AnyNode[] {
    return [LOCAL_NODE, ...readNodes().nodes];
  }

  findNode(name: string): AnyNode | undefined {
    return this.nodes().find((n) => n.name === name) ?? this.nodes().find((n) => n.name.toLowerCase() === name.toLowerCase());
  }

  /** The filter a node lists its studies with: Query…'s choice, else its setting. */
  currentFilter(node: AnyNode): StudyFilter {
    return this.state.filterOverride(node.name) ?? node.studyFilter;
  }

  target(node: Extract<AnyNode, { kind: 'dimse' | 'local' }>): Promise<DimseTarget> {
    return dimseTarget(node, this.scp, this.secrets);
  }

  webTarget(node: DicomwebNode): Promise<WebTarget> {
    return webTarget(node, this.secrets);
  }

  /** Host, port and AE titles of a node, for error sentences (no secrets needed). */
  where(node: AnyNode): Pick<DimseTarget, 'host' | 'port' | 'calledAeTitle' | 'callingAeTitle'> | undefined {
    const ae = localScpConfig().aeTitle;
    if (node.kind === 'dimse') return { host: node.host, port: node.port, calledAeTitle: node.aeTitle, callingAeTitle: node.callingAeTitle ?? ae };
    if (node.kind === 'local') {
      const e = this.scp.effective();
      return { host: e.bindAddress, port: e.port, calledAeTitle: e.aeTitle, callingAeTitle: e.aeTitle };
    }
    return undefined;
  }

  /** Shows a node in the Nodes view, expanded. */
  async revealNode(element: NodeElement): Promise<void> {
    try {
      await this.treeView?.reveal(element, { expand: true, select: false, focus: false });
    } catch {
      // the view may be hidden or disposed: nothing to show then
    }
  }

  /** False (and says why) when the workspace is not trusted: no association is opened then. */
  requireTrust(what: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(`${what} is disabled in an untrusted workspace.`, 'Manage Workspace Trust').then((a) => {
      if (a) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return false;
  }

  dispose(): void {
    this.tree.dispose();
    this.scp.dispose();
  }
}
