// Every waiting connection holds a file descriptor. Where the process's open-file limit is below
// the bounds on waiting connections (plus what established associations need), a flood of silent
// connections runs the SCP out of descriptors before any bound is reached: accept() fails, and
// libuv then accepts and drops each new connection, a real peer's included, until some close.
// The bounds are lowered to fit under the limit instead, so the oldest silent connection is
// closed for a newcomer as usual.
import { readFileSync, readdirSync } from 'node:fs';
import { WaitingLimits } from './admission';

export interface OpenFiles {
  /** The soft limit on open files (what accept() runs into). */
  limit: number;
  /** Descriptors open now. */
  open: number;
}

/** Descriptors set aside per established association: its socket, a file being received or sent, the next one opened ahead, a C-MOVE's own association. */
export const FILES_PER_ASSOCIATION = 4;
/** Descriptors left for everything else: the archive, the DICOMweb server's listener, codec workers, logs. */
export const FILES_IN_RESERVE = 64;
/** Waiting connections are never bounded below this, however low the limit. */
const MIN_WAITING = 16;

/** The process's open-file limit and descriptors open now (Linux, from /proc); undefined elsewhere or when unlimited. */
export function openFiles(): OpenFiles | undefined {
  try {
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'latin1'));
    if (!limit) return undefined;
    return { limit: Number(limit[1]), open: readdirSync('/proc/self/fd').length };
  } catch {
    return undefined;
  }
}

export interface FittedLimits extends WaitingLimits {
  /** Set when the bounds were lowered: the open-file limit they were fitted under. */
  openFileLimit?: number;
}

/** `limits`, lowered where `files` has no room for them beside `associations` established associations. */
export function fitToOpenFiles(limits: WaitingLimits, associations: number, files: OpenFiles | undefined): FittedLimits {
  if (!files) return { ...limits };
  const room = Math.max(MIN_WAITING, files.limit - files.open - associations * FILES_PER_ASSOCIATION - FILES_IN_RESERVE);
  if (limits.maxWaiting <= room && limits.maxWaitingPerSource <= room) return { ...limits };
  return {
    maxWaiting: Math.min(limits.maxWaiting, room),
    maxWaitingPerSource: Math.min(limits.maxWaitingPerSource, room),
    openFileLimit: files.limit,
  };
}

/** A log line for bounds lowered to fit the open-file limit; undefined when they were not. */
export function openFilesNote(limits: FittedLimits): string | undefined {
  if (limits.openFileLimit === undefined) return undefined;
  return `the open-file limit (${limits.openFileLimit}) leaves room for ${limits.maxWaiting} connections waiting for their `
    + `A-ASSOCIATE-RQ (${limits.maxWaitingPerSource} from one address); raise it (ulimit -n) to allow more`;
}
