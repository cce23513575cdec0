// The dicomnet executable sends echo, find and get (with their aliases) to bundles of their own
// (src/cli/bundles.ts): each name is run by its bundle, with the same output and exit code as the
// full tool gives, and every other name by the full tool.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMMAND_BUNDLES, bundleFor } from '../../../src/cli/bundles';
import { DicomServer } from '../../../src/ae/server';
import { freePort } from '../../helpers/peers';
import { CLI, REPO_ROOT, RunResult, dicomnet, run, startScp } from '../../helpers/processes';
import { writeSyntheticInstance } from '../../helpers/dicom-files';

const FULL_TOOL = path.join(REPO_ROOT, 'dist', 'cli-main.js');

/** The .dcm files under a folder (relative path → bytes), sorted by path; none when it does not exist. */
function dicomFilesUnder(root: string): Map<string, Buffer> {
  if (!existsSync(root)) return new Map();
  const names = (readdirSync(root, { recursive: true }) as string[]).filter((name) => name.endsWith('.dcm')).sort();
  return new Map(names.map((name) => [name, readFileSync(path.join(root, name))]));
}

describe('dicomnet command bundles', () => {
  let dir = '';
  let server: DicomServer;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-bundles-'));
    server = new DicomServer({ aeTitle: 'SERVER', port: 0 });
    await server.listen();
  });
  after(async () => {
    await server.close(100);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The executable's run, and which bundle it loaded (from the code cache's report). */
  async function viaExecutable(args: string[]): Promise<{ result: RunResult; bundle: string }> {
    const result = await dicomnet(args, { env: { DICOMNET_CACHE_DIR: dir, DICOMNET_CODE_CACHE: 'verbose' } });
    const report = /^dicomnet: code cache [\w ]+: .*[/\\](cli_\w+_js)-[\w-]+\.cache$/m.exec(result.stderr);
    assert.ok(report, `no code cache report on stderr of dicomnet ${args.join(' ')}: ${result.stderr}`);
    return { result: { ...result, stderr: result.stderr.replace(report[0], '').trim() }, bundle: report[1]!.replace(/_js$/, '.js').replace(/_/g, '-') };
  }

  /** The full tool run directly (node dist/cli-main.js …), without the code cache. */
  const fullTool = (args: string[]) => run(process.execPath, [FULL_TOOL, ...args], { env: { DICOMNET_CODE_CACHE: 'off' } });

  /** Runs args with --record through the executable (which hands it to the full tool) and the full tool: records alike. */
  async function recordsAlike(args: string[]): Promise<void> {
    const records: Record<string, unknown>[] = [];
    for (const [label, runIt] of [['executable', viaExecutable], ['full tool', fullTool]] as const) {
      const file = path.join(dir, `${args[0]}-${label.replace(' ', '-')}.jsonl`);
      const outcome = await runIt([...args, `--record=${file}`]);
      const result = 'result' in outcome ? outcome.result : outcome;
      if ('bundle' in outcome) assert.equal(outcome.bundle, 'cli-main.js', `${args[0]} --record runs in the full tool`);
      assert.equal(result.code, 0, result.stderr);
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines.length, 1, `${label}: one association recorded`);
      records.push(lines[0]!);
    }
    assert.deepEqual(Object.keys(records[0]!).sort(), Object.keys(records[1]!).sort());
    assert.deepEqual(records[0]!.outcome, records[1]!.outcome);
  }

  it('names a bundle that the build made for each command that has one, and the full tool for the rest', () => {
    for (const [command, name] of COMMAND_BUNDLES) {
      const { file, fallback } = bundleFor(CLI, command);
      assert.equal(path.basename(file), `cli-${name}.js`);
      assert.ok(existsSync(file), `${file} (for dicomnet ${command}) was not built: scripts/cli-bundles.mjs lists the bundles`);
      assert.ok(isAscii(readFileSync(file)), `${file} has bytes above 0x7f: it would be decoded as UTF-8, more slowly`);
      assert.equal(fallback, FULL_TOOL);
    }
    for (const command of ['store', 'scp', 'move', '--help', '', 'toString', '__proto__', 'constructor']) {
      assert.deepEqual(bundleFor(CLI, command), { file: FULL_TOOL }, `dicomnet ${command}`);
    }
    // What a command's bundle leaves out goes to the full tool (echo's, find's and get's: --record).
    for (const command of ['echo', 'find', 'findscu', 'worklist', 'get', 'getscu']) {
      for (const args of [['--record', 'r.jsonl'], ['127.0.0.1', '--record=r.jsonl'], ['--', '--record']]) {
        assert.deepEqual(bundleFor(CLI, command, args), { file: FULL_TOOL }, `dicomnet ${command} ${args.join(' ')}`);
      }
    }
    assert.equal(path.basename(bundleFor(CLI, 'echo', ['127.0.0.1', '--aec', 'RECORD', '--trace']).file), 'cli-echo.js');
    assert.equal(path.basename(bundleFor(CLI, 'find', ['-k', 'PatientID=--record', '--json']).file), 'cli-find.js');
    assert.equal(path.basename(bundleFor(CLI, 'getscu', ['-k', 'PatientID=--record', '--output', 'record']).file), 'cli-get.js');
    assert.deepEqual(bundleFor(CLI, 'move', ['--dest', 'X']), { file: FULL_TOOL }, 'dicomnet move has no bundle of its own');
  });

  it('runs each name with its bundle, printing what the full tool prints', async () => {
    const lines: [string[], string][] = [...COMMAND_BUNDLES].map(([command, name]) => [[command, '--help'], `cli-${name}.js`]);
    lines.push([['echo', '--no-such-option'], 'cli-echo.js'], [['find', '--level', 'NOPE'], 'cli-find.js'], [['get', '--level', 'STUDY'], 'cli-get.js'], [['store', '--help'], 'cli-main.js']);
    for (const [args, bundle] of lines) {
      const { result, bundle: loaded } = await viaExecutable(args);
      const expected = await fullTool(args);
      assert.equal(loaded, bundle, `dicomnet ${args.join(' ')}`);
      assert.deepEqual({ code: result.code, stdout: result.stdout, stderr: result.stderr }, { code: expected.code, stdout: expected.stdout, stderr: expected.stderr.trim() }, `dicomnet ${args.join(' ')}`);
    }
  });

  it('echoes a real SCP through the echo bundle, with the exit codes of the full tool', async () => {
    const { result, bundle } = await viaExecutable(['echo', '127.0.0.1', String(server.port), '--aec', 'SERVER']);
    assert.equal(bundle, 'cli-echo.js');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^C-ECHO SERVER@127\.0\.0\.1:\d+: 0x0000 \(Success\) in [\d.]+ ms\n$/);
    // Nothing listening: the same one sentence and exit code (3, network) from both.
    const closed = String(await freePort());
    const refused = await viaExecutable(['echo', '127.0.0.1', closed]);
    const expected = await fullTool(['echo', '127.0.0.1', closed]);
    assert.equal(refused.result.code, 3, refused.result.stderr);
    assert.deepEqual({ code: refused.result.code, stderr: refused.result.stderr }, { code: expected.code, stderr: expected.stderr.trim() });
  });

  it('traces an echo through its bundle as the full tool does, and records it with the full tool', async () => {
    // The echo bundle opens its association without the other services (network-options.ts,
    // associateBasic) and without the recorder (--record runs in the full tool).
    const timeless = (text: string) => text.replace(/\b\d+(\.\d+)? ms\b/g, 'N ms');
    const args = ['echo', '127.0.0.1', String(server.port), '--aec', 'SERVER', '--trace', '--verbose'];
    const traced = await viaExecutable(args);
    const expected = await fullTool(args);
    assert.equal(traced.bundle, 'cli-echo.js');
    assert.equal(traced.result.code, 0, traced.result.stderr);
    assert.match(traced.result.stderr, /A-ASSOCIATE-RQ[\s\S]*C-ECHO-RSP[\s\S]*A-RELEASE-RP/);
    assert.deepEqual(
      { code: traced.result.code, stdout: timeless(traced.result.stdout), stderr: timeless(traced.result.stderr) },
      { code: expected.code, stdout: timeless(expected.stdout), stderr: timeless(expected.stderr.trim()) });

    await recordsAlike(['echo', '127.0.0.1', String(server.port), '--aec', 'SERVER']);
  });

  it('queries a real SCP through the find bundle as the full tool does, and records with the full tool', async () => {
    // The find bundle opens its association without the other services (associateBasic) and
    // without the recorder (--record runs in the full tool).
    const timeless = (text: string) => text.replace(/\b\d+(\.\d+)? ms\b/g, 'N ms');
    const archive = path.join(dir, 'archive');
    const scp = await startScp(['--aet', 'QR', '--dir', archive, '--worklist', path.join(REPO_ROOT, 'test', 'fixtures', 'archive', 'wlistdb')]);
    try {
      const instance = await writeSyntheticInstance(path.join(dir, 'one.dcm'), 64);
      const stored = await fullTool(['store', '127.0.0.1', String(scp.port), '--aec', 'QR', instance.path]);
      assert.equal(stored.code, 0, stored.stderr);
      const port = String(scp.port);
      const commands = [
        ['find', '127.0.0.1', port, '--aec', 'QR', '-k', 'PatientID=', '--trace', '--verbose'],
        ['findscu', '127.0.0.1', port, '--aec', 'QR', '--level', 'SERIES', '-k', `StudyInstanceUID=${instance.studyInstanceUid}`, '--json'],
        ['find', '127.0.0.1', port, '--aec', 'QR', '--model', 'patient', '--level', 'PATIENT', '--limit', '1'],
        ['worklist', '127.0.0.1', port, '--aec', 'QR', '-k', 'Modality=MR', '--verbose'],
      ];
      for (const args of commands) {
        const ours = await viaExecutable(args);
        const expected = await fullTool(args);
        assert.equal(ours.bundle, 'cli-find.js', `dicomnet ${args.join(' ')}`);
        assert.equal(ours.result.code, 0, ours.result.stderr);
        assert.doesNotMatch(ours.result.stdout, /^0 matches/m, `dicomnet ${args.join(' ')} found nothing: the comparison would show little`);
        assert.deepEqual(
          { code: ours.result.code, stdout: timeless(ours.result.stdout), stderr: timeless(ours.result.stderr) },
          { code: expected.code, stdout: timeless(expected.stdout), stderr: timeless(expected.stderr.trim()) }, `dicomnet ${args.join(' ')}`);
      }

      await recordsAlike(['find', '127.0.0.1', port, '--aec', 'QR', '-k', 'PatientID=']);
    } finally {
      await scp.stop();
    }
  });
  it('retrieves from a real SCP through the get bundle as the full tool does: the same output and the same files', async () => {
    // The get bundle asks which SOP classes to accept (C-FIND) and retrieves (C-GET with role
    // selection) on associations without the other services, into a FileStore without conversion.
    const timeless = (text: string) => text.replace(/\b\d+(\.\d+)? ms\b/g, 'N ms');
    const scp = await startScp(['--aet', 'QR', '--dir', path.join(dir, 'get-archive')]);
    try {
      const study = '1.2.826.0.1.3680043.10.1000.1';
      const instances = [];
      for (const [i, series] of ['1.2.826.0.1.3680043.10.1000.1.1', '1.2.826.0.1.3680043.10.1000.1.1', '1.2.826.0.1.3680043.10.1000.1.2'].entries()) {
        instances.push(await writeSyntheticInstance(path.join(dir, `get-${i}.dcm`), 64 + 1000 * i, { studyInstanceUid: study, seriesInstanceUid: series }));
      }
      const stored = await fullTool(['store', '127.0.0.1', String(scp.port), '--aec', 'QR', ...instances.map((i) => i.path)]);
      assert.equal(stored.code, 0, stored.stderr);
      const port = String(scp.port);
      const commands = [
        ['get', '127.0.0.1', port, '--aec', 'QR', '--level', 'STUDY', '-k', `StudyInstanceUID=${study}`],
        ['getscu', '127.0.0.1', port, '--aec', 'QR', '--level', 'SERIES', '-k', `StudyInstanceUID=${study}`, '-k', 'SeriesInstanceUID=1.2.826.0.1.3680043.10.1000.1.1', '--trace', '--verbose'],
        ['get', '127.0.0.1', port, '--aec', 'QR', '--model', 'patient', '--level', 'PATIENT', '-k', 'PatientID=SYN-1', '--sop-class', '1.2.840.10008.5.1.4.1.1.2'],
        ['get', '127.0.0.1', port, '--aec', 'QR', '--level', 'STUDY', '-k', 'StudyInstanceUID=1.2.3.4.5.6'],
      ];
      for (const [n, args] of commands.entries()) {
        const folders = { bundle: path.join(dir, `got-${n}-bundle`), full: path.join(dir, `got-${n}-full`) };
        const ours = await viaExecutable([...args, '--output', folders.bundle]);
        const expected = await fullTool([...args, '--output', folders.full]);
        const what = `dicomnet ${args.join(' ')}`;
        assert.equal(ours.bundle, 'cli-get.js', what);
        assert.equal(ours.result.code, 0, `${what}: ${ours.result.stderr}`);
        const same = (text: string, folder: string) => timeless(text.split(folder).join('<output>'));
        // The trace's lines for what is sent and what arrives interleave as the peer's timing has
        // them (a C-STORE-RSP sent before or after the next PDU is read): compared as a set of lines.
        const lines = (text: string, folder: string) => same(text.trim(), folder).split('\n').sort();
        assert.deepEqual(
          { code: ours.result.code, stdout: same(ours.result.stdout, folders.bundle), stderr: lines(ours.result.stderr, folders.bundle) },
          { code: expected.code, stdout: same(expected.stdout, folders.full), stderr: lines(expected.stderr, folders.full) }, what);
        for (const folder of [folders.bundle, folders.full]) {
          assert.deepEqual(readdirSync(folder).filter((name) => name.startsWith('.')), [], `${what}: the output folder holds no working folder`);
        }
        const files = { bundle: dicomFilesUnder(folders.bundle), full: dicomFilesUnder(folders.full) };
        assert.deepEqual([...files.bundle.keys()], [...files.full.keys()], `${what}: the same files`);
        for (const [name, bytes] of files.bundle) assert.ok(bytes.equals(files.full.get(name)!), `${what}: ${name} differs between the bundle and the full tool`);
        const count = n === 1 ? 2 : n === 3 ? 0 : 3;
        assert.equal(files.bundle.size, count, `${what}: ${files.bundle.size} files retrieved, not ${count}: ${ours.result.stdout}`);
        assert.match(ours.result.stdout, new RegExp(`^C-GET: ${count} completed, 0 failed, 0 warning`, 'm'), what);
      }

      // Nothing listening: the same sentence and exit code (3, network) from both.
      const closed = String(await freePort());
      const refused = await viaExecutable(['get', '127.0.0.1', closed, '-k', `StudyInstanceUID=${study}`, '--output', path.join(dir, 'got-none')]);
      const expected = await fullTool(['get', '127.0.0.1', closed, '-k', `StudyInstanceUID=${study}`, '--output', path.join(dir, 'got-none')]);
      assert.equal(refused.result.code, 3, refused.result.stderr);
      assert.deepEqual({ code: refused.result.code, stderr: refused.result.stderr }, { code: expected.code, stderr: expected.stderr.trim() });

      // With --sop-class there is no C-FIND first: one association to record.
      await recordsAlike(['get', '127.0.0.1', port, '--aec', 'QR', '-k', `StudyInstanceUID=${study}`, '--sop-class', '1.2.840.10008.5.1.4.1.1.2', '--output', path.join(dir, 'got-recorded')]);
    } finally {
      await scp.stop();
    }
  });
});
