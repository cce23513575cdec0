// What a short dicomnet command loads: Node modules that only some paths need (codec workers,
// deflate, random numbers, file promises, TLS) are required on first use, not at start-up, where
// each would cost every process (src/dicom/lazy-builtins.ts). Checked on the built dist/cli.js
// through Node's own list of the built-in modules it loaded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DicomServer } from '../../../src/ae/server';
import { CLI, run, startScp } from '../../helpers/processes';

/**
 * Built-in modules no echo or query needs before it has said its answer (the code cache's
 * checksum is WebAssembly, not zlib's crc32; Node's Module class comes without node:module).
 */
const NOT_AT_START = ['crypto', 'tls', 'worker_threads', 'fs/promises', 'perf_hooks', 'readline', 'http', 'https', 'zlib', 'os', 'module'];

describe('dicomnet start-up', () => {
  let dir = '';
  let preload = '';
  let server: DicomServer;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-start-up-'));
    preload = path.join(dir, 'loaded.js');
    // At exit, the built-in modules this process loaded, one line on stderr.
    writeFileSync(preload, `process.once('exit', () => process._rawDebug('loaded: ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ')));\n`);
    server = new DicomServer({ aeTitle: 'SERVER', port: 0 });
    await server.listen();
  });
  after(async () => {
    await server.close(100);
    rmSync(dir, { recursive: true, force: true });
  });

  async function loaded(args: string[]): Promise<{ stdout: string; modules: string[] }> {
    const r = await run(process.execPath, ['--require', preload, CLI, ...args], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, `dicomnet ${args.join(' ')} exited with ${r.code}: ${r.stderr}`);
    const line = r.stderr.split('\n').find((l) => l.startsWith('loaded: '));
    assert.ok(line, `no list of loaded modules on stderr: ${r.stderr}`);
    return { stdout: r.stdout, modules: line.slice(8).split(' ') };
  }

  it('dicomnet echo associates, echoes and releases without loading what it does not use', async () => {
    const { stdout, modules } = await loaded(['echo', '127.0.0.1', String(server.port), '--aec', 'SERVER']);
    assert.match(stdout, /^C-ECHO SERVER@127\.0\.0\.1:\d+: 0x0000 \(Success\)/);
    assert.ok(modules.includes('net'), `the list does not look like Node's: ${modules.join(' ')}`);
    assert.deepEqual(NOT_AT_START.filter((m) => modules.includes(m)), []);
  });

  it('dicomnet get retrieves into a folder without loading node:crypto (its temporary names need no secure random bytes)', async () => {
    const scp = await startScp(['--aet', 'QR', '--dir', path.join(dir, 'get-archive')]);
    try {
      const { stdout, modules } = await loaded(['get', '127.0.0.1', String(scp.port), '--aec', 'QR', '-k', 'StudyInstanceUID=1.2.3.4', '-o', path.join(dir, 'got')]);
      assert.match(stdout, /C-GET/, 'the C-GET ran');
      assert.ok(modules.includes('net'), `the list does not look like Node's: ${modules.join(' ')}`);
      assert.deepEqual(['crypto', 'tls', 'worker_threads', 'zlib'].filter((m) => modules.includes(m)), []);
    } finally {
      await scp.stop();
    }
  });

  // A bundle is one function (esbuild's top level in CommonJS's wrapper) that runs once. Work at
  // its top level that spends V8's interrupt budget (a loop of a few hundred turns: vr.ts built its
  // tables so) has V8 compile that whole function with Sparkplug, ~2.5 M instructions for echo's.
  it('no bundle does enough at its top level for V8 to compile the whole bundle with Sparkplug', async () => {
    for (const command of ['echo', 'find', 'get', 'scp']) {
      // In a cache folder of its own: the first run compiles from source, the second takes the code cache.
      const env = { DICOMNET_CACHE_DIR: path.join(dir, `sparkplug-${command}`) };
      for (const pass of ['from source', 'from the code cache']) {
        const r = await run(process.execPath, ['--trace-baseline-batch-compilation', CLI, command, '--help'], { timeoutMs: 30_000, env });
        assert.equal(r.code, 0, `dicomnet ${command} --help exited with ${r.code}: ${r.stderr}`);
        const enqueued = [...r.stdout.matchAll(/Enqueued SFI (.*) with estimated size (\d+)/g)].map((m) => ({ name: m[1]!.trim(), size: Number(m[2]) }));
        assert.ok(enqueued.length > 0, `V8 traced no baseline compilation (the flag's output changed?): ${r.stdout.slice(-500)}`);
        const whole = enqueued.filter((f) => f.name === '' && f.size > 60_000);
        assert.deepEqual(whole, [], `dicomnet ${command} --help, ${pass}: a function as large as a bundle was compiled with Sparkplug`);
      }
    }
  });

  // A V8 flag set at run time (bundles.ts, COMMAND_V8_FLAGS) makes V8 refuse the code cache Node
  // ships for its own modules: each one required after it is compiled from source (net: ~13 M
  // instructions). So the executable requires net, and the streams under it, first.
  it('dicomnet get and store load Node\'s net before they set their V8 flags', async () => {
    const order = path.join(dir, 'order.js');
    writeFileSync(order, `process.once('exit', () => process._rawDebug('order: ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ')));\n`);
    for (const command of ['get', 'store']) {
      const r = await run(process.execPath, ['--require', order, CLI, command, '--help'], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      const modules = r.stderr.split('\n').find((l) => l.startsWith('order: '))?.slice(7).split(' ') ?? [];
      assert.ok(modules.includes('v8'), `dicomnet ${command} sets no V8 flag any more (node:v8 not loaded): ${modules.join(' ')}`);
      for (const early of ['net', 'stream', 'internal/stream_base_commons']) {
        assert.ok(modules.indexOf(early) >= 0 && modules.indexOf(early) < modules.indexOf('v8'), `dicomnet ${command}: ${early} loaded after node:v8`);
      }
    }
  });

  it('dicomnet find and store load their modules without those either', async () => {
    for (const command of ['find', 'store']) {
      const { stdout, modules } = await loaded([command, '--help']);
      assert.match(stdout, new RegExp(`dicomnet ${command}`));
      assert.deepEqual(NOT_AT_START.filter((m) => modules.includes(m)), [], `dicomnet ${command} --help`);
    }
  });
});
