// Builders for query identifiers and records used by the query tests.

import { join } from 'node:path';
import { readFileSync, existsSync } from 'node:fs';
import { Dataset, ElementValue, resolveTag } from '../../../../src/dicom';
import { dictionaryVr } from '../../../../src/dicom/dictionary';
import { charsetEncoder } from '../../../../src/dicom/charset';
import { parsePart10 } from '../../../../src/dicom/part10';
import { Tags } from '../../../../src/dicom/tag';

export const PYDICOM_CHARSET_FILES = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';

export type IdentifierFields = Record<string, ElementValue | IdentifierFields[]>;

/**
 * An identifier from keyword → value; arrays of plain objects become sequences of one or more
 * items. With `charset`, Specific Character Set is set and text is encoded in it.
 */
export function identifier(fields: IdentifierFields, charset?: string | string[]): Dataset {
  const ds = build(fields, charset);
  if (charset !== undefined) ds.set('SpecificCharacterSet', 'CS', Array.isArray(charset) ? charset : [charset]);
  return ds;
}

function build(fields: IdentifierFields, charset: string | string[] | undefined): Dataset {
  const ds = new Dataset();
  const encode = charsetEncoder(charset);
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && !(value[0] instanceof Dataset)) {
      // Items are written in the character set of the identifier they are in.
      ds.set(key, 'SQ', (value as IdentifierFields[]).map((item) => build(item, charset)));
      continue;
    }
    // The VR is passed explicitly: a two-letter value such as "CT" would otherwise be taken for one.
    const vr = dictionaryVr(resolveTag(key));
    ds.set(key, vr, (value ?? null) as ElementValue, encode as never);
  }
  return ds;
}

export function charsetFile(name: string): Dataset {
  return parsePart10(readFileSync(join(PYDICOM_CHARSET_FILES, name)), name).dataset;
}

export function charsetFilesAvailable(): boolean {
  return existsSync(PYDICOM_CHARSET_FILES);
}

/** The raw bytes of a top-level element of a pydicom charset file, padding included. */
export function rawValue(name: string, tag: number): Buffer {
  return charsetFile(name).get(tag)!.value!;
}

export { Tags };
