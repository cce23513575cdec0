// The character sets that are complete encodings on their own (PS3.3 Table C.12-5): UTF-8,
// GB18030 and GBK. They are decoded whole by the runtime's TextDecoder; the byte 05/12 can be
// the second byte of a GB18030/GBK character, so values must be split after decoding, never before.

import { decodeMany, textDecoder } from './code-elements';
import { unrepresentable } from './errors';
import type { StandaloneEncoding } from './terms';

const LABELS: Record<StandaloneEncoding, string> = { 'utf-8': 'utf-8', gb18030: 'gb18030', gbk: 'gbk' };

export function decodeStandalone(bytes: Uint8Array, encoding: StandaloneEncoding): string {
  return textDecoder(LABELS[encoding]).decode(bytes);
}

/** Code point to its bytes, for the one- and two-byte part of a GB encoding. */
type ReverseTable = Map<number, number[]>;

const reverseTables = new Map<string, ReverseTable>();

function addDecoded(table: ReverseTable, label: string, sequences: number[][]): void {
  decodeMany(label, sequences).forEach((piece, i) => {
    if (piece.length === 0 || piece.includes('\ufffd')) return;
    const cp = piece.codePointAt(0)!;
    if (piece.length !== (cp > 0xffff ? 2 : 1) || cp < 0x80) return;
    if (!table.has(cp)) table.set(cp, sequences[i]!);
  });
}

/** Two-byte codes (lead 0x81-0xFE, trail 0x40-0xFE but 0x7F), then the lone byte 0x80 some decoders map to U+20AC. */
function twoByteTable(label: string): ReverseTable {
  let table = reverseTables.get(label);
  if (!table) {
    table = new Map();
    const pairs: number[][] = [];
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) if (trail !== 0x7f) pairs.push([lead, trail]);
    }
    addDecoded(table, label, pairs);
    addDecoded(table, label, [[0x80]]);
    reverseTables.set(label, table);
  }
  return table;
}

/** GB18030 four-byte codes for the BMP (0x81308130-0x8439FE39), built on first need. */
function gb18030FourByteTable(): ReverseTable {
  let table = reverseTables.get('gb18030/4');
  if (!table) {
    table = new Map();
    const sequences: number[][] = [];
    for (let b1 = 0x81; b1 <= 0x84; b1++) {
      for (let b2 = 0x30; b2 <= 0x39; b2++) {
        for (let b3 = 0x81; b3 <= 0xfe; b3++) {
          for (let b4 = 0x30; b4 <= 0x39; b4++) sequences.push([b1, b2, b3, b4]);
        }
      }
    }
    addDecoded(table, 'gb18030', sequences);
    reverseTables.set('gb18030/4', table);
  }
  return table;
}

/** GB18030 maps the supplementary planes linearly from 0x90308130. */
function gb18030Supplementary(cp: number): number[] {
  let linear = cp - 0x10000;
  const b4 = 0x30 + (linear % 10);
  linear = Math.floor(linear / 10);
  const b3 = 0x81 + (linear % 126);
  linear = Math.floor(linear / 126);
  const b2 = 0x30 + (linear % 10);
  const b1 = 0x90 + Math.floor(linear / 10);
  return [b1, b2, b3, b4];
}

export function encodeStandalone(text: string, encoding: StandaloneEncoding, terms: readonly string[]): Buffer {
  const out: number[] = [];
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) throw unrepresentable(cp, index, terms);
    index += ch.length;
  }
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');
  index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    let bytes: number[] | undefined;
    if (cp < 0x80) bytes = [cp];
    else if (encoding === 'gbk') bytes = twoByteTable('gbk').get(cp);
    else if (cp > 0xffff) bytes = gb18030Supplementary(cp);
    else bytes = twoByteTable('gb18030').get(cp) ?? gb18030FourByteTable().get(cp);
    if (!bytes) throw unrepresentable(cp, index, terms);
    out.push(...bytes);
    index += ch.length;
  }
  return Buffer.from(out);
}
