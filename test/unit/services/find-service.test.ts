// C-FIND and Modality Worklist, our SCU against our SCP in process: pending responses, C-CANCEL,
// final statuses.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verificationContext } from '../../../src/ae/requestor';
import { findContexts } from '../../../src/ae/retrieve-contexts';
import { Dataset } from '../../../src/dicom/dataset-model';
import { Uids } from '../../../src/dicom/sop-classes';
import { Tags } from '../../../src/dicom/tag';
import { Status } from '../../../src/dimse/status';
import { FindScp, FindScpOptions } from '../../../src/services/find-scp';
import { CompiledQuery, objectRecord } from '../../../src/services/query';
import { MatchedEntity } from '../../../src/services/query-backend';
import { QueryFailedError } from '../../../src/services/query-models';
import { associate, drain, identifier, recordsBackend, scu, startServer } from '../../helpers/in-process';

const STUDIES = [
  { PatientName: 'Doe^Jane', PatientID: 'P1', StudyInstanceUID: '1.2.826.0.1.1', StudyDate: '20240105', AccessionNumber: 'A1' },
  { PatientName: 'Doe^John', PatientID: 'P2', StudyInstanceUID: '1.2.826.0.1.2', StudyDate: '20240310', AccessionNumber: 'A2' },
  { PatientName: 'Roe^Rita', PatientID: 'P3', StudyInstanceUID: '1.2.826.0.1.3', StudyDate: '20231224', AccessionNumber: 'A3' },
  { PatientName: 'Doe^Dora', PatientID: 'P4', StudyInstanceUID: '1.2.826.0.1.4', StudyDate: '20240229', AccessionNumber: 'A4' },
];

const WORKLIST = [
  { PatientName: 'Ward^One', PatientID: 'W1', AccessionNumber: 'WL1',
    ScheduledProcedureStepSequence: [{ Modality: 'MR', ScheduledStationAETitle: 'MR1', ScheduledProcedureStepStartDate: '20240201' }] },
  { PatientName: 'Ward^Two', PatientID: 'W2', AccessionNumber: 'WL2',
    ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledStationAETitle: 'CT1', ScheduledProcedureStepStartDate: '20240203' }] },
  { PatientName: 'Ward^Three', PatientID: 'W3', AccessionNumber: 'WL3',
    ScheduledProcedureStepSequence: [{ Modality: 'MR', ScheduledStationAETitle: 'MR2', ScheduledProcedureStepStartDate: '20240210' }] },
];

type FindReport = Parameters<NonNullable<FindScpOptions['onFind']>>[0];

async function studyServer(find: (q: CompiledQuery) => Iterable<MatchedEntity> = recordsBackend(STUDIES), options: FindScpOptions = {}) {
  const reports: FindReport[] = [];
  const server = await startServer({
    services: [new FindScp([Uids.StudyRootFind], find, { ...options, onFind: (r) => reports.push(r) })],
  });
  const client = await associate(scu(), server, [...findContexts('study'), verificationContext()]);
  return { client, reports };
}

/** An answer that never ends on its own: study after study until the SCU cancels. */
function* endless(): Iterable<MatchedEntity> {
  for (let i = 1; ; i++) yield { record: objectRecord({ StudyInstanceUID: `1.2.826.0.9.${i}`, PatientName: `Many^${i}` }) };
}

describe('C-FIND in process', () => {
  test('pending responses carry exactly the matches, with the return keys asked for; then Success', async () => {
    const { client } = await studyServer();
    try {
      const query = identifier({ QueryRetrieveLevel: 'STUDY', StudyDate: '20240101-20241231', PatientName: 'Doe*', StudyInstanceUID: '', AccessionNumber: '' });
      const { yielded, result } = await drain(client.find(query, { model: 'study' }));
      assert.deepEqual(yielded.map((d) => [d.string(Tags.StudyInstanceUID), d.string(Tags.AccessionNumber), d.string(Tags.PatientName)]), [
        ['1.2.826.0.1.1', 'A1', 'Doe^Jane'], ['1.2.826.0.1.2', 'A2', 'Doe^John'], ['1.2.826.0.1.4', 'A4', 'Doe^Dora'],
      ]);
      assert.ok(yielded.every((d) => !d.has(Tags.PatientID)), 'a key that was not asked for came back');
      assert.deepEqual(result, { status: 0, matches: 3, cancelled: false, warning: false, limitReached: false });
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('no match: no pending response, Success with zero matches', async () => {
    const { client } = await studyServer();
    try {
      const { yielded, result } = await drain(client.find(identifier({ QueryRetrieveLevel: 'STUDY', PatientID: 'NOBODY' }), { model: 'study' }));
      assert.equal(yielded.length, 0);
      assert.equal(result.matches, 0);
      assert.equal(result.status, Status.Success);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('aborting the signal sends C-CANCEL: an endless answer ends with Cancel, and the association serves the next request', async () => {
    const { client, reports } = await studyServer(() => endless());
    try {
      const controller = new AbortController();
      const finding = client.find(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }), { model: 'study', signal: controller.signal });
      for (let i = 0; i < 3; i++) assert.equal((await finding.next()).done, false);
      controller.abort();
      const { yielded, result } = await drain(finding);
      assert.equal(yielded.length, 0, 'matches were yielded after the cancel');
      assert.equal(result.status, Status.Cancel);
      assert.equal(result.cancelled, true);
      assert.ok(result.matches >= 3);
      assert.equal((await client.echo()).status, 0);
      assert.deepEqual([reports[0].cancelled, reports[0].status], [true, Status.Cancel]);
    } finally {
      await client.releaseOrAbort();
    }
  });

  // Issue 14.9: leaving the loop keeps the response stream registered until the final response.
  test('leaving the loop early cancels too, and the rest of the answer is drained', async () => {
    const { client, reports } = await studyServer(() => endless());
    try {
      let seen = 0;
      for await (const match of client.find(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }), { model: 'study' })) {
        assert.ok(match.string(Tags.StudyInstanceUID));
        if (++seen === 2) break;
      }
      assert.equal((await client.echo()).status, 0);
      assert.equal(reports[0].cancelled, true);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('an identifier without a Query/Retrieve Level fails with A900 and the SCP\'s comment', async () => {
    const { client } = await studyServer();
    try {
      await assert.rejects(drain(client.find(identifier({ PatientName: '' }), { model: 'study' })), (e: Error) =>
        e instanceof QueryFailedError && e.status === Status.IdentifierDoesNotMatchSopClass && /no Query\/Retrieve Level/.test(e.comment ?? ''));
      assert.equal((await client.echo()).status, 0);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('a backend that fails half-way: the matches so far, then C000 "unable to process"', async () => {
    function* failing(): Iterable<MatchedEntity> {
      yield { record: objectRecord(STUDIES[0]) };
      throw new Error('the index went away');
    }
    const { client } = await studyServer(() => failing());
    try {
      const seen: string[] = [];
      await assert.rejects(async () => {
        for await (const d of client.find(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }), { model: 'study' })) seen.push(d.string(Tags.StudyInstanceUID)!);
      }, (e: Error) => e instanceof QueryFailedError && e.status === Status.UnableToProcess && e.comment === 'the query could not be completed');
      assert.deepEqual(seen, ['1.2.826.0.1.1']);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('keys the SCP cannot match on: the pending responses say FF01 and the matches still come', async () => {
    const { client } = await studyServer(recordsBackend(STUDIES), { isKeySupported: (tag) => tag !== Tags.AccessionNumber });
    const pendingStatuses: number[] = [];
    client.channel.on('message', (direction, _contextId, command) => {
      if (direction === 'received' && command.status !== 0) pendingStatuses.push(command.status!);
    });
    try {
      const { yielded } = await drain(client.find(identifier({ QueryRetrieveLevel: 'STUDY', AccessionNumber: 'A2', StudyInstanceUID: '' }), { model: 'study' }));
      assert.equal(yielded.length, STUDIES.length, 'an unsupported key must not filter');
      assert.deepEqual(new Set(pendingStatuses), new Set([Status.PendingWarning]));
    } finally {
      await client.releaseOrAbort();
    }
  });
});

describe('Modality Worklist in process', () => {
  test('keys inside the Scheduled Procedure Step Sequence select the items, and the item comes back with them', async () => {
    const server = await startServer({ services: [new FindScp([Uids.ModalityWorklistFind], recordsBackend(WORKLIST), {}, 'worklist')] });
    const client = await associate(scu(), server, findContexts('worklist'));
    try {
      const step = new Dataset();
      step.set('Modality', 'MR');
      step.set('ScheduledProcedureStepStartDate', '20240201-20240205');
      step.set('ScheduledStationAETitle', '');
      const query = identifier({ PatientName: '', AccessionNumber: '' });
      query.set('ScheduledProcedureStepSequence', [step]);
      const { yielded, result } = await drain(client.find(query, { model: 'worklist' }));
      assert.deepEqual(yielded.map((d) => d.string(Tags.AccessionNumber)), ['WL1']);
      const item = yielded[0].items('ScheduledProcedureStepSequence')![0];
      assert.deepEqual([item.string('Modality'), item.string('ScheduledStationAETitle')], ['MR', 'MR1']);
      assert.equal(result.status, 0);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('a worklist query on an association without the worklist model is refused before anything is sent', async () => {
    const server = await startServer({ services: [new FindScp([Uids.StudyRootFind], recordsBackend(STUDIES))] });
    const client = await associate(scu(), server, findContexts('study'));
    try {
      await assert.rejects(drain(client.find(identifier({ PatientName: '' }), { model: 'worklist' })), /did not accept the Modality Worklist model/);
    } finally {
      await client.releaseOrAbort();
    }
  });
});
