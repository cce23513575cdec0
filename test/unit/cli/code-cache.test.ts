// The dicomnet executable's V8 code cache (src/cli/code-cache.ts), through the built dist/cli.js:
// written on a first run, used on the next, and ignored, with the same output, when it is damaged,
// another bundle's, refused by V8, or cannot be written.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Script } from 'node:vm';
import { isAscii } from 'node:buffer';
import { applyV8Flags, cacheFolder, cacheKey, decodeCacheFile, encodeCacheFile, isWholeCacheFile, requireWithCodeCache } from '../../../src/cli/code-cache';
import { COMMAND_V8_FLAGS } from '../../../src/cli/bundles';
import { refusingPort } from '../../helpers/peers';
import { CLI, REPO_ROOT, RunResult, TEST_CODE_CACHE_DIR, dicomnet, run, startScp } from '../../helpers/processes';

// dicomnet find runs from a bundle of its own (src/cli/bundles.ts).
const BUNDLE = path.join(REPO_ROOT, 'dist', 'cli-find.js');
const ARGS = ['find', '--help'];

describe('dicomnet code cache', () => {
  let root = '';
  let expected: RunResult;
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'dicomnet-code-cache-'));
    expected = await dicomnet(ARGS, { env: { DICOMNET_CODE_CACHE: 'off' } });
    assert.equal(expected.code, 0, expected.stderr);
    assert.match(expected.stdout, /dicomnet find/);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** Runs ARGS with the cache in dir; returns what the cache did and the file it named. */
  async function runWith(dir: string): Promise<{ outcome: string; file: string }> {
    const r = await dicomnet(ARGS, { env: { DICOMNET_CACHE_DIR: dir, DICOMNET_CODE_CACHE: 'verbose' } });
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    assert.equal(r.stdout, expected.stdout, 'the output differs from a run without the cache');
    const report = r.stderr.match(/^dicomnet: code cache ([\w ]+): (.+)$/m);
    assert.ok(report, `no code cache report on stderr: ${r.stderr}`);
    assert.equal(r.stderr.replace(report[0], '').trim(), '', `stderr has more than the report: ${r.stderr}`);
    return { outcome: report[1]!, file: report[2]! };
  }

  const fresh = (name: string) => path.join(root, name);

  it('is written on the first run and used on the second, per command, in the folder DICOMNET_CACHE_DIR names', async () => {
    const dir = fresh('first');
    const first = await runWith(dir);
    assert.equal(first.outcome, 'written');
    assert.equal(path.dirname(first.file), dir);
    assert.match(path.basename(first.file), /^cli_find_js-find-help-[0-9a-f]{32}\.cache$/);
    assert.deepEqual(readdirSync(dir), [path.basename(first.file)], 'only the cache file is left (no temporary file)');
    const second = await runWith(dir);
    assert.deepEqual(second, { outcome: 'used', file: first.file });
  });

  it('is written partial by a run that failed, completed once by the first that succeeds, and help keeps a cache of its own', async () => {
    const dir = fresh('succeeded');
    const env = { DICOMNET_CACHE_DIR: dir, DICOMNET_CODE_CACHE: 'verbose' };
    const outcomeOf = (r: RunResult) => r.stderr.match(/^dicomnet: code cache ([\w ]+): (.+)$/m)?.slice(1) ?? [];
    const refusing = await refusingPort();
    const scp = await startScp(['--aet', 'CACHE']);
    const refusedEcho = async () => {
      const r = await dicomnet(['echo', '127.0.0.1', String(refusing.port)], { env });
      assert.equal(r.code, 3, r.stderr);
      return outcomeOf(r);
    };
    const echo = async () => {
      const r = await dicomnet(['echo', '127.0.0.1', String(scp.port), '--aec', 'CACHE'], { env });
      assert.equal(r.code, 0, r.stderr);
      return outcomeOf(r);
    };
    try {
      // A refused echo ran little of the command: its cache serves the failed runs after it...
      const [outcome, file] = await refusedEcho();
      assert.equal(outcome, 'written partial');
      assert.match(path.basename(file!), /^cli_echo_js-echo-[0-9a-f]{32}\.cache$/);
      const partial = readFileSync(file!);
      assert.deepEqual(await refusedEcho(), ['used', file], 'another failed run uses it and leaves it');
      assert.deepEqual(readFileSync(file!), partial);
      const help = await dicomnet(['echo', '--help'], { env });
      assert.equal(outcomeOf(help)[0], 'written', help.stderr);
      assert.match(path.basename(outcomeOf(help)[1]!), /^cli_echo_js-echo-help-/);
      // ...and the first echo that succeeds writes it again with all that the echo compiled, once.
      assert.deepEqual(await echo(), ['completed', file]);
      const whole = readFileSync(file!);
      assert.ok(whole.length > partial.length + 10_000, `the completed cache (${whole.length} bytes) holds more than the partial one (${partial.length})`);
      assert.deepEqual(await echo(), ['used', file]);
      assert.deepEqual(await refusedEcho(), ['used', file], 'a failed run leaves a complete cache as it is');
      assert.deepEqual(await echo(), ['used', file]);
      assert.deepEqual(readFileSync(file!), whole, 'written no more after it was completed');
    } finally {
      refusing.close();
      await scp.stop();
    }
  });

  it('is written whole by a first run that succeeds, and then never again', async () => {
    const dir = fresh('whole');
    const first = await runWith(dir);
    assert.equal(first.outcome, 'written');
    const whole = readFileSync(first.file);
    for (let run = 0; run < 2; run++) assert.deepEqual(await runWith(dir), { outcome: 'used', file: first.file });
    assert.deepEqual(readFileSync(first.file), whole);
  });

  it('ignores a damaged file (a flipped byte, or cut short), runs from source, and replaces it', async () => {
    const dir = fresh('damaged');
    const { file } = await runWith(dir);
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] ^= 0xff;
    writeFileSync(file, flipped);
    assert.equal((await runWith(dir)).outcome, 'invalid');
    assert.equal((await runWith(dir)).outcome, 'used', 'the damaged file was replaced by a good one');
    writeFileSync(file, good.subarray(0, good.length >> 1));
    assert.equal((await runWith(dir)).outcome, 'invalid');
    writeFileSync(file, '');
    assert.equal((await runWith(dir)).outcome, 'invalid');
  });

  it("ignores another bundle's cache under its name, and data V8 refuses", async () => {
    const dir = fresh('foreign');
    const { file } = await runWith(dir);
    const source = readFileSync(BUNDLE);
    const otherData = new Script('module.exports = 42;\n').createCachedData();
    // Stamped for another bundle: the key in the file is not this bundle's.
    writeFileSync(file, encodeCacheFile(cacheKey(Buffer.from('another bundle')), otherData));
    assert.equal((await runWith(dir)).outcome, 'invalid');
    // Stamped for this bundle (run as `node cli.js`, no flags), but the data is another script's: V8 rejects it.
    writeFileSync(file, encodeCacheFile(cacheKey(source, [], process.env.NODE_OPTIONS), otherData));
    assert.equal((await runWith(dir)).outcome, 'rejected');
    assert.equal((await runWith(dir)).outcome, 'used');
  });

  it('does not read a file others may write (it could be anyone\'s code)', { skip: process.platform === 'win32' }, async () => {
    const dir = fresh('shared');
    const { file } = await runWith(dir);
    chmodSync(file, 0o666);
    assert.equal((await runWith(dir)).outcome, 'invalid');
    assert.equal((await runWith(dir)).outcome, 'used', 'the file written in its place is ours alone');
    assert.equal(statSync(file).mode & 0o077, 0);
  });

  it('runs as usual when the folder cannot be written, and when the cache is off', async () => {
    const notAFolder = fresh('a-file');
    writeFileSync(notAFolder, 'x');
    assert.equal((await runWith(notAFolder)).outcome, 'unwritable');
    const dir = fresh('off');
    const r = await dicomnet(ARGS, { env: { DICOMNET_CACHE_DIR: dir, DICOMNET_CODE_CACHE: 'off' } });
    assert.equal(r.stdout, expected.stdout);
    assert.throws(() => readdirSync(dir), /ENOENT/, 'nothing is written when the cache is off');
  });

  it('in tests, a dicomnet the helpers start keeps its cache in the run\'s temporary folder, never the user\'s', async () => {
    const r = await dicomnet(ARGS, { env: { DICOMNET_CODE_CACHE: 'verbose' } });
    assert.equal(r.code, 0, r.stderr);
    const file = r.stderr.match(/^dicomnet: code cache [\w ]+: (.+)$/m)?.[1];
    assert.ok(file, `no code cache report on stderr: ${r.stderr}`);
    assert.equal(path.dirname(file), TEST_CODE_CACHE_DIR);
    assert.ok(TEST_CODE_CACHE_DIR.startsWith(tmpdir() + path.sep), `${TEST_CODE_CACHE_DIR} is not a temporary folder`);
    const users = cacheFolder({ ...process.env, DICOMNET_CACHE_DIR: undefined });
    assert.ok(!file.startsWith(users + path.sep), `${file} is in the user's cache folder ${users}`);
  });

  it('stamps files with the key and a digest of the data, and refuses anything else', () => {
    const key = cacheKey(Buffer.from('bundle'));
    const data = Buffer.from('v8 data');
    const file = encodeCacheFile(key, data);
    assert.deepEqual(decodeCacheFile(file, key), data);
    assert.equal(isWholeCacheFile(file), true);
    const partial = encodeCacheFile(key, data, false);
    assert.deepEqual(decodeCacheFile(partial, key), data);
    assert.equal(isWholeCacheFile(partial), false);
    assert.equal(decodeCacheFile(file, cacheKey(Buffer.from('bundle2'))), undefined, 'another key');
    for (let i = 0; i < file.length; i++) {
      const bad = Buffer.from(file);
      bad[i] ^= 1;
      assert.equal(decodeCacheFile(bad, key), undefined, `byte ${i} flipped`);
    }
    assert.equal(decodeCacheFile(file.subarray(0, file.length - 1), key), undefined, 'cut short');
    assert.equal(decodeCacheFile(Buffer.alloc(0), key), undefined, 'empty');
    assert.ok(CLI.endsWith(path.join('dist', 'cli.js')));
    // V8's data starts 8-byte aligned in the file (V8 copies unaligned data before reading it).
    assert.equal((file.length - data.length) % 8, 0, `the stamp is ${file.length - data.length} bytes`);
  });

  it('loads the fallback when the bundle named is absent, and fails as require() does when neither is there', () => {
    const dir = fresh('fallback');
    const fallback = path.join(root, 'fallback.js');
    writeFileSync(fallback, "module.exports = { from: 'fallback' };\n");
    const absent = path.join(root, 'absent.js');
    assert.deepEqual(requireWithCodeCache(absent, { dir, fallback }), { from: 'fallback' });
    assert.throws(() => requireWithCodeCache(absent, { dir }), { code: 'ENOENT' });
    assert.throws(() => requireWithCodeCache(absent, { dir, fallback: path.join(root, 'absent-too.js') }), { code: 'ENOENT' });
    // A bundle that is there is loaded, not its fallback; one that cannot be read is not silently replaced.
    assert.deepEqual(requireWithCodeCache(fallback, { dir, fallback: absent }), { from: 'fallback' });
    assert.throws(() => requireWithCodeCache(root, { dir, fallback }), { code: 'EISDIR' });
  });

  it('reads an ASCII bundle as Latin-1 and any other as UTF-8: the same text either way', () => {
    // The built bundles are ASCII (esbuild escapes the rest, and the CLI is built without comments).
    for (const bundle of [BUNDLE, path.join(REPO_ROOT, 'dist', 'cli-main.js')]) {
      assert.ok(isAscii(readFileSync(bundle)), `${bundle} has bytes above 0x7f: it would be decoded as UTF-8, ~4 ms slower`);
    }
    const dir = fresh('text');
    const bundle = path.join(root, 'non-ascii.js');
    writeFileSync(bundle, "module.exports = { text: 'Ψ σ ς → é' };\n");
    for (let run = 0; run < 2; run++) {
      assert.deepEqual(requireWithCodeCache(bundle, { dir, label: 'text' }), { text: 'Ψ σ ς → é' }, `run ${run + 1}`);
    }
  });

  it("compiles a bundle as Node's loader does: wrapped as a CommonJS module, a \"#!\" line skipped, lines kept", () => {
    const dir = fresh('wrapped');
    for (const [name, text] of [['plain.js', 'ascii'], ['shebang.js', 'ascii'], ['shebang-utf8.js', 'é → ψ']]) {
      const bundle = path.join(root, name);
      const shebang = name.startsWith('shebang') ? '#!/usr/bin/env node\n' : '';
      writeFileSync(bundle, `${shebang}\nmodule.exports = { text: '${text}', args: arguments.length, file: __filename, dir: __dirname, at: new Error().stack.split('\\n')[1] };\n`);
      for (let run = 0; run < 2; run++) {
        const got = requireWithCodeCache(bundle, { dir, label: name.replace('.js', '') }) as Record<string, unknown>;
        assert.equal(got.text, text, `${name}, run ${run + 1}`);
        assert.equal(got.args, 5, 'exports, require, module, __filename, __dirname');
        assert.equal(got.file, bundle);
        assert.equal(got.dir, root);
        assert.match(String(got.at), new RegExp(`${name.replace('.', '\\.')}:${shebang ? 3 : 2}:`), 'the line numbers of the file');
      }
    }
  });

  describe("a command's V8 flags", () => {
    const loader = require.resolve('../../../src/cli/code-cache');
    /** Loads `bundle` through the cache in a fresh process (node `nodeArgs`), with `flags`; what it exported and the cache's outcome. */
    async function load(bundle: string, dir: string, flags: string[] | undefined, nodeArgs: string[] = []): Promise<{ code: number | null; value?: unknown; outcome?: string; stderr: string }> {
      // The same script every time (node -e puts it in process.execArgv, which keys the cache): what differs comes in argv.
      const script = `const { requireWithCodeCache } = require(${JSON.stringify(loader)});
        const [bundle, dir, flags] = JSON.parse(process.argv[1]);
        let outcome;
        const value = requireWithCodeCache(bundle, { dir, v8Flags: flags ?? undefined, report: (o) => { outcome = o; } });
        process.on('exit', () => console.log(JSON.stringify({ value, outcome })));`;
      const r = await run(process.execPath, [...nodeArgs, '-e', script, JSON.stringify([bundle, dir, flags ?? null])], { env: { NODE_OPTIONS: '' } });
      return { code: r.code, stderr: r.stderr, ...(r.code === 0 ? JSON.parse(r.stdout) : {}) };
    }

    it('are set before the bundle is compiled, and its cache is made and used under them', async () => {
      const dir = fresh('flags-natives');
      const bundle = path.join(root, 'natives.js');
      // Parses only with --allow-natives-syntax in effect when V8 compiles it.
      writeFileSync(bundle, 'module.exports = %IsSmi(1);\n');
      assert.deepEqual(await load(bundle, dir, ['--allow-natives-syntax']), { code: 0, stderr: '', value: true, outcome: 'written' });
      assert.deepEqual(await load(bundle, dir, ['--allow-natives-syntax']), { code: 0, stderr: '', value: true, outcome: 'used' });
      // A flag the process was started with is the user's: theirs stands.
      const refused = await load(bundle, dir, ['--allow-natives-syntax'], ['--no-allow-natives-syntax']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /SyntaxError/);
    });

    it('key the cache: one made without them is never handed to V8 with them (V8 would refuse it)', async () => {
      const dir = fresh('flags-key');
      const bundle = path.join(root, 'plain-flags.js');
      writeFileSync(bundle, 'module.exports = 42;\n');
      const flags = ['--interrupt-budget=540672'];
      assert.equal((await load(bundle, dir, undefined)).outcome, 'written');
      assert.equal((await load(bundle, dir, flags)).outcome, 'written', 'a cache of its own, not the one made without the flags');
      assert.equal((await load(bundle, dir, flags)).outcome, 'used');
      assert.equal((await load(bundle, dir, undefined)).outcome, 'used', 'the first cache is still there and good');
      assert.equal(readdirSync(dir).length, 2);
    });

    it('leave a flag the process was started with, on its command line or in NODE_OPTIONS, as the user set it', () => {
      // Nothing is set when every flag is the user's already, so these run in this process.
      assert.deepEqual(applyV8Flags(['--interrupt-budget=540672'], ['--interrupt_budget=1000'], ''), []);
      assert.deepEqual(applyV8Flags(['--interrupt-budget=540672'], [], '--max-old-space-size=100 --interrupt-budget=1000'), []);
      assert.deepEqual(applyV8Flags(['--allow-natives-syntax'], ['--no-allow-natives-syntax'], undefined), []);
      assert.deepEqual(applyV8Flags([], [], undefined), []);
    });

    it('dicomnet get and store (and their aliases) run with the tier-up budget raised (the cache key says so); other commands with none', async () => {
      const retrieve = ['--interrupt-budget=540672'];
      const send = ['--interrupt-budget=270336'];
      for (const command of ['get', 'getscu']) assert.deepEqual(COMMAND_V8_FLAGS.get(command), retrieve, command);
      for (const command of ['store', 'store_scu', 'storescu']) assert.deepEqual(COMMAND_V8_FLAGS.get(command), send, command);
      for (const command of ['echo', 'find', 'scp', 'move']) assert.equal(COMMAND_V8_FLAGS.get(command), undefined, command);
      for (const [command, bundle, flags] of [['get', 'cli-get.js', retrieve], ['store', 'cli-main.js', send]] as const) {
        const dir = fresh(`${command}-flags`);
        const r = await dicomnet([command, '--help'], { env: { DICOMNET_CACHE_DIR: dir, DICOMNET_CODE_CACHE: 'verbose', NODE_OPTIONS: '' } });
        assert.equal(r.code, 0, r.stderr);
        const report = r.stderr.match(/^dicomnet: code cache written: (.+)$/m);
        const file = report?.[1];
        assert.ok(file, r.stderr);
        // V8 names a flag it does not know on stderr (a Node whose V8 renamed it would say so here).
        assert.equal(r.stderr.replace(report![0], '').trim(), '', `stderr has more than the report: ${r.stderr}`);
        const key = cacheKey(readFileSync(path.join(REPO_ROOT, 'dist', bundle)), flags, '');
        assert.equal(path.basename(file), `${bundle.replace(/\W/g, '_')}-${command}-help-${key.toString('hex').slice(0, 32)}.cache`);
      }
    });
  });
});
