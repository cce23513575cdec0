// "Copy as DCMTK command" for an association that ended before its first request: an echo's
// proposal (Verification only) is repeated by echoscu; any other proposal cannot be told apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssociationRecord, dcmtkCommand } from '../../../src/ae/recording';

const VERIFICATION = { uid: '1.2.840.10008.1.1', name: 'Verification SOP Class' };
const STUDY_FIND = { uid: '1.2.840.10008.5.1.4.1.2.2.1' };
const IMPLICIT = { uid: '1.2.840.10008.1.2' };

function rejected(abstractSyntaxes: { uid: string }[], transferSyntaxes = [IMPLICIT]): AssociationRecord {
  return {
    version: 1, id: '1-1', direction: 'outbound', peerAddress: 'pacs.example.org:104', callingAeTitle: 'DICOMNET', calledAeTitle: 'STRICT PACS',
    startedAt: '2026-12-06T10:51:35.242Z', durationMs: 3,
    outcome: { kind: 'rejected', description: 'rejected permanently by the service user: calling AE title not recognised' },
    negotiation: {
      applicationContext: '1.2.840.10008.3.1.1.1', requestor: { aeTitle: 'DICOMNET', maxPdu: 0 },
      contexts: abstractSyntaxes.map((a, i) => ({ id: i * 2 + 1, abstractSyntax: a, proposedTransferSyntaxes: transferSyntaxes })),
      roles: [], extendedNegotiation: [], commonExtendedNegotiation: [],
    },
    messages: [],
  };
}

test('a rejected echo is repeated by echoscu (its negotiation), with a note; a rejected query is not repeatable', () => {
  const echo = dcmtkCommand(rejected([VERIFICATION]));
  assert.deepEqual(echo, {
    tool: 'echoscu', argv: ['-aet', 'DICOMNET', '-aec', 'STRICT PACS', '-xi', 'pacs.example.org', '104'],
    line: "echoscu -aet DICOMNET -aec 'STRICT PACS' -xi pacs.example.org 104",
    note: 'the association ended before a C-ECHO was sent; the line repeats its negotiation',
  });
  assert.equal(dcmtkCommand(rejected([STUDY_FIND])), undefined);
  assert.equal(dcmtkCommand(rejected([VERIFICATION, STUDY_FIND])), undefined);
  assert.equal(dcmtkCommand({ ...rejected([]), negotiation: undefined }), undefined);
});
