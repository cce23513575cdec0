// Entry of the decoding worker thread (bundled as dist/pixel-worker.js; out/…/pixel-worker.js in
// tests). It keeps the last parsed file so that moving the frame slider does not parse it again.

import { parentPort, workerData } from 'node:worker_threads';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parsePart10, Part10File } from '../part10';
import { decodeFrameSync, defaultWasmPath, initializeCodecs } from './decode';
import { PixelDecodeError } from './errors';
import { WorkerRequest, WorkerResponse, FrameSourceRef } from './worker-messages';

interface Cached {
  key: string;
  file: Part10File;
}

let cached: Cached | undefined;
const held = new Map<string, Buffer>();

function wasmPath(): string {
  const given = (workerData as { wasmPath?: string } | null)?.wasmPath;
  if (given) return given;
  const beside = join(__dirname, 'dcmjs-native-codecs.wasm');
  return existsSync(beside) ? beside : defaultWasmPath();
}

async function load(source: FrameSourceRef): Promise<Part10File> {
  if (source.kind === 'path') {
    const s = await stat(source.path);
    const key = `path:${source.path}:${s.size}:${s.mtimeMs}`;
    if (cached?.key === key) return cached.file;
    cached = undefined;
    const file = parsePart10(await readFile(source.path), source.path);
    cached = { key, file };
    return file;
  }
  const key = `bytes:${source.key}`;
  if (cached?.key === key) return cached.file;
  if (source.bytes) held.set(source.key, Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength));
  const bytes = held.get(source.key);
  if (!bytes) throw new PixelDecodeError('The worker does not hold the bytes of this file any more.');
  cached = undefined;
  const file = parsePart10(bytes, source.key);
  cached = { key, file };
  return file;
}

function transferables(r: WorkerResponse): ArrayBuffer[] {
  if (!r.ok || !r.frame) return [];
  const buf = r.frame.pixels.buffer;
  return buf instanceof ArrayBuffer ? [buf] : [];
}

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  try {
    if (req.op === 'drop') {
      held.delete(req.key);
      if (cached?.key === `bytes:${req.key}`) cached = undefined;
      return { id: req.id, ok: true };
    }
    await initializeCodecs(wasmPath());
    const file = await load(req.source);
    return { id: req.id, ok: true, frame: decodeFrameSync(file.dataset, file.transferSyntaxUid, req.frame) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { id: req.id, ok: false, error: { name: err.name, message: err.message } };
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (req: WorkerRequest) => {
    void handle(req).then((res) => port.postMessage(res, transferables(res)));
  });
}
