// The compiled form of a query identifier: its keys and their matching types, the options that
// steer compilation, and the mutable Key and Context the compiler builds them with.

import { Tag } from '../../dicom';
import { DataElement } from '../../dicom';
import { keywordOf } from '../../dicom';
import { VR } from '../../dicom';
import { InformationModel, QueryLevel, QueryOperation } from './model';
import { QueryRecord } from './record';

export type MatchingType =
  | 'universal'
  | 'empty'
  | 'single'
  | 'uid-list'
  | 'wildcard'
  | 'range'
  | 'sequence'
  /** Several values of which one must match (not a UI key). */
  | 'any-of'
  /** Negotiated Multiple Value Matching (C.2.2.2.8): every value must match. */
  | 'all-of';

export interface CompiledKey {
  readonly tag: Tag;
  readonly keyword: string | undefined;
  readonly vr: VR;
  /** The model level the key belongs to (the query level for "all other" attributes); undefined inside items. */
  readonly level: QueryLevel | undefined;
  readonly matching: MatchingType;
  /** False when the SCP does not support matching on this key: it is then treated as universal. */
  readonly supported: boolean;
  /** The decoded key values, padding removed (empty for universal keys). */
  readonly values: readonly string[];
  /** Sequence keys: the keys of the query item (none when the whole items are asked for). */
  readonly itemKeys?: readonly CompiledKey[];
  /** Sequence keys: the query had no item, or an empty one (return the whole items). */
  readonly wholeItems?: boolean;
  /** Date or time key matched together with its partner as one datetime range (combined matching). */
  readonly combinedWith?: Tag;
  /** Whether the record satisfies this key (true for universal and unsupported keys). */
  test(record: QueryRecord): boolean;
  /** Sequence keys: whether one candidate item satisfies the item keys. */
  matchesItem?(item: QueryRecord): boolean;
}

export interface CompileOptions {
  model: InformationModel;
  /** Needed when the identifier has no Query/Retrieve Level (QIDO-RS); must agree with it otherwise. */
  level?: QueryLevel;
  /** Default 'find'. */
  operation?: QueryOperation;
  /** Relational queries were negotiated: keys above the level may be any keys. */
  relational?: boolean;
  /** Refuse keys below the level (A900) instead of ignoring them for matching. */
  strictLevels?: boolean;
  /** Case-insensitive Person Name matching (the standard allows it for PN only). */
  caseInsensitivePersonNames?: boolean;
  /** Fuzzy semantic matching of person names was negotiated: case- and accent-insensitive. */
  fuzzyPersonNames?: boolean;
  /** Combined date and time range matching was negotiated (C.2.2.2.5.1). */
  combinedDateTime?: boolean;
  /** Multiple Value Matching was negotiated (C.2.2.2.8). */
  multipleValueMatching?: boolean;
  /**
   * Which keys the SCP can match on; unsupported keys with a value become universal and are
   * listed in `unsupportedKeys`. Called with the key's level, or the query level for item keys.
   * Default: every standard key is supported, private keys are not.
   */
  isKeySupported?: (tag: Tag, level: QueryLevel) => boolean;
  /**
   * Minutes east of UTC for DT values without an offset. Default: the identifier's Timezone
   * Offset From UTC (0008,0201) when present, else 0 (values without offsets compare as they are).
   */
  timezoneOffsetMinutes?: number;
}

export interface CompiledQuery {
  readonly model: InformationModel;
  readonly level: QueryLevel;
  readonly operation: QueryOperation;
  /** The request's Specific Character Set terms ([] = default repertoire). */
  readonly characterSet: readonly string[];
  /** Whether the request held Specific Character Set (0008,0005). */
  readonly requestedCharacterSet: boolean;
  /** Every top-level key in identifier order: what a response holds. */
  readonly keys: readonly CompiledKey[];
  /** The keys that can reject a record, cheapest first. */
  readonly matchingKeys: readonly CompiledKey[];
  /**
   * Keys that a matching record must equal exactly (Single Value or List of UID Matching on
   * case-sensitive text), by tag, with the values one of which it must hold: the index can look
   * these up instead of scanning. `matches` checks them again anyway.
   */
  readonly equalityKeys: ReadonlyMap<Tag, readonly string[]>;
  /** The equality keys on INDEXED_EQUALITY_TAGS (Study/Series/SOP Instance UID, Patient ID, Accession Number). */
  readonly indexKeys: ReadonlyMap<Tag, readonly string[]>;
  /** Keys with a value that the SCP does not support matching on (answer Pending FF01). */
  readonly unsupportedKeys: readonly Tag[];
  /** Things worth logging: ignored attributes, ranges that nothing falls in. */
  readonly warnings: readonly string[];
  /** Private creator elements of the request, copied into responses as they came. */
  readonly privateCreators: readonly DataElement[];
  /** The request's Timezone Offset From UTC, if any. */
  readonly timezoneOffsetFromUtc?: string;
  /** Whether the record satisfies every key. */
  matches(record: QueryRecord): boolean;
  /** Whether the record satisfies the keys of one level (to prune a hierarchy level by level). */
  matchesLevel(level: QueryLevel, record: QueryRecord): boolean;
  keysAt(level: QueryLevel): readonly CompiledKey[];
}

export interface Context {
  readonly options: CompileOptions;
  readonly pnFold: (s: string) => string;
  readonly defaultOffset: number;
  readonly warnings: string[];
  readonly unsupported: Tag[];
  readonly level: QueryLevel;
}

/** A value test on one candidate string. */
export type ValueTest = (s: string) => boolean;

/** Internal: what range keys remember for combined date/time matching. */
export interface RangeParts { left: string; right: string }

export class Key implements CompiledKey {
  combinedWith?: Tag;
  itemKeys?: readonly CompiledKey[];
  wholeItems?: boolean;
  rangeParts?: RangeParts;
  constructor(
    readonly tag: Tag,
    readonly vr: VR,
    readonly level: QueryLevel | undefined,
    public matching: MatchingType,
    readonly values: readonly string[],
    public test: (record: QueryRecord) => boolean,
    public supported = true,
  ) {}

  get keyword(): string | undefined {
    return keywordOf(this.tag);
  }

  matchesItem?(item: QueryRecord): boolean;
}

export const ALWAYS = () => true;
