// How each implementation is started: our CLI, DCMTK's tools, Orthanc, the small dcmjs-dimse
// scripts in bench/dcmjs, and the Node floor (bench/floor-scp.mjs, bench/floor-scu.mjs). Servers get
// a free port and a log file in the scratch area.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DCMTK_MAX_PDU, ORTHANC_BINARY, dcmqrscpConfig, freePort, orthancConfig } from '../../test/helpers/peers';
import { BenchOptions } from './options';
import { RunSpec, Server, startServer } from './system';

export interface Context {
  options: BenchOptions;
  log: (line: string) => void;
  node: string;
  dcmjsDir: string;
  /** bench/ in the repository (the bench runs from a bundle in bench/data/build). */
  benchDir: string;
  /** A fresh scratch folder for one run. */
  runDir: (name: string) => string;
  have: { dcmtk: boolean; orthanc: boolean; dicomweb: string | undefined; dcmjs: boolean; httpServer: boolean; fork: boolean };
}

export const DCMTK_NODELAY: NodeJS.ProcessEnv = { TCP_NODELAY: '1' };
/** DCMTK with TCP_NODELAY unset: its default (Nagle on), the classic delayed-ACK stall. */
export const DCMTK_DEFAULT_ENV: NodeJS.ProcessEnv = { TCP_NODELAY: undefined };

export type Started = Server & { port: number };

async function started(server: Promise<Server>, port: number): Promise<Started> {
  return Object.assign(await server, { port });
}

// --- servers ------------------------------------------------------------------------------------

export interface DicomnetScpOptions {
  dir: string;
  maxPdu: number;
  dest?: string[];
  httpPort?: number;
  aet?: string;
}

export async function dicomnetScp(ctx: Context, log: string, o: DicomnetScpOptions): Promise<Started> {
  const port = await freePort();
  const args = [ctx.options.cli, 'scp', '--port', String(port), '--bind', '127.0.0.1', '--aet', o.aet ?? 'DICOMNET',
    '--dir', o.dir, '--max-pdu', String(o.maxPdu), '--max-associations', '64'];
  for (const d of o.dest ?? []) args.push('--dest', d);
  if (o.httpPort) args.push('--http-port', String(o.httpPort));
  return started(startServer({ name: 'dicomnet scp', cmd: ctx.node, args, logFile: log, ready: { port }, rss: 'vmhwm', startTimeoutMs: 120_000 }), port);
}

export async function storescp(ctx: Context, log: string, o: { dir: string; maxPdu: number; env: NodeJS.ProcessEnv; fork?: boolean; aet?: string; bitPreserving?: boolean }): Promise<Started> {
  const port = await freePort();
  mkdirSync(o.dir, { recursive: true });
  const args = ['--max-pdu', String(Math.min(o.maxPdu, DCMTK_MAX_PDU)), '-od', o.dir, '-fe', '.dcm', '-aet', o.aet ?? 'STORESCP'];
  if (o.fork) args.push('--fork');
  // +B writes the data set to the file as it arrives instead of reading it into memory first.
  if (o.bitPreserving) args.push('+B');
  args.push(String(port));
  return started(startServer({ name: 'storescp', cmd: 'storescp', args, env: o.env, logFile: log, ready: { port }, rss: o.fork ? 'time' : 'vmhwm' }), port);
}

export async function dcmjsScp(ctx: Context, log: string, o: { dir: string; maxPdu: number }): Promise<Started> {
  const port = await freePort();
  mkdirSync(o.dir, { recursive: true });
  const args = [path.join(ctx.dcmjsDir, 'store-scp.js'), '--port', String(port), '--dir', o.dir, '--max-pdu', String(o.maxPdu)];
  return started(startServer({ name: 'dcmjs-dimse scp', cmd: ctx.node, args, logFile: log, ready: { port }, rss: 'vmhwm' }), port);
}

/**
 * The Node floor SCP (bench/floor-scp.mjs): the least a Node.js storage SCP does, a reference for
 * where Node itself stands. Writes `<SOP Instance UID>.dcm` into `dir`.
 */
export async function floorScp(ctx: Context, log: string, o: { dir: string; maxPdu: number }): Promise<Started> {
  const port = await freePort();
  const args = [path.join(ctx.benchDir, 'floor-scp.mjs'), '--port', String(port), '--dir', o.dir, '--max-pdu', String(o.maxPdu)];
  return started(startServer({ name: 'Node floor scp', cmd: ctx.node, args, logFile: log, ready: { port }, rss: 'vmhwm' }), port);
}

/** dcmqrscp over one storage area (AE title DCMQRSCP); `destinations` are its C-MOVE peers. */
export async function dcmqrscp(ctx: Context, log: string, o: { storage: string; maxPdu: number; destinations?: Record<string, number>; maxStudies?: number }): Promise<Started> {
  const port = await freePort();
  mkdirSync(o.storage, { recursive: true });
  const hosts = Object.fromEntries(Object.entries(o.destinations ?? {}).map(([aet, p]): [string, [string, string, number]] => [aet.toLowerCase(), [aet, '127.0.0.1', p]]));
  const config = dcmqrscpConfig({ port, storage: o.storage, maxPdu: o.maxPdu, hosts, maxStudies: o.maxStudies, maxBytesPerStudy: '4096mb' });
  const configFile = `${log}.cfg`;
  writeFileSync(configFile, config);
  return started(startServer({
    name: 'dcmqrscp', cmd: 'dcmqrscp', args: ['-c', configFile, '--disable-host-lookup'], env: DCMTK_NODELAY, logFile: log, ready: { port }, rss: 'time',
  }), port);
}

export interface OrthancServer extends Started {
  httpPort: number;
  url: string;
}

/** Orthanc over `storage` (its index and files), with the DICOMweb plugin when installed. */
export async function orthanc(ctx: Context, log: string, o: { storage: string; dicomweb?: boolean; maxPdu?: number; webServers?: Record<string, string> }): Promise<OrthancServer> {
  const port = await freePort();
  const httpPort = await freePort();
  mkdirSync(o.storage, { recursive: true });
  const config = orthancConfig({
    name: 'dicomnet-bench', storage: o.storage, dicomPort: port, httpPort,
    dicomWebPlugin: o.dicomweb ? ctx.have.dicomweb : undefined, enableWado: false, dicomWebServers: o.webServers,
    extra: {
      StorageCompression: false,
      LimitFindResults: 0,
      LimitFindInstances: 0,
      MaximumPduLength: Math.min(o.maxPdu ?? DCMTK_MAX_PDU, DCMTK_MAX_PDU),
      HttpThreadsCount: 50,
    },
  });
  const configFile = `${log}.json`;
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const server = await startServer({
    name: 'Orthanc', cmd: ORTHANC_BINARY, args: [configFile], env: DCMTK_NODELAY, logFile: log,
    ready: { url: `http://127.0.0.1:${httpPort}/system` }, rss: 'vmhwm', startTimeoutMs: 120_000,
  });
  return Object.assign(server, { port, httpPort, url: `http://127.0.0.1:${httpPort}` });
}

// --- clients (specs for runTimed) ---------------------------------------------------------------

type Spec = Omit<RunSpec, 'logFile' | 'timeoutMs'>;

export function dicomnetStore(ctx: Context, port: number, input: string, aec = 'ANY-SCP'): Spec {
  return { cmd: ctx.node, args: [ctx.options.cli, 'store', '--host', '127.0.0.1', '--port', String(port), '--aec', aec, '--input', input] };
}

export function storescu(port: number, inputs: string[], env: NodeJS.ProcessEnv, aec = 'ANY-SCP'): Spec {
  // +sd/+r: scan folders recursively; -nh: go on past a file it cannot read (none expected).
  return { cmd: 'storescu', args: ['-aec', aec, '+sd', '+r', '-nh', '127.0.0.1', String(port), ...inputs], env };
}

/** The Node floor SCU (bench/floor-scu.mjs): one association, sending at the peer's max PDU. */
export function floorStore(ctx: Context, port: number, input: string): Spec {
  return { cmd: ctx.node, args: [path.join(ctx.benchDir, 'floor-scu.mjs'), '--port', String(port), input] };
}

export function dcmjsStore(ctx: Context, port: number, input: string): Spec {
  return { cmd: ctx.node, args: [path.join(ctx.dcmjsDir, 'store-scu.js'), '--host', '127.0.0.1', '--port', String(port), '--input', input] };
}
