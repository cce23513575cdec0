// What the DICOM Associations view says about a record, as plain text (no VS Code here): the line a
// PACS engineer reads at a glance (direction, AE titles, operation with its counts, outcome,
// duration, peer) and the tooltip's details. Only reads the record: no protocol logic.
import type { AssociationRecord, RecordedMessage } from '../../ae';
import { plural } from '../text';

const STORAGE_COMMITMENT = '1.2.840.10008.1.20.1';
const WORKLIST_FIND = '1.2.840.10008.5.1.4.31';

/** How a record stands, for its icon and its context value. */
export type RecordState = 'open' | 'released' | 'released-with-failures' | 'released-with-warnings'
  | 'rejected' | 'aborted' | 'timed-out' | 'connection-lost' | 'connection-failed';

/** ↑ we called, ↓ we were called. */
export function directionArrow(record: AssociationRecord): string {
  return record.direction === 'outbound' ? '↑' : '↓';
}

export function aeTitles(record: AssociationRecord): string {
  return `${record.callingAeTitle || '?'} → ${record.calledAeTitle || '?'}`;
}

/** "1.2 s", "35 ms", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The outcome in a few words: "released", "rejected: calling AE title not recognised", "running". */
export function outcomeWords(record: AssociationRecord): string {
  const o = record.outcome;
  if (!o) return 'running';
  switch (o.kind) {
    case 'released': return 'released';
    case 'rejected': return `rejected${o.rejection ? `: ${o.rejection.reasonText}` : ''}`;
    case 'aborted': {
      const by = o.abort ? ` by ${o.abort.by === 'us' ? 'us' : 'the peer'}` : '';
      return `aborted${by}${o.abort?.reasonText ? `: ${o.abort.reasonText}` : ''}`;
    }
    case 'timed-out': return 'timed out';
    case 'connection-lost': return 'connection lost';
    case 'connection-failed': return 'connection failed';
  }
}

function isRequest(m: RecordedMessage): boolean {
  return m.command.endsWith('-RQ') && m.messageId !== undefined && m.command !== 'C-CANCEL-RQ';
}

function baseName(m: RecordedMessage): string {
  return m.command.replace(/-(RQ|RSP)$/, '');
}

interface Group {
  name: string;
  requests: RecordedMessage[];
  responses: RecordedMessage[];
}

function groups(record: AssociationRecord): Group[] {
  const byName = new Map<string, Group>();
  for (const m of record.messages) {
    const name = baseName(m);
    if (isRequest(m) && !byName.has(name)) byName.set(name, { name, requests: [], responses: [] });
    const group = byName.get(name);
    if (!group) continue;
    if (isRequest(m)) group.requests.push(m);
    else if (m.command.endsWith('-RSP')) group.responses.push(m);
  }
  return [...byName.values()];
}

function failedResponses(g: Group): number {
  return g.responses.filter((r) => r.status?.class === 'failure').length;
}

/** "C-MOVE 12/12", "C-STORE ×1,000, 2 failed", "C-FIND 3 matches", "C-ECHO". */
function describeGroup(g: Group): string {
  const first = g.requests[0];
  switch (g.name) {
    case 'C-STORE': {
      const failed = failedResponses(g);
      return `C-STORE ×${g.requests.length.toLocaleString('en-US')}${failed ? `, ${failed} failed` : ''}`;
    }
    case 'C-MOVE':
    case 'C-GET': {
      const last = [...g.responses].reverse().find((r) => r.suboperations);
      if (!last?.suboperations) return g.name;
      const s = last.suboperations;
      const completed = s.completed ?? 0;
      const failed = s.failed ?? 0;
      const warning = s.warning ?? 0;
      const pending = last.status?.class === 'pending' ? s.remaining ?? 0 : 0;
      const total = completed + failed + warning + pending;
      return `${g.name} ${completed + warning}/${total}${failed ? `, ${failed} failed` : ''}`;
    }
    case 'C-FIND': {
      const name = first.sopClass?.uid === WORKLIST_FIND ? 'C-FIND (worklist)' : 'C-FIND';
      const matches = g.requests.reduce((n, r) => n + (r.matches ?? 0), 0);
      return `${name} ${plural(matches, 'match', 'matches')}`;
    }
    default: {
      const what = first.sopClass?.uid === STORAGE_COMMITMENT ? `${g.name} (storage commitment)` : g.name;
      return g.requests.length > 1 ? `${what} ×${g.requests.length}` : what;
    }
  }
}

/** What the association was for, with its counts; undefined before (or without) any request. */
export function operationSummary(record: AssociationRecord): string | undefined {
  const all = groups(record);
  if (all.length === 0) return undefined;
  return all.map(describeGroup).join(', ');
}

/** The abstract syntax the association was asked for, when no request was made (e.g. rejected). */
function proposedPurpose(record: AssociationRecord): string | undefined {
  const first = record.negotiation?.contexts[0]?.abstractSyntax;
  if (!first) return undefined;
  const more = (record.negotiation?.contexts.length ?? 1) - 1;
  return `${first.name ?? first.uid}${more > 0 ? ` +${more}` : ''}`;
}

export function recordState(record: AssociationRecord): RecordState {
  const o = record.outcome;
  if (!o) return 'open';
  if (o.kind !== 'released') return o.kind;
  const statuses = record.messages.map((m) => m.status?.class);
  if (statuses.includes('failure')) return 'released-with-failures';
  if (statuses.includes('warning')) return 'released-with-warnings';
  return 'released';
}

/** The tree item's label: "↑ DICOMNET → PACS" (we called PACS), "↓ PACS → DICOMNET" (PACS called us). */
export function recordLabel(record: AssociationRecord): string {
  return `${directionArrow(record)} ${aeTitles(record)}`;
}

/**
 * The tree item's description, what matters first (a narrow side bar cuts the end):
 * "C-MOVE 12/12 · released · 1.2 s · 127.0.0.1:11112", "rejected: calling AE title not recognised · 3 ms · …".
 */
export function recordDescription(record: AssociationRecord): string {
  const parts: string[] = [];
  const operations = operationSummary(record);
  if (operations) parts.push(operations);
  parts.push(outcomeWords(record));
  if (record.durationMs !== undefined) parts.push(formatDuration(record.durationMs));
  parts.push(record.peerAddress);
  return parts.join(' · ');
}

/** The tooltip's lines (Markdown-free text; the view escapes it). */
export function recordDetails(record: AssociationRecord): string[] {
  const lines: string[] = [];
  const who = record.direction === 'outbound' ? `we called ${record.peerAddress}` : `${record.peerAddress} called us`;
  lines.push(`${aeTitles(record)} (${who})`);
  lines.push(`Started ${new Date(record.startedAt).toLocaleString()}${record.durationMs !== undefined ? `, lasted ${formatDuration(record.durationMs)}` : ', still open'}`);
  lines.push(`Outcome: ${record.outcome ? record.outcome.description : 'running'}`);
  const n = record.negotiation;
  if (n) {
    const accepted = n.contexts.filter((c) => c.result === 0).length;
    lines.push(n.acceptor
      ? `Presentation contexts: ${accepted} of ${n.contexts.length} accepted`
      : `Presentation contexts: ${n.contexts.length} proposed, none answered`);
    const maxPdu = (v: number | undefined) => (v === 0 ? 'unlimited' : v === undefined ? '?' : String(v));
    if (n.acceptor) lines.push(`Max PDU: ${maxPdu(n.requestor.maxPdu)} (requestor) / ${maxPdu(n.acceptor.maxPdu)} (acceptor)`);
  }
  const operations = operationSummary(record);
  if (operations) lines.push(`Operations: ${operations}`);
  else {
    const purpose = proposedPurpose(record);
    if (purpose) lines.push(`Proposed: ${purpose}`);
  }
  const problems = record.messages.filter((m) => m.status && (m.status.class === 'failure' || m.status.class === 'warning'));
  if (problems.length > 0) {
    const last = problems[problems.length - 1];
    lines.push(`Last ${last.status!.class}: ${last.command} ${last.status!.hex} ${last.status!.meaning}${last.errorComment ? ` ("${last.errorComment}")` : ''}`);
  }
  const omitted = record.messagesOmitted ? ` (+${record.messagesOmitted} not listed)` : '';
  lines.push(`${plural(record.messages.length, 'DIMSE message')}${omitted}`);
  lines.push(`Record ${record.id}`);
  return lines;
}
