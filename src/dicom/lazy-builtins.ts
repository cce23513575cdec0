// Node modules the engine needs only on some paths, required on first use: loading them at
// start-up would cost every dicomnet command (and the extension's engine) that never takes those
// paths. The types come from `import type`, which leaves nothing behind in the output.
import type * as crypto from 'node:crypto';
import type * as os from 'node:os';
import type * as zlib from 'node:zlib';
import type * as workerThreads from 'node:worker_threads';

/** node:zlib: Deflated Explicit VR Little Endian (PS3.5 A.5) only. */
export const loadZlib = (): typeof zlib => require('node:zlib') as typeof zlib;

/** node:worker_threads: the codec pool and the frame decoder start their workers with it. */
export const loadWorkerThreads = (): typeof workerThreads => require('node:worker_threads') as typeof workerThreads;

/** node:crypto's randomBytes: new UIDs and temporary file names. */
export const randomBytes = (size: number): Buffer => (require('node:crypto') as typeof crypto).randomBytes(size);

/** node:os's tmpdir: temporary files of conversions. */
export const tmpdir = (): string => (require('node:os') as typeof os).tmpdir();

/** node:os's availableParallelism: the codec pool's size. */
export const availableParallelism = (): number => (require('node:os') as typeof os).availableParallelism();
