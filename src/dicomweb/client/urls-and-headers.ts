// Pieces of DICOMweb requests and answers: UID-checked resource paths, query strings, header
// values, and the texts of Warning headers.

import { isValidUid } from '../../dicom';
import { DicomwebError, warningText } from './errors';
import { header, type HttpResponse } from './http';
import type { RetrieveTarget } from './options';

export function checkHeaderValue(name: string, value: string): void {
  if (/[\r\n\0]/.test(value)) throw new DicomwebError(`The value of the header ${name} holds a line break or NUL character.`, 'io');
}

export function uid(value: string, name: string): string {
  if (!isValidUid(value)) throw new DicomwebError(`The ${name} ${JSON.stringify(String(value).slice(0, 80))} is not a valid UID.`, 'io');
  return value;
}

/** `/studies/{s}[/series/{se}[/instances/{i}]]` with the UIDs checked. */
export function checkedTargetPath(target: RetrieveTarget): string {
  let p = `/studies/${uid(target.study, 'Study Instance UID')}`;
  if (target.series !== undefined) p += `/series/${uid(target.series, 'Series Instance UID')}`;
  if (target.instance !== undefined) {
    if (target.series === undefined) throw new DicomwebError('An instance can only be retrieved with its series.', 'io');
    p += `/instances/${uid(target.instance, 'SOP Instance UID')}`;
  }
  return p;
}

// Characters encodeURIComponent escapes that may stand in a query value as they are (RFC 3986
// sub-delims and ":@/?", and "^", which the WHATWG URL standard leaves alone in queries). Sending
// them raw matters: Orthanc's DICOMweb plugin, for one, does not percent-decode query values, so
// PatientName=DOE%5EJOHN or a UID list joined by %2C would match nothing there. "&", "=", "+",
// "#", "%" and spaces stay escaped.
const RAW_IN_QUERY: Record<string, string> = {
  '%2C': ',', '%3A': ':', '%40': '@', '%2F': '/', '%3F': '?', '%3B': ';', '%24': '$', '%5E': '^',
};

function queryComponent(text: string): string {
  return encodeURIComponent(text).replace(/%(2C|3A|40|2F|3F|3B|24|5E)/g, (m) => RAW_IN_QUERY[m]);
}

/** A query string from parameters, escaping only what has to be escaped (see RAW_IN_QUERY). */
export function formatQuery(params: URLSearchParams): string {
  const out: string[] = [];
  for (const [k, v] of params) out.push(`${queryComponent(k)}=${queryComponent(v)}`);
  return out.join('&');
}

export function warningsOf(res: HttpResponse): string[] {
  const raw = header(res, 'warning');
  if (!raw) return [];
  const out: string[] = [];
  const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) out.push(warningText(m[0]) ?? m[1]);
  return out.length > 0 ? out : [raw.trim()];
}
