// Turning the paths a user gave (files and folders) into files ready to send, with a one-line
// reason for each one that is not.
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readPart10IdentitySync } from '../dicom';
import { DicomError, NotDicomError, TruncatedFileError, MissingTransferSyntaxError } from '../dicom';
import { StoreFile } from '../services';

export interface SkippedInput {
  path: string;
  reason: string;
}

export interface CollectedInputs {
  files: StoreFile[];
  skipped: SkippedInput[];
}

/** The files under an input, in name order (dot-entries skipped); synchronous: only names and types are read. */
function expand(input: string, out: string[], skipped: SkippedInput[]): void {
  let isDirectory: boolean;
  try {
    const info = statSync(input);
    if (!info.isDirectory() && !info.isFile()) return;
    isDirectory = info.isDirectory();
  } catch (error) {
    skipped.push({ path: input, reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${(error as NodeJS.ErrnoException).code})` });
    return;
  }
  if (!isDirectory) {
    out.push(input);
    return;
  }
  // Each path is what path.join(folder, name) gives, made by concatenation: a folder's own path is
  // already normalized, and a listed name (never "." or "..", and no dot-entry is kept) has no
  // separator, so joining would only add one (path.join costs about as much as reading the file's header).
  const walk = (dir: string, prefix: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      skipped.push({ path: dir, reason: `cannot be read (${(error as NodeJS.ErrnoException).code})` });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const p = prefix + entry.name;
      if (entry.isDirectory()) walk(p, p + path.sep);
      else if (entry.isFile()) out.push(p);
      else if (entry.isSymbolicLink()) expand(p, out, skipped);
    }
  };
  walk(input, joinPrefix(input));
}

/** What path.join(folder, name) puts before a plain name: "a/b/" for "a/b" or "a//b/", "" for ".". */
function joinPrefix(folder: string): string {
  return path.join(folder, 'x').slice(0, -1);
}

function reasonFor(error: unknown, file: string): string {
  if (error instanceof NotDicomError) return 'not a DICOM file';
  if (error instanceof TruncatedFileError) return 'the file is truncated';
  if (error instanceof MissingTransferSyntaxError) return 'the file meta has no transfer syntax';
  if (error instanceof DicomError) {
    // The caller prints the path already: "<path> is malformed: …" becomes "malformed: …".
    const message = error.message.replace(/\.$/, '');
    return message.startsWith(`${file} is `) ? message.slice(file.length + 4) : message;
  }
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `cannot be read (${code})` : (error as Error).message;
}

/**
 * Reads the headers of every file under the inputs, keeping the input order. Reads are synchronous
 * (one open, a stat, a read, one close per file: far cheaper than thread-pool round trips), with
 * a turn of the event loop every few files.
 */
export async function collectStoreInputs(inputs: readonly string[], options: { allowNoMeta?: boolean } = {}): Promise<CollectedInputs> {
  const paths: string[] = [];
  const skipped: SkippedInput[] = [];
  for (const input of inputs) expand(input, paths, skipped);
  const scratch = Buffer.allocUnsafe(64 * 1024);
  const slots: (StoreFile | SkippedInput)[] = new Array(paths.length);
  for (let i = 0; i < paths.length; i++) {
    if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    {
      const p = paths[i];
      try {
        const header = readPart10IdentitySync(p, scratch);
        if (!header.hasMeta && !options.allowNoMeta) {
          slots[i] = { path: p, reason: 'no DICOM file meta header (not a Part 10 file)' };
        } else if (!header.sopClassUid || !header.sopInstanceUid) {
          slots[i] = { path: p, reason: 'the data set has no SOP Class UID or SOP Instance UID' };
        } else {
          slots[i] = {
            path: p, sopClassUid: header.sopClassUid, sopInstanceUid: header.sopInstanceUid,
            transferSyntaxUid: header.transferSyntaxUid, datasetOffset: header.datasetOffset, fileSize: header.fileSize,
          };
        }
      } catch (error) {
        slots[i] = { path: p, reason: reasonFor(error, p) };
      }
    }
  }
  const files: StoreFile[] = [];
  for (const slot of slots) {
    if ('reason' in slot) skipped.push(slot); else files.push(slot);
  }
  return { files, skipped };
}
