// What Add Node… asks and Edit Node… changes, per kind of node: each field's label, its value now,
// how it is asked for and how a new value is checked and applied.
import {
  DicomwebAuth, DicomwebNode, DimseNode, LOCAL_NODE_NAME, RemoteNode, RetrieveMethod, StorageCommitmentChoice, aeTitleProblem, hostProblem, portProblem,
  studyDateProblem, urlProblem,
} from '../config';
import { readNodes } from '../config';
import { ask, choose } from './pick';

export type Field = 'name' | 'host' | 'port' | 'aeTitle' | 'callingAeTitle' | 'retrieveMethod' | 'storageCommitment' | 'tls' | 'username' | 'secret' | 'url' | 'auth' | 'studyDate';

const STORAGE_COMMITMENT_CHOICES: { label: string; description: string; value: StorageCommitmentChoice }[] = [
  { label: 'Offer it', description: 'a Request Storage Commitment button on the result', value: 'ask' },
  { label: 'Always', description: 'request it after every send', value: 'always' },
  { label: 'Never', description: 'the node does not support it', value: 'never' },
];

/** Why a node name cannot be used (taken, or the local archive's), or undefined. */
export function nameProblem(name: string, except?: string): string | undefined {
  const taken = readNodes().nodes.some((n) => n.name.toLowerCase() === name.trim().toLowerCase() && n.name !== except);
  if (taken || name.trim().toLowerCase() === LOCAL_NODE_NAME.toLowerCase()) return `There is already a node named "${name.trim()}".`;
  return undefined;
}

export interface EditableField {
  field: Field;
  label: string;
  /** The value now, as the picker shows it. */
  description: string;
  ask(title: string): Promise<string | undefined>;
  /** The node with the new value (trimmed), or why the value does not fit. */
  apply(value: string): RemoteNode | string;
}

type FieldOf<N extends RemoteNode> = Omit<EditableField, 'apply'> & { apply(value: string): N | string };

/** The fields every node has, in the order the picker lists them around the kind's own. */
function commonFields<N extends RemoteNode>(node: N, hasSecret: boolean, secretLabel: string): Record<'name' | 'username' | 'secret' | 'studyDate', FieldOf<N>> {
  return {
    name: {
      field: 'name', label: 'Name', description: node.name,
      ask: (title) => ask({ title, prompt: 'Name', value: node.name, validate: (t) => nameProblem(t, node.name) }),
      apply: (v) => nameProblem(v, node.name) ?? { ...node, name: v },
    },
    username: {
      field: 'username', label: 'User name', description: node.username ?? '(none)',
      ask: (title) => ask({ title, prompt: 'User name (empty: none)', value: node.username ?? '', optional: true }),
      apply: (v) => ({ ...node, username: v || undefined }),
    },
    secret: {
      field: 'secret', label: secretLabel, description: hasSecret ? '(set, in secret storage)' : '(none)',
      ask: (title) => ask({ title, prompt: 'Password or token (empty: remove it). Kept in secret storage.', password: true, optional: true }),
      apply: () => node,
    },
    studyDate: {
      field: 'studyDate', label: 'Default study date', description: node.studyFilter.studyDate ?? 'any',
      ask: (title) => ask({ title, prompt: 'Studies listed by default: any, today, last7days, last30days, or a range 20240101-20240131', value: node.studyFilter.studyDate ?? 'any', validate: studyDateProblem }),
      apply: (v) => studyDateProblem(v) ?? { ...node, studyFilter: { ...node.studyFilter, studyDate: v } },
    },
  };
}

function dimseFields(node: DimseNode, hasSecret: boolean): FieldOf<DimseNode>[] {
  const common = commonFields(node, hasSecret, 'Password');
  return [
    common.name,
    {
      field: 'aeTitle', label: 'AE title', description: node.aeTitle,
      ask: (title) => ask({ title, prompt: 'AE title of the node', value: node.aeTitle, validate: aeTitleProblem }),
      apply: (v) => aeTitleProblem(v) ?? { ...node, aeTitle: v },
    },
    {
      field: 'host', label: 'Host', description: node.host,
      ask: (title) => ask({ title, prompt: 'Host', value: node.host, validate: hostProblem }),
      apply: (v) => hostProblem(v) ?? { ...node, host: v },
    },
    {
      field: 'port', label: 'Port', description: String(node.port),
      ask: (title) => ask({ title, prompt: 'Port', value: String(node.port), validate: portProblem }),
      apply: (v) => portProblem(v) ?? { ...node, port: Number(v) },
    },
    {
      field: 'tls', label: 'TLS', description: node.tls ? 'on' : 'off',
      ask: (title) => choose(title, [{ label: 'Plain TCP', value: 'off' }, { label: 'DICOM over TLS (verify the certificate)', value: 'on' }], 'Transport'),
      apply: (v) => ({ ...node, tls: v === 'on' || v === 'true' ? node.tls ?? {} : undefined }),
    },
    {
      field: 'callingAeTitle', label: 'Calling AE title', description: node.callingAeTitle ?? '(the local SCP\'s)',
      ask: (title) => ask({ title, prompt: 'Calling AE title for this node (empty: the local SCP\'s AE title)', value: node.callingAeTitle ?? '', optional: true, validate: aeTitleProblem }),
      apply: (v) => (v === '' ? { ...node, callingAeTitle: undefined } : aeTitleProblem(v) ?? { ...node, callingAeTitle: v }),
    },
    {
      field: 'retrieveMethod', label: 'Retrieve method', description: node.retrieveMethod,
      ask: (title) => choose<string>(title, [{ label: 'C-MOVE', value: 'C-MOVE' }, { label: 'C-GET', value: 'C-GET' }], 'Retrieve with'),
      apply: (v) => (v === 'C-GET' || v === 'C-MOVE' ? { ...node, retrieveMethod: v } : 'The retrieve method is C-MOVE or C-GET.'),
    },
    {
      field: 'storageCommitment', label: 'Storage commitment after Send', description: STORAGE_COMMITMENT_CHOICES.find((c) => c.value === node.storageCommitment)?.label ?? node.storageCommitment,
      ask: (title) => choose<string>(title, STORAGE_COMMITMENT_CHOICES, 'After Send via C-STORE'),
      apply: (v) => (v === 'ask' || v === 'always' || v === 'never' ? { ...node, storageCommitment: v } : 'Storage commitment after Send is ask, always or never.'),
    },
    common.username,
    common.secret,
    common.studyDate,
  ];
}

function dicomwebFields(node: DicomwebNode, hasSecret: boolean): FieldOf<DicomwebNode>[] {
  const common = commonFields(node, hasSecret, node.auth === 'bearer' ? 'Token' : 'Password');
  return [
    common.name,
    {
      field: 'url', label: 'URL', description: node.url,
      ask: (title) => ask({ title, prompt: 'Base URL', value: node.url, validate: urlProblem }),
      apply: (v) => urlProblem(v) ?? { ...node, url: v.replace(/\/+$/, '') },
    },
    {
      field: 'auth', label: 'Authentication', description: node.auth,
      ask: (title) => choose<string>(title, [{ label: 'None', value: 'none' }, { label: 'Basic', value: 'basic' }, { label: 'Bearer token', value: 'bearer' }], 'Authentication'),
      apply: (v) => (v === 'none' || v === 'basic' || v === 'bearer' ? { ...node, auth: v } : 'The authentication is none, basic or bearer.'),
    },
    common.username,
    common.secret,
    common.studyDate,
  ];
}

/** The fields of a node, in the order Edit Node… lists them. */
export function editableFields(node: RemoteNode, hasSecret: boolean): EditableField[] {
  switch (node.kind) {
    case 'dimse': return dimseFields(node, hasSecret);
    case 'dicomweb': return dicomwebFields(node, hasSecret);
  }
}

/** Fields Add Node… can be given instead of asking (tests, links, other extensions). */
export interface AddNodeArgs {
  kind?: RemoteNode['kind'];
  name?: string;
  aeTitle?: string;
  host?: string;
  port?: number;
  retrieveMethod?: RetrieveMethod;
  storageCommitment?: StorageCommitmentChoice;
  callingAeTitle?: string;
  url?: string;
  auth?: DicomwebAuth;
  username?: string;
  /** Password or token, stored in secret storage. */
  secret?: string;
  /** Run the test echo at the end (default true). */
  echo?: boolean;
}

/** A new node and the secret to store with it, or a problem sentence; undefined when the person cancels. */
export type NewNode = { node: RemoteNode; secret?: string } | { problem: string } | undefined;

async function askDimseNode(name: string, args: AddNodeArgs, title: string): Promise<NewNode> {
  const host = args.host ?? await ask({ title, prompt: 'Host name or IP address of the node', value: '127.0.0.1', validate: hostProblem });
  if (!host) return undefined;
  const portAnswer = args.port !== undefined ? String(args.port) : await ask({ title, prompt: 'TCP port', value: '104', validate: portProblem });
  if (!portAnswer) return undefined;
  const aeTitle = args.aeTitle ?? await ask({ title, prompt: 'AE title of the node (the called AE title)', placeHolder: 'e.g. PACS', validate: aeTitleProblem });
  if (!aeTitle) return undefined;
  const retrieveMethod = args.retrieveMethod ?? await choose<RetrieveMethod>(title, [
    { label: 'C-MOVE', description: 'the node sends to the local SCP (it must know its AE title, host and port)', value: 'C-MOVE' },
    { label: 'C-GET', description: 'instances come back over the same association', value: 'C-GET' },
  ], 'How should studies be retrieved from it?');
  if (!retrieveMethod) return undefined;
  const problem = hostProblem(host) ?? portProblem(portAnswer) ?? aeTitleProblem(aeTitle);
  if (problem) return { problem };
  const node: DimseNode = {
    kind: 'dimse', name, host, port: Number(portAnswer.trim()), aeTitle: aeTitle.trim(), retrieveMethod, storageCommitment: args.storageCommitment ?? 'ask',
    callingAeTitle: args.callingAeTitle, username: args.username, studyFilter: { studyDate: 'last7days' },
  };
  return { node, secret: args.secret };
}

async function askDicomwebNode(name: string, args: AddNodeArgs, title: string): Promise<NewNode> {
  const url = args.url ?? await ask({ title, prompt: 'Base URL of the DICOMweb service', placeHolder: 'https://pacs.example.org/dicom-web', validate: urlProblem });
  if (!url) return undefined;
  const auth = args.auth ?? await choose<DicomwebAuth>(title, [
    { label: 'None', value: 'none' },
    { label: 'Basic', description: 'user name and password', value: 'basic' },
    { label: 'Bearer token', value: 'bearer' },
  ], 'Authentication');
  if (!auth) return undefined;
  let username = args.username;
  if (auth === 'basic' && !username) {
    username = await ask({ title, prompt: 'User name' });
    if (!username) return undefined;
  }
  let secret = args.secret;
  if (auth !== 'none' && secret === undefined) {
    secret = await ask({ title, prompt: auth === 'basic' ? 'Password (kept in secret storage)' : 'Token (kept in secret storage)', password: true });
    if (secret === undefined) return undefined;
  }
  const node: DicomwebNode = { kind: 'dicomweb', name, url: url.replace(/\/+$/, ''), auth, username, studyFilter: { studyDate: 'last7days' } };
  return { node, secret };
}

/** Add Node…'s questions for a kind of node. */
export const NEW_NODE_QUESTIONS: Record<RemoteNode['kind'], (name: string, args: AddNodeArgs, title: string) => Promise<NewNode>> = {
  dimse: askDimseNode,
  dicomweb: askDicomwebNode,
};
