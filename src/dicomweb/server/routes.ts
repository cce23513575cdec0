// The resources of the DICOMweb server (PS3.18 10.4 to 10.6) as they appear in a request path
// below the service root, with the methods each one takes. Every UID in a path is checked before
// anything else sees it; empty, "." and ".." segments are refused outright.

import { isValidUid } from '../../dicom';
import { HttpError } from './http-error';

/** A study, a series of it, or an instance of that series. */
export interface Target {
  study: string;
  series?: string;
  instance?: string;
}

export interface InstanceTarget {
  study: string;
  series: string;
  instance: string;
}

export type Route =
  /** QIDO-RS: the path relative to the service root, as parseQidoRequest takes it. */
  | { kind: 'search'; path: string }
  | { kind: 'instances'; target: Target }
  | { kind: 'metadata'; target: Target }
  | { kind: 'frames'; target: InstanceTarget; frames: number[] }
  /** Bulk data of one element: tags and item indices from the top level, e.g. [0x00540016, 0, 0x00181072]. */
  | { kind: 'bulkdata'; target: InstanceTarget; path: number[] }
  /** Rendered images or thumbnails (PS3.18 10.4.1.1.7, 10.4.1.1.8) of a study, series, instance or frames. */
  | { kind: 'rendered'; what: 'rendered' | 'thumbnail'; target: Target; frames?: number[] }
  | { kind: 'store'; study?: string };

/** What a path names: the route for each method it takes. */
export interface Resource {
  GET?: Route;
  POST?: Route;
}

const MAX_FRAMES_IN_REQUEST = 10_000;
const MAX_BULKDATA_DEPTH = 8;
const MAX_PATH_LENGTH = 2048;

function decodeSegment(raw: string): string {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'The request path holds a malformed percent-encoding.');
  }
  if (s === '' || s === '.' || s === '..') throw new HttpError(400, 'The request path has an empty, "." or ".." segment.');
  return s;
}

function uid(s: string, what: string): string {
  if (!isValidUid(s)) throw new HttpError(400, `The ${what} ${JSON.stringify(s.slice(0, 80))} in the path is not a valid UID.`);
  return s;
}

function frameList(s: string): number[] {
  const items = s.split(',');
  if (items.length > MAX_FRAMES_IN_REQUEST) throw new HttpError(400, `A request may name at most ${MAX_FRAMES_IN_REQUEST} frames.`);
  return items.map((item) => {
    const t = item.trim();
    if (!/^\d{1,9}$/.test(t) || Number(t) < 1) {
      throw new HttpError(400, `The frame list ${JSON.stringify(s.slice(0, 60))} must be frame numbers from 1, separated by commas.`);
    }
    return Number(t);
  });
}

function bulkPath(segments: string[]): number[] {
  if (segments.length === 0 || segments.length % 2 === 0 || segments.length > 2 * MAX_BULKDATA_DEPTH - 1) {
    throw new HttpError(404, 'A bulk data path is a tag, or tags and item numbers, such as 7FE00010 or 00540016/0/00181072.');
  }
  return segments.map((s, i) => {
    if (i % 2 === 0) {
      if (!/^[0-9A-Fa-f]{8}$/.test(s)) throw new HttpError(404, `The bulk data path segment ${JSON.stringify(s.slice(0, 20))} is not a tag of eight hex digits.`);
      return parseInt(s, 16) >>> 0;
    }
    if (!/^\d{1,6}$/.test(s)) throw new HttpError(404, `The bulk data path segment ${JSON.stringify(s.slice(0, 20))} is not an item number.`);
    return Number(s);
  });
}

const RENDERED = new Set(['rendered', 'thumbnail']);
const isRendered = (s: string | undefined): s is 'rendered' | 'thumbnail' => s !== undefined && RENDERED.has(s);

/** The resources below an instance: itself, its metadata, frames, bulk data. */
function instanceResource(t: InstanceTarget, rest: string[]): Resource | undefined {
  if (rest.length === 0) return { GET: { kind: 'instances', target: t } };
  const [head, ...tail] = rest;
  if (head === 'metadata' && tail.length === 0) return { GET: { kind: 'metadata', target: t } };
  if (isRendered(head) && tail.length === 0) return { GET: { kind: 'rendered', what: head, target: t } };
  if (head === 'frames' && tail.length === 1) return { GET: { kind: 'frames', target: t, frames: frameList(tail[0]) } };
  if (head === 'frames' && tail.length === 2 && isRendered(tail[1])) {
    return { GET: { kind: 'rendered', what: tail[1], target: t, frames: frameList(tail[0]) } };
  }
  if (head === 'bulkdata') return { GET: { kind: 'bulkdata', target: t, path: bulkPath(tail) } };
  return undefined;
}

/** The resources at or below a study or series. */
function retrieveResource(t: Target, rest: string[]): Resource | undefined {
  if (rest.length === 0) return undefined;
  if (rest.length === 1 && rest[0] === 'metadata') return { GET: { kind: 'metadata', target: t } };
  if (rest.length === 1 && isRendered(rest[0])) return { GET: { kind: 'rendered', what: rest[0], target: t } };
  return undefined;
}

/**
 * The resource a path below the service root names (e.g. "/studies/1.2.3/series").
 * @throws HttpError 400 for a malformed segment or UID, 404 for a path that names nothing.
 */
export function resolveResource(relativePath: string): Resource {
  if (relativePath.length > MAX_PATH_LENGTH) throw new HttpError(414, `The request path is longer than ${MAX_PATH_LENGTH} characters.`);
  let p = relativePath.startsWith('/') ? relativePath.slice(1) : relativePath;
  if (p.endsWith('/')) p = p.slice(0, -1);
  const s = p === '' ? [] : p.split('/').map(decodeSegment);
  const notFound = () => new HttpError(404, `There is no DICOMweb resource at ${JSON.stringify(relativePath.slice(0, 120))}.`);

  if (s.length === 0) throw notFound();
  if (s.length === 1) {
    if (s[0] === 'studies') return { GET: { kind: 'search', path: '/studies' }, POST: { kind: 'store' } };
    if (s[0] === 'series' || s[0] === 'instances') return { GET: { kind: 'search', path: `/${s[0]}` } };
    throw notFound();
  }
  if (s[0] !== 'studies') throw notFound();
  const study = uid(s[1], 'Study Instance UID');
  if (s.length === 2) return { GET: { kind: 'instances', target: { study } }, POST: { kind: 'store', study } };
  if (s.length === 3 && (s[2] === 'series' || s[2] === 'instances')) return { GET: { kind: 'search', path: `/studies/${study}/${s[2]}` } };
  if (s[2] !== 'series') {
    const r = retrieveResource({ study }, s.slice(2));
    if (r) return r;
    throw notFound();
  }
  const series = uid(s[3], 'Series Instance UID');
  if (s.length === 4) return { GET: { kind: 'instances', target: { study, series } } };
  if (s.length === 5 && s[4] === 'instances') return { GET: { kind: 'search', path: `/studies/${study}/series/${series}/instances` } };
  if (s[4] !== 'instances') {
    const r = retrieveResource({ study, series }, s.slice(4));
    if (r) return r;
    throw notFound();
  }
  const instance = uid(s[5], 'SOP Instance UID');
  const r = instanceResource({ study, series, instance }, s.slice(6));
  if (r) return r;
  throw notFound();
}

/** `/studies/{s}[/series/{se}[/instances/{i}]]` relative to the service root. */
export function targetPath(t: Target): string {
  let p = `/studies/${t.study}`;
  if (t.series !== undefined) p += `/series/${t.series}`;
  if (t.instance !== undefined) p += `/instances/${t.instance}`;
  return p;
}
