// Scenario 3: N associations at once into one SCP. The senders are the same for every SCP (DCMTK
// storescu with TCP_NODELAY=1, one process per association), so the rows compare the receivers.
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { linkFiles, smallSet } from '../data';
import { Context, DCMTK_NODELAY, Started, dicomnetScp, floorScp, storescp, storescu } from '../peers';
import { Sample, ScenarioResult } from '../results';
import { countFiles, runTimed, waitForFiles } from '../system';
import { Table, floorNote, oneLine, runInterleaved } from './common';

interface Part {
  dir: string;
  items: number;
  bytes: number;
}

async function concurrentOnce(ctx: Context, id: string, parts: Part[], receiver: (dir: string, log: string) => Promise<Started>): Promise<Sample> {
  const work = ctx.runDir(id);
  const recv = path.join(work, 'recv');
  const server = await receiver(recv, path.join(work, 'receiver.log'));
  const items = parts.reduce((n, p) => n + p.items, 0);
  const bytes = parts.reduce((n, p) => n + p.bytes, 0);
  let stopped = false;
  try {
    const t0 = performance.now();
    const runs = await Promise.all(parts.map((p, i) => runTimed({
      ...storescu(server.port, [p.dir], DCMTK_NODELAY), logFile: path.join(work, `sender-${i + 1}.log`), timeoutMs: ctx.options.runTimeoutMs,
    })));
    let ms = performance.now() - t0;
    const bad = runs.findIndex((r) => r.timedOut || r.code !== 0);
    if (bad >= 0) throw new Error(`sender ${bad + 1} ${runs[bad].timedOut ? 'timed out' : `exited with ${runs[bad].code ?? runs[bad].signal}`}: ${oneLine(runs[bad].output(), 300)}`);
    if (countFiles(recv) < items) {
      const done = await waitForFiles(recv, items, 30_000);
      if (!done.complete) throw new Error(`the receiver holds ${done.count} of ${items} instances 30 s after the senders finished`);
      ms = done.atMs - t0;
    }
    const rssReceiverKb = await server.stop();
    stopped = true;
    const senders = runs.map((r) => r.rssKb).filter((x): x is number => x !== undefined);
    return { ms, items, bytes, rssReceiverKb, rssSenderKb: senders.length ? Math.max(...senders) : undefined };
  } finally {
    if (!stopped) await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export async function storeConcurrent(ctx: Context, result: ScenarioResult): Promise<void> {
  if (!ctx.have.dcmtk) {
    result.skipped = 'DCMTK (storescu, storescp) is not installed: the senders and the peer SCP are DCMTK tools.';
    return;
  }
  const { concurrentAssociations: n, concurrentInstancesEach: each, smallInstances } = ctx.options.sizes;
  const set = await smallSet(ctx.options.dataDir, smallInstances, ctx.log);
  const perAssociation = Math.min(each, Math.floor(set.files.length / n));
  const parts: Part[] = [];
  for (let i = 0; i < n; i++) {
    const files = set.files.slice(i * perAssociation, (i + 1) * perAssociation);
    const dir = path.join(set.dir, 'subsets', `part-${i + 1}-of-${n}x${perAssociation}`);
    linkFiles(files, dir, (f) => path.basename(f.path));
    parts.push({ dir, items: files.length, bytes: files.reduce((s, f) => s + f.size, 0) });
  }
  const pdu = ctx.options.pdu;
  const table = new Table(`${n} associations at once, ${perAssociation} instances each (senders: ${n} × storescu, TCP_NODELAY=1)`, 'throughput', 'instances', 'dicomnet');
  table.add({ id: 'dicomnet', label: 'dicomnet scp', ours: true }, () => concurrentOnce(ctx, 'dicomnet', parts, (dir, log) => dicomnetScp(ctx, log, { dir, maxPdu: pdu })));
  table.add({ id: 'storescp', label: 'storescp (single process)', note: 'serves one association at a time; the others wait in the listen queue' },
    () => concurrentOnce(ctx, 'storescp', parts, (dir, log) => storescp(ctx, log, { dir, maxPdu: pdu, env: DCMTK_NODELAY })));
  if (ctx.have.fork) {
    table.add({ id: 'storescp-fork', label: 'storescp --fork', note: 'a child process per association; RSS is that of the largest process' },
      () => concurrentOnce(ctx, 'storescp-fork', parts, (dir, log) => storescp(ctx, log, { dir, maxPdu: pdu, env: DCMTK_NODELAY, fork: true })));
  } else {
    result.notes.push('storescp --fork is not available on this platform: only its single-process mode is measured.');
  }
  // A reference floor (bench/floor-scp.mjs): what Node itself costs, in no target.
  table.add({ id: 'floor', label: 'Node floor SCP (single thread)', note: floorNote('bench/floor-scp.mjs, the least a Node.js SCP does, one thread serving every association') },
    () => concurrentOnce(ctx, 'floor', parts, (dir, log) => floorScp(ctx, log, { dir, maxPdu: pdu })));
  await runInterleaved(ctx, 's3', [table], ctx.options.reps);
  result.tables.push(table.result);
}
