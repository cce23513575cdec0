// `npm run bench`: runs the scenarios, prints a table per scenario and the targets, and writes
// bench/results/latest.json and bench/results/summary.md. Built and started by bench/run.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ORTHANC_BINARY, findDicomwebPlugin } from '../../test/helpers/peers';
import { Context } from './peers';
import { OptionsError, USAGE, parseOptions } from './options';
import { consoleScenario, markdownScenario } from './report';
import { consoleExtension, markdownExtension, readPackagedExtensionRun } from './extension';
import { ScenarioResult, summarizeTable } from './results';
import { commandVersion, hasCommand, killEverythingStarted, removeScratch, removeStaleScratch, scratch, scratchIsTmpfs } from './system';
import { storeLarge, storeSmall } from './scenarios/store';
import { storeConcurrent } from './scenarios/concurrent';
import { findAtScale } from './scenarios/find';
import { echoRoundTrip } from './scenarios/echo';
import { retrieve } from './scenarios/retrieve';
import { dicomweb } from './scenarios/dicomweb';
import { hostileLoad } from './scenarios/hostile';
import { pixelConversion } from './scenarios/codecs';

const SCENARIOS: Record<number, { title: string; run: (ctx: Context, r: ScenarioResult) => Promise<void> }> = {
  1: { title: 'C-STORE, many small instances', run: storeSmall },
  2: { title: 'C-STORE, one large instance', run: storeLarge },
  3: { title: 'Concurrent stores into one SCP', run: storeConcurrent },
  4: { title: 'C-FIND at scale', run: findAtScale },
  5: { title: 'C-ECHO round trip (associate + echo + release)', run: echoRoundTrip },
  6: { title: 'C-MOVE / C-GET of one study', run: retrieve },
  7: { title: 'DICOMweb: STOW-RS and WADO-RS', run: dicomweb },
  8: { title: 'Hostile load: a well-behaved peer beside floods', run: hostileLoad },
  9: { title: 'Pixel data conversion: encode and decode', run: pixelConversion },
};

const BENCH_DIR = path.resolve(__dirname, '..', '..');
const REPO = path.dirname(BENCH_DIR);

function gitCommit(): string | undefined {
  // Read, not run: the benchmark never runs git.
  try {
    const head = readFileSync(path.join(REPO, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const loose = path.join(REPO, '.git', ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    const packed = readFileSync(path.join(REPO, '.git', 'packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
    return packed?.split(' ')[0];
  } catch {
    return undefined;
  }
}

function dcmjsInstalled(): boolean {
  try {
    require.resolve('dcmjs-dimse', { paths: [path.join(BENCH_DIR, 'dcmjs')] });
    return true;
  } catch {
    return false;
  }
}

function httpServerAvailable(node: string, cli: string): boolean {
  try {
    const out = spawnSync(node, [cli, 'scp', '--help'], { encoding: 'utf8', timeout: 15_000 });
    return /--http-port/.test(`${out.stdout}`);
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const builtCli = process.env.DICOMNET_BENCH_CLI ?? path.join(BENCH_DIR, 'data', 'build', 'dicomnet.js');
  let options;
  try {
    options = parseOptions(process.argv.slice(2), { cli: builtCli, dataDir: path.join(BENCH_DIR, 'data'), resultsDir: path.join(BENCH_DIR, 'results') });
  } catch (error) {
    if (error instanceof OptionsError) {
      if (error.message) process.stderr.write(`bench: ${error.message}\n\n`);
      process.stderr.write(USAGE);
      return error.message ? 2 : 0;
    }
    throw error;
  }
  options.cli = path.resolve(options.cli);
  if (!existsSync(options.cli)) {
    process.stderr.write(`bench: the dicomnet CLI bundle ${options.cli} does not exist (run through npm run bench, which builds it)\n`);
    return 2;
  }
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(options.resultsDir, { recursive: true });

  const log = (line: string) => process.stdout.write(`${line}\n`);
  const dicomweb = findDicomwebPlugin();
  const have = {
    dcmtk: ['storescu', 'storescp', 'echoscu', 'findscu', 'movescu', 'getscu', 'dcmqrscp'].every(hasCommand),
    orthanc: existsSync(ORTHANC_BINARY),
    dicomweb,
    dcmjs: dcmjsInstalled(),
    httpServer: httpServerAvailable(process.execPath, options.cli),
    fork: hasCommand('storescp') && /--fork/.test(spawnSync('storescp', ['--help'], { encoding: 'latin1' }).stdout ?? ''),
  };
  let runCount = 0;
  const ctx: Context = {
    options, log, have,
    node: process.execPath,
    dcmjsDir: path.join(BENCH_DIR, 'dcmjs'),
    benchDir: BENCH_DIR,
    runDir: (name) => scratch(`${name}-${++runCount}`, options.dataDir),
  };
  removeStaleScratch(['/dev/shm', options.dataDir]);
  scratch('probe', options.dataDir);

  const machine = {
    cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`, node: process.version,
    dcmtk: commandVersion('storescu', ['--version'], /storescu v([\d.]+)/),
    orthanc: have.orthanc ? commandVersion(ORTHANC_BINARY, ['--version'], /Orthanc ([\d.]+)/) : undefined,
    loadAtStart: os.loadavg().map((x) => +x.toFixed(2)),
    scratchOnTmpfs: scratchIsTmpfs(),
    // 'removed' by bench/run.mjs for every process started here, 'kept' with --keep-ca-certs.
    nodeExtraCaCerts: process.env.DICOMNET_BENCH_CA_CERTS ?? (process.env.NODE_EXTRA_CA_CERTS !== undefined ? 'kept' : 'unset'),
  };
  const startedAt = new Date();
  log(`dicomnet benchmark: ${options.quick ? 'quick' : 'full'} run, scenarios ${options.scenarios.join(',')}, ${options.reps} repetition${options.reps === 1 ? '' : 's'}`);
  log(`machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, DCMTK ${machine.dcmtk ?? 'missing'}, Orthanc ${machine.orthanc ?? 'missing'}`);
  log(`receivers write to ${machine.scratchOnTmpfs ? 'tmpfs (/dev/shm)' : options.dataDir}; CLI under test: ${path.relative(REPO, options.cli)}`);
  const caCertsNote = caCertsSentence(machine.nodeExtraCaCerts);
  if (caCertsNote) log(`${machine.nodeExtraCaCerts === 'kept' ? 'warning: ' : ''}${caCertsNote}`);
  if (machine.loadAtStart[0] > machine.cores * 0.5) {
    log(`warning: the machine is busy (load ${machine.loadAtStart[0]}): absolute numbers will be noisy; ratios within this run still compare`);
  }

  const results: ScenarioResult[] = [];
  for (const id of options.scenarios) {
    const s = SCENARIOS[id];
    const result: ScenarioResult = { id, title: s.title, tables: [], targets: [], notes: [], seconds: 0 };
    const t0 = Date.now();
    log(`\n-- scenario ${id}: ${s.title}`);
    try {
      await s.run(ctx, result);
    } catch (error) {
      result.error = (error as Error).message;
    } finally {
      killEverythingStarted();
    }
    result.seconds = (Date.now() - t0) / 1000;
    results.push(result);
    log(consoleScenario(result));
  }

  const extension = readPackagedExtensionRun(REPO);
  log(consoleExtension(extension));

  const finishedAt = new Date();
  const report = {
    benchmark: 'dicomnet', schema: 1, mode: options.quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    commit: gitCommit(),
    machine: { ...machine, loadAtEnd: os.loadavg().map((x) => +x.toFixed(2)) },
    options: { scenarios: options.scenarios, reps: options.reps, pdu: options.pdu, largePdu: options.largePdu, sizes: options.sizes, pinFlood: options.pinFlood },
    scenarios: results.map((r) => ({ ...r, tables: r.tables.map((t) => ({ ...t, summary: summarizeTable(t) })) })),
    extension,
  };
  const jsonFile = path.join(options.resultsDir, 'latest.json');
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  const md = [
    '# dicomnet benchmark summary',
    '',
    `${report.mode === 'quick' ? 'Quick' : 'Full'} run of ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${report.seconds.toFixed(0)} s; commit ${report.commit?.slice(0, 12) ?? 'unknown'}.`,
    `Machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}, DCMTK ${machine.dcmtk ?? '—'}, Orthanc ${machine.orthanc ?? '—'}; load ${machine.loadAtStart.join('/')} at start, ${report.machine.loadAtEnd.join('/')} at end.`,
    ...(caCertsNote ? [caCertsNote] : []),
    `${options.reps} repetition${options.reps === 1 ? '' : 's'} per row, implementations interleaved; medians with min–max. "Speed ours/row" is our median speed divided by the row's (per byte, or per item where bytes do not apply, so rows that moved less still compare), measured in the same run: above 1 ours is faster. Absolute times move by up to 40 % between runs; only ratios from one run compare. MB = 10^6 bytes; RSS is the peak over the runs. * marks our implementation.`,
    '',
    ...results.map(markdownScenario),
    markdownExtension(extension),
  ].join('\n');
  const mdFile = path.join(options.resultsDir, 'summary.md');
  writeFileSync(mdFile, md);
  const targets = results.flatMap((r) => r.targets);
  log(`\ntargets: ${targets.filter((t) => t.met === true).length} met, ${targets.filter((t) => t.met === false).length} not met, ${targets.filter((t) => t.met === null).length} not measured (targets never fail the run)`);
  log(`results: ${path.relative(process.cwd(), jsonFile)}, ${path.relative(process.cwd(), mdFile)} (${report.seconds.toFixed(0)} s in all)`);
  const failed = results.filter((r) => r.error || r.tables.some((t) => t.rows.some((row) => row.samples.some((s) => s.error))));
  if (failed.length) log(`some measurements failed (scenario ${failed.map((r) => r.id).join(', ')}): see the lines marked ! or ERROR above`);
  return failed.length ? 1 : 0;
}

function cleanup(): void {
  killEverythingStarted();
  removeScratch();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping everything it started\n`);
    cleanup();
    process.exit(130);
  });
}
process.once('exit', cleanup);

main().then((code) => { cleanup(); process.exit(code); }, (error) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
  cleanup();
  process.exit(1);
});

function caCertsSentence(state: string): string | undefined {
  if (state === 'removed') return 'NODE_EXTRA_CA_CERTS was set in the shell; every process timed here ran without it, as on a machine with no proxy CA (with it, each Node process parses that CA bundle at start-up: ~90 ms of CPU that DCMTK\'s tools do not pay; --keep-ca-certs keeps it).';
  if (state === 'kept') return 'NODE_EXTRA_CA_CERTS is set and kept (--keep-ca-certs): every Node process timed here (dicomnet, dcmjs-dimse) parses that CA bundle at start-up, ~90 ms of CPU that DCMTK\'s tools do not pay.';
  return undefined;
}
