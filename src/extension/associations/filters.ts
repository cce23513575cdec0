// The DICOM Associations view's filters (node, AE title, outcome) and how the view names them. No
// VS Code here: the view builds the filter from quick picks and the settings.
import type { AssociationRecord, OutcomeKind } from '../../ae';

/** A node of the Nodes view, as associations name it. */
export type NodeMatch =
  /** A DIMSE node: associations we opened to it, and the ones it opened to us (its AE title calling). */
  | { kind: 'remote'; name: string; host: string; port: number; aeTitle: string }
  /** The local SCP: every association it took, and the ones we opened to it. */
  | { kind: 'local'; name: string; aeTitle: string; port: number };

export type OutcomeFilter = OutcomeKind | 'running';

export interface AssociationFilter {
  node?: NodeMatch;
  aeTitle?: string;
  /** Any of these (empty or absent: all). */
  outcomes?: readonly OutcomeFilter[];
}

export const OUTCOME_CHOICES: readonly { value: OutcomeFilter; label: string }[] = [
  { value: 'running', label: 'Running' },
  { value: 'released', label: 'Released' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'aborted', label: 'Aborted' },
  { value: 'timed-out', label: 'Timed out' },
  { value: 'connection-lost', label: 'Connection lost' },
  { value: 'connection-failed', label: 'Connection failed' },
];

function hostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, '').toLowerCase(), port: Number(address.slice(colon + 1)) };
}

function matchesNode(record: AssociationRecord, node: NodeMatch): boolean {
  const peer = hostPort(record.peerAddress);
  if (node.kind === 'local') {
    return record.direction === 'inbound' || (record.calledAeTitle === node.aeTitle && peer.port === node.port);
  }
  if (record.direction === 'inbound') return record.callingAeTitle === node.aeTitle;
  return peer.host === node.host.toLowerCase() && peer.port === node.port && record.calledAeTitle === node.aeTitle;
}

export function matchesFilter(record: AssociationRecord, filter: AssociationFilter): boolean {
  if (filter.node && !matchesNode(record, filter.node)) return false;
  if (filter.aeTitle !== undefined && record.callingAeTitle !== filter.aeTitle && record.calledAeTitle !== filter.aeTitle) return false;
  if (filter.outcomes && filter.outcomes.length > 0 && !filter.outcomes.includes(record.outcome?.kind ?? 'running')) return false;
  return true;
}

export function isFiltered(filter: AssociationFilter): boolean {
  return filter.node !== undefined || filter.aeTitle !== undefined || (filter.outcomes?.length ?? 0) > 0;
}

/** "node Demo PACS · AE STRICT · rejected, aborted" ('' without a filter). */
export function describeFilter(filter: AssociationFilter): string {
  const parts: string[] = [];
  if (filter.node) parts.push(`node ${filter.node.name}`);
  if (filter.aeTitle !== undefined) parts.push(`AE ${filter.aeTitle}`);
  if (filter.outcomes && filter.outcomes.length > 0) {
    parts.push(filter.outcomes.map((o) => OUTCOME_CHOICES.find((c) => c.value === o)?.label.toLowerCase() ?? o).join(', '));
  }
  return parts.join(' · ');
}

/** The AE titles the records name (calling and called), sorted. */
export function aeTitlesOf(records: readonly AssociationRecord[]): string[] {
  const titles = new Set<string>();
  for (const r of records) {
    if (r.callingAeTitle) titles.add(r.callingAeTitle);
    if (r.calledAeTitle) titles.add(r.calledAeTitle);
  }
  return [...titles].sort();
}

/** The n of a record id "<pid>-<n>": the order the recorder saw the associations begin. */
function sequence(record: AssociationRecord): number {
  const n = Number(record.id.slice(record.id.lastIndexOf('-') + 1));
  return Number.isFinite(n) ? n : 0;
}

/** The ones that match, newest first (by start; in the same millisecond, the later one first). */
export function visibleRecords(records: readonly AssociationRecord[], filter: AssociationFilter): AssociationRecord[] {
  return records.filter((r) => matchesFilter(r, filter))
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : sequence(b) - sequence(a)));
}
