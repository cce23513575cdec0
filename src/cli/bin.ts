// The dicomnet executable: loads the command-line tool's bundle beside this file (cli.js →
// cli-main.js, or the command's own bundle, bundles.ts) through the V8 code cache, and runs it.
import { COMMAND_V8_FLAGS, bundleFor } from './bundles';
import { CacheOutcome, requireWithCodeCache } from './code-cache';
import type { runCli } from './main';

const command = process.argv[2] ?? '';
// A build without the command's own bundle still runs it, with the full tool (the fallback).
const { file, fallback } = bundleFor(__filename, command, process.argv.slice(3));
const report = process.env.DICOMNET_CODE_CACHE === 'verbose'
  ? (outcome: CacheOutcome, cacheFile: string) => process.stderr.write(`dicomnet: code cache ${outcome}: ${cacheFile}\n`)
  : undefined;
// Help has a cache of its own: it runs none of the command, so its cache would serve the command badly.
const help = process.argv.includes('--help') || process.argv.includes('-h');
const label = /^[a-z_]{1,20}$/.test(command) ? `${command}${help ? '-help' : ''}` : 'other';
const cli = requireWithCodeCache(file, { fallback, label, report, v8Flags: COMMAND_V8_FLAGS.get(command) }) as { runCli: typeof runCli };
cli.runCli(process.argv.slice(2));
