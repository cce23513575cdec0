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
import { CLI, REPO_ROOT, RunResult, dicomnet, run } from '../../helpers/processes';

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
    const report = /^dicomnet: code cache \w+: .*[/\\](cli_\w+_js)-[\w-]+\.cache$/m.exec(result.stderr);
    assert.ok(report, `no code cache report on stderr of dicomnet ${args.join(' ')}: ${result.stderr}`);
    return { result: { ...result, stderr: result.stderr.replace(report[0], '').trim() }, bundle: report[1]!.replace(/_js$/, '.js').replace(/_/g, '-') };
  }

  /** The full tool run directly (node dist/cli-main.js …), without the code cache. */
  const fullTool = (args: string[]) => run(process.execPath, [FULL_TOOL, ...args], { env: { DICOMNET_CODE_CACHE: 'off' } });

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

  it('traces and records an echo through its bundle as the full tool does', async () => {
    // The echo bundle opens its association without the other services (network-options.ts,
    // associateBasic): the same PDUs, state transitions, log lines and association record.
    const timeless = (text: string) => text.replace(/\b\d+(\.\d+)? ms\b/g, 'N ms');
    const runs = [];
    for (const [label, runIt] of [['bundle', viaExecutable], ['full tool', fullTool]] as const) {
      const record = path.join(dir, `echo-${label.replace(' ', '-')}.jsonl`);
      const args = ['echo', '127.0.0.1', String(server.port), '--aec', 'SERVER', '--trace', '--verbose', '--record', record];
      const outcome = await runIt(args);
      const result = 'result' in outcome ? outcome.result : outcome;
      if ('bundle' in outcome) assert.equal(outcome.bundle, 'cli-echo.js');
      assert.equal(result.code, 0, result.stderr);
      const lines = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines.length, 1, `${label}: one association recorded`);
      runs.push({ stdout: timeless(result.stdout), stderr: timeless(result.stderr.trim()), recorded: Object.keys(lines[0]!).sort(), outcome: lines[0]!.outcome });
    }
    assert.match(runs[0]!.stderr, /A-ASSOCIATE-RQ[\s\S]*C-ECHO-RSP[\s\S]*A-RELEASE-RP/);
    assert.deepEqual(runs[0], runs[1]);
  });
});
