// Which storage SOP classes a C-GET will bring, learnt before it (a C-GET's instances come back on
// the same association, so their classes must be proposed with the SCP role up front).
import { Dataset, Tags } from '../dicom';
import { QueryLevelName, QueryModelName, ServiceAssociation, buildIdentifier } from '../services';
import { limitedFind } from './limited-find';

async function findAll(client: ServiceAssociation, model: Exclude<QueryModelName, 'worklist'>, level: QueryLevelName, keys: string[]): Promise<Dataset[]> {
  const matches: Dataset[] = [];
  for await (const match of limitedFind(client, buildIdentifier(keys, { model, level, defaultKeys: false }), { model })) matches.push(match);
  return matches;
}

/**
 * The SOP classes of the instances to retrieve, asked with C-FIND: for a study, first SOP Classes
 * in Study (0008,0062) at STUDY level (one answer, where the peer keeps it: ours, Orthanc), else
 * SOP Class UID at IMAGE level (one answer per instance); none when the peer answers neither.
 * `keys`: the retrieval's unique keys as "Keyword=value" (others are ignored).
 */
export async function sopClassesToGet(client: ServiceAssociation, keys: readonly string[], model: Exclude<QueryModelName, 'worklist'> = 'study'): Promise<string[]> {
  const unique = keys.filter((k) => /^(PatientID|StudyInstanceUID|SeriesInstanceUID|SOPInstanceUID)=/.test(k));
  if (unique.some((k) => k.startsWith('StudyInstanceUID='))) {
    try {
      const studyKeys = unique.filter((k) => /^(PatientID|StudyInstanceUID)=/.test(k));
      const inStudy = (await findAll(client, model, 'STUDY', [...studyKeys, 'SOPClassesInStudy='])).flatMap((m) => m.strings(Tags.SOPClassesInStudy) ?? []);
      if (inStudy.length > 0) return [...new Set(inStudy)];
    } catch {
      // Not answered at STUDY level: ask per instance.
    }
  }
  try {
    const matches = await findAll(client, model, 'IMAGE', [...unique, 'SOPClassUID=']);
    return [...new Set(matches.map((m) => m.string(Tags.SOPClassUID)?.replace(/\0/g, '').trim()).filter((uid): uid is string => !!uid))];
  } catch {
    return [];
  }
}
