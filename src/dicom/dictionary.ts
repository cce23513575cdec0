// The standard data dictionary (PS3.6), parsed once from a compact table generated from dcmjs's
// copy (scripts/make-dictionary.mjs) into Maps.

import { Tag, formatTag, isPrivateTag, isPrivateCreator } from './tag';
import { DICTIONARY_DATA } from './dictionary-data';

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

function load(): void {
  const tags = new Map<Tag, DictionaryEntry>();
  const keywords = new Map<string, DictionaryEntry>();
  const data = DICTIONARY_DATA;
  // Lines are "GGGGEEEE VR VM Keyword"; parsed with indexOf (no per-line arrays).
  for (let start = 0; start < data.length;) {
    let end = data.indexOf('\n', start);
    if (end < 0) end = data.length;
    const vrAt = start + 9;
    const vmAt = data.indexOf(' ', vrAt) + 1;
    const nameAt = vmAt > 0 ? data.indexOf(' ', vmAt) + 1 : 0;
    if (vmAt > 0 && nameAt > 0 && nameAt < end && data.charCodeAt(start + 8) === 0x20) {
      const group = parseInt(data.slice(start, start + 4), 16);
      const element = parseInt(data.slice(start + 4, start + 8), 16);
      if (Number.isFinite(group) && Number.isFinite(element)) {
        const retired = data.startsWith('RETIRED_', nameAt);
        const keyword = data.slice(retired ? nameAt + 8 : nameAt, end);
        const vr = data.slice(vrAt, vmAt - 1);
        const vm = data.slice(vmAt, nameAt - 1);
        if (isRepeatingGroup(group)) {
          // Stored under the base group (5000 / 6000) so lookups can mask the group.
          const entry = new Entry(((group & 0xff00) << 16 | element) >>> 0, keyword, vr, vm, retired);
          entry.repeatingGroup = true;
          tags.set(entry.tag, entry);
          if (!keywords.has(keyword)) keywords.set(keyword, entry);
        } else {
          const entry = new Entry(((group << 16) | element) >>> 0, keyword, vr, vm, retired);
          tags.set(entry.tag, entry);
          if (!keywords.has(keyword)) keywords.set(keyword, entry);
        }
      }
    }
    start = end + 1;
  }
  byTag = tags;
  byKeyword = keywords;
}

/** The dictionary entry of a tag, or undefined for private and unknown tags. */
export function lookupTag(t: Tag): DictionaryEntry | undefined {
  if (byTag === undefined) load();
  const group = t >>> 16;
  const element = t & 0xffff;
  if (group & 1) return undefined;
  const hit = byTag!.get(t);
  if (hit) return hit;
  if (isRepeatingGroup(group)) {
    const base = ((group & 0xff00) << 16 | element) >>> 0;
    const rep = byTag!.get(base);
    if (rep) return atTag(rep, t);
  }
  if (element === 0 && group !== 0x0000 && group !== 0x0002) return { tag: t, ...GROUP_LENGTH };
  return undefined;
}

/** Tag of a keyword such as 'PatientName' (retired keywords also accepted with or without 'RETIRED_'). */
export function tagForKeyword(keyword: string): Tag | undefined {
  if (byKeyword === undefined) load();
  const k = keyword.startsWith('RETIRED_') ? keyword.slice(8) : keyword;
  return byKeyword!.get(k)?.tag;
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
