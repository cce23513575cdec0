// The dicomnet executable sends echo and find (with their aliases) to bundles of their own
// (src/cli/bundles.ts): each name is run by its bundle, with the same output and exit code as the
// full tool gives, and every other name by the full tool.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMMAND_BUNDLES, bundleFor } from '../../../src/cli/bundles';
import { DicomServer } from '../../../src/ae/server';
import { freePort } from '../../helpers/peers';
import { CLI, REPO_ROOT, RunResult, dicomnet, run, startScp } from '../../helpers/processes';
import { writeSyntheticInstance } from '../../helpers/dicom-files';

const FULL_TOOL = path.join(REPO_ROOT, 'dist', 'cli-main.js');

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
    // What a command's bundle leaves out goes to the full tool (echo's and find's: --record).
    for (const command of ['echo', 'find', 'findscu', 'worklist']) {
      for (const args of [['--record', 'r.jsonl'], ['127.0.0.1', '--record=r.jsonl'], ['--', '--record']]) {
        assert.deepEqual(bundleFor(CLI, command, args), { file: FULL_TOOL }, `dicomnet ${command} ${args.join(' ')}`);
      }
    }
    assert.equal(path.basename(bundleFor(CLI, 'echo', ['127.0.0.1', '--aec', 'RECORD', '--trace']).file), 'cli-echo.js');
    assert.equal(path.basename(bundleFor(CLI, 'find', ['-k', 'PatientID=--record', '--json']).file), 'cli-find.js');
  });

  it('runs each name with its bundle, printing what the full tool prints', async () => {
    const lines: [string[], string][] = [...COMMAND_BUNDLES].map(([command, name]) => [[command, '--help'], `cli-${name}.js`]);
    lines.push([['echo', '--no-such-option'], 'cli-echo.js'], [['find', '--level', 'NOPE'], 'cli-find.js'], [['store', '--help'], 'cli-main.js']);
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
});
