// dicomnet scp: a DICOM server (Verification now; storage, Q/R and worklist as they exist).
import { DicomServer, ServerOptions } from '../../ae/server';
import { ScpService } from '../../services/scp-service';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { HELP_OPTION, OUTPUT_OPTIONS, TLS_OPTIONS, maxPdu, tlsOptions } from '../network-options';
import { describeCommand, log, tracePdu } from '../tracing';
import { Command } from '../command';

const options: OptionSpec[] = [
  { name: 'port', alias: 'p', kind: 'number', valueName: 'PORT', description: 'port to listen on (default 11112; 0 = any free port)' },
  { name: 'bind', kind: 'string', valueName: 'ADDRESS', description: 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)' },
  { name: 'aet', kind: 'string', valueName: 'AET', description: 'our AE title (default DICOMNET)' },
  { name: 'require-called-aet', kind: 'flag', description: 'reject associations whose called AE title is not ours' },
  { name: 'accept-calling', kind: 'string', valueName: 'AET,...', repeatable: true, description: 'accept only these calling AE titles' },
  { name: 'max-associations', kind: 'number', valueName: 'N', description: 'concurrent associations before rejecting (default 32)' },
  { name: 'max-pdu', kind: 'number', valueName: 'BYTES', description: 'largest PDU we accept (default 262144; 0 = unlimited)' },
  { name: 'timeout', kind: 'number', valueName: 'SECONDS', description: 'ACSE and DIMSE timeout (default 30)' },
  { name: 'idle-timeout', kind: 'number', valueName: 'SECONDS', description: 'abort associations idle this long (default: never)' },
  ...TLS_OPTIONS,
  ...OUTPUT_OPTIONS,
  HELP_OPTION,
];

/** Extra services and options contributed by later features (storage, Q/R, worklist, DICOMweb). */
export interface ScpExtension {
  options: OptionSpec[];
  /** Builds services from the arguments; may return a cleanup to run at shutdown. */
  setup(args: Args, server: { log: (line: string) => void }): Promise<{ services: ScpService[]; close?: () => Promise<void> }>;
}

export const scpExtensions: ScpExtension[] = [];

function allOptions(): OptionSpec[] {
  return [...options, ...scpExtensions.flatMap((e) => e.options)];
}

export const scpCommand: Command = {
  name: 'scp',
  summary: 'Run a DICOM server (SCP) that answers C-ECHO and the services enabled by its options.',
  get options() { return allOptions(); },
  help: () => formatHelp('dicomnet scp [--port PORT] [--aet AET] [options]', scpCommand.summary, allOptions()),
  async run(args: Args): Promise<number> {
    const verbose = args.flag('verbose');
    const trace = args.flag('trace');
    const port = args.integer('port', 0, 65535) ?? 11112;
    const accept = args.strings('accept-calling').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    const timeout = args.number('timeout');
    if (timeout !== undefined && !(timeout > 0)) throw new UsageError('--timeout must be a positive number of seconds');
    const idle = args.number('idle-timeout');
    const say = (line: string) => process.stdout.write(`${line}\n`);
    const extras = await Promise.all(scpExtensions.map((e) => e.setup(args, { log: say })));
    const serverOptions: ServerOptions = {
      aeTitle: args.string('aet') ?? 'DICOMNET',
      port,
      host: args.string('bind') ?? '127.0.0.1',
      maxPduLength: maxPdu(args),
      maxAssociations: args.integer('max-associations', 1, 10_000) ?? 32,
      acceptCallingAeTitles: accept.length > 0 ? accept : undefined,
      requireCalledAeTitle: args.flag('require-called-aet'),
      services: extras.flatMap((e) => e.services),
      tls: tlsOptions(args, true),
      timeouts: {
        ...(timeout ? { acseMs: timeout * 1000, dimseMs: timeout * 1000 } : {}),
        ...(idle ? { idleMs: idle * 1000 } : {}),
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
    server.on('rejected', (i, reason) => say(`${who(i)} rejected: ${reason}`));
    server.on('released', (i) => say(`${who(i)} released`));
    server.on('aborted', (i, e) => say(`${who(i)} ended: ${e.message}`));
    server.on('serviceError', (i, e) => say(`${who(i)} failed: ${e.message}`));
    if (trace) server.on('pdu', (i, direction, pdu, length) => tracePdu(`[${i.id}] `, direction, pdu, length));
    if (verbose || trace) server.on('request', (i, command) => log(`[${i.id}] << ${describeCommand(command)}`));
    await server.listen();
    say(`listening on ${serverOptions.host}:${server.port} as ${server.aeTitle}${serverOptions.tls ? ' (TLS)' : ''}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    say('shutting down');
    await server.close();
    for (const e of extras) await e.close?.();
    return 0;
  },
};
