// dicomnet commit: Storage Commitment Push Model as SCU (PS3.4 J.3): N-ACTION for files or UIDs,
// then the N-EVENT-REPORT, on the same association or, with --listen, on one the archive opens to
// us. `dicomnet commit list --dir DIR` lists the requests an archive (dicomnet scp) answered.
import { storageCommitmentContext } from '../../ae';
import { DicomServer } from '../../ae';
import { collectStoreInputs } from '../../ae';
import { COMMITMENT_DIR, CommitmentLog } from '../../archive';
import { isValidUid, sopClassName } from '../../dicom';
import { CommitmentResult, SopReference, formatFailureReason } from '../../services';
import { CommitmentRefusedError, CommitmentReportRouter, commitmentReportReceiver } from '../../services';
import { TimeoutError } from '../../net';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { EXIT_OK, EXIT_STATUS, EXIT_USAGE } from '../errors';
import { NETWORK_OPTIONS, associate, peerAddress, peerFrom } from '../network-options';
import { log } from '../tracing';
import { Command } from '../command';
import * as path from 'node:path';

const options: OptionSpec[] = [
  { name: 'input', alias: 'i', kind: 'string', repeatable: true, valueName: 'PATH', description: 'file or folder whose instances to commit (folders recursively); paths after the port work too' },
  { name: 'instance', kind: 'string', repeatable: true, valueName: 'CLASS:INSTANCE', description: 'an instance by its SOP Class UID and SOP Instance UID' },
  { name: 'transaction-uid', kind: 'string', valueName: 'UID', description: 'the Transaction UID (default: a new 2.25 UID)' },
  { name: 'listen', kind: 'number', valueName: 'PORT', description: 'also accept the report on a new association to this port, as our AE title (the archive must know us at this address)' },
  { name: 'bind', kind: 'string', valueName: 'ADDRESS', description: 'address --listen binds (default 127.0.0.1)' },
  { name: 'release', kind: 'flag', description: 'release the association once the N-ACTION is accepted and wait for the report on --listen only' },
  { name: 'wait', kind: 'number', valueName: 'SECONDS', description: 'how long to wait for the report (default 60)' },
  { name: 'json', kind: 'flag', description: 'print the result as JSON' },
  { name: 'dir', kind: 'string', valueName: 'DIR', description: '"commit list": the archive folder of a dicomnet scp' },
  ...NETWORK_OPTIONS,
];

const USAGE = 'dicomnet commit [HOST] [PORT] [PATH...] [--instance CLASS:INSTANCE]... [--listen PORT] [options]\n       dicomnet commit list --dir DIR [--json]';

function parseInstance(text: string): SopReference {
  const m = /^([0-9.]+)[:/]([0-9.]+)$/.exec(text.trim());
  if (!m || !isValidUid(m[1]) || !isValidUid(m[2])) throw new UsageError(`--instance "${text}" is not SOPClassUID:SOPInstanceUID`);
  return { sopClassUid: m[1], sopInstanceUid: m[2] };
}

function describeRef(ref: SopReference): string {
  return `${ref.sopInstanceUid} (${sopClassName(ref.sopClassUid) ?? ref.sopClassUid})`;
}

async function listAnswered(args: Args): Promise<number> {
  const dir = args.string('dir');
  if (!dir) throw new UsageError('"commit list" needs --dir DIR (the archive folder of dicomnet scp)');
  const logDir = path.join(dir, COMMITMENT_DIR);
  const answered = await (await CommitmentLog.open(logDir)).list((file, reason) => log(`skipped ${file}: ${reason}`));
  if (args.flag('json')) {
    process.stdout.write(`${JSON.stringify(answered, null, 2)}\n`);
    return EXIT_OK;
  }
  for (const a of answered) {
    process.stdout.write(`${a.receivedAt} ${a.transactionUid} from ${a.requestedBy}: ${a.committed.length} committed, ${a.failed.length} failed; `
      + `report ${a.delivery === 'undelivered' ? `not delivered (${a.error ?? 'unknown reason'})` : `sent on ${a.delivery === 'same-association' ? 'the same' : 'a new'} association`}\n`);
    for (const f of a.failed) process.stdout.write(`    failed ${describeRef(f)}: ${formatFailureReason(f.failureReason)}\n`);
  }
  process.stdout.write(`${answered.length} storage commitment request${answered.length === 1 ? '' : 's'} answered (${logDir}).\n`);
  return EXIT_OK;
}

function printResult(result: CommitmentResult, requested: readonly SopReference[], json: boolean): number {
  const reported = new Set([...result.committed, ...result.failed].map((r) => r.sopInstanceUid));
  const unreported = requested.filter((r) => !reported.has(r.sopInstanceUid));
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...result, unreported }, null, 2)}\n`);
  } else {
    for (const c of result.committed) process.stdout.write(`COMMITTED ${describeRef(c)}\n`);
    for (const f of result.failed) process.stdout.write(`FAILED    ${describeRef(f)}: ${formatFailureReason(f.failureReason)}\n`);
    for (const u of unreported) process.stdout.write(`MISSING   ${describeRef(u)}: not in the report\n`);
    process.stdout.write(`Storage commitment ${result.transactionUid}: ${result.committed.length} committed, ${result.failed.length} failed`
      + `${unreported.length ? `, ${unreported.length} not reported` : ''} (report from ${result.reportedBy} on ${result.sameAssociation ? 'the same' : 'a new'} association).\n`);
  }
  return result.failed.length === 0 && unreported.length === 0 ? EXIT_OK : EXIT_STATUS;
}

export const commitCommand: Command = {
  name: 'commit',
  summary: 'Ask an archive to commit to instances it holds (Storage Commitment, N-ACTION) and wait for its report.',
  options,
  help: () => formatHelp(USAGE, commitCommand.summary, options),
  async run(args: Args): Promise<number> {
    if (args.positional[0] === 'list') return listAnswered(args);
    if (args.has('dir')) throw new UsageError('--dir is for "commit list"');
    const peer = peerFrom(args);
    const { ae, trace: level } = peer;
    const waitSeconds = args.number('wait') ?? 60;
    if (!(waitSeconds > 0)) throw new UsageError('--wait must be a positive number of seconds');
    const listenPort = args.integer('listen', 0, 65535);
    if (args.flag('release') && listenPort === undefined) throw new UsageError('--release needs --listen (the report can then only come on a new association)');
    if (args.has('bind') && listenPort === undefined) throw new UsageError('--bind needs --listen');
    const transactionUid = args.string('transaction-uid');
    if (transactionUid !== undefined && !isValidUid(transactionUid)) throw new UsageError(`--transaction-uid "${transactionUid}" is not a valid UID`);

    const references = args.strings('instance').map(parseInstance);
    const inputs = [...args.strings('input'), ...peerAddress(args).rest];
    let unusable = 0;
    if (inputs.length > 0) {
      const collected = await collectStoreInputs(inputs, { allowNoMeta: true });
      for (const s of collected.skipped) process.stderr.write(`dicomnet commit: skipped ${s.path}: ${s.reason}\n`);
      unusable = collected.skipped.length;
      references.push(...collected.files.map((f) => ({ sopClassUid: f.sopClassUid, sopInstanceUid: f.sopInstanceUid })));
    }
    if (references.length === 0) {
      throw new UsageError(unusable > 0 ? 'none of the inputs is a DICOM instance' : 'nothing to commit: give files or folders, or --instance CLASS:INSTANCE');
    }

    const router = new CommitmentReportRouter();
    let server: DicomServer | undefined;
    if (listenPort !== undefined) {
      server = new DicomServer({
        aeTitle: ae.aeTitle, port: listenPort, host: args.string('bind') ?? '127.0.0.1', recorder: ae.recorder,
        services: [commitmentReportReceiver({ router, onReport: (r, awaited) => { if (!awaited) log(`report for transaction ${r.transactionUid} from ${r.reportedBy}, which we did not ask for`); } })],
      });
      await server.listen();
      if (level.verbose) log(`listening for the report on ${args.string('bind') ?? '127.0.0.1'}:${server.port} as ${ae.aeTitle}`);
      if (level.verbose) server.on('accepted', (i) => log(`report association from ${i.callingAeTitle}@${i.remoteAddress} accepted`));
    }
    try {
      const client = await associate(peer, { contexts: [storageCommitmentContext()] });
      let result: CommitmentResult;
      try {
        const pending = await client.requestStorageCommitment(references, {
          transactionUid, router: server ? router : undefined, timeoutMs: waitSeconds * 1000,
        });
        if (level.verbose) log(`N-ACTION accepted: transaction ${pending.transactionUid}, ${references.length} instance${references.length === 1 ? '' : 's'}; waiting up to ${waitSeconds} s for the report`);
        if (args.flag('release')) await client.releaseOrAbort();
        result = await pending.result;
      } catch (error) {
        if (error instanceof TimeoutError && !server) error.message += ' (an archive that reports on a new association needs --listen PORT)';
        if (error instanceof CommitmentRefusedError) {
          process.stderr.write(`dicomnet commit: ${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.\n`);
          return EXIT_STATUS;
        }
        throw error;
      } finally {
        await client.releaseOrAbort();
      }
      const code = printResult(result, references, args.flag('json'));
      return code === EXIT_OK && unusable > 0 ? EXIT_USAGE : code;
    } finally {
      await server?.close(500);
    }
  },
};
