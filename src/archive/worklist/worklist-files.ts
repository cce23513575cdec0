// Reading worklist items from files: DICOM files with or without file meta (DCMTK's .wl files
// are written either way), and DICOM JSON (PS3.18 F.2) holding one item or an array of them.

import * as path from 'node:path';
import { Dataset } from '../../dicom';
import { parsePart10 } from '../../dicom';
import { datasetFromJson } from '../../dicom';
import { Tags } from '../../dicom';

export class WorklistFileError extends Error {
  override name = 'WorklistFileError';
}

export interface ParsedWorklistFile {
  items: Dataset[];
  /** Items of a JSON array that could not be read (the others are kept). */
  problems: string[];
}

export function isJsonFile(file: string): boolean {
  return path.extname(file).toLowerCase() === '.json';
}

function fromJson(bytes: Buffer, name: string): ParsedWorklistFile {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new WorklistFileError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(json) ? json : [json];
  const items: Dataset[] = [];
  const problems: string[] = [];
  list.forEach((entry, i) => {
    try {
      items.push(datasetFromJson(entry));
    } catch (error) {
      problems.push(`item ${i + 1} of ${name} is skipped: ${(error as Error).message}`);
    }
  });
  if (items.length === 0 && problems.length === 0) throw new WorklistFileError(`${name} holds no worklist item.`);
  return { items, problems };
}

/**
 * The worklist items in a file's bytes.
 * @throws WorklistFileError or the dicom layer's errors (NotDicomError, …) when the file cannot be read at all.
 */
export function parseWorklistFile(bytes: Buffer, name: string): ParsedWorklistFile {
  if (isJsonFile(name)) return fromJson(bytes, name);
  const { dataset } = parsePart10(bytes, name, { stopAtTag: Tags.PixelData });
  if (dataset.size === 0) throw new WorklistFileError(`${name} holds an empty data set.`);
  return { items: [dataset], problems: [] };
}
