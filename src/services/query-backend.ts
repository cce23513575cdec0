// What the C-FIND / C-MOVE / C-GET SCPs (and the DICOMweb server) need from whatever holds the
// instances: the archive index implements this; services never read the index's tables directly.
import { CompiledQuery, QueryRecord } from './query';
import { StoreFile } from './store-file-reading';

export interface MatchedEntity {
  /**
   * The matched entity at the query level. Attributes of the levels above are visible through
   * it too (a SERIES record answers StudyInstanceUID, PatientName, …).
   */
  record: QueryRecord;
  /** The Specific Character Set the entity's text was stored in ([] or undefined = default). */
  characterSet?: readonly string[];
}

/** An instance to send for a C-MOVE or C-GET: a file and what its header said. */
export interface RetrievableInstance extends StoreFile {
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

export interface QueryBackend {
  /** Entities matching the query at its level, produced lazily (a cancelled C-FIND stops iterating). */
  find(query: CompiledQuery): Iterable<MatchedEntity>;
  /** Every instance under the entities matching a retrieve identifier (C-MOVE / C-GET). */
  retrieve(query: CompiledQuery): RetrievableInstance[];
}

/** Modality Worklist items (each a record with its Scheduled Procedure Step Sequence). */
export interface WorklistBackend {
  find(query: CompiledQuery): Iterable<MatchedEntity>;
}
