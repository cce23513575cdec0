// The association detail panel's view model: what it shows of records the engine made (a rejected
// echo, a C-FIND with matches, PDUs), the words for results and reasons, and text off the wire
// kept as text with its control and direction characters made visible.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { findContexts } from '../../../src/ae/retrieve-contexts';
import { AssociationRecord, AssociationRecorder, dcmtkCommand } from '../../../src/ae/recording';
import { Uids } from '../../../src/dicom/sop-classes';
import { FindScp } from '../../../src/services/find-scp';
import { associationView, outcomeSentence, panelTitle, printable } from '../../../src/extension/webviews/association-view';
import type { AssociationView, DetailCell, DetailSection } from '../../../src/shared/association-detail';
import { QUICK, associate, drain, identifier, recordsBackend, startServer, within } from '../../helpers/in-process';

function nextClosed(recorder: AssociationRecorder): Promise<AssociationRecord> {
  return within('the association to be recorded', new Promise((resolve) => recorder.once('closed', resolve)));
}

const section = (view: AssociationView, id: string): DetailSection => {
  const s = view.sections.find((x) => x.id === id);
  assert.ok(s, `no section ${id} in ${view.sections.map((x) => x.id).join(', ')}`);
  return s;
};
const fieldsOf = (s: DetailSection) => Object.fromEntries((s.fields ?? []).map((f) => [f.label, f.value]));
const texts = (row: DetailCell[]) => row.map((c) => [c.text, ...(c.lines ?? [])].join(' | '));

/** Every string a view carries (what reaches the webview). */
function allStrings(view: AssociationView): string[] {
  const out: string[] = [view.title, view.summary, view.livenessText];
  for (const s of view.sections) {
    out.push(s.heading, ...(s.notes ?? []));
    for (const f of s.fields ?? []) out.push(f.label, f.value);
    for (const row of s.table?.rows ?? []) for (const c of row) out.push(c.text, ...(c.lines ?? []), c.hint ?? '');
  }
  return out;
}

describe('association detail view model', () => {
  test('a rejected echo: the reason in words, the proposed contexts unanswered, no messages, and the echoscu line', async () => {
    const recorder = new AssociationRecorder();
    const server = await startServer({ acceptCallingAeTitles: ['SOMEONE-ELSE'] });
    const closed = nextClosed(recorder);
    await assert.rejects(associate(new ApplicationEntity({ aeTitle: 'DICOMNET', timeouts: QUICK, recorder }), server, [verificationContext()]));
    const record = await closed;
    const port = server.port;
    await server.close();
    const command = dcmtkCommand(record);
    const view = associationView(record, 'closed', command);

    assert.equal(view.title, 'DICOMNET → SCP');
    assert.equal(panelTitle(record), 'Association DICOMNET → SCP');
    assert.equal(view.summary, 'Rejected permanently by the service user: calling AE title not recognised');
    assert.equal(view.summaryTone, 'error');
    assert.equal(view.livenessText, '');
    const header = fieldsOf(section(view, 'header'));
    assert.equal(header.Direction, `We called 127.0.0.1:${port} (we are the requestor)`);
    assert.equal(header['Calling AE title'], 'DICOMNET');
    assert.equal(header['Rejection result'], 'permanent (1)');
    assert.equal(header['Rejection source'], 'service user (1)');
    assert.equal(header['Rejection reason'], 'calling AE title not recognised (3)');
    assert.equal(header['Rejected by'], 'the peer (A-ASSOCIATE-RJ received)');
    assert.match(header.Duration!, /^\d+(\.\d)? ms$/);

    const contexts = section(view, 'contexts').table!;
    assert.deepEqual(contexts.columns, ['ID', 'Abstract syntax', 'Proposed transfer syntaxes', 'Result', 'Accepted transfer syntax']);
    assert.deepEqual(contexts.rows.map(texts), [[
      '1', 'Verification SOP Class | 1.2.840.10008.1.1', 'Explicit VR Little Endian | Implicit VR Little Endian',
      'not answered (association rejected)', '—',
    ]]);
    const sides = section(view, 'negotiation').table!;
    assert.deepEqual(sides.columns, ['', 'Requestor (us)', 'Acceptor (the peer)']);
    assert.deepEqual(texts(sides.rows[0]!), ['AE title', 'DICOMNET', 'rejected: no A-ASSOCIATE-AC']);
    assert.equal(fieldsOf(section(view, 'negotiation'))['User identity'], 'none proposed');

    const messages = section(view, 'messages').table!;
    assert.equal(messages.rows.length, 0);
    assert.equal(messages.empty, 'No DIMSE message: the association was rejected.');
    assert.equal(view.sections.some((s) => s.id === 'pdus'), false, 'a PDU section without recorded PDUs');
    assert.deepEqual(fieldsOf(section(view, 'dcmtk')), { Command: `echoscu -aet DICOMNET -aec SCP -pdu 131072 127.0.0.1 ${port}` });
    assert.deepEqual(section(view, 'dcmtk').notes, ['the association ended before a C-ECHO was sent; the line repeats its negotiation.']);
  });

  test('a C-FIND with matches: the timeline with message ids, statuses and their tone, the keys asked and the matches', async () => {
    const studies = [
      { PatientName: 'Doe^Jane', PatientID: 'P1', StudyInstanceUID: '1.2.826.0.1.1', StudyDate: '20240105' },
      { PatientName: 'Doe^John', PatientID: 'P2', StudyInstanceUID: '1.2.826.0.1.2', StudyDate: '20240310' },
    ];
    const recorder = new AssociationRecorder({ recordPdus: true });
    const server = await startServer({ services: [new FindScp([Uids.StudyRootFind], recordsBackend(studies))] });
    const closed = nextClosed(recorder);
    const client = await associate(new ApplicationEntity({ aeTitle: 'DICOMNET', timeouts: QUICK, recorder, maxPduLength: 0 }), server, findContexts('study'));
    await drain(client.find(identifier({ QueryRetrieveLevel: 'STUDY', PatientName: 'Doe*', StudyInstanceUID: '' }), { model: 'study' }));
    await client.release();
    const record = await closed;
    await server.close();
    const view = associationView(record, 'closed', dcmtkCommand(record));

    assert.equal(view.summary, 'Released (we asked)');
    assert.equal(view.summaryTone, 'ok');
    const messages = section(view, 'messages').table!;
    assert.deepEqual(messages.columns, ['Time', 'Direction', 'Command', 'Message ID', 'SOP class / instance', 'Status', 'Data set', 'Response time', 'Details']);
    const rows = messages.rows.map((r) => texts(r).slice(1, 7));
    const pending = '0xFF00 Pending: matches are continuing – current match is supplied, any optional keys were supported in the same manner as required keys';
    assert.deepEqual(rows, [
      ['→ sent', 'C-FIND-RQ | context 1', '1', 'Study Root Query/Retrieve Information Model - FIND', '—', rows[0]![5]],
      ['← received', 'C-FIND-RSP | context 1', 'for 1', 'Study Root Query/Retrieve Information Model - FIND', pending, rows[1]![5]],
      ['← received', 'C-FIND-RSP | context 1', 'for 1', 'Study Root Query/Retrieve Information Model - FIND', pending, rows[2]![5]],
      ['← received', 'C-FIND-RSP | context 1', 'for 1', 'Study Root Query/Retrieve Information Model - FIND', '0x0000 Success', 'none'],
    ]);
    assert.match(rows[0]![5]!, /^\d+ bytes$/, 'the identifier is the request\'s data set');
    assert.match(rows[1]![5]!, /^\d+ bytes$/);
    assert.deepEqual(messages.rows.map((r) => r[5]!.tone), [undefined, 'pending', 'pending', 'ok']);
    assert.deepEqual(texts(messages.rows[0]!)[8], 'STUDY level, 2 keys asked | PatientName (0010,0010) = Doe* | StudyInstanceUID (0020,000D) = (return key) | 2 matches');
    assert.match(texts(messages.rows[3]!)[7]!, /^\d+(\.\d)? ms$/);
    assert.equal(messages.rows[0]![4]!.hint, Uids.StudyRootFind);

    const sides = section(view, 'negotiation').table!;
    assert.deepEqual(texts(sides.rows[1]!), ['Max PDU it receives', 'unlimited', '262144 bytes']);
    assert.equal(texts(sides.rows[4]!)[0], 'Asynchronous operations window');
    const contexts = section(view, 'contexts').table!;
    assert.equal(contexts.rows[0]![3]!.text, 'accepted');
    assert.equal(contexts.rows[0]![3]!.tone, 'ok');

    // PDUs only because the recorder kept them.
    const pdus = section(view, 'pdus').table!;
    assert.deepEqual(pdus.rows.map((r) => r[2]!.text).slice(0, 2), ['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC']);
    assert.match(pdus.rows[0]![4]!.text, /^01000000/);
    assert.equal(pdus.rows[0]![4]!.mono, true);

    const dcmtk = fieldsOf(section(view, 'dcmtk'));
    assert.match(dcmtk.Command!, /^findscu -aet DICOMNET -aec SCP -S -k 0008,0052=STUDY -k '0010,0010=Doe\*' -k 0020,000D= 127\.0\.0\.1 \d+$/);
  });

  test('words for context results, aborts, sub-operations and failure statuses; open, dropped and no-DCMTK sentences', () => {
    const record: AssociationRecord = {
      version: 1, id: '7-1', direction: 'inbound', peerAddress: '10.0.0.9:40001', callingAeTitle: 'MODALITY', calledAeTitle: '',
      startedAt: '2026-12-06T10:51:35.242Z', durationMs: 1234.56,
      outcome: { kind: 'aborted', description: 'the peer aborted the association (service provider: invalid PDU parameter value)',
        abort: { by: 'peer', source: 2, reason: 6, sourceText: 'service provider', reasonText: 'invalid PDU parameter value' } },
      negotiation: {
        applicationContext: '1.2.840.10008.3.1.1.1',
        requestor: { aeTitle: 'MODALITY', maxPdu: 16384, asyncOperationsWindow: { maxOperationsInvoked: 0, maxOperationsPerformed: 1 } },
        acceptor: { aeTitle: '', maxPdu: 262144, implementationClassUid: '1.2.3', implementationVersionName: 'DICOMNET_0.1.0' },
        contexts: [
          { id: 1, abstractSyntax: { uid: '1.2.840.10008.5.1.4.1.2.2.2', name: 'Study Root Query/Retrieve Information Model - MOVE' },
            proposedTransferSyntaxes: [{ uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)' }], result: 4, resultText: 'rejected: transfer syntaxes not supported' },
          { id: 3, abstractSyntax: { uid: '1.2.3.4.5' }, proposedTransferSyntaxes: [{ uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian' }], result: 0,
            resultText: 'accepted', transferSyntax: { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian' } },
        ],
        roles: [{ sopClass: { uid: '1.2.840.10008.5.1.4.1.1.2', name: 'CT Image Storage' }, proposedScu: false, proposedScp: true, acceptedScu: false, acceptedScp: false }],
        extendedNegotiation: [{ sopClass: { uid: '1.2.840.10008.5.1.4.1.2.2.1' }, requestorInfo: '0101' }],
        commonExtendedNegotiation: [],
        userIdentity: { type: 2, typeText: 'username and passcode', positiveResponseRequested: true, serverResponded: false },
      },
      messages: [
        { at: 1.25, direction: 'received', contextId: 3, command: 'C-MOVE-RQ', commandField: 0x21, messageId: 9, moveDestination: 'STORESCP',
          identifier: { level: 'STUDY', keys: [{ tag: '0020,000D', keyword: 'StudyInstanceUID', value: '1.2.3' }], moreKeys: 40 } },
        { at: 80, direction: 'sent', contextId: 3, command: 'C-MOVE-RSP', commandField: 0x8021, respondingTo: 9, responseMs: 78.75,
          status: { code: 0xa801, hex: '0xA801', class: 'failure', meaning: 'Refused: move destination unknown' }, errorComment: 'no STORESCP',
          suboperations: { remaining: 0, completed: 2, failed: 1, warning: 0 } },
      ],
      messagesOmitted: 12,
    };
    const view = associationView(record, 'closed', undefined);
    assert.equal(view.title, 'MODALITY → (empty)');
    assert.equal(view.summary, 'Aborted: the peer aborted the association (service provider: invalid PDU parameter value)');
    const header = fieldsOf(section(view, 'header'));
    assert.equal(header.Direction, 'Called by 10.0.0.9:40001 (we are the acceptor)');
    assert.equal(header['Called AE title'], '(empty)');
    assert.equal(header.Duration, '1234.6 ms');
    assert.equal(header['Aborted by'], 'the peer');
    assert.equal(header['Abort source'], 'service provider (2)');
    assert.equal(header['Abort reason'], 'invalid PDU parameter value (6)');

    const contexts = section(view, 'contexts').table!;
    assert.deepEqual(contexts.rows.map(texts), [
      ['1', 'Study Root Query/Retrieve Information Model - MOVE | 1.2.840.10008.5.1.4.1.2.2.2', 'JPEG Baseline (Process 1)', 'rejected: transfer syntaxes not supported | result 4', '—'],
      ['3', '1.2.3.4.5', 'Implicit VR Little Endian', 'accepted | result 0', 'Implicit VR Little Endian | 1.2.840.10008.1.2'],
    ]);
    assert.equal(contexts.rows[0]![3]!.tone, 'error');
    assert.equal(contexts.rows[1]![1]!.mono, true, 'an abstract syntax without a name is shown as a UID');
    const sides = section(view, 'negotiation').table!;
    assert.deepEqual(sides.columns, ['', 'Requestor (the peer)', 'Acceptor (us)']);
    assert.deepEqual(texts(sides.rows[4]!), ['Asynchronous operations window', 'unlimited invoked, 1 performed', 'not negotiated (one operation at a time)']);
    assert.equal(fieldsOf(section(view, 'negotiation'))['User identity'],
      'username and passcode (type 2); positive response requested; the acceptor did not answer');
    assert.deepEqual(section(view, 'roles').table!.rows.map(texts), [['CT Image Storage | 1.2.840.10008.5.1.4.1.1.2', 'SCP', 'neither']]);
    assert.equal(section(view, 'roles').table!.rows[0]![2]!.tone, 'warning');
    assert.deepEqual(section(view, 'extended').table!.rows.map(texts), [['1.2.840.10008.5.1.4.1.2.2.1', '0101', 'not answered']]);

    const messages = section(view, 'messages');
    assert.deepEqual(texts(messages.table!.rows[0]!)[8], 'STUDY level, 41 keys asked | StudyInstanceUID (0020,000D) = 1.2.3 | … 40 more keys | move destination STORESCP');
    assert.deepEqual(texts(messages.table!.rows[1]!).slice(5), [
      '0xA801 Refused: move destination unknown | error comment: no STORESCP', 'none', '78.8 ms',
      'sub-operations: 0 remaining, 2 completed, 1 failed, 0 warning',
    ]);
    assert.equal(messages.table!.rows[1]![5]!.tone, 'error');
    assert.equal(messages.table!.rows[1]![8]!.tone, 'error');
    assert.deepEqual(messages.notes, ['12 more messages not listed (the per-association limit).']);
    assert.equal(view.sections.some((s) => s.id === 'pdus'), false, 'a PDU section without recorded PDUs');
    assert.deepEqual(section(view, 'dcmtk').notes, ['No DCMTK tool repeats this association: it received no C-ECHO, C-FIND, C-MOVE, C-GET or C-STORE request.']);

    const open = associationView({ ...record, durationMs: undefined, outcome: undefined }, 'open', undefined);
    assert.equal(open.summary, 'Open');
    assert.equal(open.summaryTone, 'pending');
    assert.equal(open.livenessText, 'Open: this panel follows the association as it runs.');
    assert.equal(fieldsOf(section(open, 'header')).Duration, 'still open');
    const dropped = associationView(record, 'dropped', undefined);
    assert.match(dropped.livenessText, /no longer kept/);
    assert.deepEqual(outcomeSentence({ ...record, outcome: { kind: 'timed-out', description: 'no C-MOVE response within 30 s' } }),
      { text: 'Timed out: no C-MOVE response within 30 s', tone: 'error' });
  });

  test('text off the wire: markup stays text, control and direction characters become visible escapes', () => {
    assert.equal(printable('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>');
    assert.equal(printable('A\u0000B\u001b[31m\u202eC\u0085'), 'A\\u0000B\\u001b[31m\\u202eC\\u0085');
    const hostile = '<script>alert(1)</script>\u202e';
    const record: AssociationRecord = {
      version: 1, id: '1-1', direction: 'inbound', peerAddress: '127.0.0.1:5000', callingAeTitle: hostile, calledAeTitle: 'DICOMNET\u0000',
      startedAt: '2026-12-06T10:51:35.242Z',
      negotiation: {
        applicationContext: '1.2.840.10008.3.1.1.1\u0007', requestor: { aeTitle: hostile, implementationVersionName: '<b>x</b>' }, contexts: [],
        roles: [], extendedNegotiation: [], commonExtendedNegotiation: [],
      },
      messages: [{ at: 1, direction: 'received', contextId: 1, command: 'C-FIND-RQ', commandField: 0x20, messageId: 1,
        identifier: { keys: [{ tag: '0010,0010', keyword: 'PatientName', value: 'x\u2066<i>' }] } }],
    };
    const view = associationView(record, 'open', undefined);
    assert.equal(view.title, '<script>alert(1)</script>\\u202e → DICOMNET\\u0000');
    const strings = allStrings(view);
    assert.ok(strings.includes('<b>x</b>'), 'markup is carried as the text it is');
    assert.ok(strings.some((s) => s.includes('PatientName (0010,0010) = x\\u2066<i>')));
    const hidden = strings.filter((s) => /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(s));
    assert.deepEqual(hidden, [], 'control or direction characters reached the view');
  });
});
