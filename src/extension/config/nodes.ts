// The remote nodes of the setting dicomNetwork.nodes, read into checked shapes. Pure: no vscode
// import, so the engine bundle and tests can use it too.

export type RetrieveMethod = 'C-MOVE' | 'C-GET';
export type DicomwebAuth = 'none' | 'basic' | 'bearer';

/** What a node lists when it is expanded (keys of a STUDY-level C-FIND / QIDO-RS query). */
export interface StudyFilter {
  /** any | today | last7days | last30days | a DICOM date or range (20240101-20240131). */
  studyDate?: string;
  patientId?: string;
  patientName?: string;
  modality?: string;
  accessionNumber?: string;
}

export interface TlsSettings {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  rejectUnauthorized?: boolean;
}

export interface DimseNode {
  kind: 'dimse';
  name: string;
  aeTitle: string;
  host: string;
  port: number;
  /** undefined: plain TCP; {}: TLS with the system CAs. */
  tls?: TlsSettings;
  callingAeTitle?: string;
  retrieveMethod: RetrieveMethod;
  /** After Send via C-STORE: offer to request storage commitment, request it always, or neither. */
  storageCommitment: StorageCommitmentChoice;
  username?: string;
  studyFilter: StudyFilter;
}

export type StorageCommitmentChoice = 'ask' | 'always' | 'never';

export interface DicomwebNode {
  kind: 'dicomweb';
  name: string;
  url: string;
  auth: DicomwebAuth;
  username?: string;
  studyFilter: StudyFilter;
}

export type RemoteNode = DimseNode | DicomwebNode;

/** The built-in node: the local SCP's archive (not in the settings). */
export interface LocalNode {
  kind: 'local';
  name: string;
  studyFilter: StudyFilter;
}

export type AnyNode = RemoteNode | LocalNode;

export const DEFAULT_STUDY_FILTER: Readonly<StudyFilter> = { studyDate: 'last7days' };

const STUDY_DATE = /^(any|today|last7days|last30days|\d{8}|\d{8}-|-\d{8}|\d{8}-\d{8})$/;

/** Why an AE title is not usable, or undefined when it is (1–16 printable ASCII, not all spaces, no backslash). */
export function aeTitleProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return 'An AE title needs at least one character.';
  if (trimmed.length > 16) return 'An AE title has at most 16 characters.';
  if (!/^[ -~]+$/.test(trimmed) || trimmed.includes('\\')) return 'An AE title holds printable ASCII characters only, without a backslash.';
  return undefined;
}

export function portProblem(text: string | number): string | undefined {
  const n = typeof text === 'number' ? text : Number(String(text).trim());
  if (!Number.isInteger(n) || n < 1 || n > 65535) return 'A port is a whole number from 1 to 65535.';
  return undefined;
}

export function hostProblem(text: string): string | undefined {
  const t = text.trim();
  if (t.length === 0) return 'A host name or IP address is needed.';
  if (/\s/.test(t) || t.includes('/')) return 'A host is a name or an IP address, without spaces, scheme or path.';
  return undefined;
}

export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'This is not a URL (e.g. https://pacs.example.org/dicom-web).';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'A DICOMweb URL starts with http:// or https://.';
  if (url.username || url.password) return 'Leave credentials out of the URL: choose an authentication kind instead.';
  return undefined;
}

export function studyDateProblem(text: string): string | undefined {
  return STUDY_DATE.test(text.trim()) ? undefined : 'Use any, today, last7days, last30days, or a date or range like 20240101-20240131.';
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function parseStudyFilter(raw: unknown, problems: string[] = [], where = 'studyFilter'): StudyFilter {
  if (raw === undefined || raw === null) return { ...DEFAULT_STUDY_FILTER };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${where} is not an object; the default (last 7 days) is used.`);
    return { ...DEFAULT_STUDY_FILTER };
  }
  const r = raw as Record<string, unknown>;
  const filter: StudyFilter = {};
  const date = optionalString(r.studyDate);
  if (date !== undefined) {
    if (studyDateProblem(date)) problems.push(`${where}.studyDate "${date}" is not understood; any date is used.`);
    else filter.studyDate = date;
  }
  for (const key of ['patientId', 'patientName', 'modality', 'accessionNumber'] as const) {
    const v = optionalString(r[key]);
    if (v !== undefined) filter[key] = v;
  }
  return filter;
}

function parseTls(raw: unknown): TlsSettings | undefined {
  if (raw === true) return {};
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  return {
    caFile: optionalString(r.caFile),
    certFile: optionalString(r.certFile),
    keyFile: optionalString(r.keyFile),
    rejectUnauthorized: typeof r.rejectUnauthorized === 'boolean' ? r.rejectUnauthorized : undefined,
  };
}

/** One entry of dicomNetwork.nodes, or the reason it cannot be used. */
export function parseNode(raw: unknown, index: number): RemoteNode | { problem: string } {
  const where = `dicomNetwork.nodes[${index}]`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { problem: `${where} is not an object.` };
  const r = raw as Record<string, unknown>;
  const name = optionalString(r.name);
  if (!name) return { problem: `${where} has no name.` };
  const problems: string[] = [];
  const studyFilter = parseStudyFilter(r.studyFilter, problems, `${where}.studyFilter`);
  const type = r.type ?? 'dimse';
  if (type === 'dicomweb') {
    const url = optionalString(r.url);
    if (!url) return { problem: `Node "${name}" is a DICOMweb node without a url.` };
    const urlError = urlProblem(url);
    if (urlError) return { problem: `Node "${name}": ${urlError}` };
    const auth = r.auth === 'basic' || r.auth === 'bearer' ? r.auth : 'none';
    return { kind: 'dicomweb', name, url: url.replace(/\/+$/, ''), auth, username: optionalString(r.username), studyFilter };
  }
  if (type !== 'dimse') return { problem: `Node "${name}" has type "${String(type)}"; use "dimse" or "dicomweb".` };
  const aeTitle = optionalString(r.aeTitle);
  const host = optionalString(r.host);
  if (!aeTitle || !host || r.port === undefined) return { problem: `Node "${name}" needs aeTitle, host and port.` };
  const aeError = aeTitleProblem(aeTitle) ?? hostProblem(host) ?? portProblem(r.port as number);
  if (aeError) return { problem: `Node "${name}": ${aeError}` };
  const calling = optionalString(r.callingAeTitle);
  if (calling && aeTitleProblem(calling)) return { problem: `Node "${name}" callingAeTitle: ${aeTitleProblem(calling)}` };
  return {
    kind: 'dimse',
    name,
    aeTitle,
    host,
    port: Number(r.port),
    tls: parseTls(r.tls),
    callingAeTitle: calling,
    retrieveMethod: r.retrieveMethod === 'C-GET' ? 'C-GET' : 'C-MOVE',
    storageCommitment: r.storageCommitment === 'always' || r.storageCommitment === 'never' ? r.storageCommitment : 'ask',
    username: optionalString(r.username),
    studyFilter,
  };
}

export interface ParsedNodes {
  nodes: RemoteNode[];
  /** One sentence per entry left out (or value replaced by a default). */
  problems: string[];
}

/** Reads the whole setting; unusable entries and repeated names are left out with a reason. */
export function parseNodes(raw: unknown): ParsedNodes {
  const problems: string[] = [];
  const nodes: RemoteNode[] = [];
  if (raw === undefined || raw === null) return { nodes, problems };
  if (!Array.isArray(raw)) return { nodes, problems: ['dicomNetwork.nodes is not a list.'] };
  const seen = new Set<string>();
  raw.forEach((entry, i) => {
    const parsed = parseNode(entry, i);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      return;
    }
    const key = parsed.name.toLowerCase();
    if (seen.has(key) || key === LOCAL_NODE_NAME.toLowerCase()) {
      problems.push(`The node name "${parsed.name}" is used twice; the later one is left out.`);
      return;
    }
    seen.add(key);
    nodes.push(parsed);
  });
  return { nodes, problems };
}

/** The name of the built-in node, the local SCP's archive. */
export const LOCAL_NODE_NAME = 'Local archive';

export const LOCAL_NODE: LocalNode = { kind: 'local', name: LOCAL_NODE_NAME, studyFilter: { studyDate: 'any' } };

/** A node as it is written back into the setting (defaults left out). */
export function nodeToSetting(node: RemoteNode): Record<string, unknown> {
  const filter = Object.keys(node.studyFilter).length > 0 ? node.studyFilter : undefined;
  if (node.kind === 'dicomweb') {
    return stripUndefined({ name: node.name, type: 'dicomweb', url: node.url, auth: node.auth, username: node.username, studyFilter: filter });
  }
  return stripUndefined({
    name: node.name, aeTitle: node.aeTitle, host: node.host, port: node.port,
    tls: node.tls === undefined ? undefined : Object.values(node.tls).every((v) => v === undefined) ? true : stripUndefined({ ...node.tls }),
    callingAeTitle: node.callingAeTitle,
    retrieveMethod: node.retrieveMethod === 'C-MOVE' ? undefined : node.retrieveMethod,
    storageCommitment: node.storageCommitment === 'ask' ? undefined : node.storageCommitment,
    username: node.username,
    studyFilter: filter,
  });
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
