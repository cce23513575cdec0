// The dicomnet executable: loads the command-line tool's bundle, the file beside this one named
// like it with "-main" (cli.js → cli-main.js), through the V8 code cache, and runs it.
import { CacheOutcome, requireWithCodeCache } from './code-cache';
import type { runCli } from './main';

const bundle = __filename.replace(/(\.[cm]?js)?$/, '-main$1');
const command = process.argv[2] ?? '';
const report = process.env.DICOMNET_CODE_CACHE === 'verbose'
  ? (outcome: CacheOutcome, file: string) => process.stderr.write(`dicomnet: code cache ${outcome}: ${file}\n`)
  : undefined;
const cli = requireWithCodeCache(bundle, { label: /^[a-z_]{1,20}$/.test(command) ? command : 'other', report }) as { runCli: typeof runCli };
cli.runCli(process.argv.slice(2));
