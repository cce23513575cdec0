// Options shared by every network command, translated into the engine's peer profile.
import { ApplicationEntity, AssociationRequestor, BasicClientAssociation, ClientAssociation } from '../ae';
import { AeOptions, AssociationRecorder } from '../ae';
import { TlsOptions } from '../ae';
import type { Association } from '../net';
import {
  AssociateOptions, AssociationRequest, IdentityProfile, PeerProfile, TlsProfile, aeOptionsOf, associateOptionsOf, tlsOptionsOf,
} from '../ae';
import { tracePdus, traceMessages } from '../ae';
import { Args, OptionSpec, UsageError } from './args';
import { TraceLevel, log, traceLevel } from './tracing';
import { RECORD_OPTION, recorderFor } from './record-file';

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
  RECORD_OPTION,
  ...OUTPUT_OPTIONS,
  HELP_OPTION,
];

/** --tls and its files; undefined without --tls. */
function tlsProfile(args: Args): TlsProfile | undefined {
  if (!args.flag('tls')) {
    for (const name of ['tls-ca', 'tls-cert', 'tls-key', 'tls-no-verify']) {
      if (args.has(name)) throw new UsageError(`--${name} needs --tls`);
    }
    return undefined;
  }
  const file = (name: string) => {
    const path = args.string(name);
    return path === undefined ? undefined : { file: path };
  };
  return { ca: file('tls-ca'), cert: file('tls-cert'), key: file('tls-key'), rejectUnauthorized: !args.flag('tls-no-verify') };
}

/** The TLS options of a server (dicomnet scp): it asks for client certificates only when given a CA to check them with. */
export function serverTlsOptions(args: Args): TlsOptions | undefined {
  const profile = tlsProfile(args);
  if (!profile) return undefined;
  if (!profile.cert || !profile.key) throw new UsageError('a TLS server needs --tls-cert and --tls-key');
  const options = tlsOptionsOf(profile);
  options.requestCert = options.ca !== undefined && options.rejectUnauthorized === true;
  if (!options.requestCert) options.rejectUnauthorized = false;
  return options;
}

export function maxPdu(args: Args): number | undefined {
  const value = args.integer('max-pdu', 0, 0xffffffff);
  if (value !== undefined && value !== 0 && value < 1024) throw new UsageError('--max-pdu must be 0 (unlimited) or at least 1024');
  return value;
}

export function timeoutSeconds(args: Args): number | undefined {
  const seconds = args.number('timeout');
  if (seconds !== undefined && !(seconds > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  return seconds;
}

function identity(args: Args): IdentityProfile | undefined {
  const username = args.string('user');
  if (!username) {
    if (args.has('password')) throw new UsageError('--password needs --user');
    return undefined;
  }
  return { username, password: args.string('password') ?? process.env.DICOMNET_PASSWORD };
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

/** The peer the network options name. */
export function peerProfile(args: Args): PeerProfile {
  const { host, port } = peerAddress(args);
  return {
    host,
    port,
    calledAeTitle: args.string('aec') ?? 'ANY-SCP',
    callingAeTitle: args.string('aet') ?? 'DICOMNET',
    tls: tlsProfile(args),
    identity: identity(args),
    timeoutSeconds: timeoutSeconds(args),
    maxPduLength: maxPdu(args),
  };
}

/** A network command's peer: its profile, our AE for it, and how much to trace. */
export interface Peer<AE extends AssociationRequestor = ApplicationEntity> {
  profile: PeerProfile;
  ae: AE;
  trace: TraceLevel;
}

/** What records the associations --record asks for (record-file.ts's recorderFor). */
export type RecorderFor = (args: Args) => AssociationRecorder | undefined;

/**
 * The recorder of a command's own bundle, which leaves the recorder out: the executable runs every
 * command line with --record with the full tool (bundles.ts's FULL_TOOL_OPTIONS).
 */
export function noRecorder(args: Args): undefined {
  if (args.has('record')) throw new Error('this bundle does not record associations: the dicomnet executable runs command lines with --record with the full tool');
  return undefined;
}

/**
 * The peer the options name, with our AE for it made by makeAe and recording as recorder says
 * (peerFrom: the full ApplicationEntity and record-file.ts's recorder).
 */
export function peerWith<AE extends AssociationRequestor>(args: Args, makeAe: (options: AeOptions) => AE, recorder: RecorderFor): Peer<AE> {
  const profile = peerProfile(args);
  try {
    return { profile, ae: makeAe({ ...aeOptionsOf(profile), recorder: recorder(args) }), trace: traceLevel(args) };
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

export function peerFrom(args: Args): Peer {
  return peerWith(args, (options) => new ApplicationEntity(options), recorderFor);
}

/** Opens an association to the peer with open, traced on stderr as --trace and --verbose ask. */
async function traced<C extends BasicClientAssociation, AE extends AssociationRequestor>(peer: Peer<AE>, request: AssociationRequest,
  open: (options: AssociateOptions, onCreated: (association: Association) => void) => Promise<C>): Promise<C> {
  const client = await open(associateOptionsOf(peer.profile, request), (a) => { if (peer.trace.trace) tracePdus(a, log); });
  if (peer.trace.trace || peer.trace.verbose) traceMessages(client.channel, log);
  return client;
}

/** Opens an association to the peer for any service, traced on stderr as --trace and --verbose ask. */
export function associate(peer: Peer, request: AssociationRequest): Promise<ClientAssociation> {
  return traced(peer, request, (options, onCreated) => peer.ae.associate(options, onCreated));
}

/**
 * Opens an association to the peer for C-ECHO and release only (dicomnet echo: its bundle then
 * holds none of the other services), traced as associate() traces.
 */
export function associateBasic(peer: Peer<AssociationRequestor>, request: AssociationRequest): Promise<BasicClientAssociation> {
  return traced(peer, request, (options, onCreated) => peer.ae.associateBasic(options, onCreated));
}
