// Scenario 6: C-MOVE (to a storage SCP, DCMTK's storescp for every row) and C-GET of one study,
// from our SCP and from DCMTK's dcmqrscp, each driven by our CLI and by DCMTK's SCU.
import { readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { derivedCache, linkFiles, smallSet } from '../data';
import { DCMTK_MAX_PDU } from '../../../test/helpers/peers';
import { Context, DCMTK_NODELAY, Started, dcmqrscp, dicomnetScp, storescp, storescu } from '../peers';
import { Sample, ScenarioResult } from '../results';
import { RunSpec, Server, countFiles, waitForFiles } from '../system';
import { Table, oneLine, runClient, runInterleaved } from './common';

function clearFolder(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { recursive: true, force: true });
}

export async function retrieve(ctx: Context, result: ScenarioResult): Promise<void> {
  if (!ctx.have.dcmtk) {
    result.skipped = 'DCMTK (dcmqrscp, storescp, movescu, getscu) is not installed: the storage SCP and the peer are DCMTK tools.';
    return;
  }
  const set = await smallSet(ctx.options.dataDir, ctx.options.sizes.smallInstances, ctx.log);
  const m = Math.min(ctx.options.sizes.retrieveInstances, set.files.length);
  const files = set.files.slice(0, m);
  const bytes = files.reduce((n, f) => n + f.size, 0);
  const study = set.studyInstanceUid;
  const base = path.join(set.dir, `retrieve-${m}`);
  const ourArchive = await derivedCache(path.join(base, 'dicomnet'), `dicomnet:${m}`, ctx.log, async (dir) => {
    linkFiles(files, dir, (_f, i) => path.join(study, files[i].seriesInstanceUid, `${files[i].sopInstanceUid}.dcm`));
  });
  const qrStorage = await derivedCache(path.join(base, 'dcmqrscp'), `dcmqrscp:${m}`, ctx.log, async (dir) => {
    const source = path.join(base, 'source');
    rmSync(source, { recursive: true, force: true });
    linkFiles(files, source, (f) => `${path.basename(path.dirname(f.path))}-${path.basename(f.path)}`);
    const work = ctx.runDir('dcmqrscp-load');
    const server = await dcmqrscp(ctx, path.join(work, 'dcmqrscp.log'), { storage: path.join(dir, 'storage'), maxPdu: ctx.options.pdu });
    try {
      await runClient({ ...ctx, options: { ...ctx.options, runTimeoutMs: 1_800_000 } }, storescu(server.port, [source], DCMTK_NODELAY, 'DCMQRSCP'), path.join(work, 'storescu.log'), 'storescu loading dcmqrscp');
    } finally {
      await server.stop();
    }
  });

  const work = ctx.runDir('retrieve');
  const servers: Server[] = [];
  try {
    const pdu = Math.min(ctx.options.pdu, DCMTK_MAX_PDU);
    const destDir = path.join(work, 'dest');
    const dest = await storescp(ctx, path.join(work, 'dest.log'), { dir: destDir, maxPdu: pdu, env: DCMTK_NODELAY });
    servers.push(dest);
    const destination = `STORESCP=127.0.0.1:${dest.port}`;
    const ours: Started = await dicomnetScp(ctx, path.join(work, 'dicomnet.log'), { dir: ourArchive, maxPdu: ctx.options.pdu, dest: [destination] });
    servers.push(ours);
    const qr: Started = await dcmqrscp(ctx, path.join(work, 'dcmqrscp.log'), { storage: path.join(qrStorage, 'storage'), maxPdu: pdu, destinations: { STORESCP: dest.port } });
    servers.push(qr);

    let runs = 0;
    type Spec = Omit<RunSpec, 'logFile' | 'timeoutMs'>;
    const timedUntil = async (spec: Spec, folder: string, what: string): Promise<Sample> => {
      const t0 = performance.now();
      const r = await runClient(ctx, spec, path.join(work, `scu-${++runs % 20}.log`), what);
      let ms = r.ms;
      if (countFiles(folder) < m) {
        const done = await waitForFiles(folder, m, 30_000);
        if (!done.complete) throw new Error(`${done.count} of ${m} instances arrived: ${oneLine(r.output(), 300)}`);
        ms = done.atMs - t0;
      }
      return { ms, items: m, bytes };
    };
    const moveRow = (spec: Spec, what: string) => async () => {
      clearFolder(destDir);
      return timedUntil(spec, destDir, what);
    };
    const getRow = (spec: (dir: string) => Spec, what: string) => async () => {
      const out = ctx.runDir('get-out');
      try {
        return await timedUntil(spec(out), out, what);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    };
    const keys = ['-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`];
    const cli = (cmd: 'move' | 'get', port: number, aec: string, extra: string[]): Spec => ({
      cmd: ctx.node, args: [ctx.options.cli, cmd, '--host', '127.0.0.1', '--port', String(port), '--aec', aec, '--level', 'STUDY', '-k', `StudyInstanceUID=${study}`, ...extra],
    });
    const movescu = (port: number, aec: string): Spec => ({ cmd: 'movescu', args: ['-S', '-aec', aec, '-aem', 'STORESCP', ...keys, '127.0.0.1', String(port)], env: DCMTK_NODELAY });
    const getscu = (port: number, aec: string, dir: string): Spec => ({ cmd: 'getscu', args: ['-S', '-aec', aec, '-pdu', String(pdu), '-od', dir, ...keys, '127.0.0.1', String(port)], env: DCMTK_NODELAY });

    const move = new Table(`C-MOVE of a ${m}-instance study (${(bytes / 1e6).toFixed(0)} MB) to storescp, SCU start to the last file at the destination`, 'throughput', 'instances', 'dicomnet', 'C-MOVE');
    move.add({ id: 'dicomnet', label: 'dicomnet move → dicomnet scp', ours: true }, moveRow(cli('move', ours.port, 'DICOMNET', ['--dest', 'STORESCP']), 'dicomnet move'));
    move.add({ id: 'dcmqrscp', label: 'movescu → dcmqrscp' }, moveRow(movescu(qr.port, 'DCMQRSCP'), 'movescu'));
    move.add({ id: 'movescu-dicomnet', label: 'movescu → dicomnet scp' }, moveRow(movescu(ours.port, 'DICOMNET'), 'movescu'));
    move.add({ id: 'dicomnet-dcmqrscp', label: 'dicomnet move → dcmqrscp' }, moveRow(cli('move', qr.port, 'DCMQRSCP', ['--dest', 'STORESCP']), 'dicomnet move'));

    const get = new Table(`C-GET of the same study into a folder (SCU max PDU ${pdu})`, 'throughput', 'instances', 'dicomnet', 'C-GET');
    get.add({ id: 'dicomnet', label: 'dicomnet get ← dicomnet scp', ours: true }, getRow((dir) => cli('get', ours.port, 'DICOMNET', ['--output', dir, '--max-pdu', String(pdu)]), 'dicomnet get'));
    get.add({ id: 'dcmqrscp', label: 'getscu ← dcmqrscp' }, getRow((dir) => getscu(qr.port, 'DCMQRSCP', dir), 'getscu'));
    get.add({ id: 'getscu-dicomnet', label: 'getscu ← dicomnet scp' }, getRow((dir) => getscu(ours.port, 'DICOMNET', dir), 'getscu'));
    get.add({ id: 'dicomnet-dcmqrscp', label: 'dicomnet get ← dcmqrscp' }, getRow((dir) => cli('get', qr.port, 'DCMQRSCP', ['--output', dir, '--max-pdu', String(pdu)]), 'dicomnet get'));
    get.note('dicomnet get first asks the SCP which SOP classes to accept (C-FIND: SOP Classes in Study at STUDY level, else SOP Class UID at IMAGE level; dcmqrscp answers neither), as it does by default; getscu proposes a fixed list.');

    await runInterleaved(ctx, 's6', [move, get], ctx.options.reps);
    const rss = ours.peakRssKb();
    if (rss !== undefined) result.notes.push(`dicomnet scp (the archive) peak RSS over the scenario: ${(rss / 1024).toFixed(0)} MB; dcmqrscp forks a process per association.`);
    result.tables.push(move.result, get.result);
  } finally {
    for (const s of servers) await s.stop();
  }
}
