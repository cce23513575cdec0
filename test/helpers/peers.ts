// The peer harness shared by the tests and the benchmark (bench/ imports it): ports for servers
// we start, waiting until one listens, a port that refuses connections, and how Orthanc and
// DCMTK's dcmqrscp are configured. Starting and stopping processes stays with each user (the
// tests collect output in memory, the benchmark measures time and memory).
import { existsSync, readFileSync } from 'node:fs';
import * as net from 'node:net';

// ─── ports ───────────────────────────────────────────────────────────────────────────────────

/** The kernel's ephemeral range (listen(0) and every outgoing connection take their ports there). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'latin1').trim().split(/\s+/).map(Number);
    if (low && high && low > 1024) return [low, high];
  } catch {
    // not Linux: the IANA dynamic range
  }
  return [49152, 65535];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port on 127.0.0.1 for a server that another process (DCMTK, Orthanc, the extension) binds
 * later. It is free now and lies below the ephemeral range, so no outgoing connection of any
 * process on the machine can take it meanwhile (a port from listen(0) can be taken by the next
 * connect() anywhere). Servers of our own listen on port 0 instead.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const first = 10_000;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = first + Math.floor(Math.random() * (low - first));
    if (await canListen(port)) return port;
  }
  throw new Error(`No free port on 127.0.0.1 between ${first} and ${low - 1} after 100 tries.`);
}

export interface WaitForPortOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Names the server in the failure message, e.g. "storescp". */
  name?: string;
  /** False once the server's process has exited: the wait then fails at once. */
  alive?: () => boolean;
}

/** The inodes of the sockets listening on `port` (any address), from /proc/net/tcp{,6}; undefined off Linux. */
function listeningInodes(port: number): string[] | undefined {
  const inodes: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      if (table === '/proc/net/tcp') return undefined;
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDRESS:PORT in hex; state 0A is LISTEN.
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port) inodes.push(f[9]!);
    }
  }
  return inodes;
}

function connects(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Waits until something listens on `port`. On Linux it reads the kernel's socket tables instead
 * of connecting: a probe connection would be a client to a single-threaded server (storescp
 * blocks on a TLS handshake that never comes).
 */
export async function waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const name = options.name ?? 'the server';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inodes = listeningInodes(port);
    if (inodes ? inodes.length > 0 : await connects(port)) return;
    if (options.alive && !options.alive()) throw new Error(`${name} exited before it listened on port ${port}.`);
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${name} to listen on port ${port}.`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface WaitForUrlOptions {
  /** Default 30 s. */
  timeoutMs?: number;
  /** Names the server in the failure message, e.g. "Orthanc". */
  name?: string;
  /** False once the server's process has exited: the wait then fails at once. */
  alive?: () => boolean;
}

/** Waits until `url` answers 200. */
export async function waitForUrl(url: string, options: WaitForUrlOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const name = options.name ?? 'the server';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (options.alive && !options.alive()) throw new Error(`${name} exited before it answered ${url}.`);
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${name} to answer ${url}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RefusingPort {
  port: number;
  /** Lets the port go. */
  close(): void;
}

/**
 * A port on 127.0.0.1 that refuses connections for as long as it is held. It is the local port
 * of an open outgoing connection: nothing listens on it (a connection attempt gets a reset) and
 * nothing can start listening on it (the bind fails) until close(). A port merely found free
 * could be taken by the next test that needs one.
 */
export async function refusingPort(): Promise<RefusingPort> {
  const anchor = net.createServer((socket) => socket.on('error', () => undefined).unref());
  await new Promise<void>((resolve, reject) => {
    anchor.once('error', reject);
    anchor.listen(0, '127.0.0.1', () => resolve());
  });
  const holder = net.connect({ host: '127.0.0.1', port: (anchor.address() as net.AddressInfo).port });
  holder.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    holder.once('connect', () => resolve());
    holder.once('error', reject);
  });
  // Neither end keeps the event loop alive: a test that forgets close() still exits.
  holder.unref();
  anchor.unref();
  return {
    port: holder.localPort!,
    close() {
      holder.destroy();
      anchor.close();
    },
  };
}

// ─── Orthanc ─────────────────────────────────────────────────────────────────────────────────

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
/** Where Debian's orthanc-dicomweb puts the DICOMweb plugin (the file name varies by release). */
export const DICOMWEB_PLUGINS = ['/usr/lib/orthanc/libOrthancDicomWeb.so.1.7', '/usr/share/orthanc/plugins/libOrthancDicomWeb.so'];

export function findDicomwebPlugin(): string | undefined {
  return DICOMWEB_PLUGINS.find((p) => existsSync(p));
}

export interface OrthancConfigOptions {
  /** Orthanc's Name (shown in its REST answers). */
  name: string;
  /** Its index and its files. */
  storage: string;
  aeTitle?: string;
  dicomPort: number;
  httpPort: number;
  /** Remote DICOM nodes Orthanc knows: name → [AET, host, port]. */
  modalities?: Record<string, [string, string, number]>;
  /** The DICOMweb plugin to load (see findDicomwebPlugin); none: no DICOMweb. */
  dicomWebPlugin?: string;
  /** Its DICOMweb server also answers WADO-URI (default true). */
  enableWado?: boolean;
  /** DICOMweb servers Orthanc's own client knows: name → base URL. */
  dicomWebServers?: Record<string, string>;
  /** More settings, over these. */
  extra?: Record<string, unknown>;
}

/** An Orthanc configuration on loopback: no authentication, every DIMSE service allowed. */
export function orthancConfig(o: OrthancConfigOptions): Record<string, unknown> {
  return {
    Name: o.name,
    StorageDirectory: o.storage,
    IndexDirectory: o.storage,
    DicomAet: o.aeTitle ?? 'ORTHANC',
    DicomPort: o.dicomPort,
    HttpPort: o.httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomCheckCalledAet: false,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: true,
    DicomAlwaysAllowFind: true,
    DicomAlwaysAllowGet: true,
    DicomAlwaysAllowMove: true,
    UnknownSopClassAccepted: true,
    DicomModalities: o.modalities ?? {},
    Plugins: o.dicomWebPlugin ? [o.dicomWebPlugin] : [],
    // The plugin (1.7) wants each server as { Url } (a plain string is "Bad file format").
    DicomWeb: o.dicomWebPlugin
      ? {
          Enable: true,
          Root: '/dicom-web/',
          EnableWado: o.enableWado ?? true,
          Servers: Object.fromEntries(Object.entries(o.dicomWebServers ?? {}).map(([name, url]) => [name, { Url: url }])),
        }
      : undefined,
    ...o.extra,
  };
}

// ─── DCMTK dcmqrscp ──────────────────────────────────────────────────────────────────────────

/** DCMTK's largest max PDU (ASC_MAXIMUMPDUSIZE). */
export const DCMTK_MAX_PDU = 131072;

export interface DcmqrscpConfigOptions {
  port: number;
  /** The storage area of its one AE, DCMQRSCP. */
  storage: string;
  /** Default 16384; at most DCMTK_MAX_PDU. */
  maxPdu?: number;
  /** Its C-MOVE destinations: host table name → [AET, host, port]. */
  hosts?: Record<string, [string, string, number]>;
  /** Default 500. */
  maxStudies?: number;
  /** Default 1024mb. */
  maxBytesPerStudy?: string;
}

/** A dcmqrscp configuration file's text: one read-write storage area (AE title DCMQRSCP). */
export function dcmqrscpConfig(o: DcmqrscpConfigOptions): string {
  const hosts = Object.entries(o.hosts ?? {}).map(([name, [aet, host, port]]) => `${name} = (${aet}, ${host}, ${port})`).join('\n');
  return `NetworkTCPPort = ${o.port}
MaxPDUSize = ${Math.min(o.maxPdu ?? 16384, DCMTK_MAX_PDU)}
MaxAssociations = 16
HostTable BEGIN
${hosts}
HostTable END
VendorTable BEGIN
VendorTable END
AETable BEGIN
DCMQRSCP ${o.storage} RW (${o.maxStudies ?? 500}, ${o.maxBytesPerStudy ?? '1024mb'}) ANY
AETable END
`;
}
