// Options shared by find, move, get and worklist: the query keys, level and model.
import { Dataset } from '../../dicom';
import { QueryKeyError, QueryLevelName, buildIdentifier } from '../../services';
import { QueryModelName } from '../../services';
import { Args, OptionSpec, UsageError } from '../args';

export const QUERY_OPTIONS: OptionSpec[] = [
  { name: 'query', alias: 'k', kind: 'string', repeatable: true, valueName: 'KEY=VALUE', description: 'a query key: keyword or gggg,eeee, Sequence.Key inside sequences; empty value = return key' },
  { name: 'level', alias: 'L', kind: 'string', valueName: 'LEVEL', description: 'PATIENT, STUDY (default), SERIES or IMAGE' },
  { name: 'model', alias: 'm', kind: 'string', valueName: 'MODEL', description: 'information model: study (Study Root, default) or patient (Patient Root)' },
  { name: 'no-default-keys', kind: 'flag', description: 'ask only for the keys given with --query' },
];

export function queryModel(args: Args): 'patient' | 'study' {
  const model = (args.string('model') ?? 'study').toLowerCase();
  if (model !== 'patient' && model !== 'study') throw new UsageError(`--model must be patient or study, not "${model}"`);
  return model;
}

export function queryLevel(args: Args): QueryLevelName {
  const level = (args.string('level') ?? 'STUDY').toUpperCase();
  if (!['PATIENT', 'STUDY', 'SERIES', 'IMAGE'].includes(level)) throw new UsageError(`--level must be PATIENT, STUDY, SERIES or IMAGE, not "${level}"`);
  return level as QueryLevelName;
}

export function identifierFrom(args: Args, model: QueryModelName, level?: QueryLevelName, defaults = true): Dataset {
  try {
    return buildIdentifier(args.strings('query'), { model, level, defaultKeys: defaults && !args.flag('no-default-keys') });
  } catch (error) {
    if (error instanceof QueryKeyError) throw new UsageError(error.message);
    throw error;
  }
}
