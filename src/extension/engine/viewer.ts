// What the webviews need from the DICOM code, behind one small interface. No vscode import: the
// lead can export it from the engine facade bundle so that activation does not load the parser.

import { parsePart10 } from '../../dicom';
import { buildDatasetView, fullValueOf, findRow, copyText } from '../../dicom';
import type { DatasetView, FullValue } from '../../dicom';
import { summarizeImage, FrameDecoder } from '../../dicom';
import type { FrameDecoderOptions, FrameSource, DecodeOptions, FrameData, ImageSummary } from '../../dicom';
import type { CopyWhat } from '../../shared';

export interface OpenedDataset {
  view: DatasetView;
  image: ImageSummary;
  /** "Show all" for a row. @throws when the id names nothing. */
  fullValue(id: string): FullValue;
  /** Clipboard text for a row (the whole value, not the cut one). */
  copyText(id: string, what: CopyWhat): string;
}

export interface FrameDecoderLike {
  decodeFrame(source: FrameSource, frame: number, opts?: DecodeOptions): Promise<FrameData>;
  release(key: string): void;
  dispose(): void;
}

export interface ViewerEngine {
  /** Parses a Part 10 file (or bare dataset). @throws DicomParseError and its kin, with a clear message. */
  openDataset(bytes: Uint8Array, name: string): OpenedDataset;
  createFrameDecoder(opts?: FrameDecoderOptions): FrameDecoderLike;
}

export function openDataset(bytes: Uint8Array, name: string): OpenedDataset {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const file = parsePart10(buf, name);
  const roots = { meta: file.metaDataset, dataset: file.dataset };
  const view = buildDatasetView(file);
  return {
    view,
    image: summarizeImage(file.dataset, file.transferSyntaxUid),
    fullValue: (id) => fullValueOf(id, roots),
    copyText: (id, what) => {
      const row = findRow(id.startsWith('m/') ? view.meta : view.dataset, id);
      if (!row) throw new Error('That row is not in this file.');
      const full = row.truncated && what !== 'tag' ? fullValueOf(id, roots).text : undefined;
      return copyText(row, what, full);
    },
  };
}

export function createFrameDecoder(opts?: FrameDecoderOptions): FrameDecoderLike {
  return new FrameDecoder(opts);
}

export const viewerEngine: ViewerEngine = { openDataset, createFrameDecoder };
