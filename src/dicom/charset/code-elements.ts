// The graphic character sets ("code elements", PS3.3 Tables C.12-2 to C.12-4) that a DICOM
// Specific Character Set can put into G0 or G1, each able to decode its bytes and encode a
// code point. The byte tables come from the runtime's own TextDecoder (full ICU in Node 20)
// and are built lazily, the first time a set is used.

import { TextDecoder } from 'node:util';

export interface CodeElement {
  /** Registration name, e.g. 'ISO-IR 100'. */
  readonly id: string;
  /** G0 sets are invoked into bytes 0x21-0x7E, G1 sets into 0xA1-0xFE (0xA0-0xFF for 96-sets). */
  readonly slot: 'G0' | 'G1';
  /** Bytes per character. */
  readonly width: 1 | 2;
  /** The designation escape sequence, ESC included (PS3.3 Tables C.12-3 and C.12-4). */
  readonly escape: readonly number[];
  /** One-byte sets: the character for a byte in this set's half of the code table, or undefined. */
  decodeByte(byte: number): string | undefined;
  /** Two-byte sets: the character for a byte pair as it appears in the stream, or undefined. */
  decodePair(first: number, second: number): string | undefined;
  /** The bytes (as written in the stream) for a code point, or undefined when it is not in the set. */
  encode(codePoint: number): readonly number[] | undefined;
}

const ESC = 0x1b;

function escapeOf(text: string): number[] {
  return [ESC, ...Array.from(text, (c) => c.charCodeAt(0))];
}

const decoders = new Map<string, TextDecoder>();

/** One shared non-fatal decoder per label (decode() without streaming keeps no state). */
export function textDecoder(label: string): TextDecoder {
  let decoder = decoders.get(label);
  if (!decoder) {
    decoder = new TextDecoder(label, { ignoreBOM: true });
    decoders.set(label, decoder);
  }
  return decoder;
}

function isPrivateUse(codePoint: number): boolean {
  return codePoint >= 0xe000 && codePoint <= 0xf8ff;
}

/** A decoded piece counts as a mapping only when it is one real character. */
function singleCharacter(piece: string, allowPrivateUse: boolean): string | undefined {
  if (piece.length === 0 || piece.includes('\ufffd')) return undefined;
  const codePoint = piece.codePointAt(0)!;
  if (piece.length !== (codePoint > 0xffff ? 2 : 1)) return undefined;
  if (!allowPrivateUse && isPrivateUse(codePoint)) return undefined;
  return piece;
}

/**
 * Decodes many short byte sequences in one TextDecoder call, each followed by a line feed,
 * and splits the result back. An unmapped sequence gives U+FFFD; if the decoder resynchronised
 * differently from what the split expects, falls back to one call per sequence.
 */
export function decodeMany(label: string, sequences: readonly number[][]): string[] {
  const decoder = textDecoder(label);
  let size = 0;
  for (const s of sequences) size += s.length + 1;
  const joined = new Uint8Array(size);
  let at = 0;
  for (const s of sequences) {
    joined.set(s, at);
    at += s.length;
    joined[at++] = 0x0a;
  }
  const pieces = decoder.decode(joined).split('\n');
  if (pieces.length === sequences.length + 1) return pieces.slice(0, sequences.length);
  return sequences.map((s) => decoder.decode(Uint8Array.from(s)));
}

// --- one-byte sets --------------------------------------------------------------------------

/** G0: ISO-IR 6 (ASCII). ISO-IR 14 (JIS X 0201 Romaji) is read and written the same way, with
 * 05/12 and 07/14 kept as REVERSE SOLIDUS and TILDE, because DICOM uses 05/12 as its value
 * delimiter whatever glyph a Japanese font shows for it (this is also what pydicom does). */
function asciiElement(id: string, escape: string): CodeElement {
  return {
    id,
    slot: 'G0',
    width: 1,
    escape: escapeOf(escape),
    decodeByte: (byte) => (byte >= 0x21 && byte <= 0x7e ? String.fromCharCode(byte) : undefined),
    decodePair: () => undefined,
    encode: (cp) => (cp >= 0x20 && cp <= 0x7e ? [cp] : undefined),
  };
}

/** G1: the right half (0xA0-0xFF) of an ISO 8859 part, read from the TextDecoder with `label`. */
function iso8859RightHalf(id: string, escape: string, label: string): CodeElement {
  let table: { decode: (string | undefined)[]; encode: Map<number, number> } | undefined;
  const load = () => {
    if (!table) {
      const bytes: number[][] = [];
      for (let b = 0xa0; b <= 0xff; b++) bytes.push([b]);
      const decode = decodeMany(label, bytes).map((piece) => singleCharacter(piece, false));
      const encode = new Map<number, number>();
      decode.forEach((ch, i) => {
        if (ch !== undefined && !encode.has(ch.codePointAt(0)!)) encode.set(ch.codePointAt(0)!, 0xa0 + i);
      });
      table = { decode, encode };
    }
    return table;
  };
  return {
    id,
    slot: 'G1',
    width: 1,
    escape: escapeOf(escape),
    decodeByte: (byte) => (byte >= 0xa0 && byte <= 0xff ? load().decode[byte - 0xa0] : undefined),
    decodePair: () => undefined,
    encode: (cp) => {
      const byte = load().encode.get(cp);
      return byte === undefined ? undefined : [byte];
    },
  };
}

/** G1: ISO-IR 13, the JIS X 0201 Katakana half-width set at 0xA1-0xDF (U+FF61-U+FF9F). */
const katakana: CodeElement = {
  id: 'ISO-IR 13',
  slot: 'G1',
  width: 1,
  escape: escapeOf(')I'),
  decodeByte: (byte) => (byte >= 0xa1 && byte <= 0xdf ? String.fromCharCode(0xff61 + byte - 0xa1) : undefined),
  decodePair: () => undefined,
  encode: (cp) => (cp >= 0xff61 && cp <= 0xff9f ? [0xa1 + cp - 0xff61] : undefined),
};

// --- two-byte 94x94 sets --------------------------------------------------------------------

interface DoubleByteTable {
  /** Indexed by (row - 0x21) * 94 + (cell - 0x21). */
  decode: (string | undefined)[];
  encode: Map<number, number>;
}

/**
 * A 94x94 set read through a TextDecoder whose encoding holds it at 0xA1-0xFE pairs, optionally
 * behind a prefix byte (0x8F selects JIS X 0212 in EUC-JP). `rows` limits the rows used.
 */
function doubleByteElement(
  id: string,
  slot: 'G0' | 'G1',
  escape: string,
  label: string,
  prefix: number[],
  rows: [number, number] = [0x21, 0x7e],
  allowPrivateUse = false,
): CodeElement {
  let table: DoubleByteTable | undefined;
  const load = () => {
    if (!table) {
      const sequences: number[][] = [];
      for (let row = 0x21; row <= 0x7e; row++) {
        for (let cell = 0x21; cell <= 0x7e; cell++) sequences.push([...prefix, row | 0x80, cell | 0x80]);
      }
      const decode = decodeMany(label, sequences).map((piece, i) => {
        const row = 0x21 + Math.floor(i / 94);
        return row >= rows[0] && row <= rows[1] ? singleCharacter(piece, allowPrivateUse) : undefined;
      });
      const encode = new Map<number, number>();
      decode.forEach((ch, i) => {
        // The first position wins where a decoder maps two positions to one code point.
        if (ch !== undefined && !encode.has(ch.codePointAt(0)!)) encode.set(ch.codePointAt(0)!, i);
      });
      table = { decode, encode };
    }
    return table;
  };
  const high = slot === 'G1' ? 0x80 : 0;
  return {
    id,
    slot,
    width: 2,
    escape: escapeOf(escape),
    decodeByte: () => undefined,
    decodePair: (first, second) => {
      const row = first & 0x7f;
      const cell = second & 0x7f;
      if ((first & 0x80) !== high || (second & 0x80) !== high) return undefined;
      if (row < 0x21 || row > 0x7e || cell < 0x21 || cell > 0x7e) return undefined;
      return load().decode[(row - 0x21) * 94 + (cell - 0x21)];
    },
    encode: (cp) => {
      const index = load().encode.get(cp);
      if (index === undefined) return undefined;
      return [(0x21 + Math.floor(index / 94)) | high, (0x21 + (index % 94)) | high];
    },
  };
}

// --- the registry ---------------------------------------------------------------------------

export const CODE_ELEMENTS = {
  IR6: asciiElement('ISO-IR 6', '(B'),
  IR14: asciiElement('ISO-IR 14', '(J'),
  IR13: katakana,
  IR100: iso8859RightHalf('ISO-IR 100', '-A', 'iso-8859-1'),
  IR101: iso8859RightHalf('ISO-IR 101', '-B', 'iso-8859-2'),
  IR109: iso8859RightHalf('ISO-IR 109', '-C', 'iso-8859-3'),
  IR110: iso8859RightHalf('ISO-IR 110', '-D', 'iso-8859-4'),
  IR144: iso8859RightHalf('ISO-IR 144', '-L', 'iso-8859-5'),
  IR127: iso8859RightHalf('ISO-IR 127', '-G', 'iso-8859-6'),
  IR126: iso8859RightHalf('ISO-IR 126', '-F', 'iso-8859-7'),
  IR138: iso8859RightHalf('ISO-IR 138', '-H', 'iso-8859-8'),
  IR148: iso8859RightHalf('ISO-IR 148', '-M', 'iso-8859-9'),
  IR203: iso8859RightHalf('ISO-IR 203', '-b', 'iso-8859-15'),
  // TIS 620-2533; the WHATWG label maps the unassigned positions to private use, which is dropped.
  IR166: iso8859RightHalf('ISO-IR 166', '-T', 'windows-874'),
  IR87: doubleByteElement('ISO-IR 87', 'G0', '$B', 'euc-jp', []),
  IR159: doubleByteElement('ISO-IR 159', 'G0', '$(D', 'euc-jp', [0x8f]),
  IR149: doubleByteElement('ISO-IR 149', 'G1', '$)C', 'euc-kr', []),
  // GB 2312 has rows 16-87 for hanzi and 1-9 for symbols; the rest of the GBK area is not GB 2312.
  IR58: doubleByteElement('ISO-IR 58', 'G1', '$)A', 'gb18030', [], [0x21, 0x77]),
} satisfies Record<string, CodeElement>;

/** Designation escape sequences (the bytes after ESC, as text) to the set they designate. */
export const ELEMENT_BY_ESCAPE: ReadonlyMap<string, CodeElement> = new Map(
  Object.values(CODE_ELEMENTS).map((element) => [String.fromCharCode(...element.escape.slice(1)), element]),
);
