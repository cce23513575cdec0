// dicomnet scp: a DICOM server answering C-ECHO, and storage, Query/Retrieve, worklist and
// DICOMweb over folders as its archive options ask.
import {
  DEFAULT_ASYNC_OPERATIONS, DEFAULT_FAIR_SHARE, DEFAULT_FAIR_SHARE_BUSY_ABOVE, DEFAULT_FAIR_SHARE_WAIT_MS, DEFAULT_MAX_WAITING, DEFAULT_MAX_WAITING_PER_SOURCE, DEFAULT_PER_AE_WAIT_MS, DicomServer, SERVER_DEFAULT_IDLE_MS, ServerOptions,
} from '../../ae';
import { DEFAULT_TIMEOUTS } from '../../ae';
import { formatRefusal, openFilesNote } from '../../ae';
import { traceServer } from '../../ae';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { HELP_OPTION, OUTPUT_OPTIONS, TLS_OPTIONS, maxPdu, serverTlsOptions } from '../network-options';
import { log } from '../tracing';
import { lineBatch } from '../line-batch';
import { Command } from '../command';
import { RECORD_OPTION, recorderFor } from '../record-file';
import { ARCHIVE_OPTIONS, openArchive } from './scp-archive';

const options: OptionSpec[] = [
  { name: 'port', alias: 'p', kind: 'number', valueName: 'PORT', description: 'port to listen on (default 11112; 0 = any free port)' },
  { name: 'bind', kind: 'string', valueName: 'ADDRESS', description: 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)' },
  { name: 'aet', kind: 'string', valueName: 'AET', description: 'our AE title (default DICOMNET)' },
  { name: 'require-called-aet', kind: 'flag', description: 'reject associations whose called AE title is not ours' },
  { name: 'accept-calling', kind: 'string', valueName: 'AET,...', repeatable: true, description: 'accept only these calling AE titles' },
  { name: 'max-associations', kind: 'number', valueName: 'N', description: 'established associations at once; more are rejected with "local limit exceeded" (default 32)' },
  { name: 'max-associations-per-ae', kind: 'number', valueName: 'N', description: `established associations one calling AE title at one address may have at once; a further request waits for one to end (up to ${DEFAULT_PER_AE_WAIT_MS / 1000} s), then is rejected with "local limit exceeded" (default: no such limit; replaces --fair-share)` },
  { name: 'fair-share', kind: 'number', valueName: 'N', description: `while more than one calling AE is served, one calling AE title at one address with N associations established has a further request wait for one to end (up to ${DEFAULT_FAIR_SHARE_WAIT_MS / 1000} s), then accepted anyway; never refuses (default ${DEFAULT_FAIR_SHARE}; 0 = off)` },
  { name: 'fair-share-busy', kind: 'number', valueName: 'PERCENT', description: `the fair share holds only while the SCP was busy at least PERCENT of the last 100 ms (default ${DEFAULT_FAIR_SHARE_BUSY_ABOVE * 100}; 0 = always)` },
  { name: 'max-ops-performed', kind: 'number', valueName: 'N', description: `operations a peer may have outstanding on one association when it proposes an asynchronous operations window (PS3.7 D.3.3.3): we grant up to N (default ${DEFAULT_ASYNC_OPERATIONS}; 1 = one at a time)` },
  { name: 'max-waiting', kind: 'number', valueName: 'N', description: `connections waiting for their A-ASSOCIATE-RQ (TLS handshake included); when full, the oldest is closed (default ${DEFAULT_MAX_WAITING})` },
  { name: 'max-waiting-per-source', kind: 'number', valueName: 'N', description: `the same from one address (default ${DEFAULT_MAX_WAITING_PER_SOURCE})` },
  { name: 'artim-timeout', kind: 'number', valueName: 'SECONDS', description: `close a new connection that has not sent its A-ASSOCIATE-RQ (or finished its TLS handshake) within this (default ${DEFAULT_TIMEOUTS.artimMs / 1000})` },
  { name: 'max-pdu', kind: 'number', valueName: 'BYTES', description: 'largest PDU we accept (default 262144; 0 = unlimited)' },
  { name: 'timeout', kind: 'number', valueName: 'SECONDS', description: 'ACSE and DIMSE timeout (default 30)' },
  { name: 'idle-timeout', kind: 'number', valueName: 'SECONDS', description: `abort an association with no traffic for this long (default ${SERVER_DEFAULT_IDLE_MS / 1000}; 0 = never)` },
  ...TLS_OPTIONS,
  RECORD_OPTION,
  ...OUTPUT_OPTIONS,
  HELP_OPTION,
  ...ARCHIVE_OPTIONS,
];

/** A percentage as a fraction. */
function fraction(percent: number | undefined): number | undefined {
  return percent === undefined ? undefined : percent / 100;
}

/** A --NAME in seconds: positive (or 0 when `zeroAllowed`), else a usage error. */
function seconds(args: Args, name: string, zeroAllowed: boolean): number | undefined {
  const value = args.number(name);
  if (value !== undefined && !(value > 0 || (zeroAllowed && value === 0))) {
    throw new UsageError(`--${name} must be a positive number of seconds${zeroAllowed ? ' (or 0 for never)' : ''}`);
  }
  return value;
}

export const scpCommand: Command = {
  name: 'scp',
  summary: 'Run a DICOM server (SCP) that answers C-ECHO and the services enabled by its options.',
  options,
  help: () => formatHelp('dicomnet scp [--port PORT] [--aet AET] [options]', scpCommand.summary, options),
  async run(args: Args): Promise<number> {
    const verbose = args.flag('verbose');
    const trace = args.flag('trace');
    const port = args.integer('port', 0, 65535) ?? 11112;
    const accept = args.strings('accept-calling').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    const timeout = seconds(args, 'timeout', false);
    const idle = seconds(args, 'idle-timeout', true);
    const artim = seconds(args, 'artim-timeout', false);
    // One write per turn of the event loop for all its lines (a line or two per association).
    const out = lineBatch((text) => process.stdout.write(text));
    const say = out.say;
    process.once('exit', out.flush);
    const archive = await openArchive(args, say);
    const serverOptions: ServerOptions = {
      aeTitle: args.string('aet') ?? 'DICOMNET',
      port,
      host: args.string('bind') ?? '127.0.0.1',
      maxPduLength: maxPdu(args),
      maxAssociations: args.integer('max-associations', 1, 10_000) ?? 32,
      maxAssociationsPerAe: args.integer('max-associations-per-ae', 1, 10_000),
      fairSharePerAe: args.integer('fair-share', 0, 10_000),
      fairShareBusyAbove: fraction(args.integer('fair-share-busy', 0, 100)),
      maxAsyncOperations: args.integer('max-ops-performed', 1, 65_535),
      maxWaiting: args.integer('max-waiting', 1, 100_000),
      maxWaitingPerSource: args.integer('max-waiting-per-source', 1, 100_000),
      acceptCallingAeTitles: accept.length > 0 ? accept : undefined,
      requireCalledAeTitle: args.flag('require-called-aet'),
      services: archive.services,
      tls: serverTlsOptions(args),
      recorder: recorderFor(args),
      timeouts: {
        ...(timeout ? { acseMs: timeout * 1000, dimseMs: timeout * 1000 } : {}),
        ...(idle !== undefined ? { idleMs: idle * 1000 } : {}),
        ...(artim !== undefined ? { artimMs: artim * 1000 } : {}),
      },
    };
    let server: DicomServer;
    try {
      server = new DicomServer(serverOptions);
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    const who = (i: { id: number; callingAeTitle: string; remoteAddress: string }) => `association ${i.id} from ${i.callingAeTitle || '?'}@${i.remoteAddress}`;
    server.on('accepted', (i, a) => say(`${who(i)} accepted (${[...a.contexts.values()].filter((c) => c.result === 0).length} of ${a.contexts.size} contexts)`));
    // Rejections and closed waiting connections: one line per address and cause per minute, with counts.
    server.on('refused', (r) => say(formatRefusal(r)));
    if (verbose) server.on('rejected', (i, reason) => log(`${who(i)} rejected: ${reason}`));
    if (verbose) server.on('queued', (i, reason) => log(`${who(i)} waits: ${reason}`));
    server.on('released', (i) => say(`${who(i)} released`));
    server.on('aborted', (i, e) => say(`${who(i)} ended: ${e.message}`));
    server.on('serviceError', (i, e) => say(`${who(i)} failed: ${e.message}`));
    traceServer(server, log, { pdus: trace, requests: verbose || trace, prefix: (i) => `[${i.id}] ` });
    await server.listen();
    say(`listening on ${serverOptions.host}:${server.port} as ${server.aeTitle}${serverOptions.tls ? ' (TLS)' : ''}`);
    const lowered = server.waitingLimits && openFilesNote(server.waitingLimits);
    if (lowered) say(lowered);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    say('shutting down');
    await server.close();
    await archive.close?.();
    return 0;
  },
};
