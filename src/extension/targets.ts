// The nodes of the tree and the commands, and how to reach them: a DIMSE node (or the local
// archive) becomes a DimseTarget with the calling AE title, secrets and timeout of the moment.
import { DEFAULT_STUDY_FILTER, DicomwebNode, DimseNode, LOCAL_NODE_NAME, RemoteNode, StudyFilter } from './config/nodes';
import { timeoutSeconds } from './config/settings';
import type { WebTarget } from './engine/dicomweb';
import type { DimseTarget } from './engine/types';
import { LocalScpController } from './local-scp-controller';
import { NodeSecrets } from './secrets';

export interface LocalNode {
  kind: 'local';
  name: string;
  studyFilter: StudyFilter;
}

export type AnyNode = RemoteNode | LocalNode;

export const LOCAL_NODE: LocalNode = { kind: 'local', name: LOCAL_NODE_NAME, studyFilter: { studyDate: 'any' } };

export function isDimse(node: AnyNode): node is DimseNode | LocalNode {
  return node.kind === 'dimse' || node.kind === 'local';
}

export { DEFAULT_STUDY_FILTER };

/** Thrown when the local archive is asked for while its SCP is stopped. */
export class LocalScpStoppedError extends Error {
  override name = 'LocalScpStoppedError';
  constructor() {
    super('the local SCP is stopped');
  }
}

export async function dimseTarget(node: DimseNode | LocalNode, scp: LocalScpController, secrets: NodeSecrets): Promise<DimseTarget> {
  const local = scp.config();
  if (node.kind === 'local') {
    if (!scp.running) throw new LocalScpStoppedError();
    const e = scp.effective();
    const host = e.bindAddress === '0.0.0.0' || e.bindAddress === '' ? '127.0.0.1' : e.bindAddress === '::' ? '::1' : e.bindAddress;
    return { name: node.name, host, port: e.port, calledAeTitle: e.aeTitle, callingAeTitle: e.aeTitle, timeoutSeconds: timeoutSeconds() };
  }
  return {
    name: node.name,
    host: node.host,
    port: node.port,
    calledAeTitle: node.aeTitle,
    callingAeTitle: node.callingAeTitle ?? local.aeTitle,
    tls: node.tls && {
      ca: node.tls.caFile ? { file: node.tls.caFile } : undefined,
      cert: node.tls.certFile ? { file: node.tls.certFile } : undefined,
      key: node.tls.keyFile ? { file: node.tls.keyFile } : undefined,
      rejectUnauthorized: node.tls.rejectUnauthorized,
    },
    identity: node.username ? { username: node.username, password: await secrets.get(node.name) } : undefined,
    timeoutSeconds: timeoutSeconds(),
  };
}

export async function webTarget(node: DicomwebNode, secrets: NodeSecrets): Promise<WebTarget> {
  return {
    name: node.name,
    url: node.url,
    auth: node.auth,
    username: node.username,
    secret: node.auth === 'none' ? undefined : await secrets.get(node.name),
    timeoutSeconds: timeoutSeconds(),
  };
}
