// The dicomnet npm package that `npm run package` writes, as a user gets it: its contents and size,
// then installed into an empty folder, where plain CommonJS and ES module scripts echo and C-STORE
// to DCMTK's storescp, `npx dicomnet` runs, and the examples of its README compile with TypeScript
// `strict` and run against each other and storescp.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readPart10 } from '../../src/dicom/part10';
import { PYDICOM_FILES } from '../helpers/dicom-files';
import { REPO_ROOT, RunResult, run, start, startStorescp } from '../helpers/processes';
import { BUDGETS, ROOT_MANIFEST, VERSION, artifact, developmentFile } from './artifacts';

const CT = path.join(PYDICOM_FILES, 'CT_small.dcm');
const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const tarball = artifact('npm');

/** The ```ts blocks of a README, each a program named by its first line ("// name.mts: …"). */
function examples(readme: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, code] of readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const name = code.match(/^\/\/ ([\w-]+\.mts):/)?.[1];
    assert.ok(name, `a TypeScript example does not start with "// name.mts:": ${code.slice(0, 80)}`);
    found.set(name, code);
  }
  return found;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what} exited with ${r.code ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('the dicomnet npm package', () => {
  let entries: string[] = [];
  let home = '';
  const sopInstanceUid = () => readPart10(CT).then((f) => f.dataset.string('SOPInstanceUID')!);

  before(async () => {
    entries = ok(await run('tar', ['-tzf', tarball]), 'tar -tzf').trim().split('\n');
    home = mkdtempSync(path.join(tmpdir(), 'dicomnet-consumer-'));
    writeFileSync(path.join(home, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    ok(await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: home, timeoutMs: 180_000 }), 'npm install of the tarball');
  });

  after(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('holds its bundles, declarations, README, LICENSE and CHANGELOG, and nothing else', () => {
    const allowed = /^package\/(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/(index\.cjs|index\.mjs|index\.d\.mts|cli\.cjs|cli-(main|echo|find|get)\.cjs|dictionary-data\.cjs|codec-worker\.js|types\/[\w/-]+\.d\.ts))$/;
    assert.deepEqual(entries.filter((e) => !allowed.test(e)), []);
    assert.deepEqual(entries.map((e) => developmentFile(e.replace(/^package\//, ''))).filter((p) => p !== undefined), []);
    for (const needed of ['package/dist/index.cjs', 'package/dist/index.mjs', 'package/dist/cli.cjs', 'package/dist/cli-main.cjs', 'package/dist/cli-echo.cjs', 'package/dist/cli-find.cjs', 'package/dist/cli-get.cjs', 'package/dist/codec-worker.js', 'package/dist/dictionary-data.cjs', 'package/dist/types/index.d.ts', 'package/README.md', 'package/LICENSE']) {
      assert.ok(entries.includes(needed), `${needed} is missing`);
    }
  });

  it(`is within its size budget (${BUDGETS.npm.maxBytes / 1e3} kB)`, () => {
    const size = statSync(tarball).size;
    assert.ok(size <= BUDGETS.npm.maxBytes, `the tarball is ${size} bytes; its budget is ${BUDGETS.npm.maxBytes} (packaging/budgets.json)`);
  });

  it('has the extension\'s version, entry points for both module systems, the dicomnet bin, and only declared dependencies', () => {
    const installed = path.join(home, 'node_modules', 'dicomnet');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    assert.equal(manifest.version, VERSION);
    assert.equal(manifest.license, 'MIT');
    const targets = [manifest.main, manifest.types, manifest.bin.dicomnet, ...JSON.stringify(manifest.exports).match(/\.\/[^"]+/g)!];
    for (const target of targets) assert.ok(statSync(path.join(installed, target)).isFile(), `${target} is not in the package`);
    for (const [name, range] of Object.entries(manifest.dependencies as Record<string, string>)) assert.equal(range, ROOT_MANIFEST.dependencies[name], `dependency ${name}`);
    assert.match(readFileSync(path.join(installed, 'CHANGELOG.md'), 'utf8'), new RegExp(`^## ${VERSION.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('keeps its internals out of reach: only "dicomnet" and its package.json resolve', async () => {
    const cjs = await run(process.execPath, ['-e', "try { require('dicomnet/dist/index.cjs'); } catch (e) { console.log(e.code); }"], { cwd: home });
    assert.equal(ok(cjs, 'require of a deep path').trim(), 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    const esm = await run(process.execPath, ['--input-type=module', '-e', "import('dicomnet/dist/types/index.d.ts').catch((e) => console.log(e.code));"], { cwd: home });
    assert.equal(ok(esm, 'import of a deep path').trim(), 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    const version = await run(process.execPath, ['-e', "console.log(require('dicomnet/package.json').version)"], { cwd: home });
    assert.equal(ok(version, 'require of package.json').trim(), VERSION);
  });

  for (const [kind, file, program] of [
    ['CommonJS', 'client.cjs', `const { ApplicationEntity, storeInputs, VERSION } = require('dicomnet');
(async () => {`],
    ['ES module', 'client.mjs', `import { ApplicationEntity, storeInputs, VERSION } from 'dicomnet';
await (async () => {`],
  ] as const) {
    it(`works from a plain ${kind} script: C-ECHO and C-STORE to storescp`, async () => {
      const received = mkdtempSync(path.join(home, 'storescp-'));
      const storescp = await startStorescp(['-od', received]);
      try {
        writeFileSync(path.join(home, file), `${program}
  const [port, file] = process.argv.slice(2);
  const ae = new ApplicationEntity({ aeTitle: 'CONSUMER' });
  const peer = { host: '127.0.0.1', port: Number(port), calledAeTitle: 'STORESCP' };
  const echo = await ae.echo(peer);
  const sent = await storeInputs(ae, [file], peer);
  console.log(JSON.stringify({ version: VERSION, echo: echo.status, stored: sent.results.map((r) => r.outcome) }));
})();
`);
        const out = ok(await run(process.execPath, [file, String(storescp.port), CT], { cwd: home }), `node ${file}`);
        assert.deepEqual(JSON.parse(out), { version: VERSION, echo: 0, stored: ['success'] });
        const uid = await sopInstanceUid();
        assert.ok(readdirSync(received).some((f) => f.includes(uid)), `storescp did not write ${uid}: ${readdirSync(received).join(', ')}`);
      } finally {
        await storescp.stop();
      }
    });
  }

  it('runs as npx dicomnet: --version and echo', async () => {
    assert.equal(ok(await run('npx', ['--no', '--', 'dicomnet', '--version'], { cwd: home }), 'npx dicomnet --version').trim(), `dicomnet ${VERSION}`);
    const storescp = await startStorescp(['-od', mkdtempSync(path.join(home, 'storescp-'))]);
    try {
      const echo = await run('npx', ['--no', '--', 'dicomnet', 'echo', '127.0.0.1', String(storescp.port), '--aec', 'STORESCP'], { cwd: home });
      assert.match(ok(echo, 'npx dicomnet echo'), /0x0000|success/i);
    } finally {
      await storescp.stop();
    }
  });

  it('npx dicomnet keeps a code cache in the user\'s cache folder: written on the first run, used on the second, a damaged one ignored with the same output', async () => {
    const cacheHome = mkdtempSync(path.join(home, 'xdg-cache-'));
    // The default folder: the test helpers' temporary one (DICOMNET_CACHE_DIR) is not passed on.
    const env = { XDG_CACHE_HOME: cacheHome, DICOMNET_CACHE_DIR: undefined, DICOMNET_CODE_CACHE: 'verbose' };
    const dicomnetHelp = async () => {
      const r = await run('npx', ['--no', '--', 'dicomnet', 'echo', '--help'], { cwd: home, env });
      ok(r, 'npx dicomnet echo --help');
      const report = r.stderr.match(/^dicomnet: code cache ([\w ]+): (.+)$/m);
      assert.ok(report, `no code cache report on stderr: ${r.stderr}`);
      return { stdout: r.stdout, outcome: report[1], file: report[2]! };
    };
    const first = await dicomnetHelp();
    assert.equal(first.outcome, 'written');
    assert.equal(path.dirname(first.file), path.join(cacheHome, 'dicomnet'));
    // echo runs from its own bundle (src/cli/bundles.ts), as installed.
    assert.match(path.basename(first.file), /^cli_echo_cjs-echo-help-[0-9a-f]{32}\.cache$/);
    assert.match(first.stdout, /dicomnet echo/);
    const second = await dicomnetHelp();
    assert.deepEqual(second, { ...first, outcome: 'used' });
    const bytes = readFileSync(first.file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(first.file, bytes);
    assert.deepEqual(await dicomnetHelp(), { ...first, outcome: 'invalid' });
    assert.deepEqual(await dicomnetHelp(), { ...first, outcome: 'used' });
  });

  it('converts compressed data as installed: npx dicomnet transcode of an RLE file gives the uncompressed original\'s pixels', async () => {
    const output = mkdtempSync(path.join(home, 'transcoded-'));
    const rle = path.join(PYDICOM_FILES, 'MR_small_RLE.dcm');
    ok(await run('npx', ['--no', '--', 'dicomnet', 'transcode', rle, '--ts', 'explicit-le', '--output', output], { cwd: home, timeoutMs: 60_000 }), 'npx dicomnet transcode');
    const written = files(output);
    assert.equal(written.length, 1, `transcode wrote ${written.join(', ') || 'nothing'}`);
    const [converted, original] = await Promise.all([readPart10(written[0]), readPart10(path.join(PYDICOM_FILES, 'MR_small.dcm'))]);
    assert.equal(converted.transferSyntaxUid, '1.2.840.10008.1.2.1');
    assert.ok(Buffer.compare(converted.dataset.bytes('PixelData')!, original.dataset.bytes('PixelData')!) === 0, 'the decoded pixels differ from MR_small.dcm\'s');
  });

  it('the README\'s examples compile under TypeScript strict and run: a PACS, a client, C-MOVE and C-GET, DICOMweb, files', async () => {
    const readme = readFileSync(path.join(home, 'node_modules', 'dicomnet', 'README.md'), 'utf8');
    const programs = examples(readme);
    assert.deepEqual([...programs.keys()].sort(), ['dataset.mts', 'dicomweb.mts', 'pacs-client.mts', 'retrieve.mts', 'small-pacs.mts']);
    const src = path.join(home, 'examples');
    mkdirSync(src);
    for (const [name, code] of programs) writeFileSync(path.join(src, name), code);
    writeFileSync(path.join(home, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'examples-out',
        skipLibCheck: false, noEmitOnError: true, types: ['node'], typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
      },
      include: ['examples/*.mts'],
    }));
    ok(await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: home, timeoutMs: 120_000 }), 'tsc (strict) of the README examples');
    const example = (name: string) => path.join(home, 'examples-out', name.replace(/\.mts$/, '.mjs'));

    const moved = mkdtempSync(path.join(home, 'storescp-'));
    const storescp = await startStorescp(['-od', moved]);
    const pacs = start(process.execPath, [example('small-pacs.mts'), '0', path.join(home, 'archive'), `STORESCP=127.0.0.1:${storescp.port}`], { cwd: home });
    try {
      const [, port, url] = await pacs.waitFor(/DIMSE on port (\d+), DICOMweb at (\S+)/);
      const ct = await readPart10(CT);
      const study = ct.dataset.string('StudyInstanceUID')!;
      const uid = ct.dataset.string('SOPInstanceUID')!;

      const client = ok(await run(process.execPath, [example('pacs-client.mts'), '127.0.0.1', port, 'MYPACS', CT], { cwd: home }), 'pacs-client');
      assert.match(client, /^C-ECHO: 0x0000 /m);
      assert.match(client, /^1 of 1 stored$/m);
      assert.ok(client.split('\n').some((l) => l.startsWith('{') && l.includes(study)), `C-FIND did not print the stored study:\n${client}`);
      assert.match(pacs.output(), /association from DICOMNET/);

      const inbox = path.join(home, 'inbox');
      const retrieve = ok(await run(process.execPath, [example('retrieve.mts'), '127.0.0.1', port, 'MYPACS', study, 'STORESCP', inbox], { cwd: home }), 'retrieve');
      assert.match(retrieve, /^C-MOVE: 1 completed, 0 failed$/m, `${retrieve}\n${pacs.output()}\n${storescp.output()}`);
      assert.ok(readdirSync(moved).some((f) => f.includes(uid)), 'C-MOVE did not reach storescp');
      assert.ok(files(inbox).some((f) => f.endsWith(`${uid}.dcm`)), 'C-GET did not write the instance');

      const wado = path.join(home, 'wado');
      assert.match(ok(await run(process.execPath, [example('dicomweb.mts'), url, wado], { cwd: home }), 'dicomweb'), new RegExp(`^${study.replace(/\./g, '\\.')}: 1 instances$`, 'm'));
      assert.ok(files(wado).some((f) => f.endsWith(`${uid}.dcm`)), 'WADO-RS did not write the instance');

      const anonymous = path.join(home, 'anonymous.dcm');
      assert.match(ok(await run(process.execPath, [example('dataset.mts'), CT, anonymous], { cwd: home }), 'dataset'), /Explicit VR Little Endian/);
      const dump = ok(await run('dcmdump', ['+P', 'PatientName', '+P', 'PatientBirthDate', anonymous]), 'dcmdump of the written file');
      assert.match(dump, /\(0010,0010\) PN \[Anonymous\]/);
      assert.doesNotMatch(dump, /\(0010,0030\)/);
    } finally {
      const code = await pacs.stop('SIGINT');
      await storescp.stop();
      assert.equal(code, 0, `small-pacs did not stop cleanly on SIGINT:\n${pacs.output()}`);
    }
  });

  it('the repository README shows the same engine example as the package README', () => {
    const root = examples(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
    const pkg = examples(readFileSync(path.join(REPO_ROOT, 'packaging', 'dicomnet', 'README.md'), 'utf8'));
    assert.ok(root.size > 0, 'README.md has no engine example');
    for (const [name, code] of root) assert.equal(code, pkg.get(name), `README.md's ${name} differs from packaging/dicomnet/README.md's`);
  });
});
