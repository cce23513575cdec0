// The query results panel: the caller feeds matches (DICOM JSON) as they arrive and says how the
// query ended; the panel shows them in its table and runs the actions the user picks.
import vscode = require('vscode');
import {
  HostToQueryResults, QueryAction, QueryColumn, QueryLevelName, QueryRowData, QueryRunState, parseQueryResultsMessage,
} from '../../shared';
import { DEFAULT_COLUMNS, DicomJsonObject, cellsOf, scopeOf, toCsv, uidsText } from './query-rows';
import { SHOW_ASSOCIATION_COMMAND } from '../associations';
import type { WebviewDeps } from './deps';
import { pageFor, webviewOptions } from './resources';

export interface QueryResultsOptions {
  title: string;
  level: QueryLevelName;
  /** Default: the usual columns of the level. */
  columns?: QueryColumn[];
  /** Handed back to deps.retrieve/open (e.g. the node the query ran on). */
  source?: unknown;
  column?: vscode.ViewColumn;
}

/** Rows go to the webview in batches, at most this often. */
const FLUSH_MS = 100;
const BATCH = 2000;

export class QueryResultsPanel implements vscode.Disposable {
  private readonly matches: DicomJsonObject[] = [];
  private readonly rows: QueryRowData[] = [];
  /** Rows the webview already has. */
  private sent = 0;
  private state: QueryRunState = 'running';
  private message?: string;
  /** The association a failed query used (its record id), for Show Association. */
  private associationId?: string;
  private timer?: ReturnType<typeof setTimeout>;
  private ready = false;
  private disposed = false;
  private readonly columns: QueryColumn[];
  private readonly actions: QueryAction[];
  private readonly controller = new AbortController();
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly panel: vscode.WebviewPanel;

  /** Fires when the panel closes. */
  readonly onDidDispose = this.disposeEmitter.event;

  /** Aborted when the user presses Cancel or closes the panel: pass it to the query. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  constructor(private readonly extensionUri: vscode.Uri, private readonly deps: WebviewDeps, private readonly opts: QueryResultsOptions) {
    this.columns = opts.columns ?? [...DEFAULT_COLUMNS[opts.level]];
    this.actions = [
      ...(deps.retrieve && opts.level !== 'WORKLIST' && opts.level !== 'PATIENT' ? ['retrieve' as const] : []),
      ...(deps.open && opts.level !== 'WORKLIST' && opts.level !== 'PATIENT' ? ['open' as const] : []),
      'copyUids', 'exportJson', 'exportCsv',
    ];
    this.panel = vscode.window.createWebviewPanel('dicomNetwork.queryResults', opts.title, opts.column ?? vscode.ViewColumn.Active, {
      ...webviewOptions(extensionUri),
      retainContextWhenHidden: false,
    });
    this.panel.webview.html = pageFor(this.panel.webview, extensionUri, 'query-results', opts.title);
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m) => this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Adds pending matches (C-FIND identifiers or QIDO results as DICOM JSON). */
  addMatches(matches: readonly DicomJsonObject[]): void {
    if (this.disposed) return;
    for (const m of matches) {
      this.matches.push(m);
      this.rows.push({ id: this.rows.length, cells: cellsOf(m, this.columns) });
    }
    this.scheduleFlush();
  }

  /**
   * The query ended: 'done', 'cancelled' (by the user or a limit) or 'failed', with a sentence;
   * a failure names the association it used when the engine knows it (the panel offers Show Association).
   */
  finish(state: Exclude<QueryRunState, 'running'>, message?: string, associationId?: string): void {
    if (this.disposed) return;
    this.state = state;
    this.message = message;
    this.associationId = state === 'failed' ? associationId : undefined;
    this.flush();
    void this.post({ type: 'qr/state', state, message, canShowAssociation: this.associationId !== undefined });
  }

  get matchCount(): number {
    return this.matches.length;
  }

  get title(): string {
    return this.opts.title;
  }

  get level(): QueryLevelName {
    return this.opts.level;
  }

  /** How the query stands, the sentence the panel shows with it, and the association of a failure. */
  get runState(): { state: QueryRunState; message?: string; associationId?: string } {
    return { state: this.state, message: this.message, associationId: this.associationId };
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(msg: HostToQueryResults): Thenable<boolean> {
    return this.panel.webview.postMessage(msg);
  }

  private scheduleFlush(): void {
    if (this.timer || !this.ready) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, FLUSH_MS);
  }

  private flush(): void {
    if (!this.ready || this.disposed) return;
    while (this.sent < this.rows.length) {
      const batch = this.rows.slice(this.sent, this.sent + BATCH);
      this.sent += batch.length;
      void this.post({ type: 'qr/rows', rows: batch });
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseQueryResultsMessage(raw);
    if (!msg) {
      this.deps.log.warn('The query results view sent a message that is not part of the protocol; ignored.');
      return;
    }
    switch (msg.type) {
      case 'ready':
        // A (re)loaded webview gets everything again.
        this.ready = true;
        this.sent = 0;
        await this.post({ type: 'qr/init', title: this.opts.title, level: this.opts.level, columns: this.columns, actions: this.actions, state: this.state, message: this.message,
          canShowAssociation: this.associationId !== undefined });
        this.flush();
        break;
      case 'qr/cancel':
        this.controller.abort();
        break;
      case 'qr/showAssociation':
        if (this.associationId) await vscode.commands.executeCommand(SHOW_ASSOCIATION_COMMAND, this.associationId);
        break;
      case 'qr/action':
        await this.runAction(msg.action, msg.rowIds.filter((id) => id < this.matches.length));
        break;
    }
  }

  private async runAction(action: QueryAction, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const matches = ids.map((id) => this.matches[id]!);
    const request = () => ({ source: this.opts.source, level: this.opts.level, rows: matches.map((m) => scopeOf(m, this.opts.level)), matches });
    try {
      switch (action) {
        case 'retrieve':
          await this.deps.retrieve?.(request());
          break;
        case 'open':
          await this.deps.open?.(request());
          break;
        case 'copyUids': {
          await vscode.env.clipboard.writeText(uidsText(request().rows));
          vscode.window.setStatusBarMessage(`Copied ${ids.length} UID${ids.length === 1 ? '' : 's'}.`, 2000);
          break;
        }
        case 'exportJson':
        case 'exportCsv': {
          const json = action === 'exportJson';
          const target = await vscode.window.showSaveDialog({
            title: `Export ${ids.length} result${ids.length === 1 ? '' : 's'}`,
            filters: json ? { 'DICOM JSON': ['json'] } : { CSV: ['csv'] },
            defaultUri: vscode.workspace.workspaceFolders?.[0] ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, json ? 'results.json' : 'results.csv') : undefined,
          });
          if (!target) return;
          const text = json ? `${JSON.stringify(matches, null, 2)}\n` : toCsv(this.columns, matches);
          await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
          this.deps.log.info(`Exported ${ids.length} query results to ${target.fsPath}`);
          break;
        }
      }
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.deps.log.error(`Query results: ${action} failed: ${reason}`);
      void vscode.window.showErrorMessage(`${action === 'retrieve' ? 'Retrieve' : action === 'open' ? 'Open' : 'The action'} failed: ${reason}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
