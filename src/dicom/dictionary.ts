// The standard data dictionary (PS3.6), from a compact table generated from dcmjs's copy
// (scripts/make-dictionary.mjs). The table is required on first use, and the first lookups are
// answered by searching it; past SEARCHES_BEFORE_PARSE it is parsed once into Maps. A command
// that looks up nothing (dicomnet echo) does not load its 200 kB, and one that looks up a few
// keys (a C-FIND) does not parse 5,000 lines: that parse was ~15 ms of a dicomnet find.
//
// Before the whole table, a search reads the core table (dictionary-core.ts, 8 kB): the lines of
// the attributes the code names and the query models' keys, each the line the whole table answers
// with. A dicomnet find with the usual keys then never requires the 200 kB table (the CLI's builds
// keep it in a file of its own beside the bundles: scripts/cli-bundles.mjs), and eleven keys no
// longer cost eleven scans of 200 kB (~2.4 M instructions).

import { Tag, formatTag, isPrivateTag, isPrivateCreator } from './tag';
import { CORE_DICTIONARY_DATA } from './dictionary-core';
import type * as dictionaryData from './dictionary-data';

export interface DictionaryEntry {
  tag: Tag;
  keyword: string;
  /** Human-readable name derived from the keyword ("Patient's Name" is "Patient Name" here). */
  name: string;
  /**
   * VR from PS3.6. Ambiguous ones keep dcmjs's lower-case codes: 'ox' (OB or OW),
   * 'xs' (US or SS), 'lt' (US, SS or OW), 'up' (UL, an offset); 'na' for item tags.
   */
  vr: string;
  vm: string;
  retired: boolean;
  /** Entries of repeating groups (50xx, 60xx) are stored with the group's first value. */
  repeatingGroup?: boolean;
}

let byTag: Map<Tag, DictionaryEntry> | undefined;
let byKeyword: Map<string, DictionaryEntry> | undefined;

const GROUP_LENGTH: Omit<DictionaryEntry, 'tag'> = {
  keyword: 'GenericGroupLength', name: 'Generic Group Length', vr: 'UL', vm: '1', retired: true,
};

function keywordToName(keyword: string): string {
  return keyword.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
}

function isRepeatingGroup(group: number): boolean {
  return (group >= 0x5000 && group <= 0x50ff) || (group >= 0x6000 && group <= 0x60ff);
}

/**
 * One parsed line. The human-readable name is derived on first read: deriving all ~5,000 of
 * them up front was most of the dictionary's load time, which every command pays at start-up.
 */
class Entry implements DictionaryEntry {
  private derivedName: string | undefined;
  repeatingGroup?: boolean;
  constructor(public tag: Tag, readonly keyword: string, readonly vr: string, readonly vm: string, readonly retired: boolean) {}
  get name(): string {
    return (this.derivedName ??= keywordToName(this.keyword));
  }
}

/** A plain copy of an entry under another tag (a member of a repeating group). */
function atTag(entry: DictionaryEntry, t: Tag): DictionaryEntry {
  const { keyword, name, vr, vm, retired, repeatingGroup } = entry;
  return { tag: t, keyword, name, vr, vm, retired, repeatingGroup };
}

let table: string | undefined;
const tableText = (): string => (table ??= (require('./dictionary-data') as typeof dictionaryData).DICTIONARY_DATA);

function lineEnd(data: string, start: number): number {
  const end = data.indexOf('\n', start);
  return end < 0 ? data.length : end;
}

/** The entry of the line from start to end ("GGGGEEEE VR VM Keyword"), or undefined when it is not one. */
function entryOfLine(data: string, start: number, end: number): Entry | undefined {
  const vrAt = start + 9;
  const vmAt = data.indexOf(' ', vrAt) + 1;
  const nameAt = vmAt > 0 ? data.indexOf(' ', vmAt) + 1 : 0;
  if (!(vmAt > 0 && nameAt > 0 && nameAt < end && data.charCodeAt(start + 8) === 0x20)) return undefined;
  const group = parseInt(data.slice(start, start + 4), 16);
  const element = parseInt(data.slice(start + 4, start + 8), 16);
  if (!Number.isFinite(group) || !Number.isFinite(element)) return undefined;
  const retired = data.startsWith('RETIRED_', nameAt);
  const keyword = data.slice(retired ? nameAt + 8 : nameAt, end);
  const vr = data.slice(vrAt, vmAt - 1);
  const vm = data.slice(vmAt, nameAt - 1);
  if (!isRepeatingGroup(group)) return new Entry(((group << 16) | element) >>> 0, keyword, vr, vm, retired);
  // Stored under the base group (5000 / 6000) so lookups can mask the group.
  const entry = new Entry(((group & 0xff00) << 16 | element) >>> 0, keyword, vr, vm, retired);
  entry.repeatingGroup = true;
  return entry;
}

function load(): void {
  const tags = new Map<Tag, DictionaryEntry>();
  const keywords = new Map<string, DictionaryEntry>();
  const data = tableText();
  // Parsed with indexOf (no per-line arrays).
  for (let start = 0; start < data.length;) {
    const end = lineEnd(data, start);
    const entry = entryOfLine(data, start, end);
    if (entry) {
      tags.set(entry.tag, entry);
      if (!keywords.has(entry.keyword)) keywords.set(entry.keyword, entry);
    }
    start = end + 1;
  }
  byTag = tags;
  byKeyword = keywords;
  searchedTags.clear();
  searchedKeywords.clear();
}

/** Lookups answered by searching the table before it is parsed whole. */
const SEARCHES_BEFORE_PARSE = 64;
let searches = 0;
const searchedTags = new Map<Tag, Entry | undefined>();
const searchedKeywords = new Map<string, Entry | undefined>();

/**
 * The line of the table that the Maps would hold under this tag (the last with its number). The
 * lines are sorted (scripts/make-dictionary.mjs), and "GGGGEEEE" in upper-case hex sorts as the
 * number does: a binary search over the text, each probe reading the line around its middle.
 * (A lastIndexOf over the 200 kB was ~0.2 ms a lookup, most of a dicomnet find's lookups' time.)
 */
function searchTag(t: Tag, data: string): Entry | undefined {
  const hex = t.toString(16).toUpperCase().padStart(8, '0');
  let found = -1;
  for (let low = 0, high = data.length; low < high;) {
    const start = data.lastIndexOf('\n', ((low + high) >>> 1) - 1) + 1;
    const key = data.slice(start, start + 8);
    if (key > hex) {
      high = start;
    } else {
      if (key === hex) found = start;
      low = lineEnd(data, start) + 1;
    }
  }
  if (found < 0 || data.charCodeAt(found + 8) !== 0x20) return undefined;
  const entry = entryOfLine(data, found, lineEnd(data, found));
  return entry?.tag === t ? entry : undefined;
}

/** The line of the table that the Maps would hold under this keyword (the first that has it, retired or not). */
function searchKeyword(keyword: string, data: string): Entry | undefined {
  // One scan for "Keyword\n", taking the first that follows " " or " RETIRED_" (the last line has no "\n").
  const text = `${keyword}\n`;
  const follows = (i: number) => data.charCodeAt(i - 1) === 0x20 || data.startsWith(' RETIRED_', i - 9);
  let at = data.indexOf(text);
  while (at >= 0 && !follows(at)) at = data.indexOf(text, at + 1);
  if (at < 0 && data.endsWith(keyword) && follows(data.length - keyword.length)) at = data.length - keyword.length;
  if (at < 0) return undefined;
  const start = data.lastIndexOf('\n', at) + 1;
  const entry = entryOfLine(data, start, lineEnd(data, start));
  return entry?.keyword === keyword ? entry : undefined;
}

/** Before the table is parsed: the search's answer for this key (the core's, else the whole table's), each key searched once. */
function searchOnce<K>(key: K, searched: Map<K, Entry | undefined>, search: (key: K, data: string) => Entry | undefined): Entry | undefined {
  if (!searched.has(key)) {
    searches++;
    searched.set(key, search(key, CORE_DICTIONARY_DATA) ?? search(key, tableText()));
  }
  return searched.get(key);
}

// Once the table is parsed (the usual state of a long run) a lookup is one Map access.
/** The table's entry under this tag (a repeating group's under its base group). */
function entryForTag(t: Tag): DictionaryEntry | undefined {
  if (byTag === undefined && searches >= SEARCHES_BEFORE_PARSE) load();
  return byTag !== undefined ? byTag.get(t) : searchOnce(t, searchedTags, searchTag);
}

/** The table's entry under this keyword; keywords are letters, digits and '_', anything else is answered by the parsed table. */
function entryForKeyword(keyword: string): DictionaryEntry | undefined {
  if (byKeyword === undefined && (searches >= SEARCHES_BEFORE_PARSE || !/^\w+$/.test(keyword))) load();
  return byKeyword !== undefined ? byKeyword.get(keyword) : searchOnce(keyword, searchedKeywords, searchKeyword);
}

/** The dictionary entry of a tag, or undefined for private and unknown tags. */
export function lookupTag(t: Tag): DictionaryEntry | undefined {
  const group = t >>> 16;
  const element = t & 0xffff;
  if (group & 1) return undefined;
  const hit = entryForTag(t);
  if (hit) return hit;
  if (isRepeatingGroup(group)) {
    const base = ((group & 0xff00) << 16 | element) >>> 0;
    const rep = entryForTag(base);
    if (rep) return atTag(rep, t);
  }
  if (element === 0 && group !== 0x0000 && group !== 0x0002) return { tag: t, ...GROUP_LENGTH };
  return undefined;
}

/** Tag of a keyword such as 'PatientName' (retired keywords also accepted with or without 'RETIRED_'). */
export function tagForKeyword(keyword: string): Tag | undefined {
  const k = keyword.startsWith('RETIRED_') ? keyword.slice(8) : keyword;
  return entryForKeyword(k)?.tag;
}

export function keywordOf(t: Tag): string | undefined {
  return lookupTag(t)?.keyword;
}

/**
 * The VR to assume for a tag when the encoding does not say (Implicit VR): the dictionary VR,
 * 'LO' for private creators, 'UL' for group lengths, else 'UN'. Ambiguous codes are returned as is.
 */
export function dictionaryVr(t: Tag): string {
  if (isPrivateTag(t)) {
    if (isPrivateCreator(t)) return 'LO';
    if ((t & 0xffff) === 0) return 'UL';
    return 'UN';
  }
  const e = lookupTag(t);
  return e ? e.vr : 'UN';
}

/** A short description for messages: "(0010,0010) PatientName". */
export function describeTag(t: Tag): string {
  const k = keywordOf(t);
  return k ? `${formatTag(t)} ${k}` : formatTag(t);
}

/** Number of standard entries (for tests and diagnostics). */
export function dictionarySize(): number {
  if (byTag === undefined) load();
  return byTag!.size;
}
