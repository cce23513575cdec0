// Writes text in the ISO 2022 form DICOM uses (PS3.5 6.1.2.5.3): characters are taken from
// the sets already in G0/G1 when possible, otherwise from the first declared set that has
// them (with its designation escape sequence), and the initial sets are restored before every
// control character, delimiter and the end of the value.

import type { CodeElement } from './code-elements';
import { unrepresentable } from './errors';
import type { ResolvedCharset } from './terms';

const ESC = 0x1b;
const SPACE = 0x20;

export function encodeIso2022(text: string, charset: ResolvedCharset, delimiters: ReadonlySet<number>): number[] {
  const { initialG0, initialG1 } = charset;
  const initial: CodeElement[] = [initialG0, ...(initialG1 ? [initialG1] : [])];
  // The initial sets first, so that text goes back to them rather than to a later set that also has it.
  const candidates: CodeElement[] = [...new Set([...initial, ...charset.extensions])];
  let g0 = initialG0;
  let g1 = initialG1;
  const out: number[] = [];

  const restoreG0 = () => {
    if (g0 !== initialG0) {
      out.push(...initialG0.escape);
      g0 = initialG0;
    }
  };
  const restoreInitial = () => {
    restoreG0();
    // G1 cannot be emptied by an escape; when value 1 has no G1 set, readers simply forget it.
    if (g1 !== initialG1 && initialG1) out.push(...initialG1.escape);
    g1 = initialG1;
  };

  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === ESC || (cp >= 0xd800 && cp <= 0xdfff)) throw unrepresentable(cp, index, charset.terms);
    if (cp < SPACE || cp === 0x7f || (cp < 0x80 && delimiters.has(cp))) {
      restoreInitial();
      out.push(cp);
    } else if (cp === SPACE) {
      if (g0.width === 2) restoreG0();
      out.push(SPACE);
    } else {
      const inPlace = g0.encode(cp) ?? g1?.encode(cp);
      if (inPlace) {
        out.push(...inPlace);
      } else {
        const element = candidates.find((e) => e.encode(cp) !== undefined);
        if (!element) throw unrepresentable(cp, index, charset.terms);
        out.push(...element.escape);
        if (element.slot === 'G0') g0 = element;
        else g1 = element;
        out.push(...element.encode(cp)!);
      }
    }
    index += ch.length;
  }
  restoreInitial();
  return out;
}
