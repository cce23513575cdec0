// What every scenario shares: tables of rows measured in interleaved repetitions (A, B, C, A, B,
// C, …), and one C-STORE run (start a receiver, time a sender, confirm the files, read RSS).
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Context, Started } from '../peers';
import { describeSample, formatMs } from '../report';
import { Kind, RowResult, RowSpec, Sample, TableResult, TargetResult, median } from '../results';
import { RunSpec, TimedRun, countFiles, runTimed, waitForFiles } from '../system';

export type Runner = (rep: number) => Promise<Sample>;

export class Table {
  readonly result: TableResult;
  readonly runners = new Map<string, Runner>();

  /** `short` names the table in progress lines when a scenario has several. */
  constructor(title: string, kind: Kind, itemName: string, reference: string, readonly short?: string) {
    this.result = { title, kind, itemName, reference, rows: [], notes: [] };
  }

  add(spec: RowSpec, run: Runner): RowResult {
    const row: RowResult = { ...spec, samples: [] };
    this.result.rows.push(row);
    this.runners.set(spec.id, run);
    return row;
  }

  note(text: string): void {
    this.result.notes.push(text);
  }
}

/**
 * Runs every row of every table `reps` times, interleaved, printing one line per run (or, with
 * `quiet`, one line per row at the end).
 */
export async function runInterleaved(ctx: Context, tag: string, tables: Table[], reps: number, o: { quiet?: boolean } = {}): Promise<void> {
  for (let rep = 0; rep < reps; rep++) {
    for (const table of tables) {
      for (const row of table.result.rows) {
        if (row.maxReps !== undefined && rep >= row.maxReps) continue;
        const sample = await measureSafely(table.runners.get(row.id)!, rep);
        row.samples.push(sample);
        if (!o.quiet) ctx.log(`  [${tag} ${rep + 1}/${reps}] ${table.short ? `${table.short}: ` : ''}${row.label}: ${describeSample(sample, table.result.itemName)}`);
      }
    }
  }
  if (o.quiet) {
    for (const table of tables) {
      for (const row of table.result.rows) {
        const ok = row.samples.filter((s) => !s.error);
        const failed = row.samples.length - ok.length;
        ctx.log(`  [${tag}] ${table.short ? `${table.short}: ` : ''}${row.label}: median ${formatMs(median(ok.map((s) => s.ms)))} of ${ok.length}${failed ? `, ${failed} failed` : ''}`);
      }
    }
  }
}

async function measureSafely(run: Runner, rep: number): Promise<Sample> {
  try {
    return await run(rep);
  } catch (error) {
    return { ms: NaN, error: oneLine((error as Error).message) };
  }
}

export function oneLine(text: string, max = 300): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Runs a client to its end; throws a readable error when it failed or timed out. */
export async function runClient(ctx: Context, spec: Omit<RunSpec, 'logFile' | 'timeoutMs'>, log: string, what: string): Promise<TimedRun> {
  const r = await runTimed({ ...spec, logFile: log, timeoutMs: ctx.options.runTimeoutMs });
  if (r.timedOut) throw new Error(`${what} did not finish within ${ctx.options.runTimeoutMs / 1000} s`);
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code ?? r.signal}: ${oneLine(r.output(), 400)}`);
  return r;
}

export interface StoreRun {
  /** Starts the receiver writing into `dir`. */
  receiver: (dir: string, log: string) => Promise<Started>;
  /** The sender's command for a receiver on `port`. */
  sender: (port: number) => Omit<RunSpec, 'logFile' | 'timeoutMs'>;
  items: number;
  bytes: number;
  what: string;
  /**
   * A send to the fresh receiver before the timed one, untimed: the row then measures a receiver
   * that has been running (its code warmed up, its index holding what came before).
   */
  before?: { sender: (port: number) => Omit<RunSpec, 'logFile' | 'timeoutMs'>; items: number; what: string };
}

/**
 * One C-STORE measurement: a fresh receiver (given `before`, sent to first, untimed), the sender
 * timed from spawn to exit, then the files counted (the time runs on until they are all there),
 * then the receiver's peak RSS.
 */
export async function storeOnce(ctx: Context, id: string, run: StoreRun): Promise<Sample> {
  const work = ctx.runDir(id);
  const recv = path.join(work, 'recv');
  const server = await run.receiver(recv, path.join(work, 'receiver.log'));
  let rssReceiverKb: number | undefined;
  try {
    let expected = run.items;
    if (run.before) {
      await runClient(ctx, run.before.sender(server.port), path.join(work, 'sender-before.log'), run.before.what);
      const done = await waitForFiles(recv, run.before.items, 30_000);
      if (!done.complete) throw new Error(`the receiver holds ${done.count} of the ${run.before.items} instances sent first, 30 s after their sender finished`);
      expected += done.count;
    }
    const t0 = performance.now();
    const r = await runClient(ctx, run.sender(server.port), path.join(work, 'sender.log'), run.what);
    let ms = r.ms;
    if (countFiles(recv) < expected) {
      const done = await waitForFiles(recv, expected, 30_000);
      if (!done.complete) throw new Error(`the receiver holds ${done.count} of ${expected} instances 30 s after the sender finished`);
      ms = done.atMs - t0;
    }
    rssReceiverKb = await server.stop();
    return { ms, items: run.items, bytes: run.bytes, rssSenderKb: r.rssKb, rssReceiverKb };
  } finally {
    if (rssReceiverKb === undefined) await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The note of a Node floor row (bench/floor-*.mjs, bench/floor-echo.cjs, `node -e 0`): a reference
 * that tells what Node itself costs from what our code adds; never the reference row, in no target.
 * `leftOut`: what the floor does without (the storage floors': an index, a log, checks, limits).
 */
export function floorNote(what: string, leftOut = 'no index, log, checks or limits'): string {
  return `Node floor: ${what} (${leftOut}): where Node itself stands, not a product; in no target`;
}

export function ratioTarget(text: string, ratio: number | undefined, atLeast: number): TargetResult {
  if (ratio === undefined) return { text, measured: 'not measured', met: null };
  return { text, measured: `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`, met: ratio >= atLeast };
}

export function belowTarget(text: string, value: number | undefined, limit: number, unit: string): TargetResult {
  if (value === undefined) return { text, measured: 'not measured', met: null };
  return { text, measured: `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`, met: value < limit };
}
