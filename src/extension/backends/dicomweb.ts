// DICOMweb nodes: QIDO-RS lists, a QIDO-RS search as their echo, Find… as QIDO-RS, WADO-RS into the
// storage folder, STOW-RS for Send.
import vscode = require('vscode');
import { filterKeys } from '../config';
import type { DicomwebNode, StudyFilter } from '../config';
import { timeoutSeconds } from '../config';
import { loadEngine } from '../engine-loader';
import type { WebTarget } from '../engine';
import type { CommitmentOutcome, QueryTable, RetrieveOutcome, RetrieveScope, SendOutcome } from '../engine';
import type { EchoStatus } from '../state';
import { describeEcho, echoIcon, echoMark } from '../ui';
import { sentence } from '../ui';
import type {
  Capability, EchoResult, FindQuery, NodeBackend, NodeView, RetrieveChoice, RetrieveMethodChoice, RetrieveRun, SendRun,
} from './backend';
import type { BackendContext } from './context';

export class DicomwebBackend implements NodeBackend {
  readonly kindLabel = 'a DICOMweb node';
  readonly builtIn = false;
  readonly inStorageFolder = false;
  readonly protocols = { echo: 'QIDO-RS', find: 'QIDO-RS', send: 'STOW-RS' };
  readonly resultsTitleSuffix = ' (QIDO-RS)';
  private static readonly CAPABILITIES: readonly Capability[] = ['echo', 'find', 'retrieve', 'send', 'edit'];

  constructor(readonly node: DicomwebNode, private readonly context: BackendContext) {}

  get settings(): DicomwebNode {
    return this.node;
  }

  supports(capability: Capability): boolean {
    return DicomwebBackend.CAPABILITIES.includes(capability);
  }

  available(): boolean {
    return true;
  }

  address(): string {
    return this.node.url;
  }

  private async target(): Promise<WebTarget> {
    const node = this.node;
    return {
      name: node.name,
      url: node.url,
      auth: node.auth,
      username: node.username,
      secret: node.auth === 'none' ? undefined : await this.context.secrets.get(node.name),
      timeoutSeconds: timeoutSeconds(),
    };
  }

  view(echo: EchoStatus | undefined): NodeView {
    return {
      contextValue: 'dicomNode.dicomweb',
      description: `${this.address()}${echoMark(echo)}`,
      icon: echoIcon(echo) ?? new vscode.ThemeIcon('globe'),
      describe: (tip) => {
        tip.appendMarkdown(`DICOMweb \`${this.node.url}\` (auth: ${this.node.auth})\n\n`);
        describeEcho(tip, echo);
      },
    };
  }

  async listStudies(filter: StudyFilter, signal?: AbortSignal) {
    return loadEngine().qidoStudies(await this.target(), filterKeys(filter), this.context.log, signal);
  }

  async listSeries(studyInstanceUid: string, signal?: AbortSignal) {
    return loadEngine().qidoSeries(await this.target(), studyInstanceUid, this.context.log, signal);
  }

  async listInstances(studyInstanceUid: string, seriesInstanceUid: string, signal?: AbortSignal) {
    return loadEngine().qidoInstances(await this.target(), studyInstanceUid, seriesInstanceUid, this.context.log, signal);
  }

  async echo(signal?: AbortSignal): Promise<EchoResult> {
    const outcome = await loadEngine().dicomwebCheck(await this.target(), this.context.log, signal);
    return { ok: outcome.ok, message: `${this.node.name} answered a QIDO-RS search in ${outcome.ms} ms.`, status: `QIDO-RS answered in ${outcome.ms} ms` };
  }

  echoFailure(reason: string): string {
    return `The QIDO-RS check of ${this.node.name} failed: ${sentence(reason)}`;
  }

  async find(query: FindQuery, signal: AbortSignal): Promise<QueryTable> {
    if (query.model === 'worklist') throw new Error('DICOMweb has no Modality Worklist service (UPS-RS is not supported)');
    return loadEngine().qidoFind(await this.target(), query.level, query.keys, this.context.log, signal);
  }

  retrieveChoices(): RetrieveChoice[] {
    const folder = vscode.workspace.asRelativePath(this.context.scp.folder());
    return [{ label: 'WADO-RS', description: `instances come back over HTTP into ${folder}`, value: 'WADO-RS' }];
  }

  /** WADO-RS into the storage folder; the running local SCP indexes what arrived. */
  async retrieve(scope: RetrieveScope, method: RetrieveMethodChoice, run: RetrieveRun): Promise<RetrieveOutcome> {
    if (method !== 'WADO-RS') throw new Error(`${this.node.name} cannot be retrieved from with ${method}`);
    const scp = this.context.scp;
    const outcome = await loadEngine().wadoRetrieve(await this.target(), scope, scp.storageFolder(), this.context.log, run);
    await scp.instance?.indexFiles(outcome.files);
    return outcome;
  }

  async send(paths: readonly string[], run: SendRun): Promise<SendOutcome> {
    return loadEngine().stowSend(await this.target(), paths, this.context.log, run);
  }

  requestCommitment(): Promise<CommitmentOutcome> {
    return Promise.reject(new Error('DICOMweb has no Storage Commitment service'));
  }

  describeError(error: unknown): string {
    return loadEngine().describeError(error);
  }
}
