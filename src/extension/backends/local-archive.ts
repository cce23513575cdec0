// The built-in node: the local SCP's archive, queried over DIMSE like any PACS (its SCP answers),
// holding what was retrieved, so there is nothing to retrieve from it.
import vscode = require('vscode');
import type { LocalNode } from '../config';
import { timeoutSeconds } from '../config';
import type { ArchiveRecords, DimseTarget, RetrieveOutcome } from '../engine';
import { LocalScpStoppedError } from '../local-scp';
import { plural } from '../text';
import type { Capability, NodeBackend, NodeView, RetrieveChoice, RetrieveMethodChoice } from './backend';
import type { BackendContext } from './context';
import { DimseOperations, PeerAddress } from './dimse';

/** Where a client reaches a server bound to `address`: the wildcard addresses are reached on loopback. */
function reachableAddress(address: string): string {
  if (address === '0.0.0.0' || address === '') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

export class LocalArchiveBackend extends DimseOperations implements NodeBackend {
  readonly kindLabel = 'the local archive';
  readonly builtIn = true;
  readonly inStorageFolder = true;
  readonly settings = undefined;
  private static readonly CAPABILITIES: readonly Capability[] = ['echo', 'find', 'patientLevel', 'worklist', 'send'];

  constructor(override readonly node: LocalNode, context: BackendContext) {
    super(node, context);
  }

  supports(capability: Capability): boolean {
    return LocalArchiveBackend.CAPABILITIES.includes(capability);
  }

  available(): boolean {
    return this.context.scp.running;
  }

  address(): string {
    const e = this.context.scp.effective();
    return `${e.aeTitle} :${e.port} (local SCP)`;
  }

  protected async target(): Promise<DimseTarget> {
    const scp = this.context.scp;
    if (!scp.running) throw new LocalScpStoppedError();
    const e = scp.effective();
    return {
      name: this.node.name, host: reachableAddress(e.bindAddress), port: e.port, calledAeTitle: e.aeTitle, callingAeTitle: e.aeTitle,
      timeoutSeconds: timeoutSeconds(),
    };
  }

  protected peerAddress(): PeerAddress {
    const e = this.context.scp.effective();
    return { host: e.bindAddress, port: e.port, calledAeTitle: e.aeTitle, callingAeTitle: e.aeTitle };
  }

  view(): NodeView {
    const scp = this.context.scp;
    const e = scp.effective();
    const running = scp.state === 'running';
    const instances = scp.stats()?.instances;
    const counts = instances !== undefined ? ` · ${plural(instances, 'instance')}` : '';
    return {
      contextValue: `dicomNode.local.${running ? 'running' : 'stopped'}`,
      description: running ? `${e.aeTitle} :${e.port}${counts}` : scp.state === 'starting' ? 'starting…' : `stopped${scp.lastError ? ` (${scp.lastError})` : ''}`,
      icon: new vscode.ThemeIcon(running ? 'database' : 'circle-slash'),
      describe: (tip) => {
        tip.appendMarkdown(`Local SCP: ${scp.state}\n\n`);
        tip.appendCodeblock(scp.aeConfiguration().text, 'text');
        tip.appendMarkdown(`\nStorage folder: \`${e.folder}\``);
      },
    };
  }

  /** The MPPS instances received and the storage commitment requests answered. */
  async records(): Promise<ArchiveRecords> {
    const scp = this.context.scp.instance;
    if (!scp) throw new LocalScpStoppedError();
    return scp.records();
  }

  retrieveChoices(): RetrieveChoice[] {
    return [];
  }

  retrieve(_scope: unknown, method: RetrieveMethodChoice): Promise<RetrieveOutcome> {
    return Promise.reject(new Error(`${this.node.name} cannot be retrieved from with ${method}`));
  }
}
