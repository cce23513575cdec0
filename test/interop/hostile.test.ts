// Issue 20 against `dicomnet scp` with DCMTK's tools as the real peers: silent connections never
// take an association slot, a flood from the peer's own address never locks it out, refusals are
// logged once per address, a flood during a long C-STORE loses nothing, and --max-associations-per-ae
// makes a busy AE wait its turn while another is served.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApplicationEntity } from '../../src/ae/client';
import { verificationContext } from '../../src/ae/requestor';
import { encodePdu } from '../../src/net/pdu-encode';
import { dicomnet, run, startScp } from '../helpers/processes';
import { datasetBytes, writeSyntheticInstance, GeneratedInstance } from '../helpers/dicom-files';
import { Flood, SilentConnection, openSilent } from '../helpers/flood';
import { within } from '../helpers/wait';

const DCMTK_ENV = { TCP_NODELAY: '1' };
const refusalLines = (output: string, cause: string) => output.split('\n').filter((l) => l.startsWith(`refused 127.0.0.1 [${cause}]`));

describe('silent connections against dicomnet scp', () => {
  test('more silent connections than --max-associations: echoscu and dicomnet echo are accepted at once', async () => {
    // An ARTIM far longer than the test: the silent connections are all still waiting when the
    // real peers are served, however slowly a loaded machine runs them.
    const scp = await startScp(['--max-associations', '2', '--artim-timeout', '600']);
    const silent: SilentConnection[] = [];
    try {
      for (let i = 0; i < 12; i++) silent.push(await openSilent(scp.port));
      const [echoscu, ours] = await Promise.all([
        run('echoscu', ['-aec', 'DICOMNET', '127.0.0.1', String(scp.port)], { env: DCMTK_ENV }),
        dicomnet(['echo', '127.0.0.1', String(scp.port), '--aec', 'DICOMNET']),
      ]);
      assert.equal(echoscu.code, 0, echoscu.stdout + echoscu.stderr);
      assert.equal(ours.code, 0, ours.stderr);
      assert.ok(silent.every((s) => !s.isClosed()), 'a silent connection was closed while the real peers were served');
    } finally {
      for (const s of silent) s.socket.destroy();
      await scp.stop();
    }
  });

  test('silent connections are closed by --artim-timeout; one log line', async () => {
    const scp = await startScp(['--max-associations', '2', '--artim-timeout', '2']);
    const silent: SilentConnection[] = [];
    try {
      for (let i = 0; i < 12; i++) silent.push(await openSilent(scp.port));
      await within('the silent connections to be closed by the ARTIM timer', Promise.all(silent.map((s) => s.closed)), 20_000);
      await scp.waitFor(/refused 127\.0\.0\.1 \[artim\]: no A-ASSOCIATE-RQ within 2 s/);
      assert.equal(refusalLines(scp.output(), 'artim').length, 1, scp.output());
    } finally {
      for (const s of silent) s.socket.destroy();
      await scp.stop();
    }
  });

  test('--max-waiting-per-source where the flood and echoscu share 127.0.0.1: the oldest silent ones are closed and echoscu gets in', async () => {
    const scp = await startScp(['--max-waiting-per-source', '4', '--artim-timeout', '60']);
    const silent: SilentConnection[] = [];
    try {
      for (let i = 0; i < 10; i++) silent.push(await openSilent(scp.port));
      await within('the 6 oldest silent connections to be closed', Promise.all(silent.slice(0, 6).map((s) => s.closed)));
      const echoscu = await run('echoscu', ['127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.equal(echoscu.code, 0, echoscu.stdout + echoscu.stderr);
      // It pushed out at most the oldest silent one (none when it spoke before the bound was enforced).
      const closed = silent.filter((s) => s.isClosed()).length;
      assert.ok(closed <= 7, `${closed} silent connections were closed`);
      assert.deepEqual(silent.map((s) => s.isClosed()), [...Array(closed).fill(true), ...Array(10 - closed).fill(false)]);
      await scp.waitFor(/refused 127\.0\.0\.1 \[source-limit\]: closed to make room/);
      assert.equal(refusalLines(scp.output(), 'source-limit').length, 1, scp.output());
    } finally {
      for (const s of silent) s.socket.destroy();
      await scp.stop();
    }
  });

  test('an open-file limit below the waiting bounds: silent connections cannot use up the descriptors, and echoscu gets in', async () => {
    // At 512 open files the default bounds (1,024 waiting per address) would let 600 silent
    // connections take every descriptor: accept() would fail and each new connection be dropped.
    const flood = 600;
    const scp = await startScp(['--max-associations', '4', '--artim-timeout', '600'], { openFileLimit: 512 });
    const silent: SilentConnection[] = [];
    try {
      const [, room] = await scp.waitFor(/the open-file limit \(512\) leaves room for (\d+) connections waiting/);
      const waiting = Number(room);
      assert.ok(waiting >= 16 && waiting < flood, `room for ${waiting} waiting connections`);
      for (let i = 0; i < flood; i++) silent.push(await openSilent(scp.port));
      await within(`the ${flood - waiting} oldest silent connections to be closed`, Promise.all(silent.slice(0, flood - waiting).map((s) => s.closed)));
      const echoscu = await run('echoscu', ['-aec', 'DICOMNET', '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.equal(echoscu.code, 0, echoscu.stdout + echoscu.stderr);
      assert.ok(silent.slice(-waiting + 1).every((s) => !s.isClosed()), 'a silent connection newer than the room was closed');
    } finally {
      for (const s of silent) s.socket.destroy();
      await scp.stop();
    }
  });
});

describe('nothing lost under a flood', () => {
  test('silent, slow and short-association floods during a storescu of 120 instances: every instance stored and complete', async () => {
    const input = mkdtempSync(path.join(tmpdir(), 'dicomnet-flood-in-'));
    const dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-flood-scp-'));
    const scp = await startScp(['--dir', dir, '--max-waiting-per-source', '16', '--artim-timeout', '2']);
    const rq = encodePdu(new ApplicationEntity({ aeTitle: 'SLOW' }).buildRequest({ host: '', port: 0, calledAeTitle: 'DICOMNET', contexts: [verificationContext()] }));
    const busy = new ApplicationEntity({ aeTitle: 'BUSY' });
    // The silent and slow floods come from 127.0.0.2, storescu from 127.0.0.1. Sharing one address,
    // the rule that closes the oldest waiting connection can close storescu's before its
    // A-ASSOCIATE-RQ is read, when a loaded machine holds storescu back longer than 16 flood
    // connections take to arrive (the limit the README states; the per-source test above covers a
    // shared address). This test is about what the floods do to a running C-STORE.
    const floods = [
      new Flood({ port: scp.port, localAddress: '127.0.0.2', kind: 'silent', concurrency: 40 }),
      new Flood({ port: scp.port, localAddress: '127.0.0.2', kind: 'slow', concurrency: 10, bytes: rq, intervalMs: 50 }),
      new Flood({ port: scp.port, kind: 'short', concurrency: 2, association: () => busy.echo({ host: '127.0.0.1', port: scp.port, calledAeTitle: 'DICOMNET' }) }),
    ];
    try {
      const instances: GeneratedInstance[] = [];
      for (let i = 0; i < 120; i++) instances.push(await writeSyntheticInstance(path.join(input, `${i}.dcm`), 64 * 1024));
      for (const f of floods) f.start();
      const r = await run('storescu', ['-aec', 'DICOMNET', '+sd', '127.0.0.1', String(scp.port), input], { env: DCMTK_ENV, timeoutMs: 300_000 });
      for (const f of floods) await f.stop();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(floods[0]!.ended > 0 && floods[2]!.started > 0, 'the floods never got going');
      for (const i of instances) {
        const stored = path.join(dir, i.studyInstanceUid, i.seriesInstanceUid, `${i.sopInstanceUid}.dcm`);
        assert.ok(existsSync(stored), `${stored} is missing`);
        assert.ok((await datasetBytes(stored)).equals(await datasetBytes(i.path)), `${stored} differs from what was sent`);
      }
      assert.deepEqual(readdirSync(path.join(dir, '.incoming')), []);
      const after = await run('echoscu', ['127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      assert.equal(after.code, 0, after.stderr);
    } finally {
      for (const f of floods) await f.stop();
      await scp.stop();
      rmSync(input, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a calling AE\'s share of associations', () => {
  test('--max-associations-per-ae 1: echoscu waits while its AE has an association, dicomnet echo from another AE is served meanwhile, then echoscu is', async () => {
    const scp = await startScp(['--max-associations-per-ae', '1', '--verbose']);
    try {
      const holder = await new ApplicationEntity({ aeTitle: 'ECHOSCU' })
        .associate({ host: '127.0.0.1', port: scp.port, calledAeTitle: 'DICOMNET', contexts: [verificationContext()] });
      let echoscuDone = false;
      const echoscu = run('echoscu', ['-aec', 'DICOMNET', '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      void echoscu.then(() => { echoscuDone = true; });
      await scp.waitFor(/from ECHOSCU@\S+ waits: ECHOSCU at 127\.0\.0\.1 has 1 associations established \(the per-AE limit\)/);
      const ours = await dicomnet(['echo', '127.0.0.1', String(scp.port), '--aec', 'DICOMNET', '--aet', 'OTHER']);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(echoscuDone, false, 'echoscu was served while its AE already had its one association');
      await holder.release();
      const r = await echoscu;
      assert.equal(r.code, 0, r.stdout + r.stderr);
    } finally {
      await scp.stop();
    }
  });

  test('the fair share: echoscu waits while its AE has 2 associations and another AE is served, and is served when one ends', async () => {
    // Held whatever this SCP's load (the default holds only while it is 20 % busy).
    const scp = await startScp(['--verbose', '--fair-share-busy', '0']);
    const target = { host: '127.0.0.1', port: scp.port, calledAeTitle: 'DICOMNET', contexts: [verificationContext()] };
    try {
      const echoscuAe = new ApplicationEntity({ aeTitle: 'ECHOSCU' });
      const holders = [await echoscuAe.associate(target), await echoscuAe.associate(target)];
      const peer = await new ApplicationEntity({ aeTitle: 'OTHER' }).associate(target);
      let echoscuDone = false;
      const echoscu = run('echoscu', ['-aec', 'DICOMNET', '127.0.0.1', String(scp.port)], { env: DCMTK_ENV });
      void echoscu.then(() => { echoscuDone = true; });
      await scp.waitFor(/from ECHOSCU@\S+ waits: ECHOSCU at 127\.0\.0\.1 has 2 associations established \(the fair share while other AEs are served\)/);
      assert.equal(echoscuDone, false, 'echoscu was served while its AE had its share and another AE was served');
      await holders[0]!.release();
      const r = await echoscu;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      await holders[1]!.release();
      await peer.release();
    } finally {
      await scp.stop();
    }
  });
});
