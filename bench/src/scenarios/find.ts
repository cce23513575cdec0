// Scenario 4: C-FIND over an archive of many small studies. The SCPs (ours, Orthanc, and
// dcmqrscp on the archive it can hold) are compared with one SCU, our engine in-process (timed
// from associate to release); the SCUs (our CLI, findscu) are compared against our SCP.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApplicationEntity } from '../../../src/ae/client';
import { findContexts } from '../../../src/ae/retrieve-contexts';
import { Dataset } from '../../../src/dicom/dataset-model';
import { buildIdentifier } from '../../../src/services/query-keys';
import { FindArchive, derivedCache, findArchive, linkFiles } from '../data';
import { Context, DCMTK_NODELAY, Started, dcmqrscp, dicomnetScp, orthanc, storescu } from '../peers';
import { Sample, ScenarioResult, findRow } from '../results';
import { Server } from '../system';
import { Table, belowTarget, oneLine, ratioTarget, runClient, runInterleaved } from './common';

const RETURN_KEYS = ['PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'StudyDescription', 'ReferringPhysicianName', 'StudyInstanceUID'];

function queryKeys(match: string): string[] {
  const [key] = match.split('=');
  return [match, ...['PatientName', ...RETURN_KEYS].filter((k) => k !== key).map((k) => `${k}=`)];
}

function walk(dir: string, base = dir): { path: string; rel: string }[] {
  const out: { path: string; rel: string }[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else if (e.isFile() && e.name.endsWith('.dcm')) out.push({ path: p, rel: path.relative(base, p) });
  }
  return out;
}

/** Loads an archive's files into a running peer with storescu (one association). */
async function loadWithStorescu(ctx: Context, port: number, aec: string, filesDir: string, log: string): Promise<void> {
  await runClient({ ...ctx, options: { ...ctx.options, runTimeoutMs: 3_600_000 } }, storescu(port, [filesDir], DCMTK_NODELAY, aec), log, `storescu loading ${aec}`);
}

interface Archives {
  dicomnet: string;
  orthanc?: string;
  dcmqrscp?: string;
}

async function prepare(ctx: Context, a: FindArchive, withDcmqrscp: boolean): Promise<Archives> {
  const key = `${a.studies}`;
  const dicomnet = await derivedCache(path.join(a.dir, 'dicomnet'), `dicomnet:${key}`, ctx.log, async (dir) => {
    const files = walk(a.filesDir);
    linkFiles(files, dir, (f) => f.rel);
  });
  const out: Archives = { dicomnet };
  if (ctx.have.orthanc && ctx.have.dcmtk) {
    out.orthanc = await derivedCache(path.join(a.dir, 'orthanc'), `orthanc:${key}`, ctx.log, async (dir) => {
      const work = ctx.runDir('orthanc-load');
      const server = await orthanc(ctx, path.join(work, 'orthanc.log'), { storage: dir });
      try {
        await loadWithStorescu(ctx, server.port, 'ORTHANC', a.filesDir, path.join(work, 'storescu.log'));
        const stats = await (await fetch(`${server.url}/statistics`)).json() as { CountStudies: number };
        if (stats.CountStudies !== a.studies) throw new Error(`Orthanc holds ${stats.CountStudies} of ${a.studies} studies after loading`);
      } finally {
        await server.stop();
      }
    });
  }
  if (withDcmqrscp && ctx.have.dcmtk) {
    out.dcmqrscp = await derivedCache(path.join(a.dir, 'dcmqrscp'), `dcmqrscp:${key}`, ctx.log, async (dir) => {
      const work = ctx.runDir('dcmqrscp-load');
      const server = await dcmqrscp(ctx, path.join(work, 'dcmqrscp.log'), { storage: path.join(dir, 'storage'), maxPdu: ctx.options.pdu });
      try {
        await loadWithStorescu(ctx, server.port, 'DCMQRSCP', a.filesDir, path.join(work, 'storescu.log'));
      } finally {
        await server.stop();
      }
    });
  }
  return out;
}

interface Running {
  dicomnet: Started;
  orthanc?: Started;
  dcmqrscp?: Started;
}

export async function findAtScale(ctx: Context, result: ScenarioResult): Promise<void> {
  const { findStudies, findStudiesSmall } = ctx.options.sizes;
  const big = await findArchive(ctx.options.dataDir, findStudies, ctx.log);
  const small = await findArchive(ctx.options.dataDir, findStudiesSmall, ctx.log);
  const bigArchives = await prepare(ctx, big, false);
  const smallArchives = await prepare(ctx, small, true);
  if (!ctx.have.orthanc) result.notes.push('Orthanc is not installed (Debian package orthanc): its rows are missing.');
  if (!ctx.have.dcmtk) result.notes.push('DCMTK is not installed: the dcmqrscp and findscu rows are missing (and Orthanc cannot be loaded without storescu).');

  const work = ctx.runDir('find');
  const servers: { label: string; server: Server }[] = [];
  const start = async (a: Archives, studies: number): Promise<Running> => {
    const dicomnet = await dicomnetScp(ctx, path.join(work, `dicomnet-${studies}.log`), { dir: a.dicomnet, maxPdu: ctx.options.pdu });
    servers.push({ label: `dicomnet scp (${studies} studies)`, server: dicomnet });
    const running: Running = { dicomnet };
    if (a.orthanc) {
      running.orthanc = await orthanc(ctx, path.join(work, `orthanc-${studies}.log`), { storage: a.orthanc });
      servers.push({ label: `Orthanc (${studies} studies)`, server: running.orthanc });
    }
    if (a.dcmqrscp) {
      running.dcmqrscp = await dcmqrscp(ctx, path.join(work, `dcmqrscp-${studies}.log`), { storage: path.join(a.dcmqrscp, 'storage'), maxPdu: ctx.options.pdu });
      servers.push({ label: `dcmqrscp (${studies} studies)`, server: running.dcmqrscp });
    }
    return running;
  };
  try {
    const bigRun = await start(bigArchives, big.studies);
    const smallRun = await start(smallArchives, small.studies);
    const ae = new ApplicationEntity({ aeTitle: 'BENCH', maxPduLength: ctx.options.pdu });
    const findOnce = (port: number, aec: string, identifier: Dataset, expected: number) => async (): Promise<Sample> => {
      const t0 = performance.now();
      const client = await ae.associate({ host: '127.0.0.1', port, calledAeTitle: aec, contexts: findContexts('study') });
      let n = 0;
      try {
        for await (const match of client.find(identifier, { model: 'study' })) { void match; n++; }
      } finally {
        await client.releaseOrAbort();
      }
      const ms = performance.now() - t0;
      if (n !== expected) throw new Error(`${n} responses, expected ${expected}`);
      return { ms, items: n };
    };
    const all = buildIdentifier(queryKeys('PatientName=*'), { model: 'study', level: 'STUDY', defaultKeys: false });
    const tables: Table[] = [];
    const scpTables = (a: FindArchive, r: Running, label: string) => {
      const selectiveId = buildIdentifier(queryKeys(`PatientID=${a.selectivePatientId}`), { model: 'study', level: 'STUDY', defaultKeys: false });
      const full = new Table(`${label}: STUDY level PatientName=* to the last response (SCU: our engine, in-process)`, 'throughput', 'responses', 'dicomnet', `${a.studies} PatientName=*`);
      const sel = new Table(`${label}: selective query PatientID=${a.selectivePatientId}, associate to release (SCU: our engine, in-process)`, 'latency', 'responses', 'dicomnet', `${a.studies} selective`);
      full.add({ id: 'dicomnet', label: 'dicomnet scp', ours: true }, findOnce(r.dicomnet.port, 'DICOMNET', all, a.studies));
      sel.add({ id: 'dicomnet', label: 'dicomnet scp', ours: true }, findOnce(r.dicomnet.port, 'DICOMNET', selectiveId, 1));
      if (r.orthanc) {
        full.add({ id: 'orthanc', label: 'Orthanc' }, findOnce(r.orthanc.port, 'ORTHANC', all, a.studies));
        sel.add({ id: 'orthanc', label: 'Orthanc' }, findOnce(r.orthanc.port, 'ORTHANC', selectiveId, 1));
      }
      if (r.dcmqrscp) {
        full.add({ id: 'dcmqrscp', label: 'dcmqrscp' }, findOnce(r.dcmqrscp.port, 'DCMQRSCP', all, a.studies));
        sel.add({ id: 'dcmqrscp', label: 'dcmqrscp' }, findOnce(r.dcmqrscp.port, 'DCMQRSCP', selectiveId, 1));
      }
      tables.push(full, sel);
      return { full, sel };
    };
    const bigTables = scpTables(big, bigRun, `${big.studies} studies`);
    scpTables(small, smallRun, `${small.studies} studies (dcmqrscp holds at most 500)`);

    // The SCUs, as processes (start-up included), against our SCP with the big archive.
    let runs = 0;
    const processFind = (cmd: string, args: string[], env: NodeJS.ProcessEnv | undefined, expected: number, count?: (out: string) => number | undefined) => async (): Promise<Sample> => {
      const r = await runClient(ctx, { cmd, args, env }, path.join(work, `scu-${++runs}.log`), path.basename(cmd));
      const n = count?.(r.fullOutput());
      if (n !== undefined && n !== expected) throw new Error(`${n} responses, expected ${expected}`);
      return { ms: r.ms, items: expected, rssSenderKb: r.rssKb };
    };
    const port = String(bigRun.dicomnet.port);
    const cliArgs = (match: string) => [ctx.options.cli, 'find', '--host', '127.0.0.1', '--port', port, '--aec', 'DICOMNET', '--level', 'STUDY', '--no-default-keys',
      ...queryKeys(match).flatMap((k) => ['-k', k])];
    const findscuCount = (out: string) => (out.match(/Find Response: \d+ \(Pending\)/g) ?? []).length;
    const cliCount = (out: string) => { const m = /(\d+) match(es)? in/.exec(out); return m ? Number(m[1]) : undefined; };
    const findscuArgs = (match: string) => ['-S', '-aec', 'DICOMNET', '-k', 'QueryRetrieveLevel=STUDY', ...queryKeys(match).flatMap((k) => ['-k', k.endsWith('=') ? k.slice(0, -1) : k]), '127.0.0.1', port];
    const selective = `PatientID=${big.selectivePatientId}`;
    const scuTable = (match: string, expected: number, what: string): Table => {
      const scu = new Table(`SCUs as processes against dicomnet scp (${big.studies} studies), ${what} (process start included; output to a file)`, 'latency', 'responses', 'dicomnet-find', `SCU ${what}`);
      scu.add({ id: 'dicomnet-find', label: 'dicomnet find', ours: true }, processFind(ctx.node, cliArgs(match), undefined, expected, cliCount));
      if (ctx.have.dcmtk) scu.add({ id: 'findscu', label: 'findscu' }, processFind('findscu', findscuArgs(match), DCMTK_NODELAY, expected, findscuCount));
      return scu;
    };
    tables.push(scuTable('PatientName=*', big.studies, 'PatientName=*'));
    // A selective query as a process lasts tens of ms, start-up most of it: as scenario 5's processes,
    // it is run as many times as an echo (interleaved), so that its median is not one of --reps.
    const selectiveScu = scuTable(selective, 1, 'selective query');

    await runInterleaved(ctx, 's4', tables, ctx.options.reps);
    await runInterleaved(ctx, 's4', [selectiveScu], ctx.options.sizes.echoes, { quiet: true });
    tables.push(selectiveScu);
    const rss = servers.map((s) => ({ label: s.label, kb: s.server.peakRssKb() })).filter((s) => s.kb !== undefined);
    if (rss.length) result.notes.push(`peak RSS of the SCPs over the scenario: ${rss.map((s) => `${s.label} ${(s.kb! / 1024).toFixed(0)} MB`).join(', ')}; dcmqrscp forks a process per association.`);
    result.tables.push(...tables.map((t) => t.result));

    const oursFull = findRow(bigTables.full.result, 'orthanc')?.oursFaster;
    const selectiveMs = findRow(bigTables.sel.result, 'dicomnet')?.medianMs;
    result.targets.push(
      ratioTarget(`dicomnet scp answers the full ${big.studies}-study query at least 2× faster than Orthanc`, oursFull, 2),
      belowTarget(`selective query (${big.studies} studies) under 50 ms end to end (associate to release)`, selectiveMs, 50, 'ms'),
    );
  } finally {
    for (const s of servers) await s.server.stop().catch((e: Error) => ctx.log(`  stopping ${s.label}: ${oneLine(e.message)}`));
  }
}
