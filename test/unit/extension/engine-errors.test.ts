// The extension's error codes: what the UI acts on (Copy AE Configuration, C-GET instead of C-MOVE,
// a quiet cancel) is chosen by an error's type and fields, never by its text. The rejection comes
// from our own server refusing the calling AE title, through the extension's association path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DicomServer } from '../../../src/ae/server';
import { echo } from '../../../src/extension/engine/echo';
import { errorCode, describeError, MoveDestinationUnknownError } from '../../../src/extension/engine/errors';
import type { DimseTarget, EngineLog } from '../../../src/extension/engine/types';
import { AssociationRejectedError, OperationAbortedError } from '../../../src/net/errors';

function memoryLog(): EngineLog & { lines: string[] } {
  const lines: string[] = [];
  const add = (line: string) => { lines.push(line); };
  return { lines, info: add, debug: add, warn: add, error: add, trace: add, traceEnabled: () => false };
}

describe('extension error codes', () => {
  let server: DicomServer;
  let target: DimseTarget;

  before(async () => {
    server = new DicomServer({ aeTitle: 'STRICT', port: 0, host: '127.0.0.1', acceptCallingAeTitles: ['SOMEONE-ELSE'], services: [] });
    await server.listen();
    target = { name: 'Strict', host: '127.0.0.1', port: server.port, calledAeTitle: 'STRICT', callingAeTitle: 'DICOMNET', timeoutSeconds: 10 };
  });
  after(() => server.close());

  test('a peer rejecting our calling AE title is calling-ae-title-rejected, and the sentence says what to do', async () => {
    const log = memoryLog();
    const error = await echo(target, log).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AssociationRejectedError, `expected a rejection, got ${String(error)}`);
    assert.equal(errorCode(error), 'calling-ae-title-rejected');
    assert.equal(describeError(error, target), 'association rejected: calling AE title not recognised — add DICOMNET to the PACS');
    assert.ok(log.lines.some((l) => l.includes('DICOMNET → STRICT@127.0.0.1') && l.includes('calling AE title not recognised')), log.lines.join('\n'));
  });

  test('the code comes from the type and fields: the same words in another error are no code', () => {
    assert.equal(errorCode(new Error('association rejected: calling AE title not recognised')), undefined);
    assert.equal(errorCode(new AssociationRejectedError(1, 1, 7)), 'called-ae-title-rejected');
    assert.equal(errorCode(new AssociationRejectedError(1, 2, 3)), undefined, 'reason 3 of the ACSE provider is not the calling AE title');
    assert.equal(errorCode(new OperationAbortedError()), 'cancelled');
    assert.equal(errorCode(new MoveDestinationUnknownError('ME', 'PACS')), 'move-destination-unknown');
  });
});
