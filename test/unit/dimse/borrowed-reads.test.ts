// What an association receives is read into one buffer per thread, overwritten by the next read
// (src/net/shared-reads.ts). Here every read is followed by scribbling over that whole buffer, and
// the bytes arrive in pieces cut at arbitrary points (each piece read on its own), so any view kept
// past its read (a PDU or PDV header straddling reads, a command set, a buffered data set, pieces
// waiting while a sink holds the reading back, the A-ASSOCIATE-RQ the association keeps) would be
// garbage by the time it is used. Everything must still arrive exactly as sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { ApplicationEntity } from '../../../src/ae/client';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { Command, CommandField, DATASET_PRESENT, encodeCommand } from '../../../src/dimse/command';
import { DimseChannel, IncomingMessage } from '../../../src/dimse/channel';
import { DatasetSink } from '../../../src/dimse/sink';
import { fragment } from '../../../src/dimse/fragmenter';
import { Association } from '../../../src/net/association';
import { encodePdu } from '../../../src/net/pdu-encode';
import { PDU_ASSOCIATE_AC, PDU_P_DATA_TF, emptyUserInformation } from '../../../src/net/pdu-types';
import { adoptWithSharedReads, onReceived } from '../../../src/net/shared-reads';
import { waitUntil, within } from '../../helpers/wait';

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const MAX_PDV = 1000;

/** One DIMSE message as P-DATA-TF PDUs of at most MAX_PDV data bytes each. */
function message(command: Command, dataset?: Buffer): Buffer {
  const pdvs = [...fragment(encodeCommand(command), 1, true, MAX_PDV, true), ...(dataset ? fragment(dataset, 1, false, MAX_PDV, true) : [])];
  return Buffer.concat(pdvs.map((pdv) => encodePdu({ type: PDU_P_DATA_TF, pdvs: [pdv] })));
}

const storeRq = (messageId: number): Command => ({
  commandField: CommandField.CStoreRq, messageId, affectedSopClassUid: CT_IMAGE, affectedSopInstanceUid: `2.25.${messageId}`,
  priority: 0, commandDataSetType: DATASET_PRESENT,
});
const findRq = (messageId: number): Command => ({
  commandField: CommandField.CFindRq, messageId, affectedSopClassUid: CT_IMAGE, priority: 0, commandDataSetType: DATASET_PRESENT,
});

/** A sink that holds views until release() (then copies them); every third one also holds the reading back a while. */
class HoldingSink implements DatasetSink {
  readonly chunks: Buffer[] = [];
  private owned = 0;
  bytes: Buffer | undefined;

  constructor(private readonly slow: boolean) {}

  write(fragmentBytes: Buffer): void | Promise<void> {
    this.chunks.push(fragmentBytes);
    if (!this.slow) return;
    this.release();
    return new Promise((resolve) => setImmediate(resolve));
  }

  release(): void {
    for (; this.owned < this.chunks.length; this.owned++) this.chunks[this.owned] = Buffer.from(this.chunks[this.owned]);
  }

  end(): void {
    this.bytes = Buffer.concat(this.chunks);
  }

  abort(): void {
    this.bytes = undefined;
  }
}

test('nothing an association keeps from a read is overwritten by the next one (pieces cut anywhere, the buffer scribbled over after each read)', async () => {
  const identity = randomBytes(300);
  const ae = new ApplicationEntity({ aeTitle: 'SENDER' });
  const rq = ae.buildRequest({
    host: '', port: 0, calledAeTitle: 'RECEIVER', contexts: [{ abstractSyntax: CT_IMAGE, transferSyntaxes: [ExplicitVRLittleEndian] }],
    userIdentity: { kind: 'jwt', token: identity },
  });
  const sent: { command: Command; dataset: Buffer }[] = [];
  const stream: Buffer[] = [encodePdu(rq)];
  for (let id = 1; id <= 12; id++) {
    const command = id % 4 === 0 ? findRq(id) : storeRq(id);
    const dataset = randomBytes(id % 4 === 0 ? 3001 + id : 2 * (1500 + 997 * id));
    sent.push({ command, dataset });
    stream.push(message(command, dataset));
  }
  const bytes = Buffer.concat(stream);

  const sinks = new Map<number, HoldingSink>();
  const messages: IncomingMessage[] = [];
  let association!: Association;
  let seen = 0;
  let progress: () => void = () => undefined;
  const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
    const socket = adoptWithSharedReads(accepted);
    association = new Association('acceptor', { maxPduLength: 16384 });
    association.on('associateRequested', (request) => association.accept({
      type: PDU_ASSOCIATE_AC, protocolVersion: 1, calledAeTitle: request.calledAeTitle, callingAeTitle: request.callingAeTitle,
      applicationContext: request.applicationContext, presentationContexts: [{ id: 1, result: 0, transferSyntax: ExplicitVRLittleEndian }],
      userInformation: { ...emptyUserInformation(), maximumLength: 16384 },
    }));
    const channel = new DimseChannel(association);
    channel.setRequestHooks({
      sinkFor: (_contextId, command) => {
        if (command.commandField !== CommandField.CStoreRq) return undefined;
        const sink = new HoldingSink(command.messageId! % 3 === 0);
        sinks.set(command.messageId!, sink);
        return sink;
      },
      onRequest: (m) => messages.push(m),
    });
    association.acceptTransport(socket);
    // After the association has dealt with each read: scribble over the buffer it was read into.
    onReceived(socket, (chunk, borrowed) => {
      assert.equal(borrowed, true);
      new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.buffer.byteLength - chunk.byteOffset).fill(0xee);
      new Uint8Array(chunk.buffer, 0, chunk.byteOffset).fill(0xee);
      seen += chunk.length;
      progress();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  client.on('data', () => undefined);
  try {
    await once(client, 'connect');
    // Pieces of 1 to 2999 bytes, each written only once the previous one was read: one read each.
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + 1 + ((i * 7919) % 2999)));
      at += piece.length;
      client.write(piece);
      await within(`the read of bytes up to ${at}`, new Promise<void>((resolve) => {
        progress = () => { if (seen >= at) resolve(); };
        progress();
      }));
    }
    await waitUntil('every message', () => messages.length === sent.length);
    assert.equal(association.state, 'Sta6');
    assert.deepEqual(association.request?.userInformation.userIdentityRq?.primaryField, identity,
      'the A-ASSOCIATE-RQ kept by the association is intact');
    for (const [i, m] of messages.entries()) {
      const expected = sent[i];
      assert.deepEqual(m.command, expected.command, `message ${i + 1}: the command`);
      const dataset = m.command.commandField === CommandField.CStoreRq ? sinks.get(m.command.messageId!)?.bytes : m.dataset;
      assert.ok(dataset?.equals(expected.dataset), `message ${i + 1}: the data set differs`);
    }
  } finally {
    client.destroy();
    association?.abort();
    server.close();
  }
});
