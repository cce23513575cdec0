// Scenario 7: STOW-RS of the small-instance set, then WADO-RS of the study back, with our client
// against our server (scp --http-port) and against Orthanc's DICOMweb plugin (the servers
// compared), and Orthanc's DICOMweb client against our server (the clients compared).
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SmallSet, derivedCache, linkFiles, smallSet } from '../data';
import { Context, DCMTK_NODELAY, OrthancServer, dicomnetScp, orthanc, storescu } from '../peers';
import { Sample, ScenarioResult } from '../results';
import { freePort, waitForPort } from '../../../test/helpers/peers';
import { Server, countFiles, sleep } from '../system';
import { Table, runClient, runInterleaved } from './common';

interface WebServer {
  server: Server;
  base: string;
  /** How many instances it holds. */
  count(): Promise<number>;
  work: string;
}

/** Our server over `dir` (an empty archive in `work` unless given). */
async function ourServer(ctx: Context, work: string, dir = path.join(work, 'archive')): Promise<WebServer> {
  const httpPort = await freePort();
  const log = path.join(work, 'server.log');
  const server = await dicomnetScp(ctx, log, { dir, maxPdu: ctx.options.pdu, httpPort });
  await waitForPort(httpPort, { timeoutMs: 20_000, name: 'the DICOMweb server of dicomnet scp' });
  // The root is whatever the server says it serves on (its log lines are written in batches, so
  // the line can come after the port opens); plain host:port when it has not said so within 10 s.
  const url = new RegExp(`https?://[^\\s"']*:${httpPort}[^\\s"']*`);
  let said = url.exec(readFileSync(log, 'latin1'));
  for (const deadline = Date.now() + 10_000; !said && Date.now() < deadline;) {
    await sleep(10);
    said = url.exec(readFileSync(log, 'latin1'));
  }
  if (!said) ctx.log(`  the DICOMweb server of dicomnet scp did not log its URL within 10 s: using http://127.0.0.1:${httpPort}`);
  const base = (said?.[0] ?? `http://127.0.0.1:${httpPort}`).replace(/\/+$/, '');
  return { server, base, work, count: async () => countFiles(dir) };
}

async function orthancCount(o: OrthancServer): Promise<number> {
  return ((await (await fetch(`${o.url}/statistics`)).json()) as { CountInstances: number }).CountInstances;
}

async function orthancServer(ctx: Context, work: string): Promise<WebServer> {
  const server = await orthanc(ctx, path.join(work, 'orthanc.log'), { storage: path.join(work, 'db'), dicomweb: true });
  return { server, base: `${server.url}/dicom-web`, work, count: () => orthancCount(server) };
}

async function post(url: string, body: unknown): Promise<void> {
  const r = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const text = await r.text();
  if (!r.ok) throw new Error(`POST ${url}: HTTP ${r.status} ${text.slice(0, 300)}`);
}

/** Waits until `count()` reaches `n` (an asynchronous answer), returning when it did. */
async function until(count: () => Promise<number>, n: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const held = await count();
    if (held >= n) return performance.now();
    if (performance.now() > deadline) throw new Error(`${held} of ${n} instances arrived`);
    await sleep(10);
  }
}

/** Caches a copy of the set in each client's source: an Orthanc database, and an archive of ours. */
async function sources(ctx: Context, set: SmallSet): Promise<{ orthancDb: string; ourArchive: string }> {
  const n = set.files.length;
  const orthancDb = await derivedCache(path.join(set.dir, 'orthanc'), `orthanc:${n}`, ctx.log, async (dir) => {
    const work = ctx.runDir('orthanc-load');
    const server = await orthanc(ctx, path.join(work, 'orthanc.log'), { storage: dir });
    try {
      await runClient({ ...ctx, options: { ...ctx.options, runTimeoutMs: 1_800_000 } }, storescu(server.port, [set.filesDir], DCMTK_NODELAY, 'ORTHANC'), path.join(work, 'storescu.log'), 'storescu loading Orthanc');
      const held = await orthancCount(server);
      if (held !== n) throw new Error(`Orthanc holds ${held} of ${n} instances after loading`);
    } finally {
      await server.stop();
    }
  });
  const ourArchive = await derivedCache(path.join(set.dir, 'web-archive'), `archive:${n}`, ctx.log, async (dir) => {
    linkFiles(set.files, dir, (f) => path.join(set.studyInstanceUid, f.seriesInstanceUid, `${f.sopInstanceUid}.dcm`));
  });
  return { orthancDb, ourArchive };
}

export async function dicomweb(ctx: Context, result: ScenarioResult): Promise<void> {
  const canOurs = ctx.have.httpServer;
  const canOrthanc = ctx.have.orthanc && ctx.have.dicomweb !== undefined;
  if (!canOurs) result.notes.push('SKIPPED our DICOMweb server: this build of dicomnet scp has no --http-port option yet, so the rows with dicomnet scp (the reference of the ratios) are missing.');
  if (!canOrthanc) result.notes.push(`SKIPPED Orthanc: ${ctx.have.orthanc ? 'its DICOMweb plugin (Debian package orthanc-dicomweb) is not installed' : 'Orthanc is not installed (Debian packages orthanc, orthanc-dicomweb)'}.`);
  if (!canOurs && !canOrthanc) {
    result.skipped = 'neither our DICOMweb server nor Orthanc with its DICOMweb plugin is available.';
    return;
  }
  const n = ctx.options.sizes.webInstances;
  const set = await smallSet(ctx.options.dataDir, n, ctx.log);
  const stow = new Table(`STOW-RS of ${n} × ${(set.totalBytes / n / 1e6).toFixed(2)} MB instances (each server starts empty)`, 'throughput', 'instances', 'dicomnet', 'STOW');
  const wado = new Table('WADO-RS of that study (dicomnet wado writes files; Orthanc\'s client stores into its database)', 'throughput', 'instances', 'dicomnet', 'WADO');

  // Our client against each server: the STOW row starts the server, the WADO row reads it back and stops it.
  const live = new Map<string, WebServer>();
  const addServer = (id: string, label: string, ours: boolean, start: (work: string) => Promise<WebServer>) => {
    stow.add({ id, label: `dicomnet stow → ${label}`, ours }, async (): Promise<Sample> => {
      const old = live.get(id);
      if (old) { await old.server.stop(); rmSync(old.work, { recursive: true, force: true }); live.delete(id); }
      const work = ctx.runDir(`web-${id}`);
      const web = await start(work);
      live.set(id, web);
      const r = await runClient(ctx, { cmd: ctx.node, args: [ctx.options.cli, 'stow', '--url', web.base, '--input', set.filesDir] }, path.join(work, 'stow.log'), 'dicomnet stow');
      const held = await web.count();
      if (held !== n) throw new Error(`the server holds ${held} of ${n} instances after STOW-RS`);
      return { ms: r.ms, items: n, bytes: set.totalBytes, rssSenderKb: r.rssKb, rssReceiverKb: web.server.peakRssKb() };
    });
    wado.add({ id, label: `dicomnet wado ← ${label}`, ours }, async (): Promise<Sample> => {
      const web = live.get(id);
      if (!web) throw new Error('no server to read from (its STOW-RS run failed)');
      const out = path.join(web.work, 'wado-out');
      try {
        const r = await runClient(ctx, { cmd: ctx.node, args: [ctx.options.cli, 'wado', '--url', web.base, '--study', set.studyInstanceUid, '--output', out, '--quiet'] }, path.join(web.work, 'wado.log'), 'dicomnet wado');
        const got = countFiles(out);
        if (got !== n) throw new Error(`WADO-RS wrote ${got} of ${n} instances`);
        const rssSenderKb = await web.server.stop();
        return { ms: r.ms, items: n, bytes: set.totalBytes, rssReceiverKb: r.rssKb, rssSenderKb };
      } finally {
        await web.server.stop();
        rmSync(web.work, { recursive: true, force: true });
        live.delete(id);
      }
    });
  };
  if (canOurs) addServer('dicomnet', 'dicomnet scp --http-port', true, (work) => ourServer(ctx, work));
  if (canOrthanc) addServer('orthanc', 'Orthanc (DICOMweb plugin)', false, (work) => orthancServer(ctx, work));

  // Orthanc's DICOMweb client against our server: STOW-RS from an Orthanc holding the set, and
  // WADO-RS into an empty Orthanc from our server holding it. Timed from the REST call until
  // every instance is at the other end.
  if (canOurs && canOrthanc) {
    const src = await sources(ctx, set);
    stow.add({ id: 'orthanc-client', label: 'Orthanc DICOMweb client → dicomnet scp --http-port' }, async (): Promise<Sample> => {
      const work = ctx.runDir('web-orthanc-client');
      const ours = await ourServer(ctx, work);
      let client: OrthancServer | undefined;
      try {
        client = await orthanc(ctx, path.join(work, 'orthanc.log'), { storage: src.orthancDb, dicomweb: true, webServers: { dicomnet: ours.base } });
        const studies = (await (await fetch(`${client.url}/studies`)).json()) as string[];
        if (studies.length !== 1) throw new Error(`the source Orthanc holds ${studies.length} studies, not 1`);
        const t0 = performance.now();
        await post(`${client.url}/dicom-web/servers/dicomnet/stow`, { Resources: studies, Synchronous: true });
        const t1 = await until(ours.count, n, 60_000);
        return { ms: t1 - t0, items: n, bytes: set.totalBytes, rssSenderKb: client.peakRssKb(), rssReceiverKb: ours.server.peakRssKb() };
      } finally {
        await client?.stop();
        await ours.server.stop();
        rmSync(work, { recursive: true, force: true });
      }
    });
    wado.add({ id: 'orthanc-client', label: 'Orthanc DICOMweb client ← dicomnet scp --http-port' }, async (): Promise<Sample> => {
      const work = ctx.runDir('web-orthanc-client');
      const ours = await ourServer(ctx, work, src.ourArchive);
      let client: OrthancServer | undefined;
      try {
        client = await orthanc(ctx, path.join(work, 'orthanc.log'), { storage: path.join(work, 'db'), dicomweb: true, webServers: { dicomnet: ours.base } });
        const into = client;
        const t0 = performance.now();
        await post(`${client.url}/dicom-web/servers/dicomnet/retrieve`, { Resources: [{ Study: set.studyInstanceUid }] });
        const t1 = await until(() => orthancCount(into), n, 60_000);
        return { ms: t1 - t0, items: n, bytes: set.totalBytes, rssSenderKb: ours.server.peakRssKb(), rssReceiverKb: client.peakRssKb() };
      } finally {
        await client?.stop();
        await ours.server.stop();
        rmSync(work, { recursive: true, force: true });
      }
    });
    stow.note('The Orthanc client rows compare clients (both send to dicomnet scp); the other rows compare servers (both fed by dicomnet stow).');
    stow.note('dicomnet stow and wado are timed as whole processes (Node start-up included); Orthanc\'s client from its REST call to the last instance arriving.');
  }
  stow.note('RSS sender = the client, receiver = the server; in WADO-RS the server sends.');
  try {
    await runInterleaved(ctx, 's7', [stow, wado], ctx.options.reps);
  } finally {
    for (const web of live.values()) { await web.server.stop(); rmSync(web.work, { recursive: true, force: true }); }
  }
  result.tables.push(stow.result, wado.result);
}
