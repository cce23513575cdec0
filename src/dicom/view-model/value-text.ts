// One element's value as display text: text VRs decoded in the Specific Character Set, numbers
// listed, binary values as hex, cut to a limit (the viewer's "show all" asks for a larger one).

import { DataElement, decodeNumbers } from '../dataset-model';
import { SpecificCharacterSet, decodeText } from '../charset';
import { formatTag, Tag, Tags } from '../tag';
import { isTextVr, binaryValueSize } from '../vr';
import { uidName } from '../uids';

export interface ValueLimits {
  /** Characters of text kept. */
  maxChars: number;
  /** Values of a binary element listed (bytes for OB/UN, words for OW, numbers otherwise). */
  maxValues: number;
}

/** What a row shows. */
export const ROW_LIMITS: ValueLimits = { maxChars: 160, maxValues: 32 };
/** What "show all" shows (a 1 MB string is as much as a webview row should hold). */
export const FULL_LIMITS: ValueLimits = { maxChars: 1_000_000, maxValues: 250_000 };

export interface ValueText {
  text: string;
  truncated: boolean;
  hint?: string;
}

const PIXEL_DATA_TAGS: ReadonlySet<Tag> = new Set([Tags.PixelData, Tags.FloatPixelData, Tags.DoubleFloatPixelData]);

export function isPixelDataTag(t: Tag): boolean {
  return PIXEL_DATA_TAGS.has(t);
}

function stripPadding(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x00)) end--;
  return s.slice(0, end);
}

function cut(text: string, maxChars: number): ValueText {
  return text.length > maxChars ? { text: text.slice(0, maxChars), truncated: true } : { text, truncated: false };
}

function hexByte(b: number): string {
  return (b < 16 ? '0' : '') + b.toString(16);
}

function hexWord(w: number): string {
  return w.toString(16).padStart(4, '0');
}

/** Bytes that read as plain text (a private element in Implicit VR is often a string). */
function looksLikeText(b: Buffer): boolean {
  if (b.length === 0) return false;
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0 || b[end - 1] === 0x20)) end--;
  if (end === 0) return false;
  for (let i = 0; i < end; i++) {
    const c = b[i]!;
    if ((c < 0x20 || c > 0x7e) && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

function binaryText(el: DataElement, value: Buffer, limits: ValueLimits): ValueText {
  const vr = el.vr;
  if ((vr === 'UN' || vr === 'OB') && looksLikeText(value)) {
    const t = cut(stripPadding(value.toString('latin1')), limits.maxChars);
    return { ...t, hint: `${vr} shown as text` };
  }
  const unit = vr === 'OB' || vr === 'UN' ? 1 : vr === 'OW' ? 2 : binaryValueSize(vr) ?? 1;
  const total = Math.floor(value.length / unit);
  const count = Math.min(total, limits.maxValues);
  const head = value.subarray(0, count * unit);
  let parts: string[];
  if (unit === 1) {
    parts = new Array<string>(count);
    for (let i = 0; i < count; i++) parts[i] = hexByte(head[i]!);
  } else if (vr === 'OW') {
    parts = new Array<string>(count);
    for (let i = 0; i < count; i++) parts[i] = hexWord(head.readUInt16LE(i * 2));
  } else if (vr === 'AT') {
    parts = (decodeNumbers('AT', head) ?? []).map((t) => formatTag(t));
  } else {
    const nums = decodeNumbers(vr, head);
    parts = nums ? nums.map((n) => String(n)) : [];
    if (!nums) {
      parts = [];
      for (let i = 0; i < Math.min(head.length, limits.maxValues); i++) parts.push(hexByte(head[i]!));
    }
  }
  const text = cut(parts.join('\\'), limits.maxChars);
  return { text: text.text, truncated: text.truncated || count < total || value.length % unit !== 0 };
}

function encapsulatedSummary(fragments: Buffer[]): string {
  const n = Math.max(0, fragments.length - 1);
  const bytes = fragments.slice(1).reduce((sum, f) => sum + f.length, 0);
  const bot = fragments[0]?.length ? `, offset table of ${fragments[0].length / 4 | 0} entries` : '';
  return `encapsulated: ${n} fragment${n === 1 ? '' : 's'}, ${bytes} bytes${bot}`;
}

/**
 * The value of a non-sequence element as text. Pixel Data is summarised, never listed (its bytes
 * are the image preview's business).
 */
export function elementValueText(el: DataElement, charset: SpecificCharacterSet, limits: ValueLimits = ROW_LIMITS): ValueText {
  if (el.fragments) return { text: encapsulatedSummary(el.fragments), truncated: false };
  const value = el.value;
  if (!value || value.length === 0) return { text: '', truncated: false };
  if (isPixelDataTag(el.tag)) return { text: `${value.length} bytes of pixel data`, truncated: false };
  if (isTextVr(el.vr)) {
    // Decode no more than the limit needs: 4 bytes per character covers every character set.
    const bytes = value.length > limits.maxChars * 4 ? value.subarray(0, limits.maxChars * 4) : value;
    const text = stripPadding(decodeText(bytes, charset, el.vr));
    const out = cut(text, limits.maxChars);
    if (bytes !== value) out.truncated = true;
    if (el.vr === 'UI' && !out.truncated && !text.includes('\\')) {
      const name = uidName(text);
      if (name) out.hint = name;
    }
    return out;
  }
  return binaryText(el, value, limits);
}

/** Value length in bytes as it would be encoded (fragments: their bytes, without item headers). */
export function valueLength(el: DataElement): number | null {
  if (el.items) return null;
  if (el.fragments) return el.fragments.reduce((sum, f) => sum + f.length, 0);
  return el.value?.length ?? 0;
}
