// Orthanc (Debian package) as a test peer: its own temp storage, DICOM and HTTP ports on loopback.
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ORTHANC_BINARY, findDicomwebPlugin, freePort, orthancConfig, waitForUrl } from './peers';
import { readyOrStopped, start, Background } from './processes';

export interface OrthancPeer {
  aeTitle: string;
  dicomPort: number;
  httpPort: number;
  url: string;
  process: Background;
  rest<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export interface OrthancOptions {
  aeTitle?: string;
  /** Remote DICOM nodes Orthanc knows: name → [AET, host, port]. */
  modalities?: Record<string, [string, string, number]>;
  dicomWeb?: boolean;
  /** DICOMweb servers Orthanc's own client knows: name → base URL. */
  dicomWebServers?: Record<string, string>;
  extra?: Record<string, unknown>;
}

export async function startOrthanc(options: OrthancOptions = {}): Promise<OrthancPeer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'orthanc-'));
  const dicomPort = await freePort();
  const httpPort = await freePort();
  const aeTitle = options.aeTitle ?? 'ORTHANC';
  let dicomWebPlugin: string | undefined;
  if (options.dicomWeb) {
    dicomWebPlugin = findDicomwebPlugin();
    if (!dicomWebPlugin) throw new Error('The Orthanc DICOMweb plugin is not installed (Debian package orthanc-dicomweb)');
  }
  const config = orthancConfig({
    name: 'dicomnet-test', storage: path.join(dir, 'db'), aeTitle, dicomPort, httpPort,
    modalities: options.modalities, dicomWebPlugin, dicomWebServers: options.dicomWebServers, extra: options.extra,
  });
  const configPath = path.join(dir, 'orthanc.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  if (!existsSync(ORTHANC_BINARY)) throw new Error('Orthanc is not installed (Debian package orthanc)');
  const process = start(ORTHANC_BINARY, [configPath], { env: { TCP_NODELAY: '1' } });
  const url = `http://127.0.0.1:${httpPort}`;
  await readyOrStopped(process, waitForUrl(`${url}/system`, { name: 'Orthanc', alive: process.running })
    .catch((error: Error) => { throw new Error(`${error.message}\n${process.output()}`); }));
  const rest = async <T>(method: string, urlPath: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}${urlPath}`, {
      method,
      body: body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body as string : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`Orthanc ${method} ${urlPath}: HTTP ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return { aeTitle, dicomPort, httpPort, url, process, rest, stop: async () => { await process.stop(); } };
}

