// The persisted index: `<root>/.index/archive-index.jsonl`, one JSON value per line so it can be
// written a piece at a time without blocking and read back in one pass.
//
//   {"format":"dicomnet-archive-index","version":1,"columns":{"PATIENT":[keywords],...},"written":ISO date}
//   ["P", charset, ...patient values]                      a patient; the studies that follow are its
//   ["S", uid, charset, ...study values]                   a study of the last patient
//   ["E", uid, charset, ...series values]                  a series of the last study
//   ["I", uid, path|0, size, mtimeMs, datasetOffset, transferSyntaxUid, charset, ...values]
//   ["X", path, size, mtimeMs, reason]                     a file that is not an indexable instance
//   ["END", instances, ignoredFiles]                       present only when the file is complete
//
// Values are in the order of the level's columns (keywords in the header), null where absent,
// trailing nulls left out; charset is the Specific Character Set terms joined by "\"; path 0
// means the layout's own <study>/<series>/<sop>.dcm. Derived attributes are not stored.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { columnSignature, IndexLevel, LEVEL_COLUMNS, LevelColumns } from './columns';
import { PatientEntry } from './entries';
import { IndexFileError } from './errors';
import { CharacterSet, Interner, StoredValue, StoredValues } from './values';

export const INDEX_DIR = '.index';
export const INDEX_FILE_NAME = 'archive-index.jsonl';
export const INDEX_FORMAT = 'dicomnet-archive-index';
export const INDEX_VERSION = 1;

/** A file in the archive folder that is not indexed, remembered so it is not read again until it changes. */
export interface IgnoredFile {
  size: number;
  mtimeMs: number;
  /** Why: "not DICOM: …", "no SOP Instance UID", "duplicate of …". */
  reason: string;
}

/** What a line of the file describes, handed to the index as it is read. */
export interface LoadedEntity {
  uid: string;
  values: StoredValues;
  charset: CharacterSet;
}

export interface LoadedInstance extends LoadedEntity {
  storedPath: string | undefined;
  size: number;
  mtimeMs: number;
  datasetOffset: number;
  transferSyntaxUid: string;
}

export interface IndexFileSink {
  instance(patient: LoadedEntity, study: LoadedEntity, series: LoadedEntity, instance: LoadedInstance): void;
  ignored(relativePath: string, file: IgnoredFile): void;
}

function trimmed(values: StoredValues): StoredValues {
  let end = values.length;
  while (end > 0 && values[end - 1] === undefined) end--;
  return end === values.length ? values : values.slice(0, end);
}

const WRITE_CHUNK = 1 << 20;

/**
 * Writes the index into a temporary file next to `file` and renames it over `file`. Yields to
 * the event loop between chunks; changes made meanwhile are written by the next call.
 */
export async function writeIndexFile(file: string, patients: Iterable<PatientEntry>,
  ignored: ReadonlyMap<string, IgnoredFile>): Promise<{ bytes: number; instances: number }> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  // The folder ignores itself, so an archive inside a git work tree stays clean.
  await writeFile(path.join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(temp, 'w');
  let bytes = 0;
  let instances = 0;
  try {
    let pending: string[] = [];
    let pendingLength = 0;
    const push = async (line: string) => {
      pending.push(line);
      pendingLength += line.length + 1;
      if (pendingLength >= WRITE_CHUNK) await drain();
    };
    const drain = async () => {
      if (pending.length === 0) return;
      const chunk = Buffer.from(pending.join('\n') + '\n', 'utf8');
      pending = [];
      pendingLength = 0;
      bytes += chunk.length;
      await fh.write(chunk);
    };
    await push(JSON.stringify({ format: INDEX_FORMAT, version: INDEX_VERSION, columns: columnSignature(), written: new Date().toISOString() }));
    for (const patient of patients) {
      await push(JSON.stringify(['P', patient.charset.join('\\'), ...trimmed(patient.values)]));
      for (const study of patient.studies.values()) {
        await push(JSON.stringify(['S', study.uid, study.charset.join('\\'), ...trimmed(study.values)]));
        for (const series of study.series.values()) {
          await push(JSON.stringify(['E', series.uid, series.charset.join('\\'), ...trimmed(series.values)]));
          for (const i of series.instances) {
            instances++;
            await push(JSON.stringify(['I', i.uid, i.storedPath ?? 0, i.size, i.mtimeMs, i.datasetOffset,
              i.transferSyntaxUid, i.charset.join('\\'), ...trimmed(i.values)]));
          }
        }
      }
    }
    for (const [relativePath, f] of ignored) await push(JSON.stringify(['X', relativePath, f.size, f.mtimeMs, f.reason]));
    await push(JSON.stringify(['END', instances, ignored.size]));
    await drain();
    await fh.close();
    await rename(temp, file);
  } catch (error) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return { bytes, instances };
}

class LineReader {
  constructor(readonly lineNumber: number, readonly fields: unknown[]) {}

  fail(what: string): never {
    throw new IndexFileError(`Line ${this.lineNumber} of the index file ${what}.`);
  }

  string(i: number, what: string): string {
    const v = this.fields[i];
    if (typeof v !== 'string') this.fail(`has no ${what}`);
    return v;
  }

  number(i: number, what: string): number {
    const v = this.fields[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) this.fail(`has no valid ${what}`);
    return v;
  }
}

function isStoredValue(v: unknown): v is StoredValue {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return true;
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return false;
  const kind = typeof v[0];
  if (kind !== 'string' && kind !== 'number') return false;
  for (const x of v) if (typeof x !== kind || (kind === 'number' && !Number.isFinite(x))) return false;
  return true;
}

function values(line: LineReader, from: number, layout: LevelColumns, interner: Interner): StoredValues {
  const fields = line.fields;
  const count = fields.length - from;
  if (count > layout.columns.length) line.fail(`has ${count} values where the ${layout.level} level has ${layout.columns.length} columns`);
  // Sized up front: arrays grown by push() keep up to twice the room they need, per entity.
  const out: StoredValues = new Array(count);
  for (let i = 0; i < count; i++) {
    const v = fields[from + i];
    if (v === null) {
      out[i] = undefined;
      continue;
    }
    if (!isStoredValue(v)) line.fail(`has an invalid value for ${layout.columns[i]!.keyword}`);
    out[i] = layout.columns[i]!.shared ? interner.value(v) : v;
  }
  return out;
}

function charset(line: LineReader, i: number, interner: Interner): CharacterSet {
  return interner.charsetText(line.string(i, 'character set'));
}

/** A stored relative path, refused when it could lead outside the archive. */
function relativePath(line: LineReader, i: number): string {
  const p = line.string(i, 'path');
  const normalized = path.normalize(p);
  if (p === '' || path.isAbsolute(p) || normalized.split(/[\\/]/).includes('..') || p.includes('\0')) {
    line.fail(`has a path that is not inside the archive ("${p.slice(0, 80)}")`);
  }
  return normalized;
}

function sameColumns(found: unknown): boolean {
  const expected = columnSignature();
  if (typeof found !== 'object' || found === null) return false;
  for (const level of Object.keys(expected) as IndexLevel[]) {
    const list = (found as Record<string, unknown>)[level];
    if (!Array.isArray(list) || list.join(' ') !== expected[level].join(' ')) return false;
  }
  return true;
}

/**
 * Reads an index file, handing each instance (with its patient, study and series) and each
 * ignored file to `sink`.
 * @throws IndexFileError when the file is malformed, truncated, or of another format or version.
 * @throws the file system's error (ENOENT when there is no index yet).
 */
export async function readIndexFile(file: string, interner: Interner, sink: IndexFileSink): Promise<{ instances: number; ignored: number }> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? '');
  } catch {
    throw new IndexFileError('The index file does not start with its header.');
  }
  const h = header as Record<string, unknown> | null;
  if (typeof h !== 'object' || h === null || h.format !== INDEX_FORMAT) throw new IndexFileError('The index file is not a dicomnet archive index.');
  if (h.version !== INDEX_VERSION) throw new IndexFileError(`The index file has version ${String(h.version)}, this program writes version ${INDEX_VERSION}.`);
  if (!sameColumns(h.columns)) throw new IndexFileError('The index file keeps other attributes than this program does.');

  let patient: LoadedEntity | undefined;
  let study: LoadedEntity | undefined;
  let series: LoadedEntity | undefined;
  let instances = 0;
  let ignored = 0;
  for (let n = 1; n < lines.length; n++) {
    const raw = lines[n]!;
    if (raw === '') continue;
    let fields: unknown;
    try {
      fields = JSON.parse(raw);
    } catch {
      throw new IndexFileError(`Line ${n + 1} of the index file is not valid JSON.`);
    }
    if (!Array.isArray(fields) || typeof fields[0] !== 'string') throw new IndexFileError(`Line ${n + 1} of the index file is not a record.`);
    const line: LineReader = new LineReader(n + 1, fields);
    switch (fields[0]) {
      case 'P':
        patient = { uid: '', charset: charset(line, 1, interner), values: values(line, 2, LEVEL_COLUMNS.PATIENT, interner) };
        study = series = undefined;
        break;
      case 'S':
        if (!patient) line.fail('has a study outside a patient');
        study = { uid: line.string(1, 'Study Instance UID'), charset: charset(line, 2, interner), values: values(line, 3, LEVEL_COLUMNS.STUDY, interner) };
        series = undefined;
        break;
      case 'E':
        if (!study) line.fail('has a series outside a study');
        series = { uid: line.string(1, 'Series Instance UID'), charset: charset(line, 2, interner), values: values(line, 3, LEVEL_COLUMNS.SERIES, interner) };
        break;
      case 'I': {
        if (!series) line.fail('has an instance outside a series');
        const storedPath = fields[2] === 0 ? undefined : relativePath(line, 2);
        sink.instance(patient!, study!, series, {
          uid: line.string(1, 'SOP Instance UID'), storedPath,
          size: line.number(3, 'size'), mtimeMs: line.number(4, 'modification time'),
          datasetOffset: line.number(5, 'data set offset'),
          transferSyntaxUid: interner.string(line.string(6, 'transfer syntax')),
          charset: charset(line, 7, interner), values: values(line, 8, LEVEL_COLUMNS.IMAGE, interner),
        });
        instances++;
        break;
      }
      case 'X':
        sink.ignored(relativePath(line, 1), { size: line.number(2, 'size'), mtimeMs: line.number(3, 'modification time'), reason: line.string(4, 'reason') });
        ignored++;
        break;
      case 'END':
        if (fields[1] !== instances || fields[2] !== ignored) line.fail(`counts ${String(fields[1])} instances where the file has ${instances}`);
        for (let rest = n + 1; rest < lines.length; rest++) if (lines[rest] !== '') throw new IndexFileError(`The index file goes on after its end (line ${rest + 1}).`);
        return { instances, ignored };
      default:
        line.fail(`has an unknown record type "${String(fields[0]).slice(0, 10)}"`);
    }
  }
  throw new IndexFileError('The index file is truncated (it has no END record).');
}
