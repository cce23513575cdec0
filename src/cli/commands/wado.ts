// dicomnet wado: WADO-RS retrieval of a study, series or instance into a folder, its metadata
// as DICOM JSON, or a rendered image / thumbnail.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isValidUid, transferSyntaxName } from '../../dicom';
import type { RetrieveTarget } from '../../dicomweb';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { Command } from '../command';
import { EXIT_OK, EXIT_STATUS } from '../errors';
import { formatBytes, formatRate } from '../progress';
import { TransferMeter, WEB_OPTIONS, runWeb } from './web-options';

const options: OptionSpec[] = [
  { name: 'study', kind: 'string', valueName: 'UID', description: 'the study to retrieve (required)' },
  { name: 'series', kind: 'string', valueName: 'UID', description: 'only this series of the study' },
  { name: 'instance', kind: 'string', valueName: 'UID', description: 'only this instance of the series (needs --series)' },
  { name: 'output', alias: 'o', kind: 'string', valueName: 'DIR', description: 'folder for <Study>/<Series>/<SOP>.dcm (default "."); with --rendered/--thumbnail, the image file' },
  { name: 'metadata', kind: 'flag', description: 'print the metadata as DICOM JSON instead of retrieving files' },
  { name: 'rendered', kind: 'flag', description: 'get a rendered image (where the server offers it)' },
  { name: 'thumbnail', kind: 'flag', description: 'get a thumbnail (where the server offers it)' },
  { name: 'accept', kind: 'string', valueName: 'TYPE', description: 'media type of the rendered image or thumbnail (default image/jpeg)' },
  { name: 'transfer-syntax', kind: 'string', valueName: 'UID', description: 'transfer syntax to ask for; "*" (default) = as stored' },
  { name: 'quiet', alias: 'q', kind: 'flag', description: 'print only the summary, not one line per file' },
  ...WEB_OPTIONS,
];

function targetFrom(args: Args): RetrieveTarget {
  const get = (name: string) => {
    const v = args.string(name);
    if (v !== undefined && !isValidUid(v)) throw new UsageError(`--${name} "${v.slice(0, 80)}" is not a valid UID`);
    return v;
  };
  const study = get('study');
  const series = get('series');
  const instance = get('instance');
  if (!study) throw new UsageError('--study is required');
  if (instance && !series) throw new UsageError('--instance needs --series');
  return { study, ...(series ? { series } : {}), ...(instance ? { instance } : {}) };
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/jp2': 'jp2' };

export const wadoCommand: Command = {
  name: 'wado',
  summary: 'Retrieve a study, series or instance with WADO-RS (files, metadata, rendered images).',
  options,
  help: () => formatHelp('dicomnet wado --url BASE --study UID [--series UID [--instance UID]] [--output DIR | --metadata | --rendered | --thumbnail] [options]', wadoCommand.summary, options),
  async run(args: Args): Promise<number> {
    const target = targetFrom(args);
    const modes = ['metadata', 'rendered', 'thumbnail'].filter((m) => args.flag(m));
    if (modes.length > 1) throw new UsageError(`--${modes[0]} and --${modes[1]} cannot be used together`);
    if (args.has('accept') && modes[0] !== 'rendered' && modes[0] !== 'thumbnail') throw new UsageError('--accept goes with --rendered or --thumbnail');
    const ts = args.string('transfer-syntax');
    if (ts !== undefined && ts !== '*' && !isValidUid(ts)) throw new UsageError(`--transfer-syntax must be a UID or "*", not "${ts.slice(0, 80)}"`);
    const output = args.string('output');
    const out = (text: string) => process.stdout.write(`${text}\n`);

    if (args.flag('metadata')) {
      return runWeb(args, async (client, signal) => {
        out(JSON.stringify(await client.metadata(target, { signal }), null, 2));
        return EXIT_OK;
      });
    }

    if (args.flag('rendered') || args.flag('thumbnail')) {
      if (output === undefined && process.stdout.isTTY) throw new UsageError('give --output FILE for the image (or redirect stdout)');
      return runWeb(args, async (client, signal) => {
        const accept = args.string('accept');
        const opts = { signal, ...(accept !== undefined ? { accept } : {}) };
        const image = args.flag('rendered') ? await client.rendered(target, opts) : await client.thumbnail(target, opts);
        if (output === undefined) {
          process.stdout.write(image.body);
          return EXIT_OK;
        }
        let file = output;
        let isDir = false;
        try { isDir = statSync(output).isDirectory(); } catch { /* a new file */ }
        if (isDir) {
          const ext = EXTENSIONS[image.contentType.split(';')[0].trim().toLowerCase()] ?? 'bin';
          file = path.join(output, `${target.instance ?? target.series ?? target.study}-${args.flag('rendered') ? 'rendered' : 'thumbnail'}.${ext}`);
        }
        writeFileSync(file, image.body);
        out(`Wrote ${file} (${image.contentType}, ${formatBytes(image.body.length)}).`);
        return EXIT_OK;
      });
    }

    const dir = output ?? '.';
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new UsageError(`cannot create the output folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const quiet = args.flag('quiet');
    return runWeb(args, async (client, signal) => {
      const meter = new TransferMeter('files');
      const started = Date.now();
      let summary;
      try {
        summary = await client.retrieve(target, {
          outputDir: dir,
          signal,
          ...(ts !== undefined ? { transferSyntax: ts } : {}),
          onBytes: (n) => meter.add(0, n),
          onInstance: (r) => {
            if (!quiet) {
              meter.clear();
              out(`OK   ${r.path} (${formatBytes(r.bytes)}, ${transferSyntaxName(r.transferSyntaxUID) ?? r.transferSyntaxUID})`);
            }
            meter.add(1, 0);
          },
          onRejected: (r) => {
            meter.clear();
            out(`FAIL ${r.reason}`);
          },
        });
      } finally {
        meter.clear();
      }
      const ms = Date.now() - started;
      for (const w of summary.warnings) process.stderr.write(`dicomnet wado: warning from the server: ${w}\n`);
      const parts = [`Retrieved ${summary.instances.length} instance${summary.instances.length === 1 ? '' : 's'} into ${dir} (${formatBytes(summary.bytes)} in ${(ms / 1000).toFixed(2)} s, ${formatRate(summary.bytes, ms)})`];
      if (summary.rejected.length) parts.push(`${summary.rejected.length} part${summary.rejected.length === 1 ? '' : 's'} not stored`);
      if (summary.status === 206) parts.push('the server says the answer is partial (206)');
      out(`${parts.join('; ')}.`);
      return summary.rejected.length > 0 || summary.status === 206 ? EXIT_STATUS : EXIT_OK;
    });
  },
};
