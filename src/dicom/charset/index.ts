// Specific Character Set (0008,0005): text values to Unicode and back, and the Person Name parts.

export {
  decodeText, encodeText, canEncodeText, charsetDecoder, charsetEncoder, type SpecificCharacterSet,
} from './text-codec';
export { CharsetError } from './errors';
export { normalizeCharsetTerms, isCharsetSupported, resolveCharset, SUPPORTED_TERMS } from './terms';
export type { ResolvedCharset, StandaloneEncoding } from './terms';
export {
  splitPersonName,
  joinPersonName,
  splitNameComponents,
  joinNameComponents,
} from './person-name';
export type { PersonNameGroups, PersonNameComponents } from './person-name';
