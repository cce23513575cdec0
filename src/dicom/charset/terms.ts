// The Defined Terms of Specific Character Set (0008,0005), PS3.3 C.12.1.1.2: what each term
// puts into G0/G1, whether it allows code extensions, and how a list of terms resolves into
// the initial state and the sets that escape sequences may designate.

import { CODE_ELEMENTS, type CodeElement } from './code-elements';

/** Character sets that are complete encodings of their own and cannot be combined with others. */
export type StandaloneEncoding = 'utf-8' | 'gb18030' | 'gbk';

interface TermInfo {
  /** 'single': one-byte set without code extensions; 'extension': ISO 2022 form. */
  readonly kind: 'single' | 'extension' | 'standalone';
  readonly elements: readonly CodeElement[];
  readonly standalone?: StandaloneEncoding;
}

const E = CODE_ELEMENTS;

const SINGLE_BYTE: ReadonlyArray<[number, CodeElement[]]> = [
  [6, [E.IR6]],
  [100, [E.IR6, E.IR100]],
  [101, [E.IR6, E.IR101]],
  [109, [E.IR6, E.IR109]],
  [110, [E.IR6, E.IR110]],
  [144, [E.IR6, E.IR144]],
  [127, [E.IR6, E.IR127]],
  [126, [E.IR6, E.IR126]],
  [138, [E.IR6, E.IR138]],
  [148, [E.IR6, E.IR148]],
  [203, [E.IR6, E.IR203]],
  [166, [E.IR6, E.IR166]],
  [13, [E.IR14, E.IR13]],
];

const MULTI_BYTE: ReadonlyArray<[number, CodeElement[]]> = [
  [87, [E.IR87]],
  [159, [E.IR159]],
  [149, [E.IR149]],
  [58, [E.IR58]],
];

const TERMS: ReadonlyMap<string, TermInfo> = new Map<string, TermInfo>([
  ...SINGLE_BYTE.map(([ir, elements]): [string, TermInfo] => [`ISO_IR ${ir}`, { kind: 'single', elements }]),
  ...SINGLE_BYTE.map(([ir, elements]): [string, TermInfo] => [`ISO 2022 IR ${ir}`, { kind: 'extension', elements }]),
  ...MULTI_BYTE.map(([ir, elements]): [string, TermInfo] => [`ISO 2022 IR ${ir}`, { kind: 'extension', elements }]),
  ['ISO_IR 192', { kind: 'standalone', elements: [], standalone: 'utf-8' }],
  ['GB18030', { kind: 'standalone', elements: [], standalone: 'gb18030' }],
  ['GBK', { kind: 'standalone', elements: [], standalone: 'gbk' }],
]);

/** Every Defined Term this module handles. */
export const SUPPORTED_TERMS: readonly string[] = [...TERMS.keys()];

/**
 * Repairs the usual misspellings of a single term ("ISO IR 100", "ISO-IR 100", "iso_ir 100",
 * "ISO_IR100", "ISO2022 IR 87", "ISO 2022 IR87"); other text is returned trimmed and upper-cased.
 */
function normalizeTerm(raw: string): string {
  const term = raw.trim().toUpperCase();
  const extension = /^ISO[ _-]?2022[ _-]?IR[ _-]?(\d+)$/.exec(term);
  if (extension) return `ISO 2022 IR ${Number(extension[1])}`;
  const single = /^ISO[ _-]?IR[ _-]?(\d+)$/.exec(term);
  if (single) return `ISO_IR ${Number(single[1])}`;
  return term;
}

/**
 * Normalises a Specific Character Set value to its list of terms: splits a raw "a\b" string,
 * trims, repairs common misspellings, keeps an empty first value (it means ISO-IR 6) only when
 * other values follow, and drops empty later values. The default repertoire gives [].
 */
export function normalizeCharsetTerms(value: string | readonly string[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const raw = typeof value === 'string' ? value.split('\\') : [...value];
  const terms = raw.map((t) => normalizeTerm(t ?? ''));
  const rest = terms.slice(1).filter((t) => t !== '');
  if (rest.length === 0) return terms[0] ? [terms[0]] : [];
  return [terms[0] ?? '', ...rest];
}

/** True when every term is a known Defined Term and the combination is one PS3.3 allows. */
export function isCharsetSupported(value: string | readonly string[] | null | undefined): boolean {
  const terms = normalizeCharsetTerms(value);
  if (terms.length <= 1) return terms.length === 0 || TERMS.has(terms[0]!);
  return terms.every((term, i) => {
    if (i === 0 && term === '') return true;
    const info = TERMS.get(term);
    return info !== undefined && info.kind === 'extension';
  });
}

/** The decoding/encoding plan that a list of terms stands for. */
export interface ResolvedCharset {
  readonly terms: readonly string[];
  /** Set when the value is one of the complete encodings (UTF-8, GB18030, GBK). */
  readonly standalone?: StandaloneEncoding;
  /** What G0 and G1 hold at the start of each value, line and PN component. */
  readonly initialG0: CodeElement;
  readonly initialG1?: CodeElement;
  /** Sets that escape sequences may designate, in the order of the terms (empty = no extensions). */
  readonly extensions: readonly CodeElement[];
  /** Terms that were not recognised and were read as the default repertoire. */
  readonly unknownTerms: readonly string[];
}

const cache = new Map<string, ResolvedCharset>();

/**
 * Resolves terms leniently: unknown terms are ignored, a stand-alone encoding as value 1 makes
 * the other values ignored (and is ignored elsewhere), and one-byte terms written without
 * "2022" in a multi-valued list are taken as their ISO 2022 form.
 */
export function resolveCharset(value: string | readonly string[] | null | undefined): ResolvedCharset {
  const terms = normalizeCharsetTerms(value);
  const key = terms.join('\\');
  const cached = cache.get(key);
  if (cached) return cached;
  const resolved = resolveTerms(terms);
  if (cache.size > 256) cache.clear();
  cache.set(key, resolved);
  return resolved;
}

function resolveTerms(terms: readonly string[]): ResolvedCharset {
  const unknownTerms = terms.filter((t, i) => !(i === 0 && t === '') && !TERMS.has(t));
  const first = TERMS.get(terms[0] ?? '');
  if (first?.standalone) {
    return { terms, standalone: first.standalone, initialG0: E.IR6, extensions: [], unknownTerms };
  }
  const infos = terms
    .map((t, i) => (i === 0 && t === '' ? { kind: 'extension', elements: [E.IR6] } as TermInfo : TERMS.get(t)))
    .filter((info): info is TermInfo => info !== undefined && info.kind !== 'standalone');
  const firstElements = first && first.kind !== 'standalone' ? first.elements : [E.IR6];
  // A two-byte G0 set cannot be the initial state: delimiters must stay single bytes.
  const initialG0 = firstElements.find((e) => e.slot === 'G0' && e.width === 1) ?? E.IR6;
  const initialG1 = firstElements.find((e) => e.slot === 'G1');
  const codeExtensions = terms.length > 1 || first?.kind === 'extension';
  const extensions = codeExtensions ? [...new Set(infos.flatMap((info) => info.elements))] : [];
  return { terms, initialG0, initialG1, extensions, unknownTerms };
}
