// Reading the headers of JPEG (ISO 10918-1), JPEG-LS (ISO 14495-1) and JPEG 2000 / HTJ2K
// (ISO 15444-1/-15) codestreams: their size, components and precision, and whether they are
// coded losslessly. Only marker segments are read (no entropy-coded data), so a frame's
// dimensions are checked against the data set's before the codec allocates anything.

import type { CodecFamily } from './syntaxes';
import { FrameDecodeError } from './errors';

export interface CodestreamInfo {
  width: number;
  height: number;
  components: number;
  /** Sample precision in bits (of the first component). */
  precision: number;
  /** JPEG 2000: the first component is signed. */
  signed: boolean;
  /** The codestream itself is reversible: JPEG process 14, JPEG-LS NEAR = 0, JPEG 2000 5-3 wavelet. */
  lossless: boolean;
  /** JPEG: the SOF marker's process. */
  jpegProcess?: 'baseline' | 'extended' | 'progressive' | 'lossless' | 'other';
  /** JPEG: an Adobe APP14 marker's colour transform (0 = none, 1 = YCbCr). */
  adobeTransform?: number;
  /** JPEG: a JFIF APP0 marker is present (YCbCr by definition). */
  jfif?: boolean;
  /** JPEG: the components have different sampling factors (chroma subsampling). */
  subsampled?: boolean;
  /** JPEG-LS: interleave mode of the first scan (0 none, 1 line, 2 sample) and its NEAR value. */
  interleave?: number;
  near?: number;
  /** JPEG 2000: a multiple component transform is used. */
  mct?: boolean;
  /** JPEG 2000: the codestream uses HT block coding (Part 15). */
  ht?: boolean;
}

class Reader {
  constructor(readonly b: Uint8Array, readonly what: string) {}
  u8(at: number): number {
    if (at >= this.b.length) this.fail();
    return this.b[at]!;
  }
  u16(at: number): number {
    return (this.u8(at) << 8) | this.u8(at + 1);
  }
  u32(at: number): number {
    return this.u16(at) * 65536 + this.u16(at + 2);
  }
  fail(why = 'ends inside its header'): never {
    throw new FrameDecodeError(`The ${this.what} codestream ${why}.`);
  }
}

function jpegHeader(bytes: Uint8Array, lsExpected: boolean): CodestreamInfo {
  const r = new Reader(bytes, lsExpected ? 'JPEG-LS' : 'JPEG');
  if (r.u8(0) !== 0xff || r.u8(1) !== 0xd8) r.fail('does not start with an SOI marker');
  const info: Partial<CodestreamInfo> & { lossless: boolean } = { lossless: false, signed: false };
  let sof = false;
  let at = 2;
  for (;;) {
    if (r.u8(at) !== 0xff) r.fail(`has no marker where one is expected (offset ${at})`);
    let m = r.u8(at + 1);
    while (m === 0xff) m = r.u8(++at + 1);
    at += 2;
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue;
    if (m === 0xd9) r.fail('ends before its first scan');
    const len = r.u16(at);
    if (len < 2) r.fail('has a marker segment shorter than its length field');
    const seg = at + 2;
    if (m === 0xe0 && r.u32(seg) === 0x4a464946) info.jfif = true;
    if (m === 0xee && len >= 14 && r.u32(seg) === 0x41646f62 && r.u8(seg + 4) === 0x65) info.adobeTransform = r.u8(seg + 11);
    const isSof = (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) || m === 0xf7;
    if (isSof && !sof) {
      sof = true;
      info.precision = r.u8(seg);
      info.height = r.u16(seg + 1);
      info.width = r.u16(seg + 3);
      info.components = r.u8(seg + 5);
      const factors = new Set<number>();
      for (let c = 0; c < info.components; c++) factors.add(r.u8(seg + 6 + c * 3 + 1));
      info.subsampled = factors.size > 1;
      info.jpegProcess = m === 0xc0 ? 'baseline' : m === 0xc1 ? 'extended' : m === 0xc2 ? 'progressive' : m === 0xc3 ? 'lossless' : 'other';
      if (m === 0xc3) info.lossless = true;
      if ((m === 0xf7) !== lsExpected) r.fail(lsExpected ? 'is a JPEG codestream, not JPEG-LS' : 'is a JPEG-LS codestream, not JPEG');
    }
    if (m === 0xda) {
      if (!sof) r.fail('has a scan before its frame header');
      const ns = r.u8(seg);
      const ss = r.u8(seg + 1 + ns * 2);
      const se = r.u8(seg + 2 + ns * 2);
      if (lsExpected) {
        info.near = ss;
        info.interleave = se;
        info.lossless = ss === 0;
      }
      return info as CodestreamInfo;
    }
    at += len;
  }
}

/** Skips a JP2 file wrapper (PS3.5 allows either form in 4.90/4.91) to its contiguous codestream box. */
function j2kCodestreamStart(r: Reader): number {
  if (r.u32(0) !== 12 || r.u32(4) !== 0x6a502020) return 0;
  let at = 0;
  for (;;) {
    let len = r.u32(at);
    const type = r.u32(at + 4);
    let header = 8;
    if (len === 1) {
      len = r.u32(at + 8) * 2 ** 32 + r.u32(at + 12);
      header = 16;
    }
    if (type === 0x6a703263) return at + header;
    if (len === 0 || len < header) r.fail('has no contiguous codestream box');
    at += len;
  }
}

function j2kHeader(bytes: Uint8Array, what: string): CodestreamInfo {
  const r = new Reader(bytes, what);
  const start = j2kCodestreamStart(r);
  if (r.u16(start) !== 0xff4f || r.u16(start + 2) !== 0xff51) r.fail('does not start with SOC and SIZ markers');
  const siz = start + 4;
  const rsiz = r.u16(siz + 2);
  const width = r.u32(siz + 4) - r.u32(siz + 12);
  const height = r.u32(siz + 8) - r.u32(siz + 16);
  const components = r.u16(siz + 36);
  const ssiz = r.u8(siz + 38);
  const info: CodestreamInfo = {
    width, height, components, precision: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0,
    lossless: false, mct: false, ht: (rsiz & 0x4000) !== 0,
  };
  let at = siz + r.u16(siz);
  for (;;) {
    const m = r.u16(at);
    if (m === 0xff90 || m === 0xff93 || m === 0xffd9) break;
    if ((m & 0xff00) !== 0xff00) r.fail(`has no marker where one is expected (offset ${at})`);
    const len = r.u16(at + 2);
    if (m === 0xff50) info.ht = true;
    if (m === 0xff52) {
      info.mct = r.u8(at + 8) !== 0;
      info.lossless = r.u8(at + 13) === 1;
    }
    at += 2 + len;
  }
  return info;
}

/** The header of one frame's codestream. @throws FrameDecodeError when it is not one. */
export function readCodestreamHeader(family: CodecFamily, bytes: Uint8Array): CodestreamInfo {
  switch (family) {
    case 'jpeg': return jpegHeader(bytes, false);
    case 'jpeg-ls': return jpegHeader(bytes, true);
    case 'j2k': return j2kHeader(bytes, 'JPEG 2000');
    case 'htj2k': return j2kHeader(bytes, 'HTJ2K');
    default: throw new FrameDecodeError(`No header to read for ${family} data.`);
  }
}
