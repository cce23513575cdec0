// dicomnet echo: C-ECHO (verification) against a peer.
import { AssociationRequestor, verificationContext } from '../../ae';
import { formatStatus, statusClass } from '../../dimse';
import { Args, formatHelp } from '../args';
import { EXIT_OK, EXIT_STATUS } from '../errors';
import { NETWORK_OPTIONS, RecorderFor, associateBasic, peerWith } from '../network-options';
import { recorderFor } from '../record-file';
import { log } from '../tracing';
import { Command } from '../command';

const options = [
  ...NETWORK_OPTIONS,
  { name: 'repeat', kind: 'number' as const, valueName: 'N', description: 'send N echoes over the one association (default 1)' },
];

/**
 * dicomnet echo, with --record kept by recorder: the full tool's records (record-file.ts); the
 * echo bundle's has no recorder, and the executable sends every echo with --record to the full
 * tool (src/cli/bundles.ts), so that bundle leaves the recorder out.
 */
export function echoCommandWith(recorder: RecorderFor): Command {
  return {
    name: 'echo',
    summary: 'Verify a DICOM node with C-ECHO.',
    options,
    help: () => formatHelp('dicomnet echo [HOST] [PORT] [--aec AET] [options]', 'Verify a DICOM node with C-ECHO.', options),
    async run(args: Args): Promise<number> {
      // Our AE without the services echo does not use (network-options.ts, associateBasic).
      const peer = peerWith(args, (options) => new AssociationRequestor(options), recorder);
      const repeat = args.integer('repeat', 1, 1_000_000) ?? 1;
      const started = process.hrtime.bigint();
      const client = await associateBasic(peer, { contexts: [verificationContext()] });
      const { calledAeTitle, host, port } = peer.profile;
      const target = `${calledAeTitle}@${host}:${port}`;
      if (peer.trace.verbose) log(`association accepted by ${target} (peer max PDU ${client.association.peerMaxPdu || 'unlimited'})`);
      let worst = 0;
      try {
        for (let i = 0; i < repeat; i++) {
          const result = await client.echo();
          if (statusClass(result.status) !== 'success') worst = result.status;
          process.stdout.write(`C-ECHO ${target}: ${formatStatus(result.status, 'echo')} in ${result.roundTripMs.toFixed(2)} ms\n`);
        }
      } finally {
        await client.releaseOrAbort();
      }
      if (peer.trace.verbose) log(`association released after ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms`);
      return worst === 0 ? EXIT_OK : EXIT_STATUS;
    },
  };
}

export const echoCommand: Command = /* @__PURE__ */ echoCommandWith(recorderFor);
