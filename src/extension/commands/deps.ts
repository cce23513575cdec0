// The collaborators the commands are given. Each command takes only those it uses
// (Pick<CommandDeps, …>); activate() builds them once.
import type { NodeDirectory } from '../backends';
import type { LocalScpController } from '../local-scp';
import type { Log } from '../log';
import type { NodeSecrets } from '../secrets';
import type { NodeState } from '../state';
import type { NodesTree } from '../tree';
import type { Webviews } from '../webviews';
import type { AssociationSource } from '../webviews';

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
