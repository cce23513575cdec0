// QIDO-RS (PS3.18 10.6): a search path and query string become a C-FIND identifier, matched over
// the archive index by the same engine as C-FIND, and answered as a DICOM JSON array, with
// limit/offset paging and the Warning headers PS3.18 asks for.

import { Tag, Tags } from '../../dicom';
import { datasetToJson, DicomJsonObject } from '../../dicom';
import { DERIVED_TAGS, LEVEL_COLUMNS, IndexLevel } from '../../archive';
import { STUDY_ROOT, levelDepth } from '../../services';
import { compileQuery } from '../../services';
import type { CompiledQuery } from '../../services';
import { QueryIdentifierError } from '../../services';
import { buildResponseIdentifier } from '../../services';
import { MatchedEntity } from '../../services';
import { keywordOf } from '../../dicom';
import { formatTag } from '../../dicom';
import { QidoParamError, QidoQuery, parseQidoRequest } from '../qido-params';
import { HttpError } from './http-error';
import { ServerContext, RequestContext } from './context';
import { acceptEntries, negotiateJson } from './negotiation';
import { warning, writeJsonArray } from './respond';

const LEVELS_AT_OR_ABOVE: Readonly<Record<string, readonly IndexLevel[]>> = {
  STUDY: ['PATIENT', 'STUDY'],
  SERIES: ['PATIENT', 'STUDY', 'SERIES'],
  IMAGE: ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'],
};

/** includefield=all: every attribute the index holds at the searched level and above. */
function addAllReturnKeys(q: QidoQuery): void {
  for (const level of LEVELS_AT_OR_ABOVE[q.resource.level]!) {
    const tags: Tag[] = [...LEVEL_COLUMNS[level].columns.map((c) => c.tag), ...DERIVED_TAGS[level]];
    for (const t of tags) if (!q.identifier.has(t)) q.identifier.set(t, null);
  }
}

/**
 * Series- and instance-level keys that have a study-level form (PS3.4 C.6.2.1.2): at the STUDY
 * level they are matched as that form, as Orthanc and dcm4chee do (/studies?Modality=CT).
 */
const STUDY_LEVEL_FORMS: readonly (readonly [Tag, Tag, 'CS' | 'UI'])[] = [
  [Tags.Modality, Tags.ModalitiesInStudy, 'CS'],
  [Tags.SOPClassUID, Tags.SOPClassesInStudy, 'UI'],
];

function useStudyLevelForms(q: QidoQuery): void {
  if (q.resource.level !== 'STUDY') return;
  for (const [lower, study, vr] of STUDY_LEVEL_FORMS) {
    const value = q.identifier.get(lower)?.value;
    // The study-level key may be there as a default return key (empty): a value of its own wins.
    if (!value || value.length === 0 || (q.identifier.get(study)?.value?.length ?? 0) > 0) continue;
    q.identifier.delete(lower);
    q.identifier.add({ tag: study, vr, value });
  }
}

/** Keys with a value below the searched level: returned, but not matched. */
function unmatchedKeys(query: CompiledQuery): Tag[] {
  const depth = levelDepth(query.model, query.level);
  return query.keys.filter((k) => k.level !== undefined && levelDepth(query.model, k.level) > depth && k.matching !== 'universal').map((k) => k.tag);
}

function compile(q: QidoQuery, server: ServerContext): CompiledQuery {
  try {
    return compileQuery(q.identifier, {
      model: STUDY_ROOT,
      level: q.resource.level,
      relational: true,
      fuzzyPersonNames: q.fuzzyMatching,
      multipleValueMatching: q.multipleValueMatching,
      caseInsensitivePersonNames: server.settings.caseInsensitivePersonNames,
      isKeySupported: (t) => server.archive.index.supportsKey(t),
    });
  } catch (error) {
    if (error instanceof QueryIdentifierError) throw new HttpError(400, `The query cannot be run: ${error.message}`);
    throw error;
  }
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0].trim();
  return undefined;
}

/** Where a matched entity can be retrieved with WADO-RS. */
function retrieveUrl(level: string, match: MatchedEntity, baseUrl: string): string | undefined {
  const study = text(match.record.value(Tags.StudyInstanceUID));
  if (!study) return undefined;
  let url = `${baseUrl}/studies/${study}`;
  if (level === 'STUDY') return url;
  const series = text(match.record.value(Tags.SeriesInstanceUID));
  if (!series) return undefined;
  url += `/series/${series}`;
  if (level === 'SERIES') return url;
  const sop = text(match.record.value(Tags.SOPInstanceUID));
  return sop ? `${url}/instances/${sop}` : undefined;
}

function answerJson(query: CompiledQuery, match: MatchedEntity, level: string, baseUrl: string): DicomJsonObject {
  const ds = buildResponseIdentifier(query, match.record, { characterSet: match.characterSet });
  ds.delete(Tags.QueryRetrieveLevel);
  const json = datasetToJson(ds);
  // JSON text is Unicode whatever the instance was stored in.
  delete json['00080005'];
  const url = retrieveUrl(level, match, baseUrl);
  if (url) json['00081190'] = { vr: 'UR', Value: [url] };
  return json;
}

export async function handleSearch(server: ServerContext, rc: RequestContext, path: string): Promise<void> {
  let q: QidoQuery;
  try {
    q = parseQidoRequest(path, rc.url.searchParams);
  } catch (error) {
    if (error instanceof QidoParamError) throw new HttpError(error.status, error.message);
    throw error;
  }
  const contentType = negotiateJson(acceptEntries(rc.req.headers.accept, q.accept));
  if (q.includeAll) addAllReturnKeys(q);
  useStudyLevelForms(q);
  const query = compile(q, server);
  const level = q.resource.level;

  const max = server.settings.maxSearchResults;
  const limit = Math.min(q.limit ?? max, max);
  const matches: MatchedEntity[] = [];
  let skipped = 0;
  let more = false;
  for (const m of server.archive.index.find(query)) {
    if (skipped < q.offset) { skipped++; continue; }
    if (matches.length >= limit) { more = true; break; }
    matches.push(m);
  }

  const warnings: string[] = [];
  const names = (tags: readonly Tag[]) => tags.map((t) => keywordOf(t) ?? formatTag(t)).join(', ');
  if (query.unsupportedKeys.length > 0) {
    warnings.push(warning(`The archive cannot match on ${names(query.unsupportedKeys)}; those keys matched everything.`));
  }
  const below = unmatchedKeys(query);
  if (below.length > 0) {
    warnings.push(warning(`${names(below)} ${below.length === 1 ? 'is' : 'are'} below the ${level} level and ${below.length === 1 ? 'was' : 'were'} not matched.`));
  }
  if (q.emptyValueMatching) warnings.push(warning('The emptyvaluematching parameter is not supported; empty values were treated as return keys.'));
  // PS3.18 10.6.3.3's wording, which clients look for, then how to get them.
  if (more) warnings.push(warning(`There are additional results that can be requested: ask again with offset=${q.offset + limit}.`));
  if (q.limit !== undefined && q.limit > max) warnings.push(warning(`The limit was lowered to ${max}, the most this server returns at once.`));

  rc.res.writeHead(200, {
    'Content-Type': `${contentType}; charset=utf-8`,
    ...(warnings.length ? { Warning: warnings.join(', ') } : {}),
  });
  const n = await writeJsonArray(rc.res, (function* () {
    for (const m of matches) yield answerJson(query, m, level, rc.baseUrl);
  })());
  rc.note = `${n} match${n === 1 ? '' : 'es'}${more ? ' (more)' : ''}`;
}
