// Media types in HTTP headers (RFC 7231 3.1.1.1 and 5.3.2): Content-Type with its parameters,
// and Accept as a list of media ranges with q-values.
//
// Leniency, on purpose: an unquoted parameter value may hold characters a token may not
// (`type=application/dicom` is common in the field although RFC 7231 wants it quoted), and
// empty list elements or a trailing ";" are skipped. Everything else that breaks the grammar
// is an error rather than a guess.

import { DicomError } from '../../dicom';

export interface MediaType {
  /** Lower case, e.g. "multipart". */
  type: string;
  /** Lower case, e.g. "related". */
  subtype: string;
  /** Parameter names in lower case; values as given (a boundary is case-sensitive). */
  params: Record<string, string>;
}

/** One element of an Accept header. Parameters after q (accept-ext) are left out. */
export interface AcceptEntry extends MediaType {
  /** 0 to 1; 1 when the element has no q parameter. */
  q: number;
}

/** A header that is not a valid media type (list). `status` is the HTTP status to answer with. */
export class MediaTypeError extends DicomError {
  constructor(message: string, readonly status: number = 400) {
    super(message);
  }
}

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(s: string): boolean {
  return TCHAR.test(s);
}

function isTchar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
    || c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e
    || c === 0x5e || c === 0x5f || c === 0x60 || c === 0x7c || c === 0x7e;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

const MAX_HEADER_LENGTH = 8192;

class Cursor {
  pos = 0;
  constructor(readonly s: string, readonly what: string) {}
  get done(): boolean { return this.pos >= this.s.length; }
  peek(): number { return this.s.charCodeAt(this.pos); }
  skipOws(): void { while (!this.done && isOws(this.peek())) this.pos++; }
  token(): string {
    const start = this.pos;
    while (!this.done && isTchar(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }
  fail(detail: string): never {
    throw new MediaTypeError(`The ${this.what} ${JSON.stringify(this.s.slice(0, 200))} is not valid: ${detail}.`);
  }
}

function quotedString(c: Cursor): string {
  c.pos++; // opening quote
  let out = '';
  for (;;) {
    if (c.done) c.fail('a quoted string is not closed');
    const ch = c.peek();
    if (ch === 0x22) { c.pos++; return out; }
    if (ch === 0x5c) {
      c.pos++;
      if (c.done) c.fail('a quoted string ends in a backslash');
    }
    const code = c.peek();
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) c.fail('a quoted string holds a control character');
    out += c.s[c.pos];
    c.pos++;
  }
}

/** An unquoted value: a token, or (leniently) anything up to the next separator. */
function bareValue(c: Cursor, inList: boolean): string {
  const start = c.pos;
  while (!c.done) {
    const ch = c.peek();
    if (ch === 0x3b || isOws(ch) || ch === 0x22 || (inList && ch === 0x2c)) break;
    if (ch < 0x20 || ch === 0x7f) c.fail('a parameter value holds a control character');
    c.pos++;
  }
  return c.s.slice(start, c.pos);
}

/** Reads `type/subtype *( OWS ";" OWS [name=value] )`, stopping at a comma when inList. */
function mediaTypeAt(c: Cursor, inList: boolean): MediaType {
  c.skipOws();
  const type = c.token();
  if (type === '') c.fail('a media type must start with a type token');
  if (c.done || c.peek() !== 0x2f) c.fail(`"${type}" is not followed by "/" and a subtype`);
  c.pos++;
  const subtype = c.token();
  if (subtype === '') c.fail(`"${type}/" has no subtype`);
  const params: Record<string, string> = Object.create(null);
  for (;;) {
    c.skipOws();
    if (c.done || (inList && c.peek() === 0x2c)) break;
    if (c.peek() !== 0x3b) c.fail(`unexpected "${c.s[c.pos]}" after ${type}/${subtype}`);
    c.pos++;
    c.skipOws();
    if (c.done || c.peek() === 0x3b || (inList && c.peek() === 0x2c)) continue; // empty parameter
    const name = c.token().toLowerCase();
    if (name === '') c.fail(`a parameter name is expected at "${c.s.slice(c.pos, c.pos + 20)}"`);
    if (c.done || c.peek() !== 0x3d) c.fail(`the parameter "${name}" has no "=" and value`);
    c.pos++;
    const value = !c.done && c.peek() === 0x22 ? quotedString(c) : bareValue(c, inList);
    if (name in params) c.fail(`the parameter "${name}" is given twice`);
    params[name] = value;
  }
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params };
}

function checkLength(header: string, what: string): void {
  if (typeof header !== 'string') throw new MediaTypeError(`The ${what} is missing.`);
  if (header.length > MAX_HEADER_LENGTH) throw new MediaTypeError(`The ${what} is longer than ${MAX_HEADER_LENGTH} characters.`);
}

/**
 * Parses a Content-Type value such as `multipart/related; type="application/dicom"; boundary=x`.
 * @throws MediaTypeError (status 400) when it is not a media type.
 */
export function parseContentType(header: string): MediaType {
  checkLength(header, 'Content-Type header');
  const c = new Cursor(header, 'Content-Type header');
  const mt = mediaTypeAt(c, false);
  if (!c.done) c.fail('there is text after the media type');
  return mt;
}

const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Parses an Accept value into its media ranges, highest q first (ties keep header order).
 * An empty header gives an empty list; the caller treats that as `*\/*`.
 * @throws MediaTypeError (status 400) when an element is not a media range or q is malformed.
 */
export function parseAccept(header: string): AcceptEntry[] {
  checkLength(header, 'Accept header');
  const c = new Cursor(header, 'Accept header');
  const out: AcceptEntry[] = [];
  for (;;) {
    c.skipOws();
    if (c.done) break;
    if (c.peek() === 0x2c) { c.pos++; continue; } // empty list element
    const mt = mediaTypeAt(c, true);
    if (mt.type === '*' && mt.subtype !== '*') c.fail(`"*/${mt.subtype}" is not a media range`);
    const params: Record<string, string> = Object.create(null);
    let q = 1;
    let afterQ = false;
    for (const [name, value] of Object.entries(mt.params)) {
      if (afterQ) continue; // accept-ext parameters
      if (name === 'q') {
        if (!QVALUE.test(value)) c.fail(`the q-value "${value}" is not a number from 0 to 1 with at most three decimals`);
        q = Number(value);
        afterQ = true;
      } else {
        params[name] = value;
      }
    }
    out.push({ type: mt.type, subtype: mt.subtype, params, q });
    c.skipOws();
    if (!c.done) {
      if (c.peek() !== 0x2c) c.fail(`unexpected "${c.s[c.pos]}"`);
      c.pos++;
    }
  }
  return out.map((e, i) => ({ e, i })).sort((a, b) => b.e.q - a.e.q || a.i - b.i).map(({ e }) => e);
}

function quoteIfNeeded(value: string): string {
  if (isToken(value)) return value;
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
    throw new MediaTypeError(`The parameter value ${JSON.stringify(value)} holds a control character.`);
  }
  return `"${value.replace(/["\\]/g, (m) => '\\' + m)}"`;
}

/** Writes a media type back, quoting parameter values that are not tokens. */
export function formatMediaType(mt: MediaType): string {
  if (!isToken(mt.type) || !isToken(mt.subtype)) {
    throw new MediaTypeError(`"${mt.type}/${mt.subtype}" is not a media type.`);
  }
  let out = `${mt.type}/${mt.subtype}`;
  for (const [name, value] of Object.entries(mt.params)) {
    if (!isToken(name)) throw new MediaTypeError(`"${name}" is not a valid parameter name.`);
    out += `; ${name}=${quoteIfNeeded(value)}`;
  }
  return out;
}

/** `type/subtype` in lower case, without parameters. */
export function essence(mt: MediaType): string {
  return `${mt.type}/${mt.subtype}`;
}
