// A record as text a person reads: a heading, the negotiation table, the message timeline.
import { AssociationRecord, RecordedMessage, RecordedSide, RecordedSyntax } from './record';

const nameOf = (s: RecordedSyntax | undefined) => (s ? s.name ?? s.uid : '');

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

function sideLine(label: string, side: RecordedSide | undefined): string {
  if (!side) return `  ${label}: (no answer)`;
  const parts = [`${label}: ${side.aeTitle}`, `max PDU ${side.maxPdu === 0 ? 'unlimited' : side.maxPdu ?? '-'}`];
  parts.push(`implementation ${side.implementationClassUid ?? '-'}${side.implementationVersionName ? ` (${side.implementationVersionName})` : ''}`);
  if (side.asyncOperationsWindow) {
    parts.push(`async window ${side.asyncOperationsWindow.maxOperationsInvoked}/${side.asyncOperationsWindow.maxOperationsPerformed}`);
  }
  return `  ${parts.join(', ')}`;
}

function messageLine(m: RecordedMessage): string {
  const parts = [`${(m.at / 1000).toFixed(3).padStart(8)}s`, m.direction === 'sent' ? '>>' : '<<', m.command];
  if (m.messageId !== undefined) parts.push(`id ${m.messageId}`);
  if (m.respondingTo !== undefined) parts.push(`for ${m.respondingTo}`);
  if (m.sopClass) parts.push(nameOf(m.sopClass));
  if (m.sopInstanceUid) parts.push(`instance ${m.sopInstanceUid}`);
  if (m.moveDestination) parts.push(`to ${m.moveDestination}`);
  if (m.status) parts.push(`${m.status.hex} ${m.status.meaning}`);
  if (m.suboperations) {
    const s = m.suboperations;
    parts.push(`remaining ${s.remaining ?? '-'} completed ${s.completed ?? '-'} failed ${s.failed ?? '-'} warning ${s.warning ?? '-'}`);
  }
  if (m.errorComment) parts.push(`"${m.errorComment}"`);
  if (m.datasetBytes !== undefined) parts.push(`data set ${m.datasetBytes} bytes`);
  if (m.datasetIncomplete) parts.push('data set incomplete (the association ended)');
  if (m.responseMs !== undefined) parts.push(`after ${m.responseMs} ms`);
  let line = parts.join('  ');
  if (m.identifier) {
    const keys = m.identifier.keys.map((k) => `${k.keyword ?? k.tag}=${k.value}`);
    if (m.identifier.moreKeys) keys.push(`… ${m.identifier.moreKeys} more`);
    line += `\n              ${m.identifier.level ? `${m.identifier.level} ` : ''}${m.identifier.error ?? keys.join(' ')}`;
  }
  if (m.matches !== undefined) line += `\n              ${m.matches} match${m.matches === 1 ? '' : 'es'}`;
  return line;
}

export function formatRecord(record: AssociationRecord): string {
  const lines: string[] = [];
  const arrow = record.direction === 'outbound' ? `we called ${record.peerAddress}` : `called by ${record.peerAddress}`;
  lines.push(`Association ${record.id}: ${record.callingAeTitle || '?'} -> ${record.calledAeTitle || '?'} (${arrow})`);
  const duration = record.durationMs !== undefined ? `, ${record.durationMs} ms` : ', still open';
  lines.push(`  started ${record.startedAt}${duration}`);
  lines.push(`  outcome: ${record.outcome ? `${record.outcome.kind}: ${record.outcome.description}` : 'open'}`);
  const n = record.negotiation;
  if (n) {
    lines.push('', 'Negotiation');
    lines.push(sideLine('requestor', n.requestor), sideLine('acceptor', n.acceptor));
    if (n.userIdentity) {
      lines.push(`  user identity: ${n.userIdentity.typeText}${n.userIdentity.positiveResponseRequested ? ', response requested' : ''}${n.userIdentity.serverResponded ? ', answered' : ''}`);
    }
    const rows = [['ID', 'abstract syntax', 'proposed', 'result', 'accepted transfer syntax']];
    for (const c of n.contexts) {
      rows.push([String(c.id), nameOf(c.abstractSyntax), c.proposedTransferSyntaxes.map(nameOf).join(', '), c.resultText ?? '(no answer)', nameOf(c.transferSyntax)]);
    }
    lines.push(...table(rows));
    for (const r of n.roles) {
      const answered = r.acceptedScu === undefined ? 'not answered' : `SCU ${r.acceptedScu ? 'yes' : 'no'}, SCP ${r.acceptedScp ? 'yes' : 'no'}`;
      lines.push(`  role ${nameOf(r.sopClass)}: proposed SCU ${r.proposedScu ? 'yes' : 'no'}, SCP ${r.proposedScp ? 'yes' : 'no'}; ${answered}`);
    }
    for (const e of n.extendedNegotiation) {
      lines.push(`  extended negotiation ${nameOf(e.sopClass)}: proposed ${e.requestorInfo ?? '-'}, answered ${e.acceptorInfo ?? '-'}`);
    }
  }
  if (record.messages.length > 0) {
    lines.push('', 'Messages');
    for (const m of record.messages) lines.push(`  ${messageLine(m)}`);
    if (record.messagesOmitted) lines.push(`  … ${record.messagesOmitted} more messages not listed`);
  }
  if (record.pdus && record.pdus.length > 0) {
    lines.push('', 'PDUs');
    for (const p of record.pdus) {
      lines.push(`  ${(p.at / 1000).toFixed(3).padStart(8)}s ${p.direction === 'sent' ? '>>' : '<<'} ${p.type} length ${p.length}  ${p.head}`);
    }
    if (record.pdusOmitted) lines.push(`  … ${record.pdusOmitted} more PDUs not listed`);
  }
  return lines.join('\n');
}
