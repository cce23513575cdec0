// dicomnet transcode: convert files and folders to another transfer syntax.
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { collectStoreInputs } from '../../ae';
import { transcodeFile, describeFileTranscode, FileTranscodeResult } from '../../dicom';
import { CodecPool } from '../../dicom';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { EXIT_OK, EXIT_USAGE, sentence } from '../errors';
import { HELP_OPTION } from '../network-options';
import { formatBytes } from '../progress';
import { LOSSY_OPTIONS, checkTarget, lossyParams, syntaxNameList, syntaxOption } from '../conversion-options';
import { Command } from '../command';

const options: OptionSpec[] = [
  { name: 'ts', alias: 't', kind: 'string', valueName: 'SYNTAX', description: `target transfer syntax: a UID or ${syntaxNameList()}` },
  { name: 'output', alias: 'o', kind: 'string', valueName: 'DIR', description: 'folder for the converted files (folders given as input keep their layout below it)' },
  { name: 'input', alias: 'i', kind: 'string', repeatable: true, valueName: 'PATH', description: 'file or folder to convert (folders recursively); paths as arguments work too' },
  ...LOSSY_OPTIONS,
  { name: 'workers', kind: 'number', valueName: 'N', description: 'codec worker threads (default: processors - 1, at least 1)' },
  { name: 'json', kind: 'flag', description: 'print the per-file results as JSON' },
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'stack traces with errors' },
  HELP_OPTION,
];

interface Job {
  input: string;
  output: string;
}

/** Each input file with its output path: below DIR, keeping the layout of folders given as input. */
async function jobsFor(inputs: string[], outDir: string): Promise<{ jobs: Job[]; skipped: { path: string; reason: string }[] }> {
  const jobs: Job[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const taken = new Set<string>();
  for (const input of inputs) {
    const collected = await collectStoreInputs([input]);
    skipped.push(...collected.skipped);
    for (const f of collected.files) {
      const relative = f.path === input ? path.basename(f.path) : path.relative(input, f.path);
      const output = path.resolve(outDir, relative);
      if (taken.has(output)) {
        skipped.push({ path: f.path, reason: `another input is written to ${output} already` });
        continue;
      }
      if (path.resolve(f.path) === output) {
        skipped.push({ path: f.path, reason: 'the output would overwrite the input' });
        continue;
      }
      taken.add(output);
      jobs.push({ input: f.path, output });
    }
  }
  return { jobs, skipped };
}

export const transcodeCommand: Command = {
  name: 'transcode',
  summary: 'Convert DICOM files and folders to another transfer syntax (decompress, compress, re-encode).',
  options,
  help: () => formatHelp('dicomnet transcode FILE|DIR... --ts SYNTAX --output DIR [options]', `${transcodeCommand.summary}\nLossless unless --allow-lossy; JPEG 2000 and HTJ2K ("j2k", "htj2k") are coded reversibly without it.`, options),
  async run(args: Args): Promise<number> {
    const tsText = args.string('ts');
    if (!tsText) throw new UsageError('--ts SYNTAX is required');
    const outDir = args.string('output');
    if (!outDir) throw new UsageError('--output DIR is required');
    const ts = syntaxOption(tsText, 'ts');
    const params = lossyParams(args);
    checkTarget(ts, params, 'ts');
    const inputs = [...args.strings('input'), ...args.positional];
    if (inputs.length === 0) throw new UsageError('no input: give files or folders as arguments or with --input PATH');
    const workers = args.integer('workers', 1, 64);
    const json = args.flag('json');
    const out = (text: string) => process.stdout.write(`${text}\n`);
    const { jobs, skipped } = await jobsFor(inputs, outDir);
    for (const s of skipped) if (!json) out(`SKIP ${s.path}: ${s.reason}`);
    const pool = new CodecPool(workers ? { size: workers } : {});
    const results: Array<{ job: Job; result?: FileTranscodeResult; error?: string }> = [];
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        try {
          await mkdir(path.dirname(job.output), { recursive: true });
          const result = await transcodeFile(job.input, job.output, ts, { ...params, pool });
          results.push({ job, result });
          if (!json) out(`OK   ${job.input} → ${job.output}: ${describeFileTranscode(result)}`);
        } catch (error) {
          const message = sentence((error as Error).message);
          results.push({ job, error: message });
          if (!json) out(`FAIL ${job.input}: ${message}`);
        }
      }
    };
    try {
      // Enough files at once to keep every codec worker busy with single-frame files.
      await Promise.all(Array.from({ length: Math.min(jobs.length, pool.size + 1) }, worker));
    } finally {
      await pool.close();
    }
    const ok = results.filter((r) => r.result);
    const failed = results.length - ok.length;
    if (json) {
      out(JSON.stringify({
        results: results.map((r) => ({ input: r.job.input, output: r.job.output, ...(r.result ? { from: r.result.from, to: r.result.to, conversion: describeFileTranscode(r.result), lossy: r.result.plan?.lossy ?? false, bytes: r.result.bytes } : { error: r.error }) })),
        skipped,
      }, null, 2));
    } else {
      const bytes = ok.reduce((n, r) => n + r.result!.bytes, 0);
      const parts = [`Converted ${ok.length} of ${jobs.length + skipped.length} files (${formatBytes(bytes)} written in ${((Date.now() - started) / 1000).toFixed(2)} s)`];
      if (failed) parts.push(`${failed} failed`);
      if (skipped.length) parts.push(`${skipped.length} skipped`);
      out(`${parts.join('; ')}.`);
    }
    return failed > 0 || skipped.length > 0 ? EXIT_USAGE : EXIT_OK;
  },
};
