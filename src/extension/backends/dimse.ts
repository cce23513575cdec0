// DIMSE nodes: C-FIND lists, C-ECHO, Find… and Worklist…, C-MOVE/C-GET, C-STORE. The remote
// DIMSE node and the local archive (our own SCP) share the operations; they differ in their peer.
import vscode = require('vscode');
import { filterKeys } from '../config';
import type { DimseNode, LocalNode, StudyFilter } from '../config';
import { localScpConfig, timeoutSeconds } from '../config';
import { loadEngine } from '../engine-loader';
import { LocalScpStoppedError } from '../local-scp';
import type { OnMatch } from '../engine';
import type { CommitmentOutcome, DimseTarget, QueryTable, RetrieveOutcome, RetrieveScope, SendOutcome } from '../engine';
import type { EchoStatus } from '../state';
import { describeEcho, echoIcon, echoMark, escapeMarkdown } from '../ui';
import { sentence } from '../ui';
import type {
  Capability, CommitRun, EchoResult, FindQuery, NodeBackend, NodeView, RetrieveChoice, RetrieveMethodChoice, RetrieveRun, SendRun,
} from './backend';
import type { BackendContext } from './context';

/** Host, port and AE titles of a node, for error sentences (no secrets needed). */
export type PeerAddress = Pick<DimseTarget, 'host' | 'port' | 'calledAeTitle' | 'callingAeTitle'>;

/** The operations of a node reached over DIMSE, given where its peer is. */
export abstract class DimseOperations {
  readonly protocols = { echo: 'C-ECHO', find: 'C-FIND', send: 'C-STORE' };
  readonly resultsTitleSuffix = '';

  constructor(readonly node: DimseNode | LocalNode, protected readonly context: BackendContext) {}

  /** The peer with its secrets, for one operation. */
  protected abstract target(): Promise<DimseTarget>;
  /** The peer as error sentences name it. */
  protected abstract peerAddress(): PeerAddress;

  async listStudies(filter: StudyFilter, signal?: AbortSignal) {
    return loadEngine().queryStudies(await this.target(), filterKeys(filter), this.context.log, signal);
  }

  async listSeries(studyInstanceUid: string, signal?: AbortSignal) {
    return loadEngine().querySeries(await this.target(), studyInstanceUid, this.context.log, signal);
  }

  async listInstances(studyInstanceUid: string, seriesInstanceUid: string, signal?: AbortSignal) {
    return loadEngine().queryInstances(await this.target(), studyInstanceUid, seriesInstanceUid, this.context.log, signal);
  }

  async echo(signal?: AbortSignal): Promise<EchoResult> {
    const outcome = await loadEngine().echo(await this.target(), this.context.log, signal);
    const name = this.node.name;
    return outcome.ok
      ? { ok: true, message: `Echo to ${name} succeeded in ${outcome.ms} ms.`, status: `success in ${outcome.ms} ms`, associationId: outcome.associationId }
      : { ok: false, message: `Echo to ${name} answered ${outcome.statusText}.`, status: outcome.statusText, associationId: outcome.associationId };
  }

  echoFailure(reason: string): string {
    return `Echo to ${this.node.name} failed: ${sentence(reason)}`;
  }

  async find(query: FindQuery, signal: AbortSignal, onMatch?: OnMatch): Promise<QueryTable> {
    const engine = loadEngine();
    const target = await this.target();
    return query.model === 'worklist'
      ? engine.worklist(target, query.keys, this.context.log, signal, onMatch)
      : engine.find(target, query.model, query.level, query.keys, this.context.log, signal, onMatch);
  }

  async send(paths: readonly string[], run: SendRun): Promise<SendOutcome> {
    return loadEngine().send(await this.target(), paths, this.context.log, run);
  }

  /** Reports on a new association reach the request through the local SCP, when it runs. */
  async requestCommitment(paths: readonly string[], run: CommitRun): Promise<CommitmentOutcome> {
    return loadEngine().commit(await this.target(), paths, this.context.log, {
      waitSeconds: run.waitSeconds, signal: run.signal, onAccepted: run.onAccepted, router: this.context.scp.instance?.commitmentReports,
    });
  }

  describeError(error: unknown): string {
    return loadEngine().describeError(error, this.peerAddress());
  }
}

/** A PACS or modality of the settings. */
export class DimseBackend extends DimseOperations implements NodeBackend {
  readonly kindLabel = 'a DIMSE node';
  readonly builtIn = false;
  readonly inStorageFolder = false;
  private static readonly CAPABILITIES: readonly Capability[] = ['echo', 'find', 'patientLevel', 'worklist', 'retrieve', 'send', 'commit', 'edit'];

  constructor(override readonly node: DimseNode, context: BackendContext) {
    super(node, context);
  }

  get settings(): DimseNode {
    return this.node;
  }

  supports(capability: Capability): boolean {
    return DimseBackend.CAPABILITIES.includes(capability);
  }

  available(): boolean {
    return true;
  }

  address(): string {
    return `${this.node.aeTitle}@${this.node.host}:${this.node.port}${this.node.tls ? ' (TLS)' : ''}`;
  }

  private callingAeTitle(): string {
    return this.node.callingAeTitle ?? localScpConfig().aeTitle;
  }

  protected async target(): Promise<DimseTarget> {
    const node = this.node;
    const password = node.username ? await this.context.secrets.get(node.name) : undefined;
    const tls = node.tls;
    return {
      name: node.name,
      host: node.host,
      port: node.port,
      calledAeTitle: node.aeTitle,
      callingAeTitle: this.callingAeTitle(),
      tls: tls && {
        ca: tls.caFile ? { file: tls.caFile } : undefined,
        cert: tls.certFile ? { file: tls.certFile } : undefined,
        key: tls.keyFile ? { file: tls.keyFile } : undefined,
        rejectUnauthorized: tls.rejectUnauthorized,
      },
      identity: node.username ? { username: node.username, password } : undefined,
      timeoutSeconds: timeoutSeconds(),
    };
  }

  protected peerAddress(): PeerAddress {
    return { host: this.node.host, port: this.node.port, calledAeTitle: this.node.aeTitle, callingAeTitle: this.callingAeTitle() };
  }

  view(echo: EchoStatus | undefined): NodeView {
    const node = this.node;
    return {
      contextValue: 'dicomNode.dimse',
      description: `${this.address()}${echoMark(echo)}`,
      icon: echoIcon(echo) ?? new vscode.ThemeIcon('server'),
      describe: (tip) => {
        tip.appendMarkdown(`AE title \`${escapeMarkdown(node.aeTitle)}\` at \`${node.host}:${node.port}\`${node.tls ? ' (TLS)' : ''}  \nRetrieve with ${node.retrieveMethod}${node.callingAeTitle ? `  \nCalling AE title \`${escapeMarkdown(node.callingAeTitle)}\`` : ''}\n\n`);
        describeEcho(tip, echo);
      },
    };
  }

  retrieveChoices(): RetrieveChoice[] {
    const ae = this.context.scp.aeConfiguration();
    const move: RetrieveChoice = { label: 'C-MOVE to the local SCP', description: `${this.node.name} sends to ${ae.aeTitle} at ${ae.host}:${ae.port} (it must know this AE)`, value: 'C-MOVE' };
    const get: RetrieveChoice = { label: 'C-GET', description: 'instances come back over the same association', value: 'C-GET' };
    return this.node.retrieveMethod === 'C-GET' ? [get, move] : [move, get];
  }

  /** C-MOVE to the local SCP (which must be running: the caller starts it), or C-GET into its storage folder. */
  async retrieve(scope: RetrieveScope, method: RetrieveMethodChoice, run: RetrieveRun): Promise<RetrieveOutcome> {
    const engine = loadEngine();
    const target = await this.target();
    const scp = this.context.scp.instance;
    const options = { onProgress: run.onProgress, signal: run.signal };
    if (method === 'C-MOVE') {
      if (!scp) throw new LocalScpStoppedError();
      return engine.move(target, scope, scp, this.context.log, options);
    }
    if (method !== 'C-GET') throw new Error(`${this.node.name} cannot be retrieved from with ${method}`);
    return engine.get(target, scope, this.context.scp.storageFolder(), scp, this.context.log, options);
  }
}
