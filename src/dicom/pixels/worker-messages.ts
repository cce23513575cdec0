// Messages between FrameDecoder (the extension host) and the decoding worker thread.

import type { FrameData } from './frame-data';

/** A file on disk, or bytes the host already holds (sent to the worker once per key). */
export type FrameSourceRef =
  | { kind: 'path'; path: string }
  | { kind: 'bytes'; key: string; bytes?: Uint8Array };

export interface DecodeRequest {
  id: number;
  op: 'decode';
  source: FrameSourceRef;
  frame: number;
}

export interface DropRequest {
  id: number;
  op: 'drop';
  key: string;
}

export type WorkerRequest = DecodeRequest | DropRequest;

export interface WorkerErrorInfo {
  /** The error class name: NoImageError, UnsupportedImageError, PixelDecodeError, … */
  name: string;
  message: string;
}

export type WorkerResponse =
  | { id: number; ok: true; frame: FrameData }
  | { id: number; ok: true; frame?: undefined }
  | { id: number; ok: false; error: WorkerErrorInfo };
