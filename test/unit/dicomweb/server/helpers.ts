// Shared setup of the DICOMweb server tests: a temporary archive holding pydicom samples (and
// generated instances), a server on 127.0.0.1 over it, raw HTTP requests (paths are sent exactly
// as written, "..") and multipart answers read back with our parser.

import { request } from 'node:http';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ArchiveServices, ArchiveServicesOptions } from '../../../../src/archive/archive-services';
import { DicomwebServer, DicomwebServerOptions } from '../../../../src/dicomweb/server';
import { parseMultipart } from '../../../../src/dicomweb/multipart';
import { parseMultipartContentType } from '../../../../src/dicomweb/media-types';

export const SAMPLES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

export interface Harness {
  dir: string;
  archive: ArchiveServices;
  server: DicomwebServer;
  url: string;
  lines: string[];
  close(): Promise<void>;
}

/** An archive in a temp folder with the named samples copied in (any layout is indexed), and a server over it. */
export async function startHarness(samples: string[], options: Partial<DicomwebServerOptions> = {}, archiveOptions: Partial<ArchiveServicesOptions> = {},
  prepare?: (importDir: string) => Promise<void>): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-web-'));
  const importDir = path.join(dir, 'import');
  mkdirSync(importDir);
  for (const name of samples) copyFileSync(path.join(SAMPLES, name), path.join(importDir, name));
  await prepare?.(importDir);
  const lines: string[] = [];
  const archive = await ArchiveServices.open({ dir, aeTitle: 'WEBTEST', log: (l) => lines.push(l), ...archiveOptions });
  const server = new DicomwebServer({ archive, log: (l) => lines.push(l), ...options });
  await server.listen();
  return {
    dir, archive, server, url: server.url, lines,
    async close() {
      await server.close();
      await archive.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** HTTP trailers (after a chunked body). */
  trailers: Record<string, string | undefined>;
  body: Buffer;
  json(): any;
}

/** An HTTP request with the path sent as given (no normalisation of "." or ".."). */
export function raw(url: string, pathAndQuery: string, opts: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string | AsyncIterable<Buffer> } = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: pathAndQuery, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, trailers: res.trailers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
    });
    req.on('error', reject);
    const b = opts.body;
    if (b === undefined || typeof b === 'string' || Buffer.isBuffer(b)) {
      req.end(b);
    } else {
      (async () => {
        for await (const c of b) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch((e) => req.destroy(e));
    }
  });
}

/** GET below the service root. */
export function get(h: { url: string }, p: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const u = new URL(h.url);
  return raw(h.url, u.pathname + p, { headers });
}

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

/** The parts of a multipart/related answer. */
export async function parts(res: RawResponse): Promise<Part[]> {
  const ct = parseMultipartContentType(String(res.headers['content-type']));
  const out: Part[] = [];
  for await (const part of parseMultipart((async function* () { yield res.body; })(), ct.boundary)) {
    const chunks: Buffer[] = [];
    for await (const c of part.body) chunks.push(Buffer.from(c));
    out.push({ headers: { ...part.headers }, body: Buffer.concat(chunks) });
  }
  return out;
}

/** A multipart/related request body of Part 10 files (or any bytes). */
export function multipartBody(items: Array<{ body: Buffer; contentType?: string }>, boundary = 'test-boundary-42'): Buffer {
  const pieces: Buffer[] = [];
  for (const item of items) {
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Type: ${item.contentType ?? 'application/dicom'}\r\n\r\n`, 'latin1'), item.body, Buffer.from('\r\n', 'latin1'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(pieces);
}

export const STOW_TYPE = (boundary = 'test-boundary-42') => `multipart/related; type="application/dicom"; boundary=${boundary}`;

/** Every regular file under dir (dot folders included), relative paths sorted: what "nothing written" compares. */
export function filesUnder(dir: string, skipIndex = true): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (skipIndex && e.name === '.index') continue;
        walk(p);
      } else if (statSync(p).isFile()) out.push(path.relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** Runs a Python snippet with Debian's python3 (which has pydicom) and parses its JSON output. */
export function pydicom<T>(script: string): T {
  const out = execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out) as T;
}
