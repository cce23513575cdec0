// `npm start`: builds the extension, makes sure the VS Code tools are installed, and serves a
// real VS Code (code-server) on 127.0.0.1 with this repository's extension installed and the
// demo workspace .tools/demo-workspace/ open. Stays up until Ctrl-C. VS Code is started by the
// UI tests' launcher (test/vscode/harness/codeServer.ts, bundled into .tools/start/), with its
// state kept in .tools/code-server-state/.
//
// Before VS Code it starts a demo PACS (`dicomnet scp` over .tools/demo-pacs/) and points the
// demo workspace's settings at it, so the Nodes view lists it at once.
//
// Usage: node scripts/start.mjs [--port N] [--no-build] [--pacs-only]
//   --port N     serve on 127.0.0.1:N (default 8080, or a free port when 8080 is taken)
//   --no-build   skip `node esbuild.mjs`
//   --pacs-only  start only the demo PACS (desktop VS Code's F5 runs this as its pre-launch task)
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { ensureVscodeTools, missingDebianPackages, repoRoot } from './vscode-tools.mjs';

const stateDir = join(repoRoot, '.tools', 'code-server-state'); // kept between runs: UI state, settings
const demoWorkspace = join(repoRoot, '.tools', 'demo-workspace');
const log = (msg) => console.log(`[start] ${msg}`);

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function choosePort() {
  const asked = argValue('--port');
  if (asked !== undefined) {
    const port = Number(asked);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port wants a number from 1 to 65535, not "${asked}".`);
    if (!(await portIsFree(port))) throw new Error(`Port ${port} on 127.0.0.1 is already in use.`);
    return port;
  }
  if (await portIsFree(8080)) return 8080;
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function prepareDemoWorkspace() {
  mkdirSync(demoWorkspace, { recursive: true });
  const readme = join(demoWorkspace, 'README.md');
  if (!existsSync(readme)) {
    writeFileSync(
      readme,
      '# DICOM Network demo workspace\n\nOpened by `npm start`. Files received by the local SCP land here.\n',
    );
  }
}

/**
 * The UI tests' code-server launcher (test/vscode/harness/codeServer.ts), bundled for this script:
 * VS Code is started one way. It installs the extension as a symlink to the repository.
 */
async function loadLauncher() {
  const outfile = join(repoRoot, '.tools', 'start', 'code-server-launcher.cjs');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'test', 'vscode', 'harness', 'codeServer.ts')],
    outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', absWorkingDir: repoRoot,
  });
  return createRequire(import.meta.url)(outfile);
}

// Defaults for keys a person has not set; their own settings win.
function writeUserSettings(userDataDir) {
  const file = join(userDataDir, 'User', 'settings.json');
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // absent or hand-edited with comments: leave a hand-edited file alone
    if (existsSync(file)) return;
  }
  const defaults = {
    'chat.disableAIFeatures': true,
    'workbench.startupEditor': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'git.openRepositoryInParentFolders': 'never', // the demo workspace sits inside this repository
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...defaults, ...current }, null, 2) + '\n');
}

// ─── demo PACS ───────────────────────────────────────────────────────────────────────────
// `dicomnet scp` over .tools/demo-pacs/ (pydicom's samples when python3-pydicom is installed,
// plus a generated study), with Modality Worklist items for today and the extension's local SCP
// as C-MOVE destination; the demo workspace's settings point the Nodes view at it.
const demoPacsDir = join(repoRoot, '.tools', 'demo-pacs');
const demoArchive = join(demoPacsDir, 'archive');
const demoWorklist = join(demoPacsDir, 'worklist');
const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const DEMO_SAMPLES = ['CT_small.dcm', 'MR_small.dcm', 'rtplan.dcm', 'rtdose.dcm', 'liver_1frame.dcm', 'waveform_ecg.dcm'];
const LOCAL_AE = 'DICOMNET';
const DEMO_AE = 'DEMO-PACS';
const DEMO_NODE = 'Demo PACS';

// A minimal Part 10 writer (Explicit VR Little Endian) for the generated study: start.mjs must
// work on a fresh clone before anything but the bundles exists.
const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UN', 'UT', 'UC', 'UR']);
function element(tag, vr, value) {
  let bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  if (bytes.length % 2) bytes = Buffer.concat([bytes, Buffer.from([vr === 'UI' || vr === 'OB' ? 0 : 0x20])]);
  const head = Buffer.alloc(LONG_VRS.has(vr) ? 12 : 8);
  head.writeUInt16LE(tag >>> 16, 0);
  head.writeUInt16LE(tag & 0xffff, 2);
  head.write(vr, 4, 'latin1');
  if (LONG_VRS.has(vr)) head.writeUInt32LE(bytes.length, 8);
  else head.writeUInt16LE(bytes.length, 6);
  return Buffer.concat([head, bytes]);
}
const us = (n) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
function part10(sopClass, sopInstance, elements) {
  const meta = Buffer.concat([
    element(0x00020001, 'OB', Buffer.from([0, 1])),
    element(0x00020002, 'UI', sopClass),
    element(0x00020003, 'UI', sopInstance),
    element(0x00020010, 'UI', '1.2.840.10008.1.2.1'),
    element(0x00020012, 'UI', '1.2.826.0.1.3680043.10.1497.1'),
    element(0x00020013, 'SH', 'DICOMNET_DEMO'),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(meta.length);
  const body = elements.sort((a, b) => a[0] - b[0]).map(([tag, vr, v]) => element(tag, vr, v));
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), element(0x00020000, 'UL', groupLength), meta, ...body]);
}

/** A CT study of 2 series × 6 instances (256×256, 16 bits): enough to watch a retrieval. */
function writeGeneratedStudy(dir) {
  const root = '2.25.27182818284590452353602874713';
  const study = `${root}.1`;
  const pixels = Buffer.alloc(256 * 256 * 2);
  for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) {
    const r = Math.hypot(x - 128, y - 128);
    pixels.writeUInt16LE(r < 100 ? 1000 + Math.round(300 * Math.cos(r / 9)) : 0, 2 * (y * 256 + x));
  }
  const ct = '1.2.840.10008.5.1.4.1.1.2';
  for (let s = 1; s <= 2; s++) for (let n = 1; n <= 6; n++) {
    const series = `${study}.${s}`;
    const sop = `${series}.${n}`;
    writeFileSync(join(dir, `generated-${s}-${n}.dcm`), part10(ct, sop, [
      [0x00080005, 'CS', 'ISO_IR 100'], [0x00080016, 'UI', ct], [0x00080018, 'UI', sop],
      [0x00080020, 'DA', '20240315'], [0x00080030, 'TM', '101500'], [0x00080050, 'SH', 'ACC-0001'],
      [0x00080060, 'CS', 'CT'], [0x00081030, 'LO', 'Chest CT (generated)'], [0x0008103e, 'LO', s === 1 ? 'Axial 5 mm' : 'Coronal 3 mm'],
      [0x00100010, 'PN', 'Demo^Patient'], [0x00100020, 'LO', 'DEMO-001'], [0x00100030, 'DA', '19700101'], [0x00100040, 'CS', 'O'],
      [0x0020000d, 'UI', study], [0x0020000e, 'UI', series], [0x00200010, 'SH', '1'], [0x00200011, 'IS', String(s)], [0x00200013, 'IS', String(n)],
      [0x00280002, 'US', us(1)], [0x00280004, 'CS', 'MONOCHROME2'], [0x00280010, 'US', us(256)], [0x00280011, 'US', us(256)],
      [0x00280100, 'US', us(16)], [0x00280101, 'US', us(12)], [0x00280102, 'US', us(11)], [0x00280103, 'US', us(0)],
      [0x7fe00010, 'OW', pixels],
    ]));
  }
}

function seedDemoArchive() {
  if (existsSync(demoArchive) && readdirSync(demoArchive).some((f) => !f.startsWith('.'))) return;
  mkdirSync(demoArchive, { recursive: true });
  const samples = DEMO_SAMPLES.filter((f) => existsSync(join(PYDICOM_FILES, f)));
  for (const f of samples) copyFileSync(join(PYDICOM_FILES, f), join(demoArchive, `pydicom-${f}`));
  if (samples.length === 0) log(`pydicom's sample files are not installed (apt-get install python3-pydicom): the demo PACS holds only a generated study`);
  writeGeneratedStudy(demoArchive);
  log(`demo archive seeded: ${samples.length} pydicom samples and a generated study of 12 instances in ${demoArchive}`);
}

function dicomDate(d) {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/** Worklist items (DICOM JSON) scheduled today. */
function writeDemoWorklist() {
  mkdirSync(demoWorklist, { recursive: true });
  const today = dicomDate(new Date());
  const item = (i, name, id, modality, station, time, description) => ({
    '00080050': { vr: 'SH', Value: [`WL-${i}`] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: name }] },
    '00100020': { vr: 'LO', Value: [id] },
    '00100030': { vr: 'DA', Value: ['19800101'] },
    '00100040': { vr: 'CS', Value: ['O'] },
    '0020000D': { vr: 'UI', Value: [`2.25.27182818284590452353602874713.9.${i}`] },
    '00321060': { vr: 'LO', Value: [description] },
    '00400100': { vr: 'SQ', Value: [{
      '00080060': { vr: 'CS', Value: [modality] },
      '00400001': { vr: 'AE', Value: [station] },
      '00400002': { vr: 'DA', Value: [today] },
      '00400003': { vr: 'TM', Value: [time] },
      '00400006': { vr: 'PN', Value: [{ Alphabetic: 'Doctor^Demo' }] },
      '00400007': { vr: 'LO', Value: [description] },
      '00400009': { vr: 'SH', Value: [`SPS-${i}`] },
    }] },
    '00401001': { vr: 'SH', Value: [`RP-${i}`] },
  });
  writeFileSync(join(demoWorklist, 'worklist.json'), JSON.stringify([
    item(1, 'Worklist^Alpha', 'WL-001', 'CT', 'CT01', '090000', 'CT head'),
    item(2, 'Worklist^Beta', 'WL-002', 'CT', 'CT01', '110000', 'CT chest'),
    item(3, 'Worklist^Gamma', 'WL-003', 'MR', 'MR01', '140000', 'MR knee'),
  ], null, 2) + '\n');
}

/** A port on 127.0.0.1: `preferred` when free, else any free one. */
async function portNear(preferred, avoid = []) {
  if (!avoid.includes(preferred) && (await portIsFree(preferred))) return preferred;
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => { const { port: p } = srv.address(); srv.close(() => resolve(p)); });
    });
    if (!avoid.includes(port)) return port;
  }
}

/**
 * The demo workspace's settings: the Demo PACS node (replacing an older entry of that name,
 * keeping the others) and the local SCP's port. Comments in a hand-edited file are not kept.
 */
function writeWorkspaceSettings(pacsPort, scpPort) {
  const file = join(demoWorkspace, '.vscode', 'settings.json');
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    if (existsSync(file)) log(`${file} is not plain JSON: it is rewritten`);
  }
  const nodes = Array.isArray(current['dicomNetwork.nodes']) ? current['dicomNetwork.nodes'].filter((n) => n?.name !== DEMO_NODE) : [];
  const settings = {
    ...current,
    'dicomNetwork.nodes': [
      { name: DEMO_NODE, aeTitle: DEMO_AE, host: '127.0.0.1', port: pacsPort, retrieveMethod: 'C-MOVE', studyFilter: { studyDate: 'any' } },
      ...nodes,
    ],
    'dicomNetwork.localScp.aeTitle': LOCAL_AE,
    'dicomNetwork.localScp.port': scpPort,
    'dicomNetwork.localScp.autoStart': current['dicomNetwork.localScp.autoStart'] ?? true,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
}

/** A few files to open in the dataset viewer (compressed ones too) and to try "Send via C-STORE" on. */
function copyWorkspaceSamples() {
  const dir = join(demoWorkspace, 'samples');
  const fresh = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  for (const f of ['CT_small.dcm', 'MR_small.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_RLE.dcm']) {
    if (!existsSync(join(dir, f)) && existsSync(join(PYDICOM_FILES, f))) copyFileSync(join(PYDICOM_FILES, f), join(dir, f));
  }
  if (!fresh) return;
  const generated = readdirSync(demoArchive).filter((f) => f.startsWith('generated-1-')).sort().slice(0, 2);
  for (const f of generated) copyFileSync(join(demoArchive, f), join(dir, f));
}

function waitForLine(child, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => done(new Error(`the demo PACS did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      output += chunk.toString();
      if (pattern.test(output)) done();
    };
    const onExit = (code) => done(new Error(`the demo PACS exited (code ${code}):\n${output}`));
    function done(error) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error); else resolve(output);
    }
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Starts the demo PACS; returns its process id and an async function that stops it. */
async function startDemoServices() {
  const cli = join(repoRoot, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run node esbuild.mjs (or drop --no-build).');
  seedDemoArchive();
  writeDemoWorklist();
  copyWorkspaceSamples();
  const pacsPort = await portNear(11113);
  const scpPort = await portNear(11112, [pacsPort]);
  writeWorkspaceSettings(pacsPort, scpPort);
  const logFile = join(demoPacsDir, 'demo-pacs.log');
  const child = spawn(process.execPath, [
    cli, 'scp', '--port', String(pacsPort), '--bind', '127.0.0.1', '--aet', DEMO_AE, '--dir', demoArchive,
    '--dest', `${LOCAL_AE}=127.0.0.1:${scpPort}`, '--worklist', demoWorklist,
  ], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(logFile, { flags: 'a' });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  await waitForLine(child, /listening on /, 30_000);
  log(`demo PACS: AE title ${DEMO_AE} on 127.0.0.1:${pacsPort} (archive ${demoArchive}, log ${logFile})`);
  log(`it sends C-MOVE results to ${LOCAL_AE} at 127.0.0.1:${scpPort}, the extension's local SCP`);
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  };
  return { pid: child.pid, stop };
}

/** --pacs-only: the demo PACS alone, until Ctrl-C (for desktop VS Code's F5). */
async function runPacsOnly() {
  prepareDemoWorkspace();
  const pacs = await startDemoServices();
  process.on('exit', () => {
    try {
      process.kill(-pacs.pid, 'SIGKILL');
    } catch {}
  });
  const stop = async () => {
    await pacs.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  log('demo PACS ready; Ctrl-C stops it');
  await new Promise(() => undefined);
}
// ─────────────────────────────────────────────────────────────────────────────────────────

async function main() {
  if (!process.argv.includes('--no-build')) {
    log('building the extension (node esbuild.mjs)');
    const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('The build failed (node esbuild.mjs).');
  }
  if (process.argv.includes('--pacs-only')) return runPacsOnly();
  ensureVscodeTools();
  for (const m of missingDebianPackages().filter((d) => !d.forInstall)) {
    log(`note: Debian package ${m.pkg} is missing (${m.why}); not needed for npm start`);
  }

  prepareDemoWorkspace();
  mkdirSync(stateDir, { recursive: true });
  writeUserSettings(join(stateDir, 'user-data'));
  const { startCodeServer, extensionFolderName } = await loadLauncher();

  const port = await choosePort();
  const demo = await startDemoServices();
  process.on('exit', () => {
    try {
      process.kill(-demo.pid, 'SIGKILL');
    } catch {}
  });
  let server;
  try {
    server = await startCodeServer({
      stateDir, port, extensionDir: repoRoot, workspaceDir: demoWorkspace, writeUserSettings: false, echoOutput: true,
    });
  } catch (err) {
    console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
    await demo.stop();
    process.exit(1);
  }

  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    log('stopping code-server');
    await server.stop();
    await demo.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  log(`extension ${extensionFolderName(repoRoot).id} installed from ${repoRoot}`);
  log(`the DICOM view (radio tower in the activity bar) lists "${DEMO_NODE}"; expand it, right-click a study, Retrieve to Workspace`);
  log(`VS Code is ready: ${server.url}/?folder=${encodeURIComponent(demoWorkspace)}`);
  log('after rebuilding (npm run build), run "Developer: Reload Window" in the browser; Ctrl-C stops everything');
  const code = await server.exited;
  if (!stopping) {
    log(`code-server exited with code ${code}`);
    await stopAll(code === 0 ? 0 : 1);
  }
}

main().catch((err) => {
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
