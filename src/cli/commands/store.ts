// dicomnet store: send files and folders with C-STORE.
import { collectStoreInputs } from '../../ae';
import { storeFileList } from '../../ae';
import { MAX_STORE_WINDOW, describeStoreResult, StoreResult } from '../../services';
import { transferSyntaxName } from '../../dicom';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { EXIT_OK, EXIT_STATUS, EXIT_USAGE } from '../errors';
import { NETWORK_OPTIONS, peerAddress, peerFrom } from '../network-options';
import { connectionOptionsOf } from '../../ae';
import { tracePdus } from '../../ae';
import { ProgressBar, formatBytes, formatRate } from '../progress';
import { log } from '../tracing';
import { lineBatch } from '../line-batch';
import { Command } from '../command';
import { LOSSY_OPTIONS, lossyParams } from '../conversion-options';

const options: OptionSpec[] = [
  { name: 'input', alias: 'i', kind: 'string', repeatable: true, valueName: 'PATH', description: 'file or folder to send (folders recursively); paths after the port work too' },
  { name: 'json', kind: 'flag', description: 'print the per-file results as JSON instead of lines' },
  { name: 'allow-no-meta', kind: 'flag', description: 'also send files without a Part 10 file meta header' },
  { name: 'max-ops-invoked', kind: 'number', valueName: 'N', description: `C-STOREs to keep outstanding, proposed as the asynchronous operations window (PS3.7 D.3.3.3) and used as far as the peer grants it (default and most ${MAX_STORE_WINDOW}; 1 proposes nothing: one at a time)` },
  ...LOSSY_OPTIONS,
  ...NETWORK_OPTIONS,
];

function line(r: StoreResult): string {
  const tag = r.outcome === 'success' ? 'OK  ' : r.outcome === 'warning' ? 'WARN' : r.outcome === 'failure' ? 'FAIL' : 'SKIP';
  const ts = r.sentTransferSyntaxUid ? `, ${transferSyntaxName(r.sentTransferSyntaxUid) ?? r.sentTransferSyntaxUid}${r.conversion ? `, ${r.conversion}` : ''}` : '';
  return `${tag} ${r.path}: ${describeStoreResult(r)} (${formatBytes(r.bytes)}${ts}, ${r.ms.toFixed(1)} ms)`;
}

export const storeCommand: Command = {
  name: 'store',
  aliases: ['store_scu', 'storescu'],
  summary: 'Send DICOM files and folders with C-STORE.',
  options,
  help: () => formatHelp('dicomnet store [HOST] [PORT] [PATH...] [--input PATH]... [options]', storeCommand.summary, options),
  async run(args: Args): Promise<number> {
    const peer = peerFrom(args);
    const inputs = [...args.strings('input'), ...peerAddress(args).rest];
    if (inputs.length === 0) throw new UsageError('no input: give files or folders with --input PATH or after the port');
    const json = args.flag('json');
    const storeWindow = args.integer('max-ops-invoked', 1, MAX_STORE_WINDOW);
    const params = lossyParams(args);
    const conversion = { allowLossy: params.lossy === true, params };
    const collected = await collectStoreInputs(inputs, { allowNoMeta: args.flag('allow-no-meta') });
    // Redirected output gets the per-file lines in batches (a write each costs about as much as
    // sending a small file's command); a terminal gets each line as it comes, between progress bars.
    const batch = process.stdout.isTTY ? undefined : lineBatch((text) => process.stdout.write(text));
    const out = (text: string) => { if (batch) batch.say(text); else process.stdout.write(`${text}\n`); };
    for (const s of collected.skipped) {
      if (!json) out(`SKIP ${s.path}: ${s.reason}`);
    }
    const totalBytes = collected.files.reduce((n, f) => n + f.fileSize - f.datasetOffset, 0);
    const bar = new ProgressBar(collected.files.length, totalBytes, 'files');
    let doneFiles = 0;
    let doneBytes = 0;
    const started = Date.now();
    const results = collected.files.length === 0 ? [] : await storeFileList(peer.ae, collected.files, {
      ...connectionOptionsOf(peer.profile),
      conversion,
      storeWindow,
      onAssociation: (association) => { if (peer.trace.trace) tracePdus(association, log); },
      onResult: (r) => {
        doneFiles++;
        doneBytes += r.bytes;
        if (!json) { bar.clear(); out(line(r)); }
        bar.update(doneFiles, doneBytes);
      },
    }).catch((error) => { bar.clear(); batch?.flush(); throw error; });
    bar.clear();
    const ms = Date.now() - started;
    const count = (o: StoreResult['outcome']) => results.filter((r) => r.outcome === o).length;
    const failed = count('failure') + count('skipped');
    const unusable = collected.skipped.length + count('unusable');
    if (json) {
      out(JSON.stringify({
        results: results.map((r) => ({ ...r, statusHex: r.status === undefined ? undefined : `0x${r.status.toString(16).toUpperCase().padStart(4, '0')}` })),
        unusable: collected.skipped,
      }, null, 2));
    } else {
      const parts = [`Stored ${count('success') + count('warning')} of ${collected.files.length + collected.skipped.length} files (${formatBytes(doneBytes)} in ${(ms / 1000).toFixed(2)} s, ${formatRate(doneBytes, ms)})`];
      if (count('warning')) parts.push(`${count('warning')} with warnings`);
      if (failed) parts.push(`${failed} failed`);
      if (unusable) parts.push(`${unusable} not usable`);
      out(`${parts.join('; ')}.`);
    }
    batch?.flush();
    if (failed > 0 || count('warning') > 0) return EXIT_STATUS;
    if (unusable > 0) return EXIT_USAGE;
    return EXIT_OK;
  },
};
