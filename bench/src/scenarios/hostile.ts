// Scenario 8: hostile load (issue 20). One `dicomnet scp --dir` with its default limits (and a
// second with --fair-share 0 for the phase that shows what the default fair share does); a well-behaved peer (our engine, in this process) measures associate + C-ECHO + release and
// associate + C-STORE of one 0.53 MB instance + release, first with nothing else going on, then
// beside each flood, run by a process of its own (bench/src/flood-worker.ts) from the same
// address (127.0.0.1, as behind a NAT) at the lowest CPU priority: silent connections (as in the
// issue, and beyond the per-address bound), slow connections, short associations.
// Goals: the well-behaved peer is never refused, and its median under a flood stays within 2× of
// its median without one. A control row (no flood: a process at the same priority keeping one core
// busy, as each flood's process does) shows what that alone costs the peer on this machine.
// The whole scenario runs twice by default: as above, then with the flood's process pinned to core 1
// and the SCP and the peer to core 0 (taskset), an emulation of a flood from another machine.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApplicationEntity } from '../../../src/ae/client';
import { DEFAULT_FAIR_SHARE, DEFAULT_MAX_WAITING_PER_SOURCE } from '../../../src/ae/server';
import { storeFileList } from '../../../src/ae/store';
import { collectStoreInputs } from '../../../src/ae/store-inputs';
import { FloodKind } from '../../../test/helpers/flood';
import { freePort } from '../../../test/helpers/peers';
import { cpuTimeMs } from '../../../test/helpers/processes';
import { canPinTwoCores, onCores, pinSelf } from '../affinity';
import { smallSet } from '../data';
import { PinFlood } from '../options';
import { Context } from '../peers';
import { RowResult, Sample, ScenarioResult, summarizeRow } from '../results';
import { Server, sleep, startServer } from '../system';
import { Table, oneLine } from './common';

interface Phase {
  id: string;
  label: string;
  flood?: { kind: FloodKind | 'cpu'; concurrency: number; intervalMs?: number };
  what: string;
  /** A reference, not a flood: no targets. */
  control?: boolean;
  /** Options of the SCP this phase (and the stretch without a flood before it) runs against, besides the defaults. */
  scpArgs?: string[];
}

const PER_SOURCE = DEFAULT_MAX_WAITING_PER_SOURCE;
/** dicomnet scp's default --max-associations. */
const MAX_ASSOCIATIONS = 32;
const PHASES: Phase[] = [
  { id: 'none', label: 'no flood', what: 'nothing else' },
  {
    id: 'cpu', label: 'control: one core kept busy', flood: { kind: 'cpu', concurrency: 0 }, control: true,
    what: 'no connection to the SCP: a process at nice 19 keeping one core busy, as each flood\'s process does (the part of a flood\'s cost that is this machine\'s, not the SCP\'s)',
  },
  {
    id: 'issue', label: 'silent connections as reported', flood: { kind: 'silent', concurrency: MAX_ASSOCIATIONS },
    what: `${MAX_ASSOCIATIONS} connections open at once saying nothing, each reopened when the SCP closes it (issue 20: this locked every peer out)`,
  },
  {
    id: 'silent', label: 'silent-connection flood', flood: { kind: 'silent', concurrency: 2 * PER_SOURCE },
    what: `${2 * PER_SOURCE} connections open at once saying nothing (twice the per-address bound), each replaced as soon as the SCP closes it`,
  },
  {
    id: 'slow', label: 'slow-connection flood', flood: { kind: 'slow', concurrency: 2 * PER_SOURCE, intervalMs: 200 },
    what: `${2 * PER_SOURCE} connections each sending an A-ASSOCIATE-RQ one byte every 200 ms, each replaced as soon as the SCP closes it`,
  },
  {
    id: 'short', label: 'many short associations', flood: { kind: 'short', concurrency: MAX_ASSOCIATIONS / 4 },
    what: `${MAX_ASSOCIATIONS / 4} clients of one calling AE each running associate + C-ECHO + release back to back (a quarter of --max-associations), against the default SCP, whose fair share holds that AE to ${DEFAULT_FAIR_SHARE} associations at a time while the peer is served`,
  },
  {
    id: 'short-unshared', label: 'many short associations, SCP with --fair-share 0',
    flood: { kind: 'short', concurrency: MAX_ASSOCIATIONS / 4 }, scpArgs: ['--fair-share', '0'],
    what: `the same flood against a second dicomnet scp started with --fair-share 0 (without the default fair share, which holds the flood's calling AE to ${DEFAULT_FAIR_SHARE} associations at a time while the peer, another calling AE, is served)`,
  },
];

interface FloodStats { started: number; ended: number; failed: number }

function lastStats(logFile: string): FloodStats | undefined {
  const lines = readFileSync(logFile, 'latin1').trim().split('\n').filter((l) => l.startsWith('{'));
  return lines.length ? JSON.parse(lines[lines.length - 1]!) as FloodStats : undefined;
}

/**
 * Where each --pin-flood pinning puts the processes (taskset CPU lists; unset: either core), and
 * how the tables and targets name it. 'split' is the emulation of a flood from another machine.
 */
const PINNINGS: Record<PinFlood, { self?: string; scp?: string; flood?: string; name?: string; what?: string; emulates?: boolean }> = {
  none: {},
  split: {
    self: '0', scp: '0', flood: '1', name: 'flood pinned to core 1, SCP and peer to core 0', emulates: true,
    what: 'every flood\'s process (and the control\'s) pinned to core 1, the SCP and the measured peer (this process) to core 0, in every phase (the no-flood one too): an emulation of a flood from another machine, whose own work (and, on loopback, the kernel\'s work on the packets it sends) stays off the SCP\'s core',
  },
  'flood-only': {
    flood: '1', name: 'flood pinned to core 1',
    what: 'every flood\'s process (and the control\'s) pinned to core 1; the SCP and the measured peer on either core',
  },
  'scp-alone': {
    self: '1', scp: '0', flood: '1', name: 'SCP pinned to core 0, flood and peer to core 1',
    what: 'the SCP pinned to core 0, every flood\'s process (and the control\'s) and the measured peer (this process) to core 1, in every phase (the no-flood one too)',
  },
};

/** How long the SCP's CPU cost per flood connection is sampled, the flood alone, before the peer is measured. */
const FLOOD_ALONE_MS = 1000;

/** Scenario 8 once per pinning asked for (by default unpinned, then flood and SCP on cores of their own). */
export async function hostileLoad(ctx: Context, result: ScenarioResult): Promise<void> {
  for (const pin of ctx.options.pinFlood) {
    if (pin !== 'none' && !canPinTwoCores()) {
      result.notes.push(`The run pinned as "${pin}" was skipped: it needs taskset and CPUs 0 and 1 available to this process.`);
      continue;
    }
    await hostileRun(ctx, result, pin);
  }
}

async function hostileRun(ctx: Context, result: ScenarioResult, pin: PinFlood): Promise<void> {
  const quick = ctx.options.quick;
  const echoes = quick ? 45 : 150;
  const stores = quick ? 24 : 60;
  const work = ctx.runDir('hostile');
  const set = await smallSet(ctx.options.dataDir, ctx.options.sizes.smallInstances, ctx.log);
  const files = (await collectStoreInputs(set.files.slice(0, stores).map((f) => f.path))).files;
  const floodScript = path.join(__dirname, 'flood.js');

  const pinning = PINNINGS[pin];
  const unpin = pinning.self ? pinSelf(pinning.self) : undefined;
  // One SCP with the defaults, and one per other set of options a phase names.
  const scps = new Map<string, { scp: Server; port: number; log: string }>();
  const scpOf = (phase: Phase) => scps.get((phase.scpArgs ?? []).join(' '))!;
  try {
    for (const extra of new Set(PHASES.map((p) => (p.scpArgs ?? []).join(' ')))) {
      const port = await freePort();
      const log = path.join(work, `dicomnet-scp${scps.size || ''}.log`);
      const args = [ctx.options.cli, 'scp', '--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(work, `archive${scps.size || ''}`), ...(extra ? extra.split(' ') : [])];
      const scp = await startServer({
        name: `dicomnet scp${extra ? ` ${extra}` : ''}`, ...(pinning.scp ? onCores(pinning.scp, ctx.node, args) : { cmd: ctx.node, args }),
        logFile: log, ready: { port }, rss: 'vmhwm',
      });
      scps.set(extra, { scp, port, log });
    }
  } catch (error) {
    for (const { scp } of scps.values()) await scp.stop();
    unpin?.();
    throw error;
  }
  const { scp } = scpOf(PHASES[0]!);
  const titled = (title: string) => (pinning.name ? `${title}; ${pinning.name}${pinning.emulates ? ' (an emulation of a flood from another machine)' : ''}` : title);
  const named = pinning.name ? ` (${pinning.name})` : '';
  const echoTable = new Table(titled('A well-behaved peer beside each flood: associate + C-ECHO + release (in-process SCU, one at a time)'), 'latency', 'round trips', 'none', 'echo');
  const storeTable = new Table(titled('The same peer: associate + C-STORE of one 0.53 MB CT instance + release'), 'latency', 'instances', 'none', 'store');
  const notes: string[] = pinning.what ? [`CPU affinity (taskset): ${pinning.what}.`] : [];
  const targetOf = (phase: Phase) => ({ host: '127.0.0.1', port: scpOf(phase).port, calledAeTitle: 'DICOMNET' });
  const ae = new ApplicationEntity({ aeTitle: 'MODALITY', timeouts: { connectMs: 10_000, acseMs: 10_000, dimseMs: 30_000 } });
  const rows = new Map(PHASES.map((p) => [p.id, {
    echo: echoTable.add({ id: p.id, label: p.label, ours: p.id === 'none' }, async () => ({ ms: NaN })),
    store: storeTable.add({ id: p.id, label: p.label, ours: p.id === 'none' }, async () => ({ ms: NaN })),
    seconds: 0, started: 0, failed: 0,
    /** SCP CPU and flood connections over the flood-alone samples. */
    aloneCpuMs: 0, aloneStarted: 0, aloneMs: 0,
  }]));
  // Each flood is measured right after a stretch without one, repetition after repetition, so a
  // machine whose load drifts (other work on it) weighs on both sides alike.
  const reps = ctx.options.reps;
  const perRep = { echoes: Math.ceil(echoes / reps), stores: Math.ceil(stores / reps) };
  let nextFile = 0;
  // The set is reused when a run needs more (a stored instance is simply replaced).
  const take = (n: number) => Array.from({ length: n }, () => files[nextFile++ % files.length]!);
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const phase of PHASES.filter((p) => p.flood)) {
        const quiet = rows.get('none')!;
        const target = targetOf(phase);
        const phaseScp = scpOf(phase).scp;
        await measure(ae, target, take(Math.ceil(perRep.stores / 3)), Math.ceil(perRep.echoes / 3), quiet.echo, quiet.store);
        const row = rows.get(phase.id)!;
        const floodLog = path.join(work, `flood-${phase.id}-${rep}.log`);
        // At the lowest CPU priority: on a real network the flood's own work is done by another
        // machine; here it must not take the measured peer's (or the SCP's) share of the cores.
        const niced = ['-n', '19', ctx.node, floodScript, JSON.stringify({ ...phase.flood, port: target.port })];
        const flood = await startServer({
          name: `${phase.id} flood`, ...(pinning.flood ? onCores(pinning.flood, 'nice', niced) : { cmd: 'nice', args: niced }),
          logFile: floodLog, ready: { port: target.port }, rss: 'vmhwm',
        });
        await sleep(2000 - FLOOD_ALONE_MS); // the flood at full strength before the peer is measured
        // The SCP's CPU per flood connection, the flood alone (what each churned connection costs it).
        const alone0 = { cpu: cpuTimeMs(phaseScp.pid), started: lastStats(floodLog)?.started ?? 0, at: performance.now() };
        await sleep(FLOOD_ALONE_MS);
        const alone1 = { cpu: cpuTimeMs(phaseScp.pid), started: lastStats(floodLog)?.started ?? 0, at: performance.now() };
        if (alone0.cpu !== undefined && alone1.cpu !== undefined) {
          row.aloneCpuMs += alone1.cpu - alone0.cpu;
          row.aloneStarted += alone1.started - alone0.started;
          row.aloneMs += alone1.at - alone0.at;
        }
        const began = lastStats(floodLog);
        const t0 = performance.now();
        await measure(ae, target, take(perRep.stores), perRep.echoes, row.echo, row.store);
        row.seconds += (performance.now() - t0) / 1000;
        await flood.stop();
        const end = lastStats(floodLog);
        row.started += (end?.started ?? 0) - (began?.started ?? 0);
        row.failed += end?.failed ?? 0;
        const rss = scp.peakRssKb();
        ctx.log(`  [s8${named} ${rep + 1}/${reps}] ${phase.label}: echo ${describe(row.echo)}, store ${describe(row.store)}; without: echo ${describe(quiet.echo)}; SCP peak RSS so far ${rss ? (rss / 1024).toFixed(0) : '?'} MB`);
      }
    }
    for (const phase of PHASES.filter((p) => p.flood)) {
      const row = rows.get(phase.id)!;
      if (phase.control) {
        notes.push(`${phase.label}: ${phase.what}.`);
        continue;
      }
      const unit = phase.flood!.kind === 'short' ? 'associations' : 'connections';
      notes.push(`${phase.label}: ${phase.what}; ${(row.started / row.seconds).toFixed(0)} ${unit}/s while the peer was measured${row.failed ? ` (${row.failed} of the flood's own associations failed)` : ''}`
        + `${costNote(row, unit)}.`);
    }
    const rss = scp.peakRssKb();
    if (rss) notes.push(`SCP peak RSS over the whole scenario (every flood with the defaults included): ${(rss / 1024).toFixed(0)} MB.`);
  } finally {
    for (const { scp: each } of scps.values()) await each.stop();
    unpin?.();
  }
  const refusals = [...scps.values()].flatMap(({ log }) => readFileSync(log, 'latin1').split('\n').filter((l) => l.startsWith('refused ')));
  notes.push(`The SCPs logged ${refusals.length} refusal line${refusals.length === 1 ? '' : 's'} in all (one per address and cause per minute, with counts)${refusals.length ? `, e.g. "${oneLine(refusals[0]!, 160)}"` : ''}.`);
  echoTable.note('Here "speed ours/row" is how many times longer the peer took under that flood than without one (the no-flood row, measured in stretches between the floods, is the reference); the goal is at most 2.');
  for (const n of notes) echoTable.note(n);
  result.tables.push(echoTable.result, storeTable.result);

  for (const table of [echoTable, storeTable]) {
    const rows = table.result.rows;
    const base = summarizeRow(rows[0]!, undefined).medianMs;
    for (const row of rows.slice(1)) {
      const s = summarizeRow(row, undefined);
      const op = table === echoTable ? 'C-ECHO' : 'C-STORE';
      if (PHASES.find((p) => p.id === row.id)?.control) {
        if (base !== undefined && s.medianMs !== undefined) table.note(`${op} ${row.label}: ${(s.medianMs / base).toFixed(2)}× (${s.medianMs.toFixed(1)} ms vs ${base.toFixed(1)} ms) with no flood at all.`);
        continue;
      }
      result.targets.push({
        text: `${op} peer never refused during the ${row.label}${named}`,
        measured: s.failures ? `${s.failures} of ${s.runs} failed: ${oneLine(s.errors[0] ?? '', 120)}` : `0 of ${s.runs} failed`,
        met: s.failures === 0,
      });
      const text = `${op} median during the ${row.label} within 2× of without${named}`;
      result.targets.push(base === undefined || s.medianMs === undefined
        ? { text, measured: 'not measured', met: null }
        : { text, measured: `${(s.medianMs / base).toFixed(2)}× (${s.medianMs.toFixed(1)} ms vs ${base.toFixed(1)} ms)`, met: s.medianMs <= 2 * base });
    }
  }
}

/** Echoes and stores, interleaved (two echoes per store), one at a time. */
async function measure(ae: ApplicationEntity, target: { host: string; port: number; calledAeTitle: string },
  files: Awaited<ReturnType<typeof collectStoreInputs>>['files'], echoes: number, echoRow: RowResult, storeRow: RowResult): Promise<void> {
  let stored = 0;
  for (let i = 0; i < echoes; i++) {
    echoRow.samples.push(await timed(async () => {
      const r = await ae.echo(target);
      if (r.status !== 0) throw new Error(`C-ECHO answered 0x${r.status.toString(16)}`);
    }));
    if (i % 2 === 1 && stored < files.length) {
      const file = files[stored++]!;
      storeRow.samples.push(await timed(async () => {
        const [r] = await storeFileList(ae, [file], target);
        if (r?.status !== 0) throw new Error(`C-STORE failed: ${r?.message ?? 'no result'}`);
      }, file.fileSize));
    }
  }
}

/** The SCP's CPU per flood connection (or association) and its share of a core, over the flood-alone samples. */
function costNote(row: { aloneCpuMs: number; aloneStarted: number; aloneMs: number }, unit: string): string {
  if (!(row.aloneMs > 0) || row.aloneStarted <= 0) return '';
  return `; the flood alone: SCP CPU ${(row.aloneCpuMs * 1000 / row.aloneStarted).toFixed(0)} µs per ${unit.replace(/s$/, '')} `
    + `(${(100 * row.aloneCpuMs / row.aloneMs).toFixed(0)} % of a core at ${(row.aloneStarted * 1000 / row.aloneMs).toFixed(0)} ${unit}/s)`;
}

async function timed(run: () => Promise<void>, bytes?: number): Promise<Sample> {
  const t0 = performance.now();
  try {
    await run();
    return { ms: performance.now() - t0, items: 1, bytes };
  } catch (error) {
    return { ms: NaN, error: oneLine((error as Error).message) };
  }
}

function describe(row: RowResult): string {
  const s = summarizeRow(row, undefined);
  return `median ${s.medianMs?.toFixed(1) ?? '?'} ms of ${s.runs - s.failures}${s.failures ? `, ${s.failures} FAILED` : ''}`;
}
