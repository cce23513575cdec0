// Filling a buffer from an open file: the one synchronous read loop of the file readers (Part 10
// headers, identities, the storage SCU's data sets). A read may return less than asked for.
import { readSync } from 'node:fs';

/**
 * Reads `length` bytes at `position` of the open file into `buffer` from `offset`, in as many reads
 * as it takes; fewer only where the file ends. Returns how many bytes were read.
 */
export function readUpTo(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, offset + filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled;
}
