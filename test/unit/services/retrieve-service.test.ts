// C-MOVE and C-GET, our SCU against our SCP in process (and a second SCP of ours as the move
// destination): sub-operations, pending counts, failures, C-CANCEL.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ApplicationEntity } from '../../../src/ae/client';
import { MoveDestinations } from '../../../src/ae/move-destinations';
import { getContexts, moveContexts } from '../../../src/ae/retrieve-contexts';
import { DicomServer } from '../../../src/ae/server';
import { Association } from '../../../src/net/association';
import { Uids } from '../../../src/dicom/sop-classes';
import { CommandField, decodeCommand } from '../../../src/dimse/command';
import { Status } from '../../../src/dimse/status';
import { PDU_P_DATA_TF } from '../../../src/net/pdu-types';
import { CompiledQuery, objectRecord } from '../../../src/services/query';
import { RetrievableInstance } from '../../../src/services/query-backend';
import { QueryFailedError } from '../../../src/services/query-models';
import { GetScp, MoveDestination, MoveScp } from '../../../src/services/retrieve-scp';
import { StoreBackend } from '../../../src/services/storage';
import { StorageScp } from '../../../src/services/store-scp';
import { PYDICOM_FILES, datasetBytes } from '../../helpers/dicom-files';
import { MemoryStore, QUICK, associate, drain, identifier, retrievable, scu, startServer } from '../../helpers/in-process';
import { within } from '../../helpers/wait';
import { collectStoreInputs } from '../../../src/ae/store-inputs';

/** Samples with distinct SOP Instance UIDs, SOP classes and transfer syntaxes (one study each). */
const SAMPLES = ['CT_small.dcm', '693_J2KI.dcm', 'ExplVR_BigEnd.dcm', 'MR_small_RLE.dcm', 'rtplan.dcm', 'image_dfl.dcm', 'SC_jpeg_no_color_transform.dcm'];
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

let instances: RetrievableInstance[];
before(async () => {
  const collected = await collectStoreInputs(SAMPLES.map((name) => path.join(PYDICOM_FILES, name)));
  instances = await retrievable(collected.files);
  assert.equal(new Set(instances.map((i) => i.sopInstanceUid)).size, SAMPLES.length);
});

function retrieveFrom(all: () => readonly RetrievableInstance[]) {
  return (query: CompiledQuery) => all().filter((i) => query.matches(objectRecord({
    StudyInstanceUID: i.studyInstanceUid, SeriesInstanceUID: i.seriesInstanceUid, SOPInstanceUID: i.sopInstanceUid,
  })));
}

const everyStudy = () => identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: instances.map((i) => i.studyInstanceUid).join('\\') });

async function assertArrivedIntact(store: MemoryStore, expected: readonly RetrievableInstance[]): Promise<void> {
  assert.deepEqual(store.received.map((r) => r.sopInstanceUid).sort(), expected.map((i) => i.sopInstanceUid).sort());
  for (const instance of expected) {
    const got = store.bySopInstanceUid(instance.sopInstanceUid)!;
    assert.equal(got.transferSyntaxUid, instance.transferSyntaxUid, `${instance.path} was converted`);
    const original = await datasetBytes(instance.path);
    assert.ok(got.data.subarray(0, original.length).equals(original), `${instance.path}: data set bytes differ`);
    assert.ok(got.data.length - original.length <= 1, `${instance.path}: more than one padding byte`);
  }
}

/** A store that holds every commit until `open()`, and says when the first instance began. */
class GatedStore implements StoreBackend {
  private opened!: () => void;
  private began!: () => void;
  private readonly gate = new Promise<void>((resolve) => { this.opened = resolve; });
  readonly firstBegun = new Promise<void>((resolve) => { this.began = resolve; });
  committed = 0;

  begin() {
    this.began();
    return {
      write: () => undefined,
      commit: async () => { await this.gate; this.committed++; return { status: 0 }; },
      abort: () => undefined,
    };
  }

  open(): void { this.opened(); }
}

/** Resolves once the server has read a C-CANCEL-RQ (its cancel handlers have run by then). */
function cancelRead(server: DicomServer): Promise<void> {
  return new Promise((resolve) => {
    server.on('pdu', (_info, direction, pdu) => {
      if (direction === 'received' && pdu.type === PDU_P_DATA_TF
        && pdu.pdvs.some((p) => p.isCommand && decodeCommand(p.data).commandField === CommandField.CCancelRq)) resolve();
    });
  });
}

describe('C-MOVE in process', () => {
  async function setup(destinationStore: StoreBackend = new MemoryStore()) {
    const dest = await startServer({ aeTitle: 'DEST', services: [new StorageScp(destinationStore, { promiscuous: true })] });
    const destinations = new MoveDestinations(new ApplicationEntity({ aeTitle: 'SCP', timeouts: QUICK }), [['DEST', { host: '127.0.0.1', port: dest.port }]]);
    const unreachable: MoveDestination = { aeTitle: 'BROKEN', open: async () => { throw new Error('connection refused'); } };
    const source = await startServer({
      services: [new MoveScp([Uids.StudyRootMove], retrieveFrom(() => instances), (aet) => (aet === 'BROKEN' ? unreachable : destinations.lookup(aet)))],
    });
    // Before the association opens: the server forwards PDUs only to listeners it had by then.
    const cancelled = cancelRead(source);
    const client = await associate(scu(), source, moveContexts('study'));
    const moveIds: number[] = [];
    client.channel.on('message', (direction, _contextId, command) => {
      if (direction === 'sent' && command.commandField === CommandField.CMoveRq) moveIds.push(command.messageId!);
    });
    return { client, moveIds, cancelled, dest };
  }

  test('every instance reaches the destination bit for bit, with pending counts and the move originator', async () => {
    const store = new MemoryStore();
    const { client, moveIds } = await setup(store);
    try {
      const { yielded, result } = await drain(client.move(everyStudy(), 'DEST', { model: 'study' }));
      const n = instances.length;
      assert.deepEqual(yielded.map((p) => [p.remaining, p.completed, p.failed, p.warning]),
        Array.from({ length: n - 1 }, (_, i) => [n - 1 - i, i + 1, 0, 0]));
      assert.deepEqual([result.status, result.completed, result.failed, result.warning, result.cancelled, result.failedSopInstanceUids],
        [Status.Success, n, 0, 0, false, []]);
      await assertArrivedIntact(store, instances);
      assert.ok(store.received.every((r) => r.moveOriginatorAeTitle === 'SCU' && r.moveOriginatorMessageId === moveIds[0] && r.callingAeTitle === 'SCP'));
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('sub-operations the destination refuses are counted and listed; the final status is B000', async () => {
    const refused = () => instances[2].sopInstanceUid;
    const store = new MemoryStore((incoming) => (incoming.sopInstanceUid === refused() ? { status: 0xa700 } : { status: 0 }));
    const { client } = await setup(store);
    try {
      const { result } = await drain(client.move(everyStudy(), 'DEST', { model: 'study' }));
      assert.deepEqual([result.status, result.completed, result.failed, result.failedSopInstanceUids],
        [Status.SubOperationsCompleteWithFailures, instances.length - 1, 1, [refused()]]);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('an unknown destination is refused with A801 and a sentence', async () => {
    const { client } = await setup();
    try {
      await assert.rejects(drain(client.move(everyStudy(), 'NOBODY', { model: 'study' })), (e: Error) =>
        e instanceof QueryFailedError && e.status === Status.MoveDestinationUnknown && /unknown destination NOBODY/.test(e.comment ?? ''));
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('a destination that cannot be reached: every sub-operation fails (A702)', async () => {
    const { client } = await setup();
    try {
      const { result } = await drain(client.move(everyStudy(), 'BROKEN', { model: 'study' }));
      assert.deepEqual([result.status, result.completed, result.failed], [Status.OutOfResourcesSubOperations, 0, instances.length]);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('a destination that aborts part-way: what it did not answer failed, listed by UID (B000)', async () => {
    let destination: Association | undefined;
    let abortedAt: string | undefined;
    const store = new MemoryStore((incoming) => {
      if (store.received.length < 2) return { status: 0 };
      // The third instance: the destination goes away before answering.
      abortedAt ??= incoming.sopInstanceUid;
      destination?.abort();
      return { status: 0xa700 };
    });
    const { client, dest } = await setup(store);
    dest.on('accepted', (_info, association) => { destination = association; });
    try {
      const { result } = await drain(client.move(everyStudy(), 'DEST', { model: 'study' }));
      const arrived = new Set(store.received.map((r) => r.sopInstanceUid));
      const notArrived = instances.map((i) => i.sopInstanceUid).filter((uid) => !arrived.has(uid));
      assert.ok(abortedAt && notArrived.includes(abortedAt));
      assert.deepEqual([result.status, result.completed, result.failed, result.failedSopInstanceUids],
        [Status.SubOperationsCompleteWithFailures, 2, instances.length - 2, notArrived]);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('C-CANCEL while a sub-operation is under way: it finishes, the rest are not started, the final status is Cancel', async () => {
    const store = new GatedStore();
    const { client, cancelled } = await setup(store);
    try {
      const controller = new AbortController();
      const moving = drain(client.move(everyStudy(), 'DEST', { model: 'study', signal: controller.signal }));
      await within('first sub-operation at the destination', store.firstBegun);
      controller.abort();
      await within('C-CANCEL-RQ read by the SCP', cancelled);
      store.open();
      const { result } = await moving;
      assert.deepEqual([result.status, result.cancelled, result.completed, result.failed], [Status.Cancel, true, 1, 0]);
      assert.equal(store.committed, 1);
    } finally {
      await client.releaseOrAbort();
    }
  });
});

describe('C-GET in process', () => {
  async function setup(sopClasses = [...new Set(instances.map((i) => i.sopClassUid))]) {
    const source = await startServer({ services: [new GetScp([Uids.StudyRootGet], retrieveFrom(() => instances))] });
    const { contexts, roles } = getContexts('study', sopClasses);
    return associate(scu(), source, contexts, { roles });
  }

  test('the instances come back on the same association, each in its own transfer syntax, bit for bit', async () => {
    const client = await setup();
    const store = new MemoryStore();
    try {
      const { yielded, result } = await drain(client.get(everyStudy(), store, { model: 'study' }));
      assert.equal(yielded.length, instances.length - 1);
      assert.deepEqual([result.status, result.completed, result.failed, result.warning], [Status.Success, instances.length, 0, 0]);
      await assertArrivedIntact(store, instances);
      assert.ok(store.received.every((r) => r.callingAeTitle === 'SCP' && r.calledAeTitle === 'SCU'));
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('a C-STORE the requestor refuses is a failed sub-operation, listed by UID', async () => {
    const client = await setup();
    const refused = instances[0].sopInstanceUid;
    const store = new MemoryStore((incoming) => (incoming.sopInstanceUid === refused ? { status: 0xa700, comment: 'no room' } : { status: 0 }));
    try {
      const { result } = await drain(client.get(everyStudy(), store, { model: 'study' }));
      assert.deepEqual([result.status, result.completed, result.failed, result.failedSopInstanceUids],
        [Status.SubOperationsCompleteWithFailures, instances.length - 1, 1, [refused]]);
      assert.equal(store.received.length, instances.length - 1);
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('instances of a SOP class proposed without the SCP role cannot come back: those sub-operations fail', async () => {
    const client = await setup([CT_IMAGE]);
    const store = new MemoryStore();
    try {
      const { result } = await drain(client.get(everyStudy(), store, { model: 'study' }));
      const ct = instances.filter((i) => i.sopClassUid === CT_IMAGE);
      const others = instances.filter((i) => i.sopClassUid !== CT_IMAGE);
      assert.deepEqual([result.status, result.completed, result.failed], [Status.SubOperationsCompleteWithFailures, ct.length, others.length]);
      assert.deepEqual([...result.failedSopInstanceUids].sort(), others.map((i) => i.sopInstanceUid).sort());
      await assertArrivedIntact(store, ct);
    } finally {
      await client.releaseOrAbort();
    }
  });
});
