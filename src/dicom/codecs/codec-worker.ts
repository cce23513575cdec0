// Entry of a codec worker thread (bundled as dist/codec-worker.js; out/…/codec-worker.js in
// tests): runs one frame task at a time and answers with the result or the error's sentence.

import { parentPort, workerData } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrame, encodeFrame, initializeFrameCodecs, resetFrameCodecs, defaultCodecWasmPath, DecodedFrame, EncodedFrame } from './frame-codec';
import { CodecTask, CodecWorkerData, TaskRequest, TaskResponse } from './worker-protocol';

function wasmPath(): string {
  const given = (workerData as CodecWorkerData | null)?.wasmPath;
  if (given) return given;
  const beside = join(__dirname, 'dcmjs-native-codecs.wasm');
  return existsSync(beside) ? beside : defaultCodecWasmPath();
}

function run(task: CodecTask): DecodedFrame | EncodedFrame {
  switch (task.op) {
    case 'decode': return decodeFrame(task.syntax, task.data, task.description);
    case 'encode': return encodeFrame(task.syntax, task.samples, task.description, task.params);
    case 'transcode': {
      const decoded = decodeFrame(task.from, task.data, task.description);
      return encodeFrame(task.to, decoded.samples, decoded.description, task.params);
    }
  }
}

/** Runs one request; exported so that a test worker can wrap it. */
export async function handleCodecRequest(req: TaskRequest): Promise<TaskResponse> {
  try {
    await initializeFrameCodecs(wasmPath());
    return { id: req.id, ok: true, result: run(req.task) };
  } catch (e) {
    // What the failed call allocated inside the WebAssembly memory is lost: start the next task on a fresh instance.
    resetFrameCodecs();
    const err = e instanceof Error ? e : new Error(String(e));
    return { id: req.id, ok: false, error: { name: err.name, message: err.message } };
  }
}

function transferList(res: TaskResponse): ArrayBuffer[] {
  if (!res.ok) return [];
  const bytes = 'samples' in res.result ? res.result.samples : res.result.data;
  return bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];
}

/** Serves requests on the parent port (the worker's main loop). */
export function serveCodecRequests(handle: (req: TaskRequest) => Promise<TaskResponse> = handleCodecRequest): void {
  const port = parentPort;
  if (!port) return;
  port.on('message', (req: TaskRequest) => {
    void handle(req).then((res) => port.postMessage(res, transferList(res)));
  });
}

if (parentPort && (workerData as { codecWorker?: boolean } | null)?.codecWorker) serveCodecRequests();
