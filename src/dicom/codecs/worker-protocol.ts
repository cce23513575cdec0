// Messages between CodecPool (any thread) and its codec worker threads.

import type { PixelDescription } from './pixel-description';
import type { DecodedFrame, EncodedFrame, EncodeParams } from './frame-codec';

export type CodecTask =
  | { op: 'decode'; syntax: string; data: Uint8Array; description: PixelDescription }
  | { op: 'encode'; syntax: string; samples: Uint8Array; description: PixelDescription; params: EncodeParams }
  /** Decode then encode in one trip (compressed to another compressed syntax). */
  | { op: 'transcode'; from: string; data: Uint8Array; description: PixelDescription; to: string; params: EncodeParams };

export interface TaskRequest {
  id: number;
  task: CodecTask;
}

export interface TaskErrorInfo {
  /** The error class: FrameDecodeError, FrameEncodeError, UnsupportedConversionError… */
  name: string;
  message: string;
}

export type TaskResponse =
  | { id: number; ok: true; result: DecodedFrame | EncodedFrame }
  | { id: number; ok: false; error: TaskErrorInfo };

/** Data the pool gives each worker. */
export interface CodecWorkerData {
  wasmPath?: string;
}
