// Options shared by every network command, turned into engine options.
import { readFileSync } from 'node:fs';
import { ApplicationEntity, AssociateOptions } from '../ae/client';
import { TlsOptions } from '../ae/options';
import { UserIdentity } from '../ae/user-identity';
import { Args, OptionSpec, UsageError } from './args';

export const HELP_OPTION: OptionSpec = { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' };

export const OUTPUT_OPTIONS: OptionSpec[] = [
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'log association and DIMSE events to stderr (and stack traces on errors)' },
  { name: 'trace', kind: 'flag', description: 'print every PDU and DIMSE message sent and received to stderr' },
];

export const TLS_OPTIONS: OptionSpec[] = [
  { name: 'tls', kind: 'flag', description: 'use TLS (DICOM over TLS, PS3.15 B.1)' },
  { name: 'tls-ca', kind: 'string', valueName: 'FILE', description: 'PEM file of certificate authorities to trust' },
  { name: 'tls-cert', kind: 'string', valueName: 'FILE', description: 'PEM certificate presented to the peer' },
  { name: 'tls-key', kind: 'string', valueName: 'FILE', description: 'PEM private key of that certificate' },
  { name: 'tls-no-verify', kind: 'flag', description: 'do not verify the peer certificate (testing only)' },
];

export const NETWORK_OPTIONS: OptionSpec[] = [
  { name: 'host', kind: 'string', valueName: 'HOST', description: 'peer host name or address (default 127.0.0.1; or first argument)' },
  { name: 'port', alias: 'p', kind: 'number', valueName: 'PORT', description: 'peer port (default 104; or second argument)' },
  { name: 'aet', kind: 'string', valueName: 'AET', description: 'our (calling) AE title (default DICOMNET)' },
  { name: 'aec', kind: 'string', valueName: 'AET', description: 'the peer\'s (called) AE title (default ANY-SCP)' },
  { name: 'timeout', kind: 'number', valueName: 'SECONDS', description: 'limit for connecting and for each answer (default 30)' },
  { name: 'max-pdu', kind: 'number', valueName: 'BYTES', description: 'largest PDU we accept (default 262144; 0 = unlimited)' },
  { name: 'user', kind: 'string', valueName: 'NAME', description: 'user identity negotiation: username' },
  { name: 'password', kind: 'string', valueName: 'SECRET', description: 'user identity negotiation: password (or env DICOMNET_PASSWORD)' },
  ...TLS_OPTIONS,
  ...OUTPUT_OPTIONS,
  HELP_OPTION,
];

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function tlsOptions(args: Args, server = false): TlsOptions | undefined {
  if (!args.flag('tls')) {
    for (const name of ['tls-ca', 'tls-cert', 'tls-key', 'tls-no-verify']) {
      if (args.has(name)) throw new UsageError(`--${name} needs --tls`);
    }
    return undefined;
  }
  const options: TlsOptions = {
    ca: readPem(args.string('tls-ca'), 'CA'),
    cert: readPem(args.string('tls-cert'), 'certificate'),
    key: readPem(args.string('tls-key'), 'key'),
    rejectUnauthorized: !args.flag('tls-no-verify'),
  };
  if (server) {
    if (!options.cert || !options.key) throw new UsageError('a TLS server needs --tls-cert and --tls-key');
    // A server verifies client certificates only when it was given a CA to check them against.
    options.requestCert = options.ca !== undefined && options.rejectUnauthorized;
    if (!options.requestCert) options.rejectUnauthorized = false;
  }
  return options;
}

export function maxPdu(args: Args): number | undefined {
  const value = args.integer('max-pdu', 0, 0xffffffff);
  if (value !== undefined && value !== 0 && value < 1024) throw new UsageError('--max-pdu must be 0 (unlimited) or at least 1024');
  return value;
}

export function timeoutsFrom(args: Args): { connectMs: number; acseMs: number; dimseMs: number } | undefined {
  const seconds = args.number('timeout');
  if (seconds === undefined) return undefined;
  if (!(seconds > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const ms = Math.round(seconds * 1000);
  return { connectMs: ms, acseMs: ms, dimseMs: ms };
}

export function applicationEntity(args: Args): ApplicationEntity {
  try {
    return new ApplicationEntity({ aeTitle: args.string('aet') ?? 'DICOMNET', maxPduLength: maxPdu(args), timeouts: timeoutsFrom(args) });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

export function userIdentity(args: Args): UserIdentity | undefined {
  const user = args.string('user');
  const password = args.string('password') ?? process.env.DICOMNET_PASSWORD;
  if (!user) {
    if (args.has('password')) throw new UsageError('--password needs --user');
    return undefined;
  }
  return password !== undefined
    ? { kind: 'password', username: user, password, positiveResponseRequested: true }
    : { kind: 'username', username: user, positiveResponseRequested: true };
}

/** Where to connect: --host/--port, or the first two positional arguments (as DCMTK's tools take them). */
export function peerAddress(args: Args): { host: string; port: number; rest: string[] } {
  const positional = [...args.positional];
  let host = args.string('host');
  let port = args.integer('port', 1, 65535);
  if (host === undefined && positional.length > 0 && !looksLikePath(positional[0])) host = positional.shift();
  if (port === undefined && positional.length > 0 && /^\d+$/.test(positional[0])) {
    port = Number(positional.shift());
    if (port < 1 || port > 65535) throw new UsageError(`port ${port} is not between 1 and 65535`);
  }
  return { host: host ?? '127.0.0.1', port: port ?? 104, rest: positional };
}

function looksLikePath(text: string): boolean {
  return text.includes('/') || text.includes('\\') || /\.(dcm|dicom)$/i.test(text);
}

export function associateBase(args: Args): Omit<AssociateOptions, 'contexts'> {
  const { host, port } = peerAddress(args);
  return {
    host,
    port,
    calledAeTitle: args.string('aec') ?? 'ANY-SCP',
    userIdentity: userIdentity(args),
    tls: tlsOptions(args),
  };
}
