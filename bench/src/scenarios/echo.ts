// Scenario 5: associate + C-ECHO + release, one round trip at a time, interleaved across the
// implementations. Our engine is timed in-process. echoscu is timed by its own clock: its log
// (a log4cplus config with microsecond timestamps) marks "Requesting Association" and the
// release confirmation, so neither side pays for process start-up (DCMTK loads its data
// dictionary, ~40 ms, before associating). The whole-process times are shown too.
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApplicationEntity } from '../../../src/ae/client';
import { Context, DCMTK_NODELAY, Started, floorScp, storescp } from '../peers';
import { Sample, ScenarioResult, summarizeRow } from '../results';
import { freePort } from '../../../test/helpers/peers';
import { Server, runTimed, startServer } from '../system';
import { Table, floorNote, oneLine, runInterleaved } from './common';

/** Only two lines reach the log: the start of the association and the release confirmation. */
const ECHOSCU_LOG_CONFIG = `log4cplus.rootLogger = INFO, out
log4cplus.logger.dcmtk.dcmnet = TRACE
log4cplus.appender.out = log4cplus::ConsoleAppender
log4cplus.appender.out.layout = log4cplus::PatternLayout
log4cplus.appender.out.layout.ConversionPattern = %D{%s.%Q} %m%n
log4cplus.appender.out.filters.1 = log4cplus::spi::StringMatchFilter
log4cplus.appender.out.filters.1.StringToMatch = Requesting Association
log4cplus.appender.out.filters.1.AcceptOnMatch = true
log4cplus.appender.out.filters.2 = log4cplus::spi::StringMatchFilter
log4cplus.appender.out.filters.2.StringToMatch = Confirm Release
log4cplus.appender.out.filters.2.AcceptOnMatch = true
log4cplus.appender.out.filters.3 = log4cplus::spi::DenyAllFilter
`;

/** bench/floor-echo.cjs, required: one association, failed and closed if it has not ended within limitMs. */
interface FloorEcho {
  echo(port: number, calledAeTitle: string, limitMs: number): Promise<void>;
}
const FLOOR_ECHO_LIMIT_MS = 10_000;
/** What floor-echo.cjs does without. */
const FLOOR_ECHO_LEFT_OUT = 'node:net and PDUs built in a few lines: no options, checks or log';
const FLOOR_CLIENT_NOTE = floorNote('bench/floor-echo.cjs in this process, the least Node.js does for one association with one C-ECHO',
  `${FLOOR_ECHO_LEFT_OUT}; each bounded at ${FLOOR_ECHO_LIMIT_MS / 1000} s`);

/** "1795607812.459.180 text" → ms since the epoch. */
function stampOf(output: string, marker: string): number | undefined {
  const line = output.split('\n').find((l) => l.includes(marker));
  const m = line && /^(\d+)\.(\d{3})\.(\d{3}) /.exec(line);
  return m ? Number(m[1]) * 1000 + Number(m[2]) + Number(m[3]) / 1000 : undefined;
}

export async function echoRoundTrip(ctx: Context, result: ScenarioResult): Promise<void> {
  const n = ctx.options.sizes.echoes;
  const work = ctx.runDir('echo');
  const servers: Server[] = [];
  try {
    const ourPort = await freePort();
    const ours = Object.assign(await startServer({
      name: 'dicomnet scp', cmd: ctx.node, args: [ctx.options.cli, 'scp', '--port', String(ourPort), '--bind', '127.0.0.1', '--aet', 'DICOMNET'],
      logFile: path.join(work, 'dicomnet-scp.log'), ready: { port: ourPort }, rss: 'vmhwm',
    }), { port: ourPort });
    servers.push(ours);
    let dcmtk: Started | undefined;
    if (ctx.have.dcmtk) {
      dcmtk = await storescp(ctx, path.join(work, 'storescp.log'), { dir: path.join(work, 'storescp'), maxPdu: ctx.options.pdu, env: DCMTK_NODELAY });
      servers.push(dcmtk);
    }
    const floor = await floorScp(ctx, path.join(work, 'floor-scp.log'), { dir: path.join(work, 'floor-scp'), maxPdu: ctx.options.pdu });
    servers.push(floor);
    const logConfig = path.join(work, 'echoscu-log.cfg');
    writeFileSync(logConfig, ECHOSCU_LOG_CONFIG);

    const ae = new ApplicationEntity({ aeTitle: 'BENCH' });
    const inProcess = (port: number, aec: string) => async (): Promise<Sample> => {
      const t0 = performance.now();
      const r = await ae.echo({ host: '127.0.0.1', port, calledAeTitle: aec });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`C-ECHO answered status 0x${r.status.toString(16)}`);
      return { ms, items: 1 };
    };
    // The Node floor in-process: bench/floor-echo.cjs's association in this process (loaded at run
    // time, not bundled: the same file is the floor's process row).
    const floorEcho = (createRequire(__filename)(path.join(ctx.benchDir, 'floor-echo.cjs')) as FloorEcho).echo;
    const floorInProcess = (port: number, aec: string) => async (): Promise<Sample> => {
      const t0 = performance.now();
      await floorEcho(port, aec, FLOOR_ECHO_LIMIT_MS);
      return { ms: performance.now() - t0, items: 1 };
    };
    let runs = 0;
    const wholeProcess = new Map<string, Sample[]>();
    const echoscu = (id: string, port: number, aec: string) => async (): Promise<Sample> => {
      // Logs are appended to and reused every 50 runs: the timestamps must be this run's alone.
      const logFile = path.join(work, `run-${++runs % 50}.log`);
      rmSync(logFile, { force: true });
      const r = await runTimed({
        cmd: 'echoscu', args: ['-lc', logConfig, '-aec', aec, '127.0.0.1', String(port)], env: DCMTK_NODELAY, logFile, timeoutMs: 30_000,
      });
      const out = r.output();
      if (r.timedOut || r.code !== 0) throw new Error(`echoscu ${r.timedOut ? 'timed out' : `exited with ${r.code}`}: ${oneLine(out, 200)}`);
      const from = stampOf(out, 'Requesting Association');
      const to = stampOf(out, 'Confirm Release');
      if (from === undefined || to === undefined) throw new Error(`echoscu's log has no timestamps to time the round trip by: ${oneLine(out, 200)}`);
      wholeProcess.set(id, [...(wholeProcess.get(id) ?? []), { ms: r.ms, items: 1, rssSenderKb: r.rssKb }]);
      return { ms: to - from, items: 1 };
    };
    // A whole Node.js process: dicomnet echo, or the Node floor (Node's start alone, floor-echo.cjs).
    const nodeProcess = (what: string, args: string[]) => async (): Promise<Sample> => {
      const r = await runTimed({ cmd: ctx.node, args, logFile: path.join(work, `run-${++runs % 50}.log`), timeoutMs: 30_000 });
      if (r.timedOut || r.code !== 0) throw new Error(`${what} ${r.timedOut ? 'timed out' : `exited with ${r.code}`}: ${oneLine(r.output(), 200)}`);
      return { ms: r.ms, items: 1, rssSenderKb: r.rssKb };
    };
    const cli = (port: number, aec: string) => nodeProcess('dicomnet echo', [ctx.options.cli, 'echo', '--host', '127.0.0.1', '--port', String(port), '--aec', aec]);

    const table = new Table(`Associate + C-ECHO + release, ${n} round trips per row (median of ${n}; SCU in-process or by its own clock)`, 'latency', 'round trips', 'dicomnet');
    table.add({ id: 'dicomnet', label: 'dicomnet engine → dicomnet scp', ours: true }, inProcess(ours.port, 'DICOMNET'));
    if (dcmtk) {
      table.add({ id: 'dicomnet-storescp', label: 'dicomnet engine → storescp' }, inProcess(dcmtk.port, 'STORESCP'));
      table.add({ id: 'echoscu-storescp', label: 'echoscu → storescp' }, echoscu('echoscu-storescp', dcmtk.port, 'STORESCP'));
      table.add({ id: 'echoscu-dicomnet', label: 'echoscu → dicomnet scp' }, echoscu('echoscu-dicomnet', ours.port, 'DICOMNET'));
      table.add({ id: 'floor-storescp', label: 'Node floor client → storescp', note: FLOOR_CLIENT_NOTE }, floorInProcess(dcmtk.port, 'STORESCP'));
    } else {
      result.notes.push('DCMTK (echoscu, storescp) is not installed: only our own rows are measured.');
    }
    table.add({
      id: 'floor-floor', label: 'Node floor client → Node floor SCP',
      note: `${FLOOR_CLIENT_NOTE}; bench/floor-scp.mjs answers it (the least a Node.js SCP does)`,
    }, floorInProcess(floor.port, 'FLOORSCP'));
    const processes = new Table('The same as whole processes (start-up and exit included: what a script calling the tool waits)', 'latency', 'round trips', 'cli', 'process');
    processes.add({ id: 'cli', label: 'dicomnet echo → dicomnet scp', ours: true }, cli(ours.port, 'DICOMNET'));
    // The tool against DCMTK's SCP as well: echoscu's whole-process rows are read against both SCPs.
    if (dcmtk) processes.add({ id: 'cli-storescp', label: 'dicomnet echo → storescp' }, cli(dcmtk.port, 'STORESCP'));
    processes.add({ id: 'node-e-0', label: 'node -e 0', note: floorNote('Node.js starting and exiting, the issue\'s floor of a command-line start', 'nothing else') },
      nodeProcess('node -e 0', ['-e', '0']));
    const [floorPort, floorAec, floorPeer] = dcmtk ? [dcmtk.port, 'STORESCP', 'storescp'] : [ours.port, 'DICOMNET', 'dicomnet scp'];
    processes.add({
      id: 'floor-echo', label: `Node floor echo → ${floorPeer}`,
      note: floorNote('bench/floor-echo.cjs, the least a Node.js process does for one C-ECHO', `${FLOOR_ECHO_LEFT_OUT}; no time limit of its own, the bench bounds the process`),
    }, nodeProcess('floor-echo.cjs', [path.join(ctx.benchDir, 'floor-echo.cjs'), '--port', String(floorPort), '--aec', floorAec]));
    await runInterleaved(ctx, 's5', [table, processes], n, { quiet: true });
    for (const [id, label] of [['echoscu-storescp', 'echoscu → storescp'], ['echoscu-dicomnet', 'echoscu → dicomnet scp']]) {
      const samples = wholeProcess.get(id);
      if (samples) processes.result.rows.push({ id, label, samples });
    }
    table.note('echoscu is timed from its "Requesting Association" log line to its release confirmation (log4cplus timestamps in µs); our engine from associate() to the end of release().');
    for (const s of servers) {
      const rss = s.peakRssKb();
      if (rss !== undefined) table.note(`${s.name} peak RSS after all the associations: ${(rss / 1024).toFixed(0)} MB`);
    }
    result.tables.push(table.result, processes.result);

    const oursMs = summarizeRow(table.result.rows.find((r) => r.id === 'dicomnet')!, undefined).medianMs;
    const dcmtkRow = table.result.rows.find((r) => r.id === 'echoscu-storescp');
    const dcmtkMs = dcmtkRow ? summarizeRow(dcmtkRow, undefined).medianMs : undefined;
    const text = 'dicomnet engine → dicomnet scp within 1.2× the time of echoscu → storescp (medians)';
    result.targets.push(oursMs === undefined || dcmtkMs === undefined
      ? { text, measured: 'not measured', met: null }
      : { text, measured: `${(oursMs / dcmtkMs).toFixed(2)}× DCMTK's time (${oursMs.toFixed(2)} ms vs ${dcmtkMs.toFixed(2)} ms)`, met: oursMs <= 1.2 * dcmtkMs });
  } finally {
    for (const s of servers) await s.stop();
  }
}
