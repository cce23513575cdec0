// Values the archive index keeps for an instance (and, through it, its series), read without
// opening the file: the Image Pixel attributes a conversion is planned from before an answer
// starts, and the numbers that order instances.

import { Tag, Tags } from '../../dicom';
import type { PixelAttributes } from '../../dicom';
import type { AttributeValue, QueryRecord } from '../../services';
import type { ServerContext } from './context';

function first(v: AttributeValue | undefined): unknown {
  return Array.isArray(v) ? v[0] : v;
}

export function indexedNumber(record: QueryRecord | undefined, tag: Tag): number | undefined {
  const v = first(record?.value(tag));
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function indexedText(record: QueryRecord | undefined, tag: Tag): string | undefined {
  const v = first(record?.value(tag));
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

export function indexedRecord(server: ServerContext, sopInstanceUid: string): QueryRecord | undefined {
  return server.archive.index.get(sopInstanceUid)?.record;
}

/**
 * The pixel attributes the index holds (Rows, Columns, Samples per Pixel, Bits Allocated,
 * Photometric Interpretation, Number of Frames); undefined when it has no Rows (no image).
 * Bits Stored, Pixel Representation and Planar Configuration are not indexed: their defaults stand in.
 */
export function indexedPixelAttributes(record: QueryRecord | undefined): PixelAttributes | undefined {
  const rows = indexedNumber(record, Tags.Rows);
  if (rows === undefined) return undefined;
  return {
    rows,
    columns: indexedNumber(record, Tags.Columns),
    samplesPerPixel: indexedNumber(record, Tags.SamplesPerPixel),
    bitsAllocated: indexedNumber(record, Tags.BitsAllocated),
    photometricInterpretation: indexedText(record, Tags.PhotometricInterpretation),
    numberOfFrames: indexedNumber(record, Tags.NumberOfFrames),
  };
}
