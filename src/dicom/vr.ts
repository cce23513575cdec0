// Value Representations (PS3.5 6.2): which header form they take in explicit VR, how their
// values are byte-swapped between little and big endian, and how text values are padded.

/** A two-letter VR code. Kept as a string so an unknown code read from a file survives a round trip. */
export type VR = string;

export const KNOWN_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL',
  'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US',
  'UT', 'UV',
]);

/** VRs whose explicit-VR header has 2 reserved bytes and a 32-bit length (12-byte header). */
const LONG_HEADER: ReadonlySet<string> = new Set([
  'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UR', 'UT', 'UN', 'SV', 'UV',
]);

export function hasLongExplicitHeader(vr: VR): boolean {
  return LONG_HEADER.has(vr);
}

/** Size in bytes of the unit that is reversed when changing endianness; 1 = no swap. */
export function swapUnit(vr: VR): 1 | 2 | 4 | 8 {
  switch (vr) {
    case 'US': case 'SS': case 'OW': case 'AT':
      return 2;
    case 'UL': case 'SL': case 'FL': case 'OF': case 'OL':
      return 4;
    case 'FD': case 'OD': case 'SV': case 'UV': case 'OV':
      return 8;
    default:
      return 1;
  }
}

const TEXT_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT',
]);

export function isTextVr(vr: VR): boolean {
  return TEXT_VRS.has(vr);
}

/** Text VRs whose value may hold several values separated by a backslash. */
export function isMultiValuedTextVr(vr: VR): boolean {
  return isTextVr(vr) && vr !== 'LT' && vr !== 'ST' && vr !== 'UT' && vr !== 'UR';
}

/** Text VRs whose characters may come from the Specific Character Set (the rest are plain ASCII). */
export function usesSpecificCharacterSet(vr: VR): boolean {
  return vr === 'SH' || vr === 'LO' || vr === 'ST' || vr === 'LT' || vr === 'UC' || vr === 'UT' || vr === 'PN';
}

/** Byte used to pad a value to even length. */
export function paddingByte(vr: VR): number {
  if (vr === 'UI') return 0x00;
  return isTextVr(vr) ? 0x20 : 0x00;
}

/** Fixed-size binary VRs, the number of bytes in one value. */
export function binaryValueSize(vr: VR): number | undefined {
  switch (vr) {
    case 'US': case 'SS': return 2;
    case 'UL': case 'SL': case 'FL': case 'AT': return 4;
    case 'FD': case 'SV': case 'UV': return 8;
    case 'OW': return 2;
    case 'OL': case 'OF': return 4;
    case 'OD': case 'OV': return 8;
    default: return undefined;
  }
}

/** Is this a plausible VR code (two upper-case letters)? Used to tell explicit from implicit VR. */
export function looksLikeVr(b0: number, b1: number): boolean {
  return b0 >= 0x41 && b0 <= 0x5a && b1 >= 0x41 && b1 <= 0x5a;
}

// Every two-letter code once, so that reading an element's VR makes no string and its header
// form is a table look-up (the receiver reads every element header of every instance).
// Built in functions, not in a loop at the top level: a loop there spends the interrupt budget of
// the whole bundle's top-level function, which V8 then compiles with Sparkplug (~2.5 M
// instructions for dicomnet echo's bundle, a function that runs once); and pure calls, so bundles
// that never read a VR from bytes (echo, find) leave the tables out.
function twoLetterCodes(): string[] {
  const codes: string[] = [];
  for (let i = 0; i < 26 * 26; i++) codes.push(String.fromCharCode(0x41 + Math.floor(i / 26), 0x41 + (i % 26)));
  return codes;
}

/** 1 where the code is in the set, by index into the codes. */
function codesIn(codes: readonly string[], set: ReadonlySet<string>): Uint8Array {
  const flags = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) flags[i] = set.has(codes[i]!) ? 1 : 0;
  return flags;
}

const CODES: readonly string[] = /* @__PURE__ */ twoLetterCodes();
const LONG_CODES = /* @__PURE__ */ codesIn(CODES, LONG_HEADER);
const KNOWN_CODES = /* @__PURE__ */ codesIn(CODES, KNOWN_VRS);

/** The VR code of two bytes for which looksLikeVr holds. */
export function vrOfBytes(b0: number, b1: number): VR {
  return CODES[(b0 - 0x41) * 26 + (b1 - 0x41)]!;
}

/** hasLongExplicitHeader of the VR code of two bytes for which looksLikeVr holds. */
export function hasLongExplicitHeaderBytes(b0: number, b1: number): boolean {
  return LONG_CODES[(b0 - 0x41) * 26 + (b1 - 0x41)] === 1;
}

/** The VR of two bytes when it is one of KNOWN_VRS (the one string for it: nothing made, nothing hashed), else undefined. */
export function knownVrOfBytes(b0: number, b1: number): VR | undefined {
  if (!looksLikeVr(b0, b1)) return undefined;
  const i = (b0 - 0x41) * 26 + (b1 - 0x41);
  return KNOWN_CODES[i] === 1 ? CODES[i] : undefined;
}
