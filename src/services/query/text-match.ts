// String comparisons for attribute matching: padding rules, wild card patterns (PS3.4
// C.2.2.2.4: "*" any run of characters, "?" one character; the standard has no escape, so a
// literal "*" or "?" can never be asked for) and Person Name matching.

import { VR } from '../../dicom';

const STAR = 0x2a;
const QUESTION = 0x3f;

/** VRs on which "*" and "?" are wild cards (C.2.2.2.4); on others they are ordinary characters. */
export const WILDCARD_VRS: ReadonlySet<VR> = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);

/** VRs whose values keep leading spaces (only trailing padding is insignificant). */
const LEADING_SPACE_SIGNIFICANT: ReadonlySet<VR> = new Set(['LT', 'ST', 'UT', 'UR']);

function isPad(c: number): boolean {
  return c === 0x20 || c === 0x00;
}

/** Removes the padding that is not significant for the VR: trailing spaces/NULs, and leading spaces where allowed. */
export function trimValue(s: string, vr: VR): string {
  let start = 0;
  let end = s.length;
  while (end > 0 && isPad(s.charCodeAt(end - 1))) end--;
  if (!LEADING_SPACE_SIGNIFICANT.has(vr)) while (start < end && s.charCodeAt(start) === 0x20) start++;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

export function hasWildcard(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === STAR || c === QUESTION) return true;
  }
  return false;
}

/** Length in UTF-16 units of the code point at i, so "?" takes one character, not half of one. */
function codePointLength(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/**
 * Matches a wild card pattern against a whole string in O(pattern × text) at worst (no regular
 * expression, so no catastrophic backtracking on hostile patterns such as "*a*a*a*a*b").
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length) {
      const pc = pattern.charCodeAt(p);
      if (pc === STAR) {
        starP = p++;
        starT = t;
        continue;
      }
      if (pc === QUESTION) {
        p++;
        t += codePointLength(text, t);
        continue;
      }
      if (pc === text.charCodeAt(t)) {
        p++;
        t++;
        continue;
      }
    }
    if (starP < 0) return false;
    // Let the last "*" take one more character and retry from there.
    starT += codePointLength(text, starT);
    t = starT;
    p = starP + 1;
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}

/** A compiled wild card pattern; plain prefix, suffix and infix patterns use the string builtins. */
export function compileWildcard(pattern: string): (text: string) => boolean {
  const p = pattern.replace(/\*{2,}/g, '*');
  if (p === '*') return () => true;
  if (!p.includes('?')) {
    const stars = p.split('*').length - 1;
    if (stars === 1 && p.endsWith('*')) {
      const prefix = p.slice(0, -1);
      return (text) => text.startsWith(prefix);
    }
    if (stars === 1 && p.startsWith('*')) {
      const suffix = p.slice(1);
      return (text) => text.endsWith(suffix);
    }
    if (stars === 2 && p.startsWith('*') && p.endsWith('*')) {
      const infix = p.slice(1, -1);
      return (text) => text.includes(infix);
    }
  }
  return (text) => wildcardMatch(p, text);
}

const NON_ASCII = /[^\u0000-\u007f]/;

export type PersonNameFolding = 'exact' | 'case-insensitive' | 'fuzzy';

/** The transformation applied to both sides of a Person Name comparison. */
export function personNameFold(mode: PersonNameFolding): (s: string) => string {
  // Greek final sigma folds to sigma, so a name typed in capitals finds its lower-case form.
  const lower = (s: string) => {
    const l = s.toLowerCase();
    return l.includes('\u03c2') ? l.replace(/\u03c2/g, '\u03c3') : l; // ς → σ, escaped: bundles stay ASCII
  };
  if (mode === 'case-insensitive') return lower;
  if (mode === 'fuzzy') return (s) => (NON_ASCII.test(s) ? lower(s.normalize('NFD').replace(/\p{M}/gu, '')) : s.toLowerCase());
  return (s) => s;
}

/** A component group without its empty trailing components and trailing spaces ("DOE^JOHN^^" → "DOE^JOHN"). */
function canonicalGroup(group: string): string {
  let end = group.length;
  for (;;) {
    while (end > 0 && isPad(group.charCodeAt(end - 1))) end--;
    if (end > 0 && group.charCodeAt(end - 1) === 0x5e) end--;
    else break;
  }
  let start = 0;
  while (start < end && group.charCodeAt(start) === 0x20) start++;
  return group.slice(start, end);
}

/** A component group padded to its five components ("DOE" → "DOE^^^^"), for patterns that spell out "^". */
function paddedGroup(group: string): string {
  let carets = 0;
  for (let i = 0; i < group.length; i++) if (group.charCodeAt(i) === 0x5e) carets++;
  return carets >= 4 ? group : group + '^'.repeat(4 - carets);
}

/**
 * One value of a PN key as a test on one candidate value. How component groups are compared is
 * the implementation's choice (C.2.2.2.4 note), so this one:
 * - a key without "=" matches a candidate when any of the candidate's component groups matches
 *   it (so "Yamada^Tarou" and "山田^太郎" both find "Yamada^Tarou=山田^太郎=やまだ^たろう");
 * - a key with "=" matches group by group, an empty key group matching anything;
 * - empty trailing components are ignored ("DOE^JOHN^^^" = "DOE^JOHN"), and a pattern that spells
 *   out "^" is also tried against the candidate padded to five components ("DOE^*" finds "DOE").
 */
export function compilePersonNameValue(key: string, fold: (s: string) => string): (candidate: string) => boolean {
  const keyGroups = key.split('=');
  const wild = hasWildcard(key);
  const groupTest = (keyGroup: string): ((candidateGroup: string) => boolean) | undefined => {
    if (wild) {
      const pattern = fold(keyGroup.replace(/[ \0]+$/, ''));
      if (/^\*+$/.test(pattern) || pattern === '') return undefined;
      const test = compileWildcard(pattern);
      const spellsCarets = pattern.includes('^');
      return (g) => {
        const c = canonicalGroup(g);
        if (test(fold(c))) return true;
        return spellsCarets && c !== '' && test(fold(paddedGroup(c)));
      };
    }
    const want = fold(canonicalGroup(keyGroup));
    if (want === '') return undefined;
    return (g) => fold(canonicalGroup(g)) === want;
  };
  if (keyGroups.length === 1) {
    const test = groupTest(keyGroups[0]!);
    if (!test) return () => true;
    return (candidate) => {
      if (!candidate.includes('=')) return candidate !== '' && test(candidate);
      for (const g of candidate.split('=')) if (g !== '' && test(g)) return true;
      return false;
    };
  }
  const tests = keyGroups.slice(0, 3).map(groupTest);
  if (keyGroups.length > 3) {
    // More than three groups is malformed; the excess stays in the phonetic group, as in PS3.5 readers.
    tests[2] = groupTest(keyGroups.slice(2).join('='));
  }
  if (tests.every((t) => t === undefined)) return () => true;
  return (candidate) => {
    const groups = candidate.split('=');
    for (let i = 0; i < tests.length; i++) {
      const test = tests[i];
      if (test && !test(groups[i] ?? '')) return false;
    }
    return true;
  };
}
