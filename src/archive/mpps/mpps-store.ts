// MPPS instances beside the archive: <dir>/<SOP Instance UID>.json, one record per instance with
// its attributes as DICOM JSON (PS3.18 F, text decoded to Unicode, so N-SETs in another character
// set combine as F.7.2.2.3 asks) and the history of the N-CREATE and N-SETs that made it.
import { Dataset } from '../../dicom';
import { DicomJsonObject, datasetFromJson, datasetToJson } from '../../dicom';
import { normalizeCharsetTerms } from '../../dicom';
import { MPPS_SOP_CLASS, MppsViolation, mppsSummary } from '../../services';
import { MppsBackend, MppsUpdate } from '../../services';
import { JsonRecordFolder } from '../json-records';

export const MPPS_DIR = '.mpps';

export interface MppsHistoryEntry {
  at: string;
  operation: 'N-CREATE' | 'N-SET';
  /** The calling AE title. */
  from: string;
  /** The step's status after the operation. */
  status: string;
}

export interface MppsRecord {
  sopInstanceUid: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  /** The AE that created it. */
  createdBy: string;
  /** The Specific Character Set of the N-CREATE: N-SETs without one of their own are read in it. */
  characterSet: string[];
  history: MppsHistoryEntry[];
  /** The attributes, DICOM JSON, without Specific Character Set (the text is Unicode). */
  attributes: DicomJsonObject;
}

const CHARSET_KEY = '00080005';

function charsetOf(ds: Dataset): string[] | undefined {
  const value = ds.get('SpecificCharacterSet')?.value;
  return value ? normalizeCharsetTerms(value.toString('latin1')) : undefined;
}

function toJson(ds: Dataset, defaultCharset: string[]): DicomJsonObject {
  const json = datasetToJson(ds, { specificCharacterSet: defaultCharset });
  delete json[CHARSET_KEY];
  return json;
}

/** A listing line's worth of an instance. */
export function describeMpps(record: MppsRecord) {
  return { sopInstanceUid: record.sopInstanceUid, createdBy: record.createdBy, createdAt: record.createdAt, updatedAt: record.updatedAt,
    ...mppsSummary(datasetFromJson(record.attributes)) };
}

export class MppsStore implements MppsBackend {
  private readonly folder: JsonRecordFolder<MppsRecord>;
  /** Changes per instance, one after the other. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {
    this.folder = new JsonRecordFolder(dir);
  }

  /** Clears what an interrupted write left behind. */
  async open(): Promise<this> {
    await this.folder.removeLeftovers();
    return this;
  }

  private serialized<T>(uid: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(uid) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.chains.set(uid, settled);
    void settled.then(() => { if (this.chains.get(uid) === settled) this.chains.delete(uid); });
    return next;
  }

  record(uid: string): Promise<MppsRecord | undefined> {
    return this.folder.read(uid);
  }

  async read(uid: string): Promise<Dataset | undefined> {
    const record = await this.folder.read(uid);
    return record && datasetFromJson(record.attributes);
  }

  /** Every instance, oldest first. */
  async list(skipped?: (file: string, reason: string) => void): Promise<MppsRecord[]> {
    const all = await this.folder.list(skipped);
    return all.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  create(uid: string, attributes: Dataset, callingAeTitle: string): Promise<'created' | 'exists'> {
    return this.serialized(uid, async () => {
      if (await this.folder.read(uid)) return 'exists';
      const characterSet = charsetOf(attributes) ?? [];
      const json = toJson(attributes, characterSet);
      json['00080016'] = { vr: 'UI', Value: [MPPS_SOP_CLASS] };
      json['00080018'] = { vr: 'UI', Value: [uid] };
      const now = new Date().toISOString();
      const status = attributes.string('PerformedProcedureStepStatus')?.trim() ?? '';
      await this.folder.write(uid, {
        sopInstanceUid: uid, status, createdAt: now, updatedAt: now, createdBy: callingAeTitle, characterSet,
        history: [{ at: now, operation: 'N-CREATE', from: callingAeTitle, status }], attributes: sortKeys(json),
      });
      return 'created';
    });
  }

  update(uid: string, modifications: Dataset, callingAeTitle: string,
    check: (merged: Dataset, current: Dataset) => MppsViolation | undefined): Promise<MppsUpdate> {
    return this.serialized(uid, async (): Promise<MppsUpdate> => {
      const record = await this.folder.read(uid);
      if (!record) return { outcome: 'unknown' };
      const changes = toJson(modifications, charsetOf(modifications) ?? record.characterSet);
      const attributes = sortKeys({ ...record.attributes, ...changes });
      const current = datasetFromJson(record.attributes);
      const merged = datasetFromJson(attributes);
      const violation = check(merged, current);
      if (violation) return { outcome: 'refused', violation };
      const now = new Date().toISOString();
      const status = merged.string('PerformedProcedureStepStatus')?.trim() ?? record.status;
      await this.folder.write(uid, {
        ...record, status, updatedAt: now, attributes,
        history: [...record.history, { at: now, operation: 'N-SET', from: callingAeTitle, status }],
      });
      return { outcome: 'updated', merged };
    });
  }
}

function sortKeys(json: DicomJsonObject): DicomJsonObject {
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
