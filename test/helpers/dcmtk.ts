// DCMTK servers beyond storescp for query tests: dcmqrscp (a Q/R SCP over its own storage area)
// and wlmscpfs (a worklist SCP over a folder of .wl files).
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/dicom/dataset-model';
import { parsePart10 } from '../../src/dicom/part10';
import { readFileSync } from 'node:fs';
import { dcmqrscpConfig, freePort, waitForPort } from './peers';
import { readyOrStopped, run, start, Background } from './processes';

export const DCMTK_ENV = { TCP_NODELAY: '1' };
export const WLISTDB_EXAMPLES = '/usr/share/doc/dcmtk/examples/wlistdb/OFFIS';

export interface DcmtkServer extends Background {
  port: number;
  aeTitle: string;
  dir: string;
}

/** dcmqrscp with one storage area (AE title DCMQRSCP), move destinations from `peers`. */
export async function startDcmqrscp(peers: Record<string, [string, string, number]> = {}): Promise<DcmtkServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dcmqrscp-'));
  const storage = path.join(dir, 'storage');
  mkdirSync(storage);
  const port = await freePort();
  const configPath = path.join(dir, 'dcmqrscp.cfg');
  writeFileSync(configPath, dcmqrscpConfig({ port, storage, hosts: peers }));
  const bg = start('dcmqrscp', ['-c', configPath, '--disable-host-lookup'], { env: DCMTK_ENV });
  await readyOrStopped(bg, waitForPort(port, { name: 'dcmqrscp', alive: bg.running }));
  return Object.assign(bg, { port, aeTitle: 'DCMQRSCP', dir });
}

/** wlmscpfs over DCMTK's example worklists, converted with dump2dcm; called AE title WLMSCP; `args` before its own. */
export async function startWlmscpfs(args: readonly string[] = []): Promise<DcmtkServer & { items: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wlistdb-'));
  const aeDir = path.join(dir, 'WLMSCP');
  mkdirSync(aeDir);
  const items: string[] = [];
  for (const dump of readdirSync(WLISTDB_EXAMPLES).filter((f) => f.endsWith('.dump')).sort()) {
    const out = path.join(aeDir, dump.replace(/\.dump$/, '.wl'));
    const r = await run('dump2dcm', [path.join(WLISTDB_EXAMPLES, dump), out]);
    if (r.code !== 0) throw new Error(`dump2dcm ${dump}: ${r.stderr}`);
    items.push(out);
  }
  writeFileSync(path.join(aeDir, 'lockfile'), '');
  const port = await freePort();
  const bg = start('wlmscpfs', [...args, '-dfp', dir, String(port)], { env: DCMTK_ENV });
  await readyOrStopped(bg, waitForPort(port, { name: 'wlmscpfs', alive: bg.running }));
  return Object.assign(bg, { port, aeTitle: 'WLMSCP', dir, items });
}

/** Runs findscu with -X and returns the responses it extracted, in order. */
export async function findscu(args: readonly string[]): Promise<{ code: number | null; responses: Dataset[]; output: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'findscu-'));
  const r = await run('findscu', ['-X', ...args], { cwd: dir, env: DCMTK_ENV });
  const files = readdirSync(dir).filter((f) => /^rsp\d+\.dcm$/.test(f)).sort();
  return { code: r.code, output: r.stdout + r.stderr, responses: files.map((f) => parsePart10(readFileSync(path.join(dir, f))).dataset) };
}
