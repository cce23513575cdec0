// dicomnet's network options translated into the engine's peer profile, and the mistakes in them
// reported as usage errors (exit code 2) before anything is sent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PemFileError } from '../../../src/ae/peer-profile';
import { Args, UsageError, parseArgs } from '../../../src/cli/args';
import { EXIT_USAGE, exitCodeFor } from '../../../src/cli/errors';
import { NETWORK_OPTIONS, peerFrom, peerProfile } from '../../../src/cli/network-options';

const args = (...argv: string[]) => new Args(parseArgs(argv, NETWORK_OPTIONS));

describe('network options → peer profile', () => {
  test('defaults, and host and port as the first two arguments', () => {
    assert.deepEqual(peerProfile(args()), {
      host: '127.0.0.1', port: 104, calledAeTitle: 'ANY-SCP', callingAeTitle: 'DICOMNET',
      tls: undefined, identity: undefined, timeoutSeconds: undefined, maxPduLength: undefined,
    });
    assert.deepEqual(peerProfile(args('pacs.example.org', '11112', '--aet', 'ME', '--aec', 'PACS', '--timeout', '5', '--max-pdu', '0')), {
      host: 'pacs.example.org', port: 11112, calledAeTitle: 'PACS', callingAeTitle: 'ME',
      tls: undefined, identity: undefined, timeoutSeconds: 5, maxPduLength: 0,
    });
  });

  test('user identity from --user and --password (or DICOMNET_PASSWORD)', () => {
    assert.deepEqual(peerProfile(args('--user', 'alice', '--password', 's3cret')).identity, { username: 'alice', password: 's3cret' });
    const saved = process.env.DICOMNET_PASSWORD;
    process.env.DICOMNET_PASSWORD = 'from-env';
    try {
      assert.deepEqual(peerProfile(args('--user', 'alice')).identity, { username: 'alice', password: 'from-env' });
    } finally {
      if (saved === undefined) delete process.env.DICOMNET_PASSWORD; else process.env.DICOMNET_PASSWORD = saved;
    }
  });

  test('TLS files are named in the profile, read when the association opens', () => {
    assert.deepEqual(peerProfile(args('--tls', '--tls-ca', 'ca.pem', '--tls-cert', 'c.pem', '--tls-key', 'c.key', '--tls-no-verify')).tls,
      { ca: { file: 'ca.pem' }, cert: { file: 'c.pem' }, key: { file: 'c.key' }, rejectUnauthorized: false });
    assert.deepEqual(peerProfile(args('--tls')).tls, { ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: true });
  });

  test('contradictions and bad values are usage errors', () => {
    for (const [argv, message] of [
      [['--password', 'x'], /--password needs --user/],
      [['--tls-ca', 'ca.pem'], /--tls-ca needs --tls/],
      [['--timeout', '0'], /--timeout must be a positive number/],
      [['--max-pdu', '100'], /--max-pdu must be 0 \(unlimited\) or at least 1024/],
      [['--aet', 'A-TITLE-LONGER-THAN-16'], /longer than 16 characters/],
    ] as const) {
      assert.throws(() => peerFrom(args(...argv)), (e: unknown) => e instanceof UsageError && message.test(e.message), argv.join(' '));
    }
  });

  test('an unreadable PEM file is bad input: exit code 2', () => {
    assert.equal(exitCodeFor(new PemFileError('/nonexistent/ca.pem', 'CA', 'ENOENT')), EXIT_USAGE);
  });
});
