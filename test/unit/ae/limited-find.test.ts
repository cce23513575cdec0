// find(…, { limit }) between our client and our server: at the limit the SCU sends C-CANCEL, drops
// what still comes and ends with the final response, and the association stays usable.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationEntity, ClientAssociation } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { findContexts } from '../../../src/ae/retrieve-contexts';
import { DicomServer } from '../../../src/ae/server';
import { Dataset } from '../../../src/dicom/dataset-model';
import { encodeDataset } from '../../../src/dicom';
import { Tags } from '../../../src/dicom/tag';
import { Uids } from '../../../src/dicom/sop-classes';
import { CommandField, DATASET_PRESENT, NO_DATASET, commandName } from '../../../src/dimse/command';
import { Status } from '../../../src/dimse/status';
import { buildIdentifier } from '../../../src/services/query-keys';
import { ScpService } from '../../../src/services/scp-service';

/** How long the peer waits for a C-CANCEL it expects before the test fails. */
const CANCEL_WAIT_MS = 10_000;

interface Script {
  /** Pending responses sent before anything else. */
  pendings: number;
  /** Then wait for C-CANCEL (answered with Cancel) instead of ending with Success. */
  awaitCancel: boolean;
}

/** A C-FIND SCP that answers as scripted and records the C-CANCELs it received. */
class ScriptedFind implements ScpService {
  readonly name = 'scripted-find';
  script: Script = { pendings: 0, awaitCancel: false };
  cancels = 0;
  /** Resolves each time the script has sent its last response. */
  allSent: Promise<void> = Promise.resolve();
  private markAllSent: () => void = () => undefined;

  expectAllSent(): void {
    this.allSent = new Promise((resolve) => { this.markAllSent = resolve; });
  }

  contexts(): ReadonlyMap<string, readonly string[]> {
    return new Map([[Uids.StudyRootFind, ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2']]]);
  }

  handles(command: { commandField: number }): boolean {
    return command.commandField === CommandField.CFindRq;
  }

  async handle(sa: Parameters<ScpService['handle']>[0], request: Parameters<ScpService['handle']>[1]): Promise<void> {
    const ts = sa.association.contexts.get(request.contextId)!.transferSyntax;
    const messageId = request.command.messageId ?? 0;
    const respond = (status: number, dataset?: Buffer) => sa.channel.send(request.contextId, {
      commandField: CommandField.CFindRsp, messageIdBeingRespondedTo: messageId, affectedSopClassUid: Uids.StudyRootFind,
      commandDataSetType: dataset ? DATASET_PRESENT : NO_DATASET, status,
    }, dataset);
    let cancelled!: () => void;
    const cancel = new Promise<void>((resolve) => { cancelled = resolve; });
    const stop = sa.channel.onCancel(messageId, () => { this.cancels++; cancelled(); });
    try {
      for (let i = 1; i <= this.script.pendings; i++) {
        const match = new Dataset();
        match.set(Tags.StudyInstanceUID, 'UI', `1.2.3.${i}`);
        await respond(Status.Pending, encodeDataset(match, ts));
      }
      if (this.script.awaitCancel) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no C-CANCEL within ${CANCEL_WAIT_MS} ms`)), CANCEL_WAIT_MS); });
        await Promise.race([cancel, late]).finally(() => clearTimeout(timer));
        await respond(Status.Cancel);
      } else {
        await respond(Status.Success);
      }
      this.markAllSent();
    } finally {
      stop();
    }
  }
}

const service = new ScriptedFind();
const server = new DicomServer({ aeTitle: 'FINDSCP', port: 0, services: [service] });
const ae = new ApplicationEntity({ aeTitle: 'CLIENT', timeouts: { dimseMs: 15_000 } });
after(() => server.close(100));

async function open(): Promise<{ client: ClientAssociation; sent: string[] }> {
  if (server.port === 0) await server.listen();
  const client = await ae.associate({ host: '127.0.0.1', port: server.port, calledAeTitle: 'FINDSCP', contexts: [...findContexts('study'), verificationContext()] });
  const sent: string[] = [];
  client.channel.on('message', (direction, _context, command) => { if (direction === 'sent') sent.push(commandName(command)); });
  return { client, sent };
}

const query = () => buildIdentifier(['StudyInstanceUID='], { model: 'study', level: 'STUDY' });

describe('find with a limit', () => {
  test('at the limit C-CANCEL goes out, the rest is drained and the association stays usable', async () => {
    service.script = { pendings: 5, awaitCancel: true };
    const before = service.cancels;
    const { client, sent } = await open();
    try {
      const iterator = client.find(query(), { model: 'study', limit: 3 });
      const uids: string[] = [];
      let summary;
      for (;;) {
        const next = await iterator.next();
        if (next.done) { summary = next.value; break; }
        uids.push(next.value.string(Tags.StudyInstanceUID) ?? '');
      }
      assert.deepEqual(uids, ['1.2.3.1', '1.2.3.2', '1.2.3.3']);
      assert.deepEqual({ status: summary.status, cancelled: summary.cancelled, limitReached: summary.limitReached, matches: summary.matches },
        { status: Status.Cancel, cancelled: true, limitReached: true, matches: 5 });
      assert.deepEqual(sent, ['C-FIND-RQ', 'C-CANCEL-RQ']);
      assert.equal(service.cancels - before, 1);
      // Every response of the C-FIND was read: the next request gets its own answer.
      assert.equal((await client.echo()).status, Status.Success);
    } finally {
      await client.release();
    }
  });

  test('a limit above the number of matches changes nothing', async () => {
    service.script = { pendings: 2, awaitCancel: false };
    const { client, sent } = await open();
    try {
      const iterator = client.find(query(), { model: 'study', limit: 5 });
      let count = 0;
      let next = await iterator.next();
      for (; !next.done; next = await iterator.next()) count++;
      assert.equal(count, 2);
      assert.deepEqual({ status: next.value.status, cancelled: next.value.cancelled, limitReached: next.value.limitReached }, { status: Status.Success, cancelled: false, limitReached: false });
      assert.deepEqual(sent, ['C-FIND-RQ']);
    } finally {
      await client.release();
    }
  });

  test('a limit reached when the final response has already arrived sends no C-CANCEL (the request is no longer outstanding)', async () => {
    service.script = { pendings: 3, awaitCancel: false };
    service.expectAllSent();
    const before = service.cancels;
    const { client, sent } = await open();
    try {
      const iterator = client.find(query(), { model: 'study', limit: 1 });
      // Hold our reading until the peer has answered everything: the final response is then in hand with the first match.
      const first = iterator.next();
      client.association.pauseReading();
      await service.allSent;
      client.association.resumeReading();
      assert.equal((await first).done, false);
      let next = await iterator.next();
      for (; !next.done; next = await iterator.next()) assert.fail('no match after the limit is passed on');
      assert.deepEqual({ status: next.value.status, limitReached: next.value.limitReached, matches: next.value.matches }, { status: Status.Success, limitReached: true, matches: 3 });
      assert.deepEqual(sent, ['C-FIND-RQ']);
      assert.equal(service.cancels - before, 0);
      assert.equal((await client.echo()).status, Status.Success);
    } finally {
      await client.release();
    }
  });

  test('leaving the loop early cancels and drains as well', async () => {
    service.script = { pendings: 4, awaitCancel: true };
    const { client, sent } = await open();
    try {
      for await (const match of client.find(query(), { model: 'study' })) {
        assert.equal(match.string(Tags.StudyInstanceUID), '1.2.3.1');
        break;
      }
      assert.deepEqual(sent, ['C-FIND-RQ', 'C-CANCEL-RQ']);
      assert.equal((await client.echo()).status, Status.Success);
    } finally {
      await client.release();
    }
  });

  test('a limit that is not a whole number above 0 is refused before anything is sent', async () => {
    const { client, sent } = await open();
    try {
      for (const limit of [0, -1, 1.5]) {
        await assert.rejects(client.find(query(), { model: 'study', limit }).next(), { name: 'RangeError' });
      }
      assert.deepEqual(sent, []);
    } finally {
      await client.release();
    }
  });
});
