// In-place and copying byte swaps used when converting between little and big endian.
// Node's swap16/32/64 are native; they require a multiple of the unit, so a trailing partial
// unit (odd-length, malformed values) is left as it is.

export function swapInPlace(buf: Buffer, unit: number): Buffer {
  if (unit <= 1) return buf;
  const whole = buf.length - (buf.length % unit);
  if (whole === 0) return buf;
  const body = whole === buf.length ? buf : buf.subarray(0, whole);
  if (unit === 2) body.swap16();
  else if (unit === 4) body.swap32();
  else body.swap64();
  return buf;
}

/** A swapped copy (the input is left untouched, it may be a view of a caller's buffer). */
export function swapped(buf: Buffer, unit: number): Buffer {
  if (unit <= 1 || buf.length < unit) return buf;
  return swapInPlace(Buffer.from(buf), unit);
}
