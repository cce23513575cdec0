// Issue 14.11: a side that advertises an unlimited maximum PDU length (0) takes a P-DATA-TF of
// any length, streamed: a peer that sends a whole large data set in one PDV is not aborted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationEntity } from '../../../src/ae/client';
import { Status } from '../../../src/dimse/status';
import { PDU_P_DATA_TF } from '../../../src/net/pdu-types';
import { HARD_PDU_CAP } from '../../../src/net/pdu-reader';
import { StorageScp } from '../../../src/services/store-scp';
import { IncomingInstance, StoreBackend } from '../../../src/services/storage';
import { connect, ctDataset, startServer, storageContexts, within } from '../../helpers/in-process';

/** Counts what arrives without keeping it. */
class CountingBackend implements StoreBackend {
  bytes = 0;
  begin(_incoming: IncomingInstance) {
    return {
      write: (fragment: Buffer) => { this.bytes += fragment.length; },
      commit: async () => ({ status: Status.Success }),
      abort: () => undefined,
    };
  }
}

test('issue 14.11: an advertised unlimited PDU takes a data set larger than 64 MiB in one PDV', async (t) => {
  const backend = new CountingBackend();
  const server = await startServer({ maxPduLength: 0, services: [new StorageScp(backend)] }, t);
  let largestPdu = 0;
  server.on('pdu', (_info, direction, pdu, length) => { if (direction === 'received' && pdu.type === PDU_P_DATA_TF) largestPdu = Math.max(largestPdu, length); });
  const pixels = HARD_PDU_CAP + 4 * 1024 * 1024;
  const ae = new ApplicationEntity({ aeTitle: 'BIGPDV', maxSendPduLength: 2 * HARD_PDU_CAP });
  const client = await connect(t, server, { contexts: storageContexts() }, ae);
  assert.equal(client.peerImplementation.maxPduLength, 0, 'the server advertises no limit');
  const result = await within('the C-STORE of 68 MiB', client.store(ctDataset('2.25.1411001', (d) => d.set('PixelData', 'OW', Buffer.alloc(pixels, 3)))), 60_000);
  assert.equal(result.status, Status.Success, result.message);
  assert.ok(backend.bytes > pixels, `${backend.bytes} bytes arrived`);
  assert.ok(largestPdu > HARD_PDU_CAP, `the largest P-DATA-TF was ${largestPdu} bytes`);
  await client.release();
});
