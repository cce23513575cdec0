// One dataset shown in one webview (a custom editor or a panel): loads the file, sends the view,
// answers "show all", frame and copy requests. Frames come from the shared decoding worker.
import vscode = require('vscode');
import { basename } from 'node:path';
import {
  DatasetRequests, DatasetViewerToHost, HostToDatasetViewer, RequestServer, parseDatasetViewerMessage,
} from '../../shared';
import type { OpenedDataset, FrameDecoderLike } from '../engine';
import type { WebviewDeps } from './deps';
import { pageFor, webviewOptions } from './resources';

export interface SessionServices {
  extensionUri: vscode.Uri;
  deps: WebviewDeps;
  decoder(): FrameDecoderLike;
}

let nextBytesKey = 1;

/** What a session did, for the extension's API (tests) and the log. Times are performance.now(). */
export interface DatasetSessionInfo {
  uri: string;
  state: 'loading' | 'shown' | 'failed';
  error?: string;
  /** Frames of the image, once the file is parsed (0 when it has none). */
  frameCount?: number;
  /** The last frame requests of the webview, oldest first. */
  frames: { frame: number; requestedAt: number; answeredAt?: number; ok?: boolean; error?: string }[];
}

const live = new Set<DatasetSession>();
const FRAME_RECORDS = 50;

/** The dataset viewers open now. */
export function datasetSessions(): DatasetSessionInfo[] {
  return [...live].map((s) => s.info());
}

export class DatasetSession implements vscode.Disposable {
  private opened?: OpenedDataset;
  private loading?: Promise<OpenedDataset>;
  private readonly server: RequestServer<DatasetRequests>;
  private readonly disposables: vscode.Disposable[] = [];
  /** The worker reads file: URIs itself; other schemes get the bytes once, under this key. */
  private bytesKey?: string;
  private bytes?: Uint8Array;
  private state: DatasetSessionInfo['state'] = 'loading';
  private error?: string;
  private readonly frames: DatasetSessionInfo['frames'] = [];

  constructor(private readonly webview: vscode.Webview, private readonly uri: vscode.Uri, private readonly services: SessionServices) {
    webview.options = webviewOptions(services.extensionUri);
    this.server = new RequestServer<DatasetRequests>((m) => void this.post(m), {
      fullValue: async ({ id }) => (await this.load()).fullValue(id),
      frame: async ({ frame }, signal) => {
        const record: DatasetSessionInfo['frames'][number] = { frame, requestedAt: performance.now() };
        this.frames.push(record);
        if (this.frames.length > FRAME_RECORDS) this.frames.shift();
        try {
          await this.load();
          const source = this.uri.scheme === 'file' ? this.uri.fsPath : { key: this.bytesKey!, bytes: this.bytes! };
          const decoded = await services.decoder().decodeFrame(source, frame, { signal });
          record.ok = true;
          return decoded;
        } catch (e) {
          record.ok = false;
          record.error = e instanceof Error ? e.message : String(e);
          throw e;
        } finally {
          record.answeredAt = performance.now();
        }
      },
    });
    this.disposables.push(webview.onDidReceiveMessage((m) => this.onMessage(m)));
    webview.html = pageFor(webview, services.extensionUri, 'dataset-viewer', basename(uri.path));
    live.add(this);
  }

  info(): DatasetSessionInfo {
    const image = this.opened?.image;
    return {
      uri: this.uri.toString(), state: this.state, error: this.error,
      frameCount: image ? (image.hasImage ? image.frames : 0) : undefined,
      frames: this.frames.map((f) => ({ ...f })),
    };
  }

  private post(msg: HostToDatasetViewer): Thenable<boolean> {
    return this.webview.postMessage(msg);
  }

  private load(): Promise<OpenedDataset> {
    if (this.opened) return Promise.resolve(this.opened);
    this.loading ??= (async () => {
      const data = await vscode.workspace.fs.readFile(this.uri);
      if (this.uri.scheme !== 'file') {
        this.bytes = data;
        this.bytesKey = `${this.uri.toString()}#${nextBytesKey++}`;
      }
      this.opened = this.services.deps.viewerEngine().openDataset(data, basename(this.uri.path));
      return this.opened;
    })();
    this.loading.catch(() => { this.loading = undefined; });
    return this.loading;
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg: DatasetViewerToHost | undefined = parseDatasetViewerMessage(raw);
    if (!msg) {
      this.services.deps.log.warn('The dataset viewer sent a message that is not part of the protocol; ignored.');
      return;
    }
    switch (msg.type) {
      case 'ready':
        try {
          const opened = await this.load();
          await this.post({ type: 'ds/init', fileName: basename(this.uri.path), view: opened.view, image: opened.image });
          this.state = 'shown';
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          this.state = 'failed';
          this.error = message;
          this.services.deps.log.warn(`Cannot show ${this.uri.fsPath || this.uri.toString()}: ${message}`);
          await this.post({ type: 'ds/error', message });
        }
        break;
      case 'request':
        await this.server.handle(msg);
        break;
      case 'cancel':
        this.server.cancel(msg.requestId);
        break;
      case 'ds/copy':
        try {
          const text = (await this.load()).copyText(msg.rowId, msg.what);
          await vscode.env.clipboard.writeText(text);
          vscode.window.setStatusBarMessage(`Copied ${msg.what === 'tag' ? 'the tag' : msg.what === 'value' ? 'the value' : 'the element'}.`, 2000);
        } catch (e) {
          void vscode.window.showWarningMessage(`Copy failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        break;
    }
  }

  dispose(): void {
    live.delete(this);
    this.server.dispose();
    if (this.bytesKey) this.services.decoder().release(this.bytesKey);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
