// Scenarios 1 and 2: C-STORE over one association, between every pair of implementations.
import * as path from 'node:path';
import { DCMTK_MAX_PDU } from '../../../test/helpers/peers';
import { SmallSet, linkFiles, largeInstance, smallSet } from '../data';
import {
  Context, DCMTK_DEFAULT_ENV, DCMTK_NODELAY, Started, dcmjsScp, dcmjsStore, dicomnetScp, dicomnetStore, floorScp, floorStore, storescp, storescu,
} from '../peers';
import { ScenarioResult, findRow } from '../results';
import { Table, belowTarget, floorNote, ratioTarget, runInterleaved, storeOnce } from './common';

interface Input {
  path: string;
  items: number;
  bytes: number;
}

interface PairOptions {
  /** Max PDU of the receivers (DCMTK's are capped at 131072). */
  pdu: number;
  input: Input;
  /** A smaller input for DCMTK without TCP_NODELAY (it stalls ~40 ms per message). */
  nagleInput: Input;
  /** Also measure storescp +B (bit-preserving: written as received, not read into memory first). */
  bitPreserving?: boolean;
  /** The slowest peer may send a smaller input, and get fewer repetitions. */
  dcmjsInput?: Input;
  dcmjsMaxReps?: number;
  dcmjsNote?: string;
}

/** How a row names a max PDU other than DCMTK's (which every row uses unless it says). */
function labelOfPdu(pdu: number): string {
  if (pdu === DCMTK_MAX_PDU) return '';
  return pdu % 2 ** 20 === 0 ? ` (PDU ${pdu / 2 ** 20} MiB)` : ` (PDU ${pdu / 1024} KiB)`;
}

function addPairs(ctx: Context, table: Table, o: PairOptions): void {
  const pduLabel = labelOfPdu(o.pdu);
  const ours = (id: string, pdu: number, label: string) => table.add({ id, label, ours: id === table.result.reference }, () => storeOnce(ctx, id, {
    receiver: (dir, log) => dicomnetScp(ctx, log, { dir, maxPdu: pdu }),
    sender: (port) => dicomnetStore(ctx, port, o.input.path),
    items: o.input.items, bytes: o.input.bytes, what: 'dicomnet store',
  }));
  ours('dicomnet', o.pdu, `dicomnet → dicomnet${pduLabel}`);
  if (ctx.have.dcmtk) {
    table.add({ id: 'dcmtk', label: 'storescu → storescp, TCP_NODELAY=1' }, () => storeOnce(ctx, 'dcmtk', {
      receiver: (dir, log) => storescp(ctx, log, { dir, maxPdu: o.pdu, env: DCMTK_NODELAY }),
      sender: (port) => storescu(port, [o.input.path], DCMTK_NODELAY),
      items: o.input.items, bytes: o.input.bytes, what: 'storescu',
    }));
    if (o.bitPreserving) {
      table.add({ id: 'dcmtk-bp', label: 'storescu → storescp +B, TCP_NODELAY=1' }, () => storeOnce(ctx, 'dcmtk-bp', {
        receiver: (dir, log) => storescp(ctx, log, { dir, maxPdu: o.pdu, env: DCMTK_NODELAY, bitPreserving: true }),
        sender: (port) => storescu(port, [o.input.path], DCMTK_NODELAY),
        items: o.input.items, bytes: o.input.bytes, what: 'storescu',
      }));
    }
    const nagle = o.nagleInput;
    table.add({
      id: 'dcmtk-nagle', label: 'storescu → storescp, TCP_NODELAY unset',
      note: nagle.items < o.input.items ? `${nagle.items} instances only (each waits for a delayed ACK); rates and the ratio are per instance` : undefined,
    }, () => storeOnce(ctx, 'dcmtk-nagle', {
      receiver: (dir, log) => storescp(ctx, log, { dir, maxPdu: o.pdu, env: DCMTK_DEFAULT_ENV }),
      sender: (port) => storescu(port, [nagle.path], DCMTK_DEFAULT_ENV),
      items: nagle.items, bytes: nagle.bytes, what: 'storescu',
    }));
    table.add({ id: 'dicomnet-storescp', label: 'dicomnet → storescp' }, () => storeOnce(ctx, 'dicomnet-storescp', {
      receiver: (dir, log) => storescp(ctx, log, { dir, maxPdu: o.pdu, env: DCMTK_NODELAY }),
      sender: (port) => dicomnetStore(ctx, port, o.input.path),
      items: o.input.items, bytes: o.input.bytes, what: 'dicomnet store',
    }));
    table.add({ id: 'storescu-dicomnet', label: 'storescu → dicomnet' }, () => storeOnce(ctx, 'storescu-dicomnet', {
      receiver: (dir, log) => dicomnetScp(ctx, log, { dir, maxPdu: o.pdu }),
      sender: (port) => storescu(port, [o.input.path], DCMTK_NODELAY),
      items: o.input.items, bytes: o.input.bytes, what: 'storescu',
    }));
  }
  if (ctx.have.dcmjs) {
    const input = o.dcmjsInput ?? o.input;
    table.add({ id: 'dcmjs', label: 'dcmjs-dimse → dcmjs-dimse', maxReps: o.dcmjsMaxReps, note: o.dcmjsNote }, () => storeOnce(ctx, 'dcmjs', {
      receiver: (dir, log) => dcmjsScp(ctx, log, { dir, maxPdu: o.pdu }),
      sender: (port) => dcmjsStore(ctx, port, input.path),
      items: input.items, bytes: input.bytes, what: 'dcmjs-dimse store-scu',
    }));
  }
}

/**
 * The Node floor (bench/floor-scp.mjs, bench/floor-scu.mjs): reference rows that tell what Node
 * itself costs from what our code adds. Never the reference row and in no target. The floor SCP
 * writes `<SOP Instance UID>.dcm` into the receiver's folder, counted as every receiver's files.
 * `pdus`: the max PDU of each floor → floor row (the first also gets storescu → floor SCP).
 */
function addFloors(ctx: Context, table: Table, input: Input, pdus: number[]): void {
  if (ctx.have.dcmtk) {
    const pdu = pdus[0];
    table.add({ id: 'storescu-floor', label: `storescu → Node floor SCP${labelOfPdu(pdu)}`, note: floorNote('bench/floor-scp.mjs, the least a Node.js SCP does') },
      () => storeOnce(ctx, 'storescu-floor', {
        receiver: (dir, log) => floorScp(ctx, log, { dir, maxPdu: pdu }),
        sender: (port) => storescu(port, [input.path], DCMTK_NODELAY),
        items: input.items, bytes: input.bytes, what: 'storescu',
      }));
  }
  pdus.forEach((pdu, i) => {
    const id = i === 0 ? 'floor' : `floor-pdu-${pdu}`;
    // floor-scu.mjs reads 4 MiB at a time and sends no PDU larger than that.
    const capped = pdu > 4 * 2 ** 20 ? '; its SCU sends PDUs of at most 4 MiB (its read size)' : '';
    table.add({
      id, label: `Node floor SCU → Node floor SCP${labelOfPdu(pdu)}`,
      note: floorNote('bench/floor-scu.mjs → bench/floor-scp.mjs, the least a Node.js SCU and SCP do, the SCU sending PDUs of the SCP\'s max PDU') + capped,
    }, () => storeOnce(ctx, id, {
      receiver: (dir, log) => floorScp(ctx, log, { dir, maxPdu: pdu }),
      sender: (port) => floorStore(ctx, port, input.path),
      items: input.items, bytes: input.bytes, what: 'floor-scu.mjs',
    }));
  });
}

/**
 * storescu into a receiver that has been running: it first takes `first` (another study, untimed),
 * then `set` is timed. A fresh process runs our code unoptimized while V8 warms up; an SCP left
 * running has done that. Reference rows, in no target: the targets compare fresh receivers.
 */
function addRunningReceivers(ctx: Context, table: Table, set: SmallSet, first: SmallSet): void {
  const n = set.files.length;
  const note = `the receiver first took the ${first.files.length} instances of another study from storescu (untimed), as a running SCP has; in no target`;
  const before = { sender: (port: number) => storescu(port, [first.filesDir], DCMTK_NODELAY), items: first.files.length, what: 'storescu (first study)' };
  const rows: [string, string, (dir: string, log: string) => Promise<Started>][] = [
    ['storescu-dicomnet-running', 'storescu → dicomnet, running', (dir, log) => dicomnetScp(ctx, log, { dir, maxPdu: ctx.options.pdu })],
    ['dcmtk-running', 'storescu → storescp, running, TCP_NODELAY=1', (dir, log) => storescp(ctx, log, { dir, maxPdu: ctx.options.pdu, env: DCMTK_NODELAY })],
  ];
  for (const [id, label, receiver] of rows) {
    table.add({ id, label: `${label} (after ${first.files.length} others)`, note }, () => storeOnce(ctx, id, {
      receiver, before, sender: (port) => storescu(port, [set.filesDir], DCMTK_NODELAY), items: n, bytes: set.totalBytes, what: 'storescu',
    }));
  }
}

function missingPeers(ctx: Context): string[] {
  const notes: string[] = [];
  if (!ctx.have.dcmtk) notes.push('DCMTK (storescu/storescp) is not installed: its rows are missing (Debian package dcmtk).');
  if (!ctx.have.dcmjs) notes.push('dcmjs-dimse is not installed (npm ci installs it as a dev dependency): its row is missing.');
  return notes;
}

export async function storeSmall(ctx: Context, result: ScenarioResult): Promise<void> {
  const n = ctx.options.sizes.smallInstances;
  const set = await smallSet(ctx.options.dataDir, n, ctx.log);
  const nagleCount = Math.min(n, ctx.options.sizes.noDelayOffInstances);
  const nagleFiles = set.files.slice(0, nagleCount);
  const nagleDir = path.join(set.dir, 'subsets', `first-${nagleCount}`);
  linkFiles(nagleFiles, nagleDir, (f) => path.basename(f.path));
  const table = new Table(`${n} × ${(set.totalBytes / n / 1e6).toFixed(2)} MB CT instances over one association (max PDU ${ctx.options.pdu} on every receiver)`, 'throughput', 'instances', 'dicomnet');
  addPairs(ctx, table, {
    pdu: ctx.options.pdu,
    input: { path: set.filesDir, items: n, bytes: set.totalBytes },
    nagleInput: { path: nagleDir, items: nagleCount, bytes: nagleFiles.reduce((s, f) => s + f.size, 0) },
    // About 35 times slower than the rest: two runs are enough to place it.
    dcmjsMaxReps: 2,
    dcmjsNote: ctx.options.reps > 2 ? 'at most 2 runs (it takes ~35 times as long as the others)' : undefined,
  });
  addFloors(ctx, table, { path: set.filesDir, items: n, bytes: set.totalBytes }, [ctx.options.pdu]);
  if (ctx.have.dcmtk) addRunningReceivers(ctx, table, set, await smallSet(ctx.options.dataDir, n, ctx.log, 'second'));
  result.notes.push(...missingPeers(ctx));
  await runInterleaved(ctx, 's1', [table], ctx.options.reps);
  result.tables.push(table.result);

  const t = table.result;
  const ours = findRow(t, 'dicomnet');
  result.targets.push(
    ratioTarget('dicomnet → dicomnet at least 1.0× storescu → storescp (TCP_NODELAY=1)', findRow(t, 'dcmtk')?.oursFaster, 1.0),
    ratioTarget('dicomnet → dicomnet at least 20× dcmjs-dimse → dcmjs-dimse', findRow(t, 'dcmjs')?.oursFaster, 20),
    belowTarget('dicomnet sender peak RSS under 100 MB', ours?.rssSenderMb, 100, 'MB'),
    belowTarget('dicomnet receiver peak RSS under 100 MB', ours?.rssReceiverMb, 100, 'MB'),
  );
}

export async function storeLarge(ctx: Context, result: ScenarioResult): Promise<void> {
  const large = await largeInstance(ctx.options.dataDir, ctx.options.sizes.largeBytes, ctx.log);
  const input = { path: large.path, items: 1, bytes: large.size };
  const table = new Table(`One ${(large.size / 2 ** 20).toFixed(0)} MiB multi-frame instance (${large.frames} frames; max PDU ${ctx.options.pdu} unless stated)`, 'throughput', 'instances', 'dicomnet');
  // dcmjs-dimse holds the whole data set in memory on both sides, several times over: it gets a
  // smaller instance (compared per byte) and fewer runs.
  const dcmjsLarge = ctx.have.dcmjs ? await largeInstance(ctx.options.dataDir, Math.min(ctx.options.sizes.dcmjsLargeBytes, ctx.options.sizes.largeBytes), ctx.log) : undefined;
  addPairs(ctx, table, {
    pdu: ctx.options.pdu, input, nagleInput: input, bitPreserving: true,
    dcmjsInput: dcmjsLarge && { path: dcmjsLarge.path, items: 1, bytes: dcmjsLarge.size },
    dcmjsMaxReps: 2,
    dcmjsNote: dcmjsLarge && dcmjsLarge.size < large.size
      ? `a ${(dcmjsLarge.size / 2 ** 20).toFixed(0)} MiB instance and at most 2 runs (it parses the whole instance in memory on both sides); compared per byte`
      : 'at most 2 runs (it parses the whole instance in memory on both sides)',
  });
  const bigPdu = ctx.options.largePdu;
  table.add({ id: 'dicomnet-large-pdu', label: `dicomnet → dicomnet${labelOfPdu(bigPdu)}` }, () => storeOnce(ctx, 'dicomnet-large-pdu', {
    receiver: (dir, log) => dicomnetScp(ctx, log, { dir, maxPdu: bigPdu }),
    sender: (port) => dicomnetStore(ctx, port, large.path),
    items: 1, bytes: large.size, what: 'dicomnet store',
  }));
  addFloors(ctx, table, input, [ctx.options.pdu, bigPdu]);
  result.notes.push(...missingPeers(ctx));
  await runInterleaved(ctx, 's2', [table], ctx.options.reps);
  result.tables.push(table.result);

  const t = table.result;
  const ours = findRow(t, 'dicomnet');
  const big = findRow(t, 'dicomnet-large-pdu');
  const rss = (a?: number, b?: number) => (a === undefined && b === undefined ? undefined : Math.max(a ?? 0, b ?? 0));
  // Against DCMTK's faster mode in this run (storescp with or without +B).
  const vsDcmtk = [findRow(t, 'dcmtk')?.oursFaster, findRow(t, 'dcmtk-bp')?.oursFaster].filter((x): x is number => x !== undefined);
  result.targets.push(
    ratioTarget(`dicomnet → dicomnet at least 1.0× storescu → storescp (the faster of default and +B) at the same max PDU (${Math.min(ctx.options.pdu, DCMTK_MAX_PDU)})`,
      ctx.options.pdu <= DCMTK_MAX_PDU && vsDcmtk.length ? Math.min(...vsDcmtk) : undefined, 1.0),
    belowTarget('dicomnet sender peak RSS under 150 MB', rss(ours?.rssSenderMb, big?.rssSenderMb), 150, 'MB'),
    belowTarget('dicomnet receiver peak RSS under 150 MB', rss(ours?.rssReceiverMb, big?.rssReceiverMb), 150, 'MB'),
    big?.mbPerSecond === undefined
      ? { text: 'at least 2 GB/s with large PDUs', measured: 'not measured', met: null }
      : { text: `at least 2 GB/s with large PDUs (${bigPdu / 2 ** 20} MiB)`, measured: `${(big.mbPerSecond / 1000).toFixed(2)} GB/s`, met: big.mbPerSecond >= 2000 },
  );
}
