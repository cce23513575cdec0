// dicomnet qido: QIDO-RS searches for studies, series and instances.
import { Dataset } from '../../dicom';
import { datasetFromJson, type DicomJsonObject } from '../../dicom';
import { formatTagHex, parseTag } from '../../dicom';
import { isValidUid } from '../../dicom';
import { QidoParamError, qidoSearchParams, type QidoLevel, type QidoResource, type QidoSearchOptions } from '../../dicomweb';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { Command } from '../command';
import { formatTable } from '../display';
import { cellText } from '../../ae';
import { EXIT_OK } from '../errors';
import { WEB_OPTIONS, runWeb } from './web-options';

const options: OptionSpec[] = [
  { name: 'study', kind: 'string', valueName: 'UID', description: 'search the series (or, with --level IMAGE, the instances) of this study' },
  { name: 'series', kind: 'string', valueName: 'UID', description: 'search the instances of this series (needs --study)' },
  { name: 'level', alias: 'L', kind: 'string', valueName: 'LEVEL', description: 'STUDY, SERIES or IMAGE (default: the level below the UIDs given)' },
  { name: 'query', alias: 'k', kind: 'string', repeatable: true, valueName: 'KEY=VALUE', description: 'a match key: keyword, gggg,eeee or Sequence.Key; empty value = return key' },
  { name: 'includefield', alias: 'i', kind: 'string', repeatable: true, valueName: 'KEY', description: 'an extra attribute to return ("all" for every one); comma-separated lists work too' },
  { name: 'limit', kind: 'number', valueName: 'N', description: 'ask for at most N matches (with --all: matches per request)' },
  { name: 'offset', kind: 'number', valueName: 'N', description: 'skip the first N matches' },
  { name: 'all', kind: 'flag', description: 'follow limit/offset paging until every match is fetched' },
  { name: 'fuzzy', kind: 'flag', description: 'ask for fuzzy matching of person names (fuzzymatching=true)' },
  { name: 'table', kind: 'flag', description: 'print a table instead of a DICOM JSON array' },
  ...WEB_OPTIONS,
];

const TABLE_COLUMNS: Record<QidoLevel, string[]> = {
  STUDY: ['PatientName', 'PatientID', 'StudyDate', 'AccessionNumber', 'ModalitiesInStudy', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances', 'StudyInstanceUID'],
  SERIES: ['Modality', 'SeriesNumber', 'SeriesDescription', 'NumberOfSeriesRelatedInstances', 'SeriesInstanceUID'],
  IMAGE: ['InstanceNumber', 'SOPClassUID', 'Rows', 'Columns', 'NumberOfFrames', 'SOPInstanceUID'],
};

function checkedUid(args: Args, name: string): string | undefined {
  const v = args.string(name);
  if (v !== undefined && !isValidUid(v)) throw new UsageError(`--${name} "${v.slice(0, 80)}" is not a valid UID`);
  return v;
}

/** Attribute IDs as QIDO-RS takes them: "gggg,eeee" and "(gggg,eeee)" become eight hex digits. */
function attributeId(path: string): string {
  return path.split('.').map((segment) => {
    const t = /^[0-9A-Fa-f(]/.test(segment) ? parseTag(segment) : undefined;
    return t === undefined ? segment.trim() : formatTagHex(t);
  }).join('.');
}

export interface QidoPlan {
  resource: QidoResource;
  keys: Record<string, string>;
  search: QidoSearchOptions;
}

/** The QIDO-RS resource, keys and options the command line asks for. */
export function qidoPlan(args: Args): QidoPlan {
  const study = checkedUid(args, 'study');
  const series = checkedUid(args, 'series');
  const levelText = (args.string('level') ?? (series ? 'IMAGE' : study ? 'SERIES' : 'STUDY')).toUpperCase();
  const level = (levelText === 'INSTANCE' ? 'IMAGE' : levelText) as QidoLevel;
  if (!['STUDY', 'SERIES', 'IMAGE'].includes(level)) throw new UsageError(`--level must be STUDY, SERIES or IMAGE, not "${levelText}"`);
  const keys: Record<string, string> = {};
  for (const q of args.strings('query')) {
    const eq = q.indexOf('=');
    if (eq === 0) throw new UsageError(`--query "${q}" has no key before "="`);
    const id = attributeId(eq < 0 ? q : q.slice(0, eq));
    if (id in keys) throw new UsageError(`--query ${id} is given twice; give a list of UIDs as one comma-separated value`);
    keys[id] = eq < 0 ? '' : q.slice(eq + 1);
  }
  const resource: QidoResource = { level };
  if (level === 'STUDY') {
    if (series) throw new UsageError('--series cannot be used with --level STUDY');
    if (study) keys['StudyInstanceUID'] = study;
  } else if (level === 'SERIES') {
    if (study) resource.studyInstanceUID = study;
    if (series) keys['SeriesInstanceUID'] = series;
  } else {
    if (study) resource.studyInstanceUID = study;
    if (series && study) resource.seriesInstanceUID = series;
    else if (series) keys['SeriesInstanceUID'] = series;
  }
  const includes = args.strings('includefield').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const search: QidoSearchOptions = {};
  if (includes.some((s) => s.toLowerCase() === 'all')) search.includeFields = 'all';
  else if (includes.length > 0) search.includeFields = includes.map(attributeId);
  const limit = args.integer('limit', 1, 999_999_999);
  const offset = args.integer('offset', 0, 999_999_999);
  if (limit !== undefined) search.limit = limit;
  if (offset !== undefined) search.offset = offset;
  if (args.flag('fuzzy')) search.fuzzyMatching = true;
  try {
    qidoSearchParams(keys, search);
  } catch (error) {
    if (error instanceof QidoParamError) throw new UsageError(error.message.replace(/\.$/, ''));
    throw error;
  }
  return { resource, keys, search };
}

function tableOf(level: QidoLevel, plan: QidoPlan, matches: DicomJsonObject[]): string {
  const columns = [...TABLE_COLUMNS[level]];
  const extra = [...Object.keys(plan.keys), ...(Array.isArray(plan.search.includeFields) ? plan.search.includeFields.map(String) : [])];
  for (const c of extra) if (!columns.includes(c)) columns.push(c);
  const rows = matches.map((m) => {
    let ds: Dataset;
    try {
      ds = datasetFromJson(m);
    } catch {
      return columns.map(() => '?');
    }
    return columns.map((c) => {
      try {
        return cellText(ds, c);
      } catch {
        return '';
      }
    });
  });
  return formatTable(columns, rows, 64);
}

export const qidoCommand: Command = {
  name: 'qido',
  summary: 'Search a DICOMweb server with QIDO-RS (studies, series, instances).',
  options,
  help: () => formatHelp('dicomnet qido --url BASE [--study UID [--series UID]] [--level LEVEL] [-k KEY=VALUE]... [--table] [options]', qidoCommand.summary, options),
  run: (args) => {
    const plan = qidoPlan(args);
    return runWeb(args, async (client, signal) => {
      const matches: DicomJsonObject[] = [];
      const warnings: string[] = [];
      if (args.flag('all')) {
        const { limit, ...rest } = plan.search;
        for await (const m of client.searchAll(plan.resource, plan.keys, { ...rest, pageSize: limit ?? 100, signal })) matches.push(m);
      } else {
        const page = await client.search(plan.resource, plan.keys, { ...plan.search, signal });
        matches.push(...page.matches);
        warnings.push(...page.warnings);
      }
      for (const w of warnings) process.stderr.write(`dicomnet qido: warning from the server: ${w}\n`);
      if (args.flag('table')) {
        process.stdout.write(`${tableOf(plan.resource.level, plan, matches)}\n${matches.length} match${matches.length === 1 ? '' : 'es'}.\n`);
      } else {
        process.stdout.write(`${JSON.stringify(matches, null, 2)}\n`);
      }
      return EXIT_OK;
    });
  },
};
