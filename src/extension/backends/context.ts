// What the backends share: the log, the local SCP (C-MOVE's destination, the storage folder) and
// the secrets of the nodes.
import type { LocalScpController } from '../local-scp';
import type { Log } from '../log';
import type { NodeSecrets } from '../secrets';

export interface BackendContext {
  log: Log;
  scp: LocalScpController;
  secrets: NodeSecrets;
}
