// The collaborators the commands are given. Each command takes only those it uses
// (Pick<CommandDeps, …>); activate() builds them once.
import type { NodeDirectory } from '../backends/directory';
import type { LocalScpController } from '../local-scp-controller';
import type { Log } from '../log';
import type { NodeSecrets } from '../secrets';
import type { NodeState } from '../state';
import type { NodeElement, TreeElement } from '../tree/elements';
import type { Webviews } from '../webviews/register';
import type { AssociationSource } from '../webviews/deps';

/** The Nodes view as commands change it. */
export interface NodesTree {
  /** Redraws an element (or everything); with `requery` (the default) its children are fetched again. */
  refresh(element?: TreeElement, options?: { requery?: boolean }): void;
  refreshNode(name: string, options?: { requery?: boolean }): void;
  rootOf(name: string): NodeElement | undefined;
  /** Shows a node in the view, expanded. */
  reveal(element: NodeElement): Promise<void>;
}

export interface CommandDeps {
  log: Log;
  nodes: NodeDirectory;
  state: NodeState;
  secrets: NodeSecrets;
  scp: LocalScpController;
  tree: NodesTree;
  webviews: Pick<Webviews, 'showQueryResults' | 'showAssociation' | 'associationPanelRecord' | 'activeAssociationRecord' | 'runAssociationAction'>;
  /** The kept association records. */
  associations: AssociationSource;
}
