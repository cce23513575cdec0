// Errors of the archive index. Each carries one sentence a person can act on.

export class ArchiveIndexError extends Error {
  override name = 'ArchiveIndexError';
}

/** An instance cannot be indexed: a missing UID, a path outside the archive. */
export class IndexInputError extends ArchiveIndexError {
  override name = 'IndexInputError';
}

/** The persisted index file cannot be used (corrupt, truncated, another version): it is rebuilt. */
export class IndexFileError extends ArchiveIndexError {
  override name = 'IndexFileError';
}
