// The Nodes view: the built-in local archive and the remote nodes of the settings; expanding a
// node runs its study query, a study its series query, a series its instance query (C-FIND, or
// QIDO-RS for DICOMweb nodes). Failures become a row that says why.
import vscode = require('vscode');
import type { NodeDirectory } from '../backends';
import { describeFilter } from '../config';
import { LocalScpStoppedError } from '../local-scp';
import type { NodeState } from '../state';
import type { ArchiveRecords } from '../engine';
import {
  DataElement, InstanceElement, MessageElement, NodeElement, RecordGroupElement, SeriesElement, StudyElement, TreeElement,
} from './elements';
import { commitmentItem, instanceItem, messageItem, mppsItem, nodeItem, recordGroupItem, seriesItem, studyItem } from './items';

export class NodesProvider implements vscode.TreeDataProvider<TreeElement>, vscode.Disposable {
  private readonly roots = new Map<string, NodeElement>();
  /** Children fetched per element id: a label update (e.g. after an echo) must not query again. */
  private readonly cache = new Map<string, Promise<TreeElement[]>>();
  private readonly changed = new vscode.EventEmitter<TreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly nodes: NodeDirectory, private readonly state: Pick<NodeState, 'echoStatus'>) {}

  /**
   * Redraws one element (or the whole tree). With `requery` (the default) its children are
   * fetched again; without, only its label, icon and description change.
   */
  refresh(element?: TreeElement, options: { requery?: boolean } = {}): void {
    if (options.requery ?? true) {
      if (!element) this.cache.clear();
      else for (const id of [...this.cache.keys()]) if (id === element.id || id.startsWith(`${element.id}/`)) this.cache.delete(id);
    }
    this.changed.fire(element);
  }

  /** The root element of a node (the same object across refreshes, as VS Code requires). */
  rootOf(name: string): NodeElement | undefined {
    return this.roots.get(name);
  }

  /** Redraws a node (the whole tree when it has not been shown yet). */
  refreshNode(name: string, options: { requery?: boolean } = {}): void {
    this.refresh(this.rootOf(name), options);
  }

  getTreeItem(e: TreeElement): vscode.TreeItem {
    switch (e.kind) {
      case 'node': {
        const view = this.nodes.backend(e.node).view(this.state.echoStatus(e.node.name));
        return nodeItem(e, this.nodes.filterOf(e.node), view);
      }
      case 'study': return studyItem(e);
      case 'series': return seriesItem(e);
      case 'instance': return instanceItem(e);
      case 'recordGroup': return recordGroupItem(e);
      case 'mpps': return mppsItem(e);
      case 'commitment': return commitmentItem(e);
      case 'message': return messageItem(e);
    }
  }

  getParent(e: TreeElement): TreeElement | undefined {
    return e.kind === 'node' ? undefined : e.parent;
  }

  async getChildren(e?: TreeElement): Promise<TreeElement[]> {
    if (!e) return this.rootElements();
    if (e.kind === 'message' || e.kind === 'instance' || e.kind === 'mpps' || e.kind === 'commitment') return [];
    if (e.kind === 'recordGroup') return this.records(e);
    let children = this.cache.get(e.id);
    if (!children) {
      children = e.kind === 'node' ? this.studies(e) : e.kind === 'study' ? this.series(e) : this.instances(e);
      this.cache.set(e.id, children);
    }
    return children;
  }

  private rootElements(): TreeElement[] {
    const { nodes, problems } = this.nodes.read();
    const out: TreeElement[] = [];
    const seen = new Set<string>();
    for (const node of nodes) {
      seen.add(node.name);
      let el = this.roots.get(node.name);
      if (el) el.node = node;
      else {
        el = { kind: 'node', id: `node/${node.name}`, node };
        this.roots.set(node.name, el);
      }
      out.push(el);
    }
    for (const name of [...this.roots.keys()]) if (!seen.has(name)) this.roots.delete(name);
    problems.forEach((p, i) => out.push({
      kind: 'message', id: `settings-problem/${i}/${p}`, severity: 'warning', text: p,
      command: { command: 'workbench.action.openSettingsJson', title: 'Open Settings (JSON)' },
    }));
    return out;
  }

  private message(parent: NodeElement | StudyElement | SeriesElement, severity: MessageElement['severity'], text: string,
    extra: Partial<MessageElement> = {}): MessageElement {
    return { kind: 'message', id: `${parent.id}/message/${text}`, parent, severity, text, ...extra };
  }

  /** A failure as a row: the reason, and the log at a click. */
  private failure(parent: NodeElement | StudyElement | SeriesElement, error: unknown): MessageElement {
    const node = parent.node;
    if (error instanceof LocalScpStoppedError) {
      return this.message(parent, 'info', 'The local SCP is stopped — click to start it', {
        command: { command: 'dicomNetwork.startLocalScp', title: 'Start Local SCP' },
      });
    }
    const text = this.nodes.backend(node).describeError(error);
    return this.message(parent, 'error', text, {
      tooltip: `${node.name}: ${text}. Click to show the log.`,
      command: { command: 'dicomNetwork.showLog', title: 'Show Log' },
    });
  }

  private async studies(parent: NodeElement): Promise<TreeElement[]> {
    const node = parent.node;
    if (!vscode.workspace.isTrusted) return [this.message(parent, 'warning', 'Queries are disabled in an untrusted workspace')];
    const filter = this.nodes.filterOf(node);
    const backend = this.nodes.backend(node);
    try {
      const [listing, records] = await Promise.all([backend.listStudies(filter), backend.records?.().catch((error: unknown) => error as Error)]);
      const rows: TreeElement[] = listing.items.map((study) => ({
        kind: 'study', id: `${parent.id}/study/${study.studyInstanceUid}`, parent, node, study,
      }) as StudyElement);
      if (rows.length === 0) {
        rows.push(this.message(parent, 'info', `No studies match (${describeFilter(filter)}) — use Query… to change`, {
          command: { command: 'dicomNetwork.queryNode', title: 'Query…', arguments: [parent] },
        }));
      }
      if (listing.truncated) rows.push(this.message(parent, 'warning', `Only the first ${listing.items.length} studies are listed — narrow the filter with Query…`));
      return [...this.recordGroups(parent, records), ...rows];
    } catch (error) {
      return [this.failure(parent, error)];
    }
  }

  /** The folders of MPPS and commitment records, first (as folders are), or the reason they could not be read. */
  private recordGroups(parent: NodeElement, records: ArchiveRecords | Error | undefined): TreeElement[] {
    if (!records) return [];
    if (records instanceof Error) return [this.failure(parent, records)];
    const node = parent.node;
    return [
      { kind: 'recordGroup', id: `${parent.id}/records/mpps`, parent, node, group: 'mpps', records: records.mpps },
      { kind: 'recordGroup', id: `${parent.id}/records/commitments`, parent, node, group: 'commitments', records: records.commitments },
      ...records.problems.map((p) => this.message(parent, 'warning', p)),
    ];
  }

  private records(group: RecordGroupElement): TreeElement[] {
    const { node } = group;
    if (group.group === 'mpps') {
      return group.records.map((mpps) => ({ kind: 'mpps', id: `${group.id}/${mpps.sopInstanceUid}`, parent: group, node, mpps }));
    }
    return group.records.map((commitment) => ({ kind: 'commitment', id: `${group.id}/${commitment.transactionUid}`, parent: group, node, commitment }));
  }

  private async series(parent: StudyElement): Promise<TreeElement[]> {
    const node = parent.node;
    try {
      const listing = await this.nodes.backend(node).listSeries(parent.study.studyInstanceUid);
      const rows: TreeElement[] = listing.items.map((series) => ({
        kind: 'series', id: `${parent.id}/series/${series.seriesInstanceUid}`, parent, node, series,
      }) as SeriesElement);
      if (rows.length === 0) rows.push(this.message(parent, 'info', 'No series found in this study'));
      return rows;
    } catch (error) {
      return [this.failure(parent, error)];
    }
  }

  private async instances(parent: SeriesElement): Promise<TreeElement[]> {
    const node = parent.node;
    try {
      const listing = await this.nodes.backend(node).listInstances(parent.series.studyInstanceUid, parent.series.seriesInstanceUid);
      const rows: TreeElement[] = listing.items.map((instance) => ({
        kind: 'instance', id: `${parent.id}/instance/${instance.sopInstanceUid}`, parent, node, instance,
      }) as InstanceElement);
      if (rows.length === 0) rows.push(this.message(parent, 'info', 'No instances found in this series'));
      return rows;
    } catch (error) {
      return [this.failure(parent, error)];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export type { DataElement };
