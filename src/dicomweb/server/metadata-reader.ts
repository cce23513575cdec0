// Reads a stored instance's data set for WADO-RS metadata: every attribute, with large values
// (pixel data always, other binary and long values past a threshold) left out and remembered as
// bulk data paths, so that the metadata of a 1 GiB instance costs a few kilobytes and a few reads.

import { Dataset, DataElement } from '../../dicom';
import { TokenSink } from '../../dicom';
import { Syntax } from '../../dicom';
import { swapInPlace } from '../../dicom';
import { datasetToJson, DicomJsonObject, DicomJsonAttribute } from '../../dicom';
import { formatTagHex, Tag } from '../../dicom';
import { swapUnit } from '../../dicom';
import { HttpError } from './http-error';
import { DatasetScan, OpenInstance } from './dataset-scan';

/** Values longer than this (in the VRs PS3.18 F.2.7 lets carry a BulkDataURI) become bulk data. */
export const BULK_DATA_THRESHOLD = 1024;
/** Refuse metadata whose inline values add up to more than this. */
const MAX_INLINE_BYTES = 32 * 1024 * 1024;

const PIXEL_DATA_TAGS: ReadonlySet<Tag> = new Set([0x7fe00010, 0x7fe00008, 0x7fe00009]);
const BULK_VRS: ReadonlySet<string> = new Set([
  'DS', 'FL', 'FD', 'IS', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SL', 'SS', 'ST', 'SV', 'UC', 'UL', 'UN', 'US', 'UT', 'UV',
]);
const EMPTY = Buffer.alloc(0);

export interface InstanceMetadata {
  dataset: Dataset;
  /** Paths (as in datasetToJson's bulkData callback, e.g. "7FE00010", "00540016/0/00181072") of values left out. */
  bulkPaths: string[];
}

export function isBulkValue(tag: Tag, vr: string, length: number): boolean {
  if (PIXEL_DATA_TAGS.has(tag)) return length !== 0;
  return BULK_VRS.has(vr) && length > BULK_DATA_THRESHOLD;
}

interface Level {
  ds: Dataset;
  /** Path prefix of the elements of this data set: "" at the top, "00540016/0/" in an item. */
  prefix: string;
}

interface OpenSequence {
  el: DataElement;
  path: string;
  items: number;
}

class MetadataCollector implements TokenSink {
  readonly root = new Dataset();
  readonly bulkPaths: string[] = [];
  scan!: DatasetScan;
  private readonly levels: Level[] = [{ ds: this.root, prefix: '' }];
  private readonly sequences: OpenSequence[] = [];
  private collecting: { ds: Dataset; tag: Tag; vr: string; parts: Buffer[]; size: number; little: boolean } | undefined;
  private inlineBytes = 0;

  private get level(): Level {
    return this.levels[this.levels.length - 1]!;
  }

  private bulk(tag: Tag, vr: string): void {
    this.level.ds.append({ tag, vr, value: EMPTY });
    this.bulkPaths.push(this.level.prefix + formatTagHex(tag));
  }

  element(tag: Tag, vr: string, length: number, _depth: number, syntax: Syntax): boolean {
    if (isBulkValue(tag, vr, length)) {
      this.bulk(tag, vr);
      this.scan.skipTo(this.scan.position + length);
      return false;
    }
    this.inlineBytes += length;
    if (this.inlineBytes > MAX_INLINE_BYTES) {
      throw new HttpError(500, `The metadata of ${this.scan.file.path} holds more than ${MAX_INLINE_BYTES} bytes of values.`);
    }
    this.collecting = { ds: this.level.ds, tag, vr, parts: [], size: 0, little: syntax.little };
    return true;
  }

  value(chunk: Buffer): void {
    const c = this.collecting;
    if (c) { c.parts.push(Buffer.from(chunk)); c.size += chunk.length; }
  }

  valueEnd(): void {
    const c = this.collecting;
    if (!c) return;
    this.collecting = undefined;
    const value = c.parts.length === 1 ? c.parts[0]! : Buffer.concat(c.parts, c.size);
    if (!c.little && c.vr !== 'UN') swapInPlace(value, swapUnit(c.vr));
    c.ds.append({ tag: c.tag, vr: c.vr, value });
  }

  sequenceStart(tag: Tag): void {
    const el: DataElement = { tag, vr: 'SQ', items: [] };
    this.level.ds.append(el);
    this.sequences.push({ el, path: this.level.prefix + formatTagHex(tag), items: 0 });
  }

  itemStart(): void {
    const seq = this.sequences[this.sequences.length - 1]!;
    const item = new Dataset();
    seq.el.items!.push(item);
    this.levels.push({ ds: item, prefix: `${seq.path}/${seq.items}/` });
    seq.items++;
  }

  itemEnd(): void {
    this.levels.pop();
  }

  sequenceEnd(): void {
    this.sequences.pop();
  }

  fragmentsStart(tag: Tag, vr: string): void {
    this.bulk(tag, vr);
  }

  fragment(length: number): boolean {
    this.scan.skipTo(this.scan.position + length);
    return false;
  }

  fragmentsEnd(): void { /* nothing to keep */ }
}

/** Reads an instance's attributes, leaving bulk data out. */
export async function readInstanceMetadata(file: OpenInstance): Promise<InstanceMetadata> {
  const sink = new MetadataCollector();
  const scan = new DatasetScan(file, sink);
  sink.scan = scan;
  await scan.run();
  return { dataset: sink.root, bulkPaths: sink.bulkPaths };
}

/** The attribute at a bulk data path in a DICOM JSON object, if it is there. */
function attributeAt(json: DicomJsonObject, path: string): DicomJsonAttribute | undefined {
  const parts = path.split('/');
  let obj: DicomJsonObject | undefined = json;
  for (let i = 0; i < parts.length - 1; i += 2) {
    const seq: DicomJsonAttribute | undefined = obj?.[parts[i]!];
    const item: unknown = seq?.Value?.[Number(parts[i + 1])];
    obj = item && typeof item === 'object' ? item as DicomJsonObject : undefined;
  }
  return obj?.[parts[parts.length - 1]!];
}

/**
 * The instance as DICOM JSON with a BulkDataURI for every value left out: `${bulkDataBase}/${path}`.
 */
export function metadataJson(meta: InstanceMetadata, bulkDataBase: string): DicomJsonObject {
  const json = datasetToJson(meta.dataset);
  for (const path of meta.bulkPaths) {
    const attr = attributeAt(json, path);
    if (!attr) continue;
    delete attr.Value;
    delete attr.InlineBinary;
    attr.BulkDataURI = `${bulkDataBase}/${path}`;
  }
  return json;
}
