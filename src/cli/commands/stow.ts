// dicomnet stow: send files and folders to a DICOMweb server with STOW-RS.
import { collectStoreInputs } from '../../ae';
import { isValidUid } from '../../dicom';
import type { StowFileResult } from '../../dicomweb';
import { DEFAULT_BATCH_SIZE } from '../../dicomweb';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { Command } from '../command';
import { EXIT_OK, EXIT_STATUS, EXIT_USAGE } from '../errors';
import { ProgressBar, formatBytes, formatRate } from '../progress';
import { WEB_OPTIONS, runWeb } from './web-options';

const options: OptionSpec[] = [
  { name: 'input', alias: 'i', kind: 'string', repeatable: true, valueName: 'PATH', description: 'file or folder to send (folders recursively); paths as arguments work too' },
  { name: 'study', kind: 'string', valueName: 'UID', description: 'store into this study (POST /studies/UID)' },
  { name: 'batch', kind: 'number', valueName: 'N', description: `files per request (default ${DEFAULT_BATCH_SIZE})` },
  { name: 'json', kind: 'flag', description: 'print the per-file results as JSON instead of lines' },
  ...WEB_OPTIONS,
];

function line(r: StowFileResult): string {
  const tag = r.outcome === 'stored' ? 'OK  ' : r.outcome === 'warning' ? 'WARN' : 'FAIL';
  return `${tag} ${r.path}: ${r.message} (${r.sopInstanceUid}, ${formatBytes(r.bytes)})`;
}

export const stowCommand: Command = {
  name: 'stow',
  summary: 'Send DICOM files and folders to a DICOMweb server with STOW-RS.',
  options,
  help: () => formatHelp('dicomnet stow --url BASE [PATH...] [--input PATH]... [--batch N] [--json] [options]', stowCommand.summary, options),
  async run(args: Args): Promise<number> {
    const inputs = [...args.strings('input'), ...args.positional];
    if (inputs.length === 0) throw new UsageError('no input: give files or folders with --input PATH or as arguments');
    const study = args.string('study');
    if (study !== undefined && !isValidUid(study)) throw new UsageError(`--study "${study.slice(0, 80)}" is not a valid UID`);
    const batchSize = args.integer('batch', 1, 100_000);
    const json = args.flag('json');
    return runWeb(args, async (client, signal) => {
      const collected = await collectStoreInputs(inputs);
      const out = (text: string) => process.stdout.write(`${text}\n`);
      if (!json) for (const s of collected.skipped) out(`SKIP ${s.path}: ${s.reason}`);
      const files = collected.files.map((f) => ({ path: f.path, sopInstanceUid: f.sopInstanceUid, sopClassUid: f.sopClassUid, fileSize: f.fileSize }));
      const totalBytes = files.reduce((n, f) => n + f.fileSize, 0);
      const bar = new ProgressBar(files.length, totalBytes, 'files');
      const results: StowFileResult[] = [];
      let sentBytes = 0;
      const started = Date.now();
      try {
        if (files.length > 0) {
          await client.store(files, {
            ...(study !== undefined ? { study } : {}),
            ...(batchSize !== undefined ? { batchSize } : {}),
            signal,
            onBytes: (n) => {
              sentBytes += n;
              bar.update(results.length, sentBytes);
            },
            onBatch: (batch) => {
              results.push(...batch.files);
              if (!json) {
                bar.clear();
                for (const r of batch.files) out(line(r));
              }
              bar.update(results.length, sentBytes, true);
            },
          });
        }
      } finally {
        bar.clear();
      }
      const ms = Date.now() - started;
      const count = (o: StowFileResult['outcome']) => results.filter((r) => r.outcome === o).length;
      const unusable = collected.skipped.length;
      if (json) {
        out(JSON.stringify({ results, unusable: collected.skipped }, null, 2));
      } else {
        const parts = [`Stored ${count('stored') + count('warning')} of ${files.length + unusable} files (${formatBytes(sentBytes)} in ${(ms / 1000).toFixed(2)} s, ${formatRate(sentBytes, ms)})`];
        if (count('warning')) parts.push(`${count('warning')} with warnings`);
        if (count('failed')) parts.push(`${count('failed')} failed`);
        if (unusable) parts.push(`${unusable} not usable`);
        out(`${parts.join('; ')}.`);
      }
      if (count('failed') > 0 || count('warning') > 0) return EXIT_STATUS;
      if (unusable > 0) return EXIT_USAGE;
      return EXIT_OK;
    });
  },
};
