// Loads the command-line tool's bundle through a V8 code cache. Compiling the ~1.4 MB bundle was
// most of dicomnet's start-up above Node's own (Node 20 has no module.enableCompileCache), so the
// bytecode V8 produced on a first run (the functions that run ran, not just the top level) is kept
// in a per-user cache folder and handed back to V8 on the next run.
//
// Safety: a cache file is named and stamped with a key of the bundle's bytes, Node's version and
// architecture and its flags; its data is checked against a digest stored beside it before V8 sees
// it; V8 itself refuses data from another V8 or flags; on POSIX, a file that is not ours alone
// (another owner, writable by group or others) is not read. A file that fails any check, that
// cannot be read or written, or that V8 rejects, is ignored: the bundle is then compiled from its
// source as before, and a fresh cache is written (to a temporary name, then renamed into place).
//
// A cache holds the functions the run that wrote it compiled. The stamp says whether that run
// succeeded: a run that failed (a refused connection, a usage error) ran little of its command, so
// its cache is "partial", and the first later run that succeeds writes it again, whole, once; a
// whole cache is never written again. So failed runs have a cache too, and one never costs the
// successful runs after it the compiling of what it lacks.
//
// The digests are a 64-bit checksum computed in WebAssembly (checksum.ts): they detect damage and
// tell bundles apart; they are not a defence against someone who can write the folder, which is
// what the ownership check is for. node:crypto's SHA-256 (~3 ms to load, ~2 ms to hash the bundle)
// and node:zlib's crc32 (~2 ms to load) cost every run more; a Node without WebAssembly
// (--jitless) still uses SHA-256.
// Only the node builtins and checksum.ts are used here: this runs before anything else is loaded.
import { isAscii } from 'node:buffer';
import type * as crypto from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type ModuleClass from 'node:module';
import type * as os from 'node:os';
import type * as v8 from 'node:v8';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { checksum64, checksumAvailable, checksumBuffer, releaseChecksumBuffers } from './checksum';

/** What happened to the cache on this run (DICOMNET_CODE_CACHE=verbose prints it). */
export type CacheOutcome = 'used' | 'written' | 'written partial' | 'completed' | 'rejected' | 'invalid' | 'off' | 'unwritable';

export interface CodeCacheOptions {
  /** Folder of the cache files; default: the per-user cache folder (see cacheFolder). */
  dir?: string;
  /** Part of the file name: the command, so each command's cache holds the functions it runs. */
  label?: string;
  /** Told what happened, once the outcome is known (after the cache is written at exit, if it is). */
  report?: (outcome: CacheOutcome, file: string) => void;
  /** The bundle to load instead when the one named is absent (no stat of it first: one system call less per start). */
  fallback?: string;
  /**
   * V8 flags (as on Node's command line) the bundle runs with: set before it is compiled, so V8
   * checks and makes its cache under them, and part of the cache's key (V8 refuses a cache made
   * under other flags). A flag the process was started with (its command line or NODE_OPTIONS,
   * with or without `no-`) is left as the user set it.
   */
  v8Flags?: readonly string[];
}

const KEY_BYTES = 16;
const DIGEST_BYTES = checksumAvailable ? 8 : 32;
/** The stamp's byte after the first line: how the run that wrote the file ended. */
const WHOLE = 0x77; // 'w': it succeeded
const PARTIAL = 0x70; // 'p': it failed
/**
 * The stamp's first line, padded so that V8's data starts at a multiple of 8 bytes into the file
 * (and so into the buffer it is read into): V8 copies data that is not 8-byte aligned before it
 * reads it, 0.3 MB for dicomnet echo's cache.
 */
const MAGIC = ((text: string) => Buffer.from(`${text}${' '.repeat(7 - ((text.length + 1 + KEY_BYTES + DIGEST_BYTES) % 8))}\n`))(
  `dicomnet code cache 5 ${checksumAvailable ? 'sum64' : 'sha256'}`,
);
const KEY_AT = MAGIC.length + 1;
const HEADER_BYTES = KEY_AT + KEY_BYTES + DIGEST_BYTES;
/** Cache files of other bundles (older versions) are removed once they are this old. */
const STALE_MS = 30 * 24 * 3600 * 1000;

const sha256 = (...parts: (string | Buffer)[]): Buffer => {
  const h = (require('node:crypto') as typeof crypto).createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest();
};

/** The digest of a cache file's data. */
function digestOf(data: Buffer): Buffer {
  return checksumAvailable ? checksum64(data) : sha256(data);
}

/**
 * Node's CommonJS Module class, which this file's own module object is an instance of: what
 * require('node:module') exports, without loading that module (the ES module loader and source maps
 * come with it, ~0.6 ms of each start).
 */
const Module = module.constructor as typeof ModuleClass;

/** The home folder (os.homedir() reads $HOME first on POSIX; node:os is loaded only without it). */
const homedir = (): string => (process.platform !== 'win32' && process.env.HOME) || (require('node:os') as typeof os).homedir();

/** A V8 flag's name as `node --v8-options` spells it: no dashes in front, no `no-`, no value, `-` for `_`. */
function flagName(flag: string): string {
  return flag.replace(/^--?/, '').replace(/=.*$/s, '').replace(/_/g, '-').replace(/^no-/, '');
}

/**
 * Sets the flags among `flags` that the process was not started with (node:v8 is loaded only
 * then); returns those set, in order.
 */
export function applyV8Flags(flags: readonly string[], execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((a) => a.startsWith('-')).map(flagName));
  const set = flags.filter((f) => !given.has(flagName(f)));
  if (set.length > 0) {
    // Node's own modules required after a flag changes are compiled from their source: V8 refuses
    // the code cache Node ships for them, made under other flags (node:net alone: +13 M
    // instructions). The commands that take flags all connect, so net and its streams come first.
    require('node:net');
    (require('node:v8') as typeof v8).setFlagsFromString(set.join(' '));
  }
  return set;
}

/** The per-user cache folder: DICOMNET_CACHE_DIR, else the platform's cache folder + /dicomnet. */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DICOMNET_CACHE_DIR) return env.DICOMNET_CACHE_DIR;
  if (process.platform === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'dicomnet', 'Cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'dicomnet');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dicomnet');
}

/** The key of a bundle's cache: its bytes, and what V8 compiles it with (this process's Node and flags). */
export function cacheKey(source: Buffer, execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS): Buffer {
  const runtime = [process.version, process.arch, JSON.stringify(execArgv), nodeOptions ?? ''].join('\0');
  if (!checksumAvailable) return sha256(source, runtime).subarray(0, KEY_BYTES);
  // The bundle's checksum and length, and the checksum of what V8 compiles it with.
  const key = Buffer.alloc(KEY_BYTES);
  checksum64(source).copy(key, 0);
  checksum64(Buffer.from(runtime)).copy(key, 8, 0, 4);
  key.writeUInt32BE(source.length >>> 0, 12);
  return key;
}

/**
 * A cache file's bytes: the stamp (magic, whether the run that wrote it succeeded, key, digest of
 * the data), then V8's data.
 */
export function encodeCacheFile(key: Buffer, data: Buffer, whole = true): Buffer {
  return Buffer.concat([MAGIC, Buffer.of(whole ? WHOLE : PARTIAL), key, digestOf(data), data]);
}

/** V8's data from a cache file's bytes, or undefined when the file is not this key's or is damaged. */
export function decodeCacheFile(file: Buffer, key: Buffer): Buffer | undefined {
  if (file.length <= HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if ((file[MAGIC.length] !== WHOLE && file[MAGIC.length] !== PARTIAL) || !file.subarray(KEY_AT, KEY_AT + KEY_BYTES).equals(key)) return undefined;
  const data = file.subarray(HEADER_BYTES);
  return file.subarray(KEY_AT + KEY_BYTES, HEADER_BYTES).equals(digestOf(data)) ? data : undefined;
}

/** Whether a cache file (one decodeCacheFile accepts) was written by a run that succeeded. */
export function isWholeCacheFile(file: Buffer): boolean {
  return file[MAGIC.length] === WHOLE;
}

/**
 * The file's bytes, or undefined when it is absent or unreadable. A file another user owns, or
 * that others may write, is refused (empty): V8's data is code, and a cache folder that others can
 * write to (DICOMNET_CACHE_DIR=/tmp/…) must not let them run code as us.
 */
function readIfPresent(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    const ours = process.getuid === undefined || (stat.uid === process.getuid() && (stat.mode & 0o022) === 0);
    return ours && stat.isFile() ? readOpen(fd, stat.size).bytes : Buffer.alloc(0);
  } catch {
    return Buffer.alloc(0);
  } finally {
    closeSync(fd);
  }
}

/**
 * An open file's bytes (size: its size now; fewer if it is shorter by the time it is read), read
 * straight into the checksum's memory, where they are checksummed without a copy; with `before`
 * and `after` bytes of room around them.
 */
function readOpen(fd: number, size: number, before = 0, after = 0): { bytes: Buffer; region: Buffer } {
  const region = checksumBuffer(before + size + after);
  const bytes = region.subarray(before, before + size);
  let read = 0;
  for (let n = -1; read < size && n !== 0; read += n) n = readSync(fd, bytes, read, size - read, read);
  return { bytes: bytes.subarray(0, read), region: region.subarray(0, before + read + after) };
}

/** CommonJS's wrapper around a module's code (what Module.wrap puts before and after it). */
const [WRAP_HEAD, WRAP_TAIL] = Module.wrap('\0').split('\0').map((part) => Buffer.from(part, 'latin1'));

/**
 * A bundle's bytes, and its code as a function (what Module.wrap makes of it), built around the
 * bytes where they were read: one string of it, where Module.wrap's concatenation had V8 copy
 * (flatten) the whole source again into a new string when compiling it.
 */
function readBundle(filename: string): { bytes: Buffer; code: string } {
  const fd = openSync(filename, 'r');
  let read: ReturnType<typeof readOpen>;
  try {
    read = readOpen(fd, fstatSync(fd).size, WRAP_HEAD.length, WRAP_TAIL.length);
  } finally {
    closeSync(fd);
  }
  const { bytes, region } = read;
  WRAP_HEAD.copy(region, 0);
  WRAP_TAIL.copy(region, region.length - WRAP_TAIL.length);
  // A bundle that is ASCII (esbuild escapes everything else) is read as Latin-1: the same string,
  // without UTF-8 decoding (~4 ms for 1.4 MB). A "#!" line is made a comment (Node's loader skips it).
  const code = region.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const shebang = bytes[0] === 0x23 && bytes[1] === 0x21;
  return { bytes, code: shebang ? `${code.slice(0, WRAP_HEAD.length)}//${code.slice(WRAP_HEAD.length + 2)}` : code };
}

/** Writes atomically (temporary name, then rename) and drops stale files of other bundles. */
function writeCache(dir: string, file: string, bytes: Buffer): boolean {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, bytes, { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The folder itself is the problem (not a folder, gone, not ours).
    }
    return false;
  }
  try {
    const now = Date.now();
    for (const name of readdirSync(dir)) {
      const other = join(dir, name);
      if (other !== file && name.endsWith('.cache') && now - statSync(other).mtimeMs > STALE_MS) rmSync(other, { force: true });
    }
  } catch {
    // Tidying up is best effort.
  }
  return true;
}

/**
 * require() for a CommonJS bundle, compiled with the code cache when there is a good one. The
 * returned exports are the bundle's; its require() resolves from the bundle's folder.
 */
export function requireWithCodeCache(filename: string, options: CodeCacheOptions = {}): unknown {
  let bundle: { bytes: Buffer; code: string };
  try {
    bundle = readBundle(filename);
  } catch (error) {
    if (options.fallback === undefined || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    filename = options.fallback;
    bundle = readBundle(filename);
  }
  const { bytes: source, code } = bundle;
  const mode = process.env.DICOMNET_CODE_CACHE ?? '';
  const off = mode === 'off' || mode === '0';
  const dir = options.dir ?? cacheFolder();
  const label = (options.label ?? '').replace(/[^\w-]/g, '').slice(0, 32) || 'main';
  const flags = options.v8Flags?.length ? applyV8Flags(options.v8Flags) : [];
  const key = cacheKey(source, [...process.execArgv, ...flags]);
  const file = join(dir, `${basename(filename).replace(/\W/g, '_')}-${label}-${key.toString('hex').slice(0, 32)}.cache`);

  let cached: Buffer | undefined;
  let partial = false;
  let outcome: CacheOutcome = 'off';
  if (!off) {
    const bytes = readIfPresent(file);
    cached = bytes && decodeCacheFile(bytes, key);
    partial = cached !== undefined && !isWholeCacheFile(bytes!);
    outcome = bytes === undefined ? 'written' : cached ? 'used' : 'invalid';
  }
  const script = new Script(code, { filename, cachedData: cached });
  if (cached && script.cachedDataRejected) outcome = 'rejected';
  // V8 holds neither the source's bytes (the string is a copy) nor the cache's.
  releaseChecksumBuffers();

  if (!off && (outcome !== 'used' || partial)) {
    // At exit, so the cache holds the functions this command compiled, not only the top level.
    process.once('exit', (code) => {
      const succeeded = code === 0;
      // A partial cache is written again by a run that succeeds, never by another that fails.
      if (outcome === 'used' && !succeeded) {
        options.report?.(outcome, file);
        return;
      }
      let data: Buffer | undefined;
      try {
        data = script.createCachedData();
      } catch {
        data = undefined;
      }
      if (!data?.length || !writeCache(dir, file, encodeCacheFile(key, data, succeeded))) outcome = 'unwritable';
      else outcome = outcome === 'used' ? 'completed' : succeeded ? outcome : 'written partial';
      options.report?.(outcome, file);
    });
  } else {
    options.report?.(outcome, file);
  }

  const module = new Module(filename);
  module.filename = filename;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(filename));
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: ModuleClass, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, Module.createRequire(filename), module, filename, dirname(filename));
  module.loaded = true;
  return module.exports;
}
