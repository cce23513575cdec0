// An association record → what the detail panel shows: the header, both sides, the presentation
// contexts, roles and extended negotiation, the message timeline and the PDUs, as display strings.
// The words (results, reasons, statuses) are the engine's, from the record; this module only lays
// them out. No vscode here: tested in plain Node.
import type { AssociationRecord, RecordedMessage, RecordedSide, RecordedStatus, RecordedSyntax } from '../../ae';
import type {
  AssociationView, DetailCell, DetailField, DetailSection, DetailTable, DetailTone, RecordLiveness,
} from '../../shared';
import { plural } from '../text';

/** What "Copy as DCMTK Command" gives for the record (the engine's dcmtkCommand), or undefined when no tool repeats it. */
export interface DcmtkLine {
  line: string;
  note?: string;
}

const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

const OUTCOME_WORDS: Record<string, string> = {
  released: 'Released', rejected: 'Rejected', aborted: 'Aborted', 'timed-out': 'Timed out',
  'connection-lost': 'Connection lost', 'connection-failed': 'Connection failed',
};

// Characters that would make text read as something else: C0/C1 controls, and the bidirectional
// overrides and isolates (a title could otherwise display reversed).
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text off the wire made visible as it is: control and direction characters as \uXXXX. Markup stays text (the webview never parses it). */
export function printable(text: string): string {
  return text.replace(HIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function cell(text: string, more: Omit<DetailCell, 'text'> = {}): DetailCell {
  const c: DetailCell = { text: printable(text) };
  if (more.lines?.length) c.lines = more.lines.map(printable);
  if (more.tone) c.tone = more.tone;
  if (more.mono) c.mono = true;
  if (more.hint) c.hint = printable(more.hint);
  return c;
}

function field(label: string, value: string, more: { tone?: DetailTone; mono?: boolean } = {}): DetailField {
  return { label, value: printable(value), ...more };
}

const syntaxName = (s: RecordedSyntax) => s.name ?? s.uid;
/** A syntax as a cell: its name, the UID under it (or the UID alone when it has no known name). */
const syntaxCell = (s: RecordedSyntax | undefined, none = '—') =>
  (s ? cell(syntaxName(s), { lines: s.name ? [s.uid] : [], mono: !s.name }) : cell(none));

const ae = (title: string) => (title === '' ? '(empty)' : title);
const ms = (n: number) => `${Math.round(n * 10) / 10} ms`;

function toneOfStatus(status: RecordedStatus): DetailTone {
  switch (status.class) {
    case 'success': return 'ok';
    case 'pending': return 'pending';
    case 'failure': return 'error';
    default: return 'warning';
  }
}

/** The outcome as one sentence that starts with what happened. */
export function outcomeSentence(record: AssociationRecord): { text: string; tone: DetailTone } {
  const o = record.outcome;
  if (!o) return { text: 'Open', tone: 'pending' };
  const word = OUTCOME_WORDS[o.kind] ?? o.kind;
  const d = o.description.trim();
  const text = d.toLowerCase().startsWith(word.toLowerCase()) ? `${word}${d.slice(word.length)}` : d ? `${word}: ${d}` : word;
  return { text, tone: o.kind === 'released' ? 'ok' : 'error' };
}

function headerSection(record: AssociationRecord): DetailSection {
  const o = record.outcome;
  const outcome = outcomeSentence(record);
  const fields: DetailField[] = [
    field('Direction', record.direction === 'outbound' ? `We called ${record.peerAddress} (we are the requestor)` : `Called by ${record.peerAddress} (we are the acceptor)`),
    field('Calling AE title', ae(record.callingAeTitle), { mono: true }),
    field('Called AE title', ae(record.calledAeTitle), { mono: true }),
    field('Peer', record.peerAddress, { mono: true }),
    field('Started', record.startedAt),
    field('Duration', record.durationMs === undefined ? 'still open' : ms(record.durationMs)),
    field('Outcome', outcome.text, { tone: outcome.tone }),
  ];
  if (o?.rejection) {
    const r = o.rejection;
    fields.push(
      field('Rejection result', `${r.resultText} (${r.result})`, { tone: 'error' }),
      field('Rejection source', `${r.sourceText} (${r.source})`),
      field('Rejection reason', `${r.reasonText} (${r.reason})`, { tone: 'error' }),
      field('Rejected by', r.by === 'us' ? 'us (A-ASSOCIATE-RJ sent)' : 'the peer (A-ASSOCIATE-RJ received)'),
    );
  }
  if (o?.abort) {
    const a = o.abort;
    fields.push(field('Aborted by', a.by === 'us' ? 'us' : 'the peer'));
    if (a.source !== undefined) fields.push(field('Abort source', `${a.sourceText ?? 'unknown'} (${a.source})`));
    if (a.reason !== undefined) fields.push(field('Abort reason', `${a.reasonText ?? 'unknown'} (${a.reason})`, { tone: 'error' }));
  }
  if (o?.releasedBy) fields.push(field('Release asked by', o.releasedBy === 'us' ? 'us' : 'the peer'));
  return { id: 'header', heading: 'Association', fields };
}

function maxPdu(side: RecordedSide | undefined): string {
  if (!side) return '—';
  if (side.maxPdu === undefined) return 'not given';
  return side.maxPdu === 0 ? 'unlimited' : `${side.maxPdu} bytes`;
}

function asyncWindow(side: RecordedSide | undefined): string {
  const w = side?.asyncOperationsWindow;
  if (!side) return '—';
  if (!w) return 'not negotiated (one operation at a time)';
  const n = (v: number) => (v === 0 ? 'unlimited' : String(v));
  return `${n(w.maxOperationsInvoked)} invoked, ${n(w.maxOperationsPerformed)} performed`;
}

function sidesTable(record: AssociationRecord): DetailTable {
  const n = record.negotiation!;
  const outbound = record.direction === 'outbound';
  const acceptor = n.acceptor;
  const none = record.outcome?.kind === 'rejected' ? 'rejected: no A-ASSOCIATE-AC' : 'no A-ASSOCIATE-AC';
  // Without an answer, the acceptor's column says why once.
  let said = false;
  const row = (label: string, rq: string, ac: string, mono = false): DetailCell[] => {
    const answer = acceptor ? cell(ac, { mono }) : said ? cell('—') : cell(none, { tone: record.outcome ? 'error' : 'pending' });
    said = true;
    return [cell(label), cell(rq, { mono }), answer];
  };
  return {
    label: 'Both sides of the negotiation',
    columns: ['', `Requestor (${outbound ? 'us' : 'the peer'})`, `Acceptor (${outbound ? 'the peer' : 'us'})`],
    rows: [
      row('AE title', ae(n.requestor.aeTitle), ae(acceptor?.aeTitle ?? ''), true),
      row('Max PDU it receives', maxPdu(n.requestor), maxPdu(acceptor)),
      row('Implementation class UID', n.requestor.implementationClassUid ?? 'not given', acceptor?.implementationClassUid ?? 'not given', true),
      row('Implementation version', n.requestor.implementationVersionName ?? 'not given', acceptor?.implementationVersionName ?? 'not given', true),
      row('Asynchronous operations window', asyncWindow(n.requestor), asyncWindow(acceptor)),
    ],
    empty: '',
  };
}

function contextsTable(record: AssociationRecord): DetailTable {
  const n = record.negotiation!;
  const unanswered = record.outcome?.kind === 'rejected' ? 'not answered (association rejected)' : record.outcome ? 'not answered' : 'waiting for the answer';
  return {
    label: 'Presentation contexts',
    columns: ['ID', 'Abstract syntax', 'Proposed transfer syntaxes', 'Result', 'Accepted transfer syntax'],
    rows: n.contexts.map((c) => {
      const [first, ...rest] = c.proposedTransferSyntaxes;
      const result = c.result === undefined
        ? cell(unanswered, { tone: record.outcome ? 'neutral' : 'pending' })
        : cell(c.resultText ?? `result ${c.result}`, { tone: c.result === 0 ? 'ok' : 'error', lines: [`result ${c.result}`] });
      return [
        cell(String(c.id)),
        syntaxCell(c.abstractSyntax),
        first ? cell(syntaxName(first), { lines: rest.map(syntaxName), hint: c.proposedTransferSyntaxes.map((t) => t.uid).join('\n') }) : cell('none proposed', { tone: 'error' }),
        result,
        syntaxCell(c.transferSyntax),
      ];
    }),
    empty: 'No presentation context was proposed.',
    nowrap: [0],
  };
}

const roleWords = (scu: boolean | undefined, scp: boolean | undefined) =>
  (scu && scp ? 'SCU and SCP' : scu ? 'SCU' : scp ? 'SCP' : 'neither');

function negotiationSections(record: AssociationRecord): DetailSection[] {
  const n = record.negotiation;
  if (!n) {
    return [{ id: 'negotiation', heading: 'Negotiation', notes: ['No A-ASSOCIATE-RQ was sent or received: nothing was negotiated.'] }];
  }
  const fields: DetailField[] = [
    field('Application context', n.applicationContext === DICOM_APPLICATION_CONTEXT ? `DICOM Application Context (${n.applicationContext})` : n.applicationContext),
  ];
  const id = n.userIdentity;
  fields.push(field('User identity', id
    ? `${id.typeText} (type ${id.type}); ${id.positiveResponseRequested ? 'positive response requested' : 'no response requested'}; ${id.serverResponded ? 'the acceptor answered' : 'the acceptor did not answer'}`
    : 'none proposed'));
  for (const c of n.commonExtendedNegotiation) {
    const related = c.relatedGeneralSopClasses.length ? `; related: ${c.relatedGeneralSopClasses.join(', ')}` : '';
    fields.push(field('Common extended negotiation', `${syntaxName(c.sopClass)}: service class ${syntaxName(c.serviceClass)}${related}`));
  }
  return [
    { id: 'negotiation', heading: 'Negotiation', fields, table: sidesTable(record) },
    { id: 'contexts', heading: 'Presentation contexts', table: contextsTable(record) },
    {
      id: 'roles', heading: 'Roles (SCP/SCU role selection)',
      table: {
        label: 'Role selection',
        columns: ['SOP class', 'Proposed by the requestor', 'Answered by the acceptor'],
        rows: n.roles.map((r) => [
          syntaxCell(r.sopClass),
          cell(roleWords(r.proposedScu, r.proposedScp)),
          r.acceptedScu === undefined ? cell('not answered (default roles)') : cell(roleWords(r.acceptedScu, r.acceptedScp), { tone: r.proposedScp && !r.acceptedScp ? 'warning' : undefined }),
        ]),
        empty: 'No role selection was proposed: the requestor is the SCU of every context.',
      },
    },
    {
      id: 'extended', heading: 'Extended negotiation',
      table: {
        label: 'SOP class extended negotiation',
        columns: ['SOP class', 'Requestor (hex)', 'Acceptor (hex)'],
        rows: n.extendedNegotiation.map((e) => [syntaxCell(e.sopClass), cell(e.requestorInfo ?? '—', { mono: true }), cell(e.acceptorInfo ?? 'not answered', { mono: e.acceptorInfo !== undefined })]),
        empty: 'No SOP class extended negotiation.',
      },
    },
  ];
}

/** The identifier of a C-FIND/C-MOVE/C-GET request, the matches and sub-operations: first phrase, then the rest. */
function details(m: RecordedMessage): DetailCell {
  const parts: string[] = [];
  const id = m.identifier;
  if (id) {
    if (id.error) parts.push(`identifier not readable: ${id.error}`);
    else {
      parts.push(`${id.level ? `${id.level} level, ` : ''}${plural(id.keys.length + (id.moreKeys ?? 0), 'key')} asked`);
      for (const k of id.keys) parts.push(`${k.keyword ?? k.tag} (${k.tag}) = ${k.value === '' ? '(return key)' : k.value}`);
      if (id.moreKeys) parts.push(`… ${plural(id.moreKeys, 'more key')}`);
    }
  }
  if (m.matches !== undefined) parts.push(plural(m.matches, 'match', 'matches'));
  if (m.moveDestination) parts.push(`move destination ${m.moveDestination}`);
  const s = m.suboperations;
  if (s) {
    const n = (v: number | undefined) => (v === undefined ? '—' : String(v));
    parts.push(`sub-operations: ${n(s.remaining)} remaining, ${n(s.completed)} completed, ${n(s.failed)} failed, ${n(s.warning)} warning`);
  }
  if (parts.length === 0) return cell('');
  const [first, ...rest] = parts;
  return cell(first!, { lines: rest, tone: s?.failed ? 'error' : undefined });
}

function messagesSection(record: AssociationRecord): DetailSection {
  const rows = record.messages.map((m): DetailCell[] => {
    const response = m.respondingTo !== undefined;
    return [
      cell(ms(m.at)),
      cell(m.direction === 'sent' ? '→ sent' : '← received'),
      cell(m.command, { lines: [`context ${m.contextId}`] }),
      cell(response ? `for ${m.respondingTo}` : m.messageId !== undefined ? String(m.messageId) : '—'),
      m.sopClass || m.sopInstanceUid
        ? cell(m.sopClass ? syntaxName(m.sopClass) : '—', { lines: m.sopInstanceUid ? [m.sopInstanceUid] : [], hint: m.sopClass?.uid })
        : cell('—'),
      m.status
        ? cell(`${m.status.hex} ${m.status.meaning}`, { tone: toneOfStatus(m.status), lines: m.errorComment ? [`error comment: ${m.errorComment}`] : [] })
        : cell(m.errorComment ? `error comment: ${m.errorComment}` : '—'),
      cell(m.datasetBytes === undefined ? 'none' : `${m.datasetBytes} bytes`),
      cell(m.responseMs === undefined ? '' : ms(m.responseMs)),
      details(m),
    ];
  });
  const notes: string[] = [];
  if (record.messagesOmitted) notes.push(`${plural(record.messagesOmitted, 'more message')} not listed (the per-association limit).`);
  const empty = record.outcome?.kind === 'rejected' ? 'No DIMSE message: the association was rejected.'
    : record.outcome ? 'No DIMSE message was exchanged.' : 'No DIMSE message yet.';
  return {
    id: 'messages', heading: 'Messages',
    table: {
      label: 'DIMSE message timeline',
      columns: ['Time', 'Direction', 'Command', 'Message ID', 'SOP class / instance', 'Status', 'Data set', 'Response time', 'Details'],
      rows, empty, nowrap: [0, 1, 2, 3, 6, 7],
    },
    notes,
  };
}

function pdusSection(record: AssociationRecord): DetailSection | undefined {
  if (!record.pdus) return undefined;
  const notes = record.pdusOmitted ? [`${plural(record.pdusOmitted, 'more PDU')} not listed.`] : [];
  return {
    id: 'pdus', heading: 'PDUs',
    table: {
      label: 'PDUs',
      columns: ['Time', 'Direction', 'Type', 'Length', 'First bytes (hex)'],
      rows: record.pdus.map((p) => [
        cell(ms(p.at)), cell(p.direction === 'sent' ? '→ sent' : '← received'), cell(p.type, { lines: [`type ${p.typeCode}`] }),
        cell(`${p.length} bytes`), cell(p.head, { mono: true }),
      ]),
      empty: 'No PDU was recorded.',
      nowrap: [0, 1, 2, 3],
    },
    notes,
  };
}

function dcmtkSection(record: AssociationRecord, dcmtk: DcmtkLine | undefined): DetailSection {
  if (!dcmtk) {
    const verb = record.direction === 'outbound' ? 'sent' : 'received';
    return { id: 'dcmtk', heading: 'Repeat with DCMTK', notes: [`No DCMTK tool repeats this association: it ${verb} no C-ECHO, C-FIND, C-MOVE, C-GET or C-STORE request.`] };
  }
  return { id: 'dcmtk', heading: 'Repeat with DCMTK', fields: [field('Command', dcmtk.line, { mono: true })], notes: dcmtk.note ? [`${dcmtk.note}.`] : [] };
}

const LIVENESS_TEXT: Record<RecordLiveness, string> = {
  open: 'Open: this panel follows the association as it runs.',
  closed: '',
  dropped: 'This association is no longer kept (only the most recent ones are): the panel shows its record as last seen.',
};

export function associationView(record: AssociationRecord, liveness: RecordLiveness, dcmtk: DcmtkLine | undefined): AssociationView {
  const outcome = outcomeSentence(record);
  const pdus = pdusSection(record);
  return {
    recordId: record.id,
    title: printable(`${ae(record.callingAeTitle)} → ${ae(record.calledAeTitle)}`),
    summary: printable(outcome.text),
    summaryTone: outcome.tone,
    liveness,
    livenessText: LIVENESS_TEXT[liveness],
    sections: [headerSection(record), ...negotiationSections(record), messagesSection(record), ...(pdus ? [pdus] : []), dcmtkSection(record, dcmtk)],
  };
}

/** The panel's tab title: "Association DICOMNET → PACS". */
export function panelTitle(record: AssociationRecord): string {
  return printable(`Association ${ae(record.callingAeTitle)} → ${ae(record.calledAeTitle)}`);
}
