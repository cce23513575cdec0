// Checking a C-FIND / C-MOVE / C-GET identifier against its information model before any
// matching: the Query/Retrieve Level (C.4.1.1.3.1), the hierarchical rules for keys above and
// below the level (C.4.1.2.1, C.4.1.3.1), the unique keys a retrieve needs (C.4.2.1.4.1), and
// one item per sequence key (C.2.2.2.6). Failures carry the status the SCP answers with, chosen
// as DCMTK's dcmqrscp does where the standard leaves it open: A900 "Identifier does not match
// SOP Class" for a missing level, a retrieval without its unique key, a malformed key value or
// a sequence key with several items; C000 "Unable to process" for a level the model does not
// have, non-unique keys above the level of a hierarchical query, and runaway nesting.

import { Tag, Tags, formatTag, isPrivateTag } from '../../dicom';
import { Dataset } from '../../dicom';
import { DicomError } from '../../dicom';
import { keywordOf } from '../../dicom';
import { charsetDecoder } from '../../dicom';
import { Status } from '../../dimse';
import {
  InformationModel, QueryLevel, QueryOperation, LEVELLESS_KEYS, NON_KEY_ATTRIBUTES,
  levelDepth, parseQueryLevel,
} from './model';

/** Deepest sequence nesting accepted in an identifier. */
export const MAX_IDENTIFIER_DEPTH = 8;

export class QueryIdentifierError extends DicomError {
  constructor(
    message: string,
    /** The DIMSE status to answer with (0xA900 or 0xC000). */
    readonly status: number,
    /** Offending Element (0000,0901) values. */
    readonly offendingElements: readonly Tag[] = [],
  ) {
    super(message);
  }

  /** The reason cut to fit Error Comment (0000,0902), an LO of at most 64 characters. */
  get errorComment(): string {
    const m = this.message;
    return m.length <= 64 ? m : m.slice(0, 61) + '...';
  }
}

export interface ValidationOptions {
  model: InformationModel;
  /** Default 'find'. */
  operation?: QueryOperation;
  /** The level when the identifier has no Query/Retrieve Level (QIDO-RS names it in the URL). */
  level?: QueryLevel;
  /** Relational queries / retrieval were negotiated (extended negotiation, C.4.1.2.2). */
  relational?: boolean;
  /**
   * Refuse (A900) keys below the queried level instead of ignoring them. Default false: like
   * DCMTK's dcmqrscp and Orthanc, such keys are not matched, only returned.
   */
  strictLevels?: boolean;
}

export type ValidationResult =
  | {
    ok: true;
    level: QueryLevel;
    warnings: string[];
    /** Top-level keys that are not to be matched (below the level, or not unique in a retrieval). */
    ignoredKeys: Tag[];
  }
  | { ok: false; error: QueryIdentifierError };

export function describeKey(t: Tag): string {
  const k = keywordOf(t);
  return k ? `${k} ${formatTag(t)}` : formatTag(t);
}

function fail(message: string, offending: Tag[] = [], status: number = Status.IdentifierDoesNotMatchSopClass): QueryIdentifierError {
  return new QueryIdentifierError(message, status, offending);
}

const MODEL_TITLES: Record<string, string> = {
  PatientRoot: 'Patient Root', StudyRoot: 'Study Root', PatientStudyOnly: 'Patient/Study Only', ModalityWorklist: 'Modality Worklist',
};

export function modelTitle(model: InformationModel): string {
  return MODEL_TITLES[model.name] ?? model.name;
}

/** Sequence keys hold one item (C.2.2.2.6); nesting is bounded. */
function checkSequences(ds: Dataset, depth: number): QueryIdentifierError | undefined {
  for (const el of ds.elements()) {
    if (!el.items) continue;
    if (depth >= MAX_IDENTIFIER_DEPTH) {
      return fail(`The identifier nests sequences deeper than ${MAX_IDENTIFIER_DEPTH} levels, at ${describeKey(el.tag)}.`, [el.tag], Status.UnableToProcess);
    }
    if (el.items.length > 1) {
      return fail(`${describeKey(el.tag)} holds ${el.items.length} items; a sequence key holds exactly one item (PS3.4 C.2.2.2.6).`, [el.tag]);
    }
    for (const item of el.items) {
      const nested = checkSequences(item, depth + 1);
      if (nested) return nested;
    }
  }
  return undefined;
}

function isSingleValue(text: string): boolean {
  return text !== '' && !text.includes('\\') && !text.includes('*') && !text.includes('?');
}

/** Checks an identifier; never throws. */
export function validateIdentifier(identifier: Dataset, options: ValidationOptions): ValidationResult {
  const { model, relational = false } = options;
  const operation = options.operation ?? 'find';
  const warnings: string[] = [];
  const ignoredKeys: Tag[] = [];
  const title = modelTitle(model);
  const decode = charsetDecoder(identifier.strings(Tags.SpecificCharacterSet) ?? undefined);
  const text = (t: Tag) => (identifier.string(t, decode) ?? '').trim();

  const sequenceError = checkSequences(identifier, 0);
  if (sequenceError) return { ok: false, error: sequenceError };

  // The level.
  let lvl: QueryLevel;
  if (!model.hierarchical) {
    lvl = model.levels[0]!;
    if (identifier.has(Tags.QueryRetrieveLevel)) {
      warnings.push(`Query/Retrieve Level (0008,0052) is not part of the ${title} model and was ignored.`);
    }
  } else if (identifier.has(Tags.QueryRetrieveLevel)) {
    const raw = text(Tags.QueryRetrieveLevel);
    const parsed = parseQueryLevel(model, raw);
    if (!parsed) {
      // DCMTK's dcmqrscp answers C000 here and A900 when the level is missing; so do we.
      const why = raw === '' ? 'is empty' : `is "${raw}"`;
      return {
        ok: false,
        error: fail(`Query/Retrieve Level (0008,0052) ${why}; the ${title} model has the levels ${model.levels.join(', ')}.`,
          [Tags.QueryRetrieveLevel], Status.UnableToProcess),
      };
    }
    if (options.level !== undefined && options.level !== parsed) {
      return { ok: false, error: fail(`Query/Retrieve Level (0008,0052) is ${parsed} but the request is for the ${options.level} level.`, [Tags.QueryRetrieveLevel]) };
    }
    lvl = parsed;
  } else if (options.level !== undefined && model.levels.includes(options.level)) {
    lvl = options.level;
  } else {
    return {
      ok: false,
      error: fail(`The identifier has no Query/Retrieve Level (0008,0052); a ${title} request names one of ${model.levels.join(', ')}.`, [Tags.QueryRetrieveLevel]),
    };
  }
  if (!model.hierarchical) return { ok: true, level: lvl, warnings, ignoredKeys };

  const depth = levelDepth(model, lvl);
  const presentUnique = new Set<Tag>();
  for (const el of identifier.elements()) {
    const t = el.tag;
    if (t >>> 16 < 0x0008 || (t & 0xffff) === 0 || NON_KEY_ATTRIBUTES.has(t) || isPrivateTag(t) || LEVELLESS_KEYS.has(t)) continue;
    const info = model.attributes.get(t);
    // Attributes the tables do not name are "all other attributes" of the queried level.
    if (!info) continue;
    const d = levelDepth(model, info.level);
    if (d > depth) {
      const what = `${describeKey(t)} is a ${info.level}-level key, below the ${lvl} level of this request`;
      if (options.strictLevels) return { ok: false, error: fail(`${what}.`, [t]) };
      warnings.push(`${what}; it is returned but not matched.`);
      ignoredKeys.push(t);
      continue;
    }
    if (info.type === 'U') presentUnique.add(t);
    if (operation === 'find') {
      if (d < depth && info.type !== 'U' && !relational && !el.items && text(t) === '') {
        // PS3.4 C.4.1.2.1 allows only the unique key above the level, but clients (and Orthanc,
        // dcm4chee) send e.g. an empty PatientName at the STUDY level: it matches everything
        // anyway, so it is accepted as a return key (answered, not matched), with a warning.
        warnings.push(`${describeKey(t)} is a ${info.level}-level key above the ${lvl} level, where a hierarchical query may hold only the unique key; empty, it was accepted as a return key (not matched).`);
        ignoredKeys.push(t);
        continue;
      }
      if (d < depth && info.type !== 'U' && !relational) {
        const unique = model.definitions.get(info.level)?.uniqueKey;
        const allowed = unique !== undefined ? `only its unique key ${describeKey(unique)}` : 'no key';
        // DCMTK's dcmqrscp answers C000 "Unable to process" to this; so do we.
        return {
          ok: false,
          error: fail(`${describeKey(t)} is a ${info.level}-level key; above the ${lvl} level a hierarchical query may hold ${allowed} (relational queries were not negotiated).`,
            [t], Status.UnableToProcess),
        };
      }
      continue;
    }
    // C-MOVE / C-GET: only unique keys identify what to retrieve.
    if (info.type !== 'U') {
      warnings.push(`${describeKey(t)} is not a unique key and was ignored for the retrieval.`);
      ignoredKeys.push(t);
      continue;
    }
    const value = text(t);
    const mustBeSingle = (d < depth && !relational) || t === Tags.PatientID;
    if (mustBeSingle && value !== '' && !isSingleValue(value)) {
      return { ok: false, error: fail(`${describeKey(t)} must hold a single value to identify the ${info.level} to retrieve; it holds "${value}".`, [t]) };
    }
  }

  if (operation !== 'find') {
    for (let d = 0; d <= depth; d++) {
      const def = model.definitions.get(model.levels[d]!)!;
      const unique = def.uniqueKey!;
      const has = presentUnique.has(unique) && text(unique) !== '';
      if (d === depth && !has) {
        return { ok: false, error: fail(`A ${lvl}-level ${operation === 'move' ? 'C-MOVE' : 'C-GET'} needs a value for ${describeKey(unique)}.`, [unique]) };
      }
      if (d < depth && !has && !relational) {
        warnings.push(`${describeKey(unique)} of the ${def.level} level is missing; retrieving by the lower-level keys alone.`);
      }
    }
  }
  return { ok: true, level: lvl, warnings, ignoredKeys };
}
