// C-ECHO, our SCU against our SCP in process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { verificationContext } from '../../../src/ae/requestor';
import { Command, CommandField } from '../../../src/dimse/command';
import { NoAcceptedContextError } from '../../../src/services/context';
import { associate, scu, startServer } from '../../helpers/in-process';
import { within } from '../../helpers/wait';

describe('C-ECHO in process', () => {
  test('ae.echo: success, a round trip, and the association released afterwards', async () => {
    const server = await startServer();
    const released = once(server, 'released');
    const result = await scu().echo({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.equal(result.status, 0);
    assert.ok(result.roundTripMs >= 0);
    await within('released event from the SCP', released);
  });

  test('five echoes at once on one association: each response answers its own message ID', async () => {
    const server = await startServer();
    const requests: Command[] = [];
    server.on('request', (_info, command) => requests.push(command));
    const client = await associate(scu(), server, [verificationContext()]);
    const answered: [number, number][] = [];
    client.channel.on('message', (direction, _contextId, command) => {
      if (direction === 'received') answered.push([command.messageIdBeingRespondedTo!, command.commandField]);
    });
    try {
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => client.echo()));
      assert.deepEqual(results.map((r) => r.status), [0, 0, 0, 0, 0]);
      assert.deepEqual(requests.map((c) => c.messageId), [1, 2, 3, 4, 5]);
      assert.deepEqual(answered.sort((a, b) => a[0] - b[0]), [1, 2, 3, 4, 5].map((id) => [id, CommandField.CEchoRsp]));
    } finally {
      await client.releaseOrAbort();
    }
  });

  test('Verification proposed only in a syntax the SCP refuses: the context is rejected and echo says so without sending', async () => {
    const server = await startServer();
    let requests = 0;
    server.on('request', () => requests++);
    const client = await associate(scu(), server, [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2.4.50'] }]);
    try {
      assert.deepEqual(client.rejectedContexts.map((c) => c.result), [4]);
      await assert.rejects(client.echo(), (e: Error) => e instanceof NoAcceptedContextError && /did not accept the Verification SOP class/.test(e.message));
      assert.equal(requests, 0);
    } finally {
      await client.releaseOrAbort();
    }
  });
});
