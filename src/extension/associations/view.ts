// The DICOM Associations view: every association the extension made or took, newest first, live
// while they run; filters by node, AE title and outcome from the title bar (quick picks), the
// active filter in the view's description; selecting one opens its detail.
import vscode = require('vscode');
import type { AssociationRecord } from '../../ae';
import {
  AssociationFilter, NodeMatch, OUTCOME_CHOICES, OutcomeFilter, aeTitlesOf, describeFilter, isFiltered, visibleRecords,
} from './filters';
import { RecordState, aeTitles, recordDescription, recordDetails, recordLabel, recordState } from './labels';
import type { AssociationStore } from './store';

export const ASSOCIATIONS_VIEW_ID = 'dicomNetwork.associations';
/** Opens an association's detail (registered by the detail webview), with the record id. */
export const SHOW_ASSOCIATION_COMMAND = 'dicomNetwork.showAssociation';
const FILTERED_CONTEXT = 'dicomNetwork.associations.filtered';
/** Redraws are gathered: 10,000 associations in a minute must not mean 10,000 redraws. */
const REDRAW_MS = 100;

const ICONS: Record<RecordState, [icon: string, color: string]> = {
  open: ['sync~spin', 'charts.blue'],
  released: ['pass', 'testing.iconPassed'],
  'released-with-warnings': ['warning', 'list.warningForeground'],
  'released-with-failures': ['error', 'list.errorForeground'],
  rejected: ['circle-slash', 'list.errorForeground'],
  aborted: ['close', 'list.errorForeground'],
  'timed-out': ['watch', 'list.warningForeground'],
  'connection-lost': ['debug-disconnect', 'list.errorForeground'],
  'connection-failed': ['plug', 'list.errorForeground'],
};

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function associationItem(record: AssociationRecord): vscode.TreeItem {
  const item = new vscode.TreeItem(recordLabel(record), vscode.TreeItemCollapsibleState.None);
  const state = recordState(record);
  item.id = record.id;
  item.description = recordDescription(record);
  const [icon, color] = ICONS[state];
  item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
  item.contextValue = `association.${state}`;
  const details = recordDetails(record);
  item.tooltip = new vscode.MarkdownString(details.map(escapeMarkdown).join('  \n'));
  const direction = record.direction === 'outbound' ? 'outgoing' : 'incoming';
  item.accessibilityInformation = { label: `${direction} association ${aeTitles(record)}, ${recordDescription(record)}` };
  item.command = { command: SHOW_ASSOCIATION_COMMAND, title: 'Show Association', arguments: [record.id] };
  return item;
}

/** The nodes the node filter offers (the Nodes view's DIMSE nodes and the local archive). */
export type NodeSource = () => NodeMatch[];

export class AssociationsView implements vscode.TreeDataProvider<AssociationRecord>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AssociationRecord | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly treeView: vscode.TreeView<AssociationRecord>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private filterState: AssociationFilter = {};
  private redraw: NodeJS.Timeout | undefined;
  private filteredContext: boolean | undefined;

  constructor(private readonly store: AssociationStore, private readonly nodes: NodeSource) {
    this.treeView = vscode.window.createTreeView(ASSOCIATIONS_VIEW_ID, { treeDataProvider: this });
    this.subscriptions.push(this.treeView, this.changed, store.onDidChange(() => this.scheduleRedraw()));
    this.showState();
  }

  get filter(): AssociationFilter {
    return this.filterState;
  }

  /** What the view shows now (for tests and the API): newest first. */
  visible(): AssociationRecord[] {
    return visibleRecords(this.store.all(), this.filterState);
  }

  get description(): string | undefined {
    return this.treeView.description;
  }

  get message(): string | undefined {
    return this.treeView.message;
  }

  getTreeItem(record: AssociationRecord): vscode.TreeItem {
    return associationItem(record);
  }

  getChildren(element?: AssociationRecord): AssociationRecord[] {
    return element ? [] : this.visible();
  }

  /** The view's commands, by id. */
  commandHandlers(): Record<string, (...args: unknown[]) => unknown> {
    return {
      'dicomNetwork.associations.filter': () => this.chooseFilter(),
      'dicomNetwork.associations.filterByNode': (arg) => this.filterByNode(arg),
      'dicomNetwork.associations.filterByAeTitle': (arg) => this.filterByAeTitle(arg),
      'dicomNetwork.associations.filterByOutcome': (arg) => this.filterByOutcome(arg),
      'dicomNetwork.associations.clearFilters': () => this.setFilter({}),
      'dicomNetwork.associations.clear': () => this.clear(),
    };
  }

  setFilter(filter: AssociationFilter): void {
    this.filterState = filter;
    this.redrawNow();
  }

  private async chooseFilter(): Promise<void> {
    const f = this.filterState;
    const choice = await vscode.window.showQuickPick([
      { label: 'Node…', description: f.node?.name, run: () => this.filterByNode() },
      { label: 'AE Title…', description: f.aeTitle, run: () => this.filterByAeTitle() },
      { label: 'Outcome…', description: f.outcomes?.join(', '), run: () => this.filterByOutcome() },
      ...(isFiltered(f) ? [{ label: 'Clear Filters', description: describeFilter(f), run: async () => this.setFilter({}) }] : []),
    ], { title: 'Filter Associations', placeHolder: 'Filter by…' });
    await choice?.run();
  }

  private async filterByNode(arg?: unknown): Promise<void> {
    const nodes = this.nodes();
    let node: NodeMatch | undefined;
    if (typeof arg === 'string') {
      node = nodes.find((n) => n.name === arg);
      if (!node) throw new Error(`there is no DIMSE node named ${arg}`);
    } else {
      const choice = await vscode.window.showQuickPick([
        { label: 'All nodes', node: undefined as NodeMatch | undefined },
        ...nodes.map((n) => ({
          label: n.name, node: n as NodeMatch | undefined,
          description: n.kind === 'local' ? `${n.aeTitle}, port ${n.port}: what the local SCP received` : `${n.aeTitle}@${n.host}:${n.port}`,
        })),
      ], { title: 'Filter Associations by Node', placeHolder: 'Show the associations with…' });
      if (!choice) return;
      node = choice.node;
    }
    this.setFilter({ ...this.filterState, node });
  }

  private async filterByAeTitle(arg?: unknown): Promise<void> {
    let aeTitle: string | undefined;
    if (typeof arg === 'string') aeTitle = arg;
    else {
      const titles = aeTitlesOf(this.store.all());
      const choice = await vscode.window.showQuickPick([
        { label: 'All AE titles', aeTitle: undefined as string | undefined },
        ...titles.map((t) => ({ label: t, aeTitle: t as string | undefined, description: 'calling or called' })),
      ], { title: 'Filter Associations by AE Title', placeHolder: titles.length ? 'Show the associations that name…' : 'No association yet' });
      if (!choice) return;
      aeTitle = choice.aeTitle;
    }
    this.setFilter({ ...this.filterState, aeTitle });
  }

  private async filterByOutcome(arg?: unknown): Promise<void> {
    let outcomes: OutcomeFilter[];
    const known = OUTCOME_CHOICES.map((c) => c.value);
    if (Array.isArray(arg) || typeof arg === 'string') {
      outcomes = (Array.isArray(arg) ? arg : [arg]).map(String) as OutcomeFilter[];
      const unknown = outcomes.find((o) => !known.includes(o));
      if (unknown) throw new Error(`${unknown} is not an outcome (${known.join(', ')})`);
    } else {
      const current = new Set(this.filterState.outcomes ?? []);
      const picked = await vscode.window.showQuickPick(
        OUTCOME_CHOICES.map((c) => ({ label: c.label, value: c.value, picked: current.has(c.value) })),
        { title: 'Filter Associations by Outcome', placeHolder: 'Show the associations that ended… (none: all)', canPickMany: true },
      );
      if (!picked) return;
      outcomes = picked.map((p) => p.value);
    }
    this.setFilter({ ...this.filterState, outcomes: outcomes.length ? outcomes : undefined });
  }

  private clear(): void {
    this.store.clear();
    this.redrawNow();
  }

  private scheduleRedraw(): void {
    this.redraw ??= setTimeout(() => this.redrawNow(), REDRAW_MS);
  }

  private redrawNow(): void {
    if (this.redraw) clearTimeout(this.redraw);
    this.redraw = undefined;
    this.changed.fire(undefined);
    this.showState();
  }

  private showState(): void {
    const filtered = isFiltered(this.filterState);
    if (filtered !== this.filteredContext) {
      this.filteredContext = filtered;
      void vscode.commands.executeCommand('setContext', FILTERED_CONTEXT, filtered);
    }
    const all = this.store.all();
    const shown = filtered ? visibleRecords(all, this.filterState).length : all.length;
    this.treeView.description = filtered ? `${describeFilter(this.filterState)} (${shown} of ${all.length})` : undefined;
    if (all.length === 0) {
      this.treeView.message = 'No associations yet. They appear here as the extension echoes, queries, retrieves and sends, and as the local SCP receives.';
    } else if (shown === 0) {
      this.treeView.message = `No association matches the filters (${describeFilter(this.filterState)}). Clear Filters shows all ${all.length}.`;
    } else {
      this.treeView.message = undefined;
    }
  }

  dispose(): void {
    if (this.redraw) clearTimeout(this.redraw);
    for (const d of this.subscriptions) d.dispose();
  }
}
