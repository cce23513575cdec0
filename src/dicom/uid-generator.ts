// New UIDs under the 2.25 root (PS3.5 B.2: a UUID as one decimal integer), for Transaction UIDs,
// MPPS instances and whatever else a peer expects us to name.
import { randomBytes } from './lazy-builtins';

/** A fresh UID "2.25.<122 random bits as a decimal integer>" (at most 44 characters). */
export function generateUid(): string {
  const bytes = randomBytes(16);
  // A version 4 UUID, as B.2 describes: 122 random bits.
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}
