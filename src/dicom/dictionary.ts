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

function load(): void {
  const tags = new Map<Tag, DictionaryEntry>();
  const keywords = new Map<string, DictionaryEntry>();
  for (const line of DICTIONARY_DATA.split('\n')) {
    const [hex, vr, vm, name] = line.split(' ');
    if (!hex || !name) continue;
    const group = parseInt(hex.slice(0, 4), 16);
    const element = parseInt(hex.slice(4, 8), 16);
    if (!Number.isFinite(group) || !Number.isFinite(element)) continue;
    const t = ((group << 16) | element) >>> 0;
    const retired = name.startsWith('RETIRED_');
    const keyword = retired ? name.slice('RETIRED_'.length) : name;
    const entry: DictionaryEntry = {
      tag: t, keyword, name: keywordToName(keyword), vr, vm, retired,
    };
    if (isRepeatingGroup(group)) {
      entry.repeatingGroup = true;
      // Store under the base group (5000 / 6000) so lookups can mask the group.
      const base = ((group & 0xff00) << 16 | element) >>> 0;
      entry.tag = base;
      tags.set(base, entry);
    } else {
      tags.set(t, entry);
    }
    if (!keywords.has(keyword)) keywords.set(keyword, entry);
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
    if (rep) return { ...rep, tag: t };
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
