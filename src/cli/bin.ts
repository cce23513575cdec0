// The dicomnet executable: loads the command-line tool's bundle beside this file (cli.js →
// cli-main.js, or the command's own bundle, bundles.ts) through the V8 code cache, and runs it.
import { bundleFor } from './bundles';
import { CacheOutcome, requireWithCodeCache } from './code-cache';
import type { runCli } from './main';

const command = process.argv[2] ?? '';
// A build without the command's own bundle still runs it, with the full tool (the fallback).
const { file, fallback } = bundleFor(__filename, command, process.argv.slice(3));
const report = process.env.DICOMNET_CODE_CACHE === 'verbose'
  ? (outcome: CacheOutcome, cacheFile: string) => process.stderr.write(`dicomnet: code cache ${outcome}: ${cacheFile}\n`)
  : undefined;
const cli = requireWithCodeCache(file, { fallback, label: /^[a-z_]{1,20}$/.test(command) ? command : 'other', report }) as { runCli: typeof runCli };
cli.runCli(process.argv.slice(2));
