// The detail panel of one association: one panel per record (shown again when asked twice), live
// while the association is open, saying so when the record is no longer kept. Its buttons run the
// same actions as the Associations view's context menu.
import vscode = require('vscode');
import type { AssociationRecord } from '../../ae';
import { parseAssociationDetailMessage, type AssociationAction, type AssociationView, type HostToAssociationDetail, type RecordLiveness } from '../../shared';
import { copyDcmtkCommand, copyRecordText, exportRecordJson } from './association-actions';
import { associationView, panelTitle } from './association-view';
import type { AssociationSource, RecordTools, WebviewLog } from './deps';
import { pageFor, webviewOptions } from './resources';

export interface AssociationPanelServices {
  extensionUri: vscode.Uri;
  source: AssociationSource;
  /** formatRecord and dcmtkCommand (the engine bundle). */
  tools(): RecordTools;
  log: WebviewLog;
}

/** What tests read of an open panel. */
export interface AssociationPanelInfo {
  recordId: string;
  liveness: RecordLiveness;
  /** The view last posted to the webview (undefined until the webview is ready). */
  posted?: AssociationView;
  /** Views posted so far (each update of an open association posts one). */
  posts: number;
}

export const ASSOCIATION_VIEW_TYPE = 'dicomNetwork.associationDetail';

export class AssociationDetailPanel implements vscode.Disposable {
  private static readonly open = new Map<string, AssociationDetailPanel>();

  /** Shows the panel of the record (a new one, or the one already open). */
  static show(services: AssociationPanelServices, record: AssociationRecord, column?: vscode.ViewColumn): AssociationDetailPanel {
    const existing = AssociationDetailPanel.open.get(record.id);
    if (existing) {
      existing.panel.reveal(column);
      return existing;
    }
    const panel = new AssociationDetailPanel(services, record, column ?? vscode.ViewColumn.Active);
    AssociationDetailPanel.open.set(record.id, panel);
    return panel;
  }

  static panels(): AssociationDetailPanel[] {
    return [...AssociationDetailPanel.open.values()];
  }

  readonly panel: vscode.WebviewPanel;
  private current: AssociationRecord;
  private liveness: RecordLiveness;
  private ready = false;
  private posted?: AssociationView;
  private posts = 0;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(private readonly services: AssociationPanelServices, record: AssociationRecord, column: vscode.ViewColumn) {
    this.current = record;
    this.liveness = record.outcome ? 'closed' : 'open';
    this.panel = vscode.window.createWebviewPanel(ASSOCIATION_VIEW_TYPE, panelTitle(record), column, {
      ...webviewOptions(services.extensionUri),
      retainContextWhenHidden: false,
    });
    this.panel.webview.html = pageFor(this.panel.webview, services.extensionUri, 'association-detail', panelTitle(record));
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m) => this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
      services.source.onDidChange((changed) => this.onSourceChange(changed)),
      services.source.onDidClear(() => this.onSourceChange(undefined)),
    );
  }

  get recordId(): string {
    return this.current.id;
  }

  /** The record as last seen (kept even when the store has let it go). */
  get record(): AssociationRecord {
    return this.current;
  }

  info(): AssociationPanelInfo {
    return { recordId: this.current.id, liveness: this.liveness, posted: this.posted, posts: this.posts };
  }

  private onSourceChange(changed: AssociationRecord | undefined): void {
    if (changed?.id === this.current.id) {
      this.current = changed;
      this.liveness = changed.outcome ? 'closed' : 'open';
      this.render();
      return;
    }
    // Another association changed, or the list was cleared: the store may have let ours go.
    if (this.liveness !== 'dropped' && this.services.source.get(this.current.id) === undefined) {
      this.liveness = 'dropped';
      this.render();
    }
  }

  private render(): void {
    if (!this.ready) return;
    let dcmtk;
    try {
      dcmtk = this.services.tools().dcmtkCommand(this.current);
    } catch (e) {
      this.services.log.warn(`Association ${this.current.id}: no DCMTK command (${e instanceof Error ? e.message : String(e)})`);
    }
    const view = associationView(this.current, this.liveness, dcmtk);
    this.posted = view;
    this.posts++;
    const msg: HostToAssociationDetail = { type: 'ad/view', view };
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseAssociationDetailMessage(raw);
    if (!msg) {
      this.services.log.warn('The association view sent a message that is not part of the protocol; ignored.');
      return;
    }
    if (msg.type === 'ready') {
      // A (re)loaded webview gets the whole view again.
      this.ready = true;
      this.render();
      return;
    }
    await runAssociationAction(msg.action, this.current, this.services);
  }

  dispose(): void {
    if (AssociationDetailPanel.open.get(this.current.id) !== this) return;
    AssociationDetailPanel.open.delete(this.current.id);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** Runs one of the record actions; a failure is logged and said in one sentence. */
export async function runAssociationAction(action: AssociationAction, record: AssociationRecord, services: Pick<AssociationPanelServices, 'tools' | 'log'>, target?: vscode.Uri): Promise<void> {
  try {
    switch (action) {
      case 'copyText': await copyRecordText(record, services.tools()); break;
      case 'copyDcmtk': await copyDcmtkCommand(record, services.tools()); break;
      case 'exportJson': await exportRecordJson(record, services.log, target); break;
    }
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    services.log.error(`Association ${record.id}: ${action} failed: ${reason}`);
    void vscode.window.showErrorMessage(`${ACTION_NAMES[action]} failed: ${reason}`);
  }
}

const ACTION_NAMES: Record<AssociationAction, string> = {
  copyText: 'Copy as Text', exportJson: 'Export JSON', copyDcmtk: 'Copy as DCMTK Command',
};
