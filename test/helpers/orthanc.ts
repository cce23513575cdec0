// Orthanc (Debian package) as a test peer: its own temp storage, DICOM and HTTP ports on loopback.
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, start, Background } from './processes';

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/lib/orthanc/libOrthancDicomWeb.so.1.7';

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
  const config: Record<string, unknown> = {
    Name: 'dicomnet-test',
    StorageDirectory: path.join(dir, 'db'),
    IndexDirectory: path.join(dir, 'db'),
    DicomAet: aeTitle,
    DicomPort: dicomPort,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomCheckCalledAet: false,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: true,
    DicomAlwaysAllowFind: true,
    DicomAlwaysAllowGet: true,
    DicomAlwaysAllowMove: true,
    UnknownSopClassAccepted: true,
    DicomModalities: options.modalities ?? {},
    Plugins: options.dicomWeb ? [DICOMWEB_PLUGIN] : [],
    // The plugin (1.7) wants each server as { Url } (a plain string is "Bad file format").
    DicomWeb: options.dicomWeb ? { Enable: true, Root: '/dicom-web/', EnableWado: true,
      Servers: Object.fromEntries(Object.entries(options.dicomWebServers ?? {}).map(([name, url]) => [name, { Url: url }])) } : undefined,
    ...options.extra,
  };
  const configPath = path.join(dir, 'orthanc.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  if (!existsSync(ORTHANC_BINARY)) throw new Error('Orthanc is not installed (Debian package orthanc)');
  const process = start(ORTHANC_BINARY, [configPath], { env: { TCP_NODELAY: '1' } });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/system`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (process.child.exitCode !== null) throw new Error(`Orthanc exited: ${process.output()}`);
    if (Date.now() > deadline) throw new Error(`Orthanc did not start: ${process.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
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
