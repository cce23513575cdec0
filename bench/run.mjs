// `npm run bench`: bundles the dicomnet CLI (from src/, so the benchmark measures the current
// source without touching dist/) and the benchmark itself into bench/data/build, then runs it.
// All arguments go to the benchmark: npm run bench -- --quick --scenario 1,5 --reps 3
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { cliBuilds } from '../scripts/cli-bundles.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = dirname(benchDir);
const buildDir = join(benchDir, 'data', 'build');
mkdirSync(buildDir, { recursive: true });
// Node reads the package.json nearest to the script it starts (for its module type). For the
// bundles here that would be the repository's, the extension's 32 kB manifest: parsing it is
// ~1.7 ms of every dicomnet process, which the npm package's CLI (beside its 1 kB manifest) and
// DCMTK's tools do not pay. A small one here stops the search, as the package's does.
writeFileSync(join(buildDir, 'package.json'), `${JSON.stringify({ name: 'dicomnet-bench-build', private: true, type: 'commonjs' }, null, 2)}\n`);

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', absWorkingDir: repo };
const args = process.argv.slice(2);
const env = { ...process.env };
// A proxy's CA bundle in NODE_EXTRA_CA_CERTS (this sandbox sets one for the npm registry) makes
// every Node process parse it at start-up, ~90 ms of CPU before any of our code runs; DCMTK's
// tools never read it. The timed processes run without it, as on a machine with no proxy CA,
// unless --keep-ca-certs; the report says which.
if (env.NODE_EXTRA_CA_CERTS !== undefined) {
  env.DICOMNET_BENCH_CA_CERTS = args.includes('--keep-ca-certs') ? 'kept' : 'removed';
  if (env.DICOMNET_BENCH_CA_CERTS === 'removed') delete env.NODE_EXTRA_CA_CERTS;
}

if (!args.some((a) => a === '--cli' || a.startsWith('--cli='))) {
  const cli = join(buildDir, 'dicomnet.js');
  try {
    // As dist/ and the npm package have it (scripts/cli-bundles.mjs): the executable, the bundles
    // it loads through the code cache beside it (dicomnet-main.js, dicomnet-echo.js, …) and the
    // dictionary's table they share.
    for (const build of cliBuilds(buildDir, basename(cli))) await esbuild.build({ ...common, ...build });
    env.DICOMNET_BENCH_CLI = cli;
  } catch (error) {
    const dist = join(repo, 'dist', 'cli.js');
    if (!existsSync(dist)) {
      console.error(`bench: the dicomnet CLI does not build (${error.message.split('\n')[0]}) and there is no dist/cli.js`);
      process.exit(1);
    }
    console.error(`bench: the dicomnet CLI does not build from src (${error.message.split('\n')[0]}); measuring ${relative(process.cwd(), dist)} instead`);
    env.DICOMNET_BENCH_CLI = dist;
  }
}

const bench = join(buildDir, 'bench.js');
await esbuild.build({ ...common, entryPoints: [join(benchDir, 'src', 'main.ts')], outfile: bench, sourcemap: 'inline' });
// The hostile-load scenario's flood runs in a process of its own (bench/src/flood-worker.ts).
await esbuild.build({ ...common, entryPoints: [join(benchDir, 'src', 'flood-worker.ts')], outfile: join(buildDir, 'flood.js') });
// The codec worker the conversion scenario's pool starts (next to bench.js).
await esbuild.build({ ...common, entryPoints: [join(repo, 'src', 'dicom', 'codecs', 'codec-worker.ts')], outfile: join(buildDir, 'codec-worker.js') });
const r = spawnSync(process.execPath, ['--enable-source-maps', bench, ...args], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
