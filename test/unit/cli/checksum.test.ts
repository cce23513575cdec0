// The code cache's checksum (src/cli/checksum.ts), computed in WebAssembly, against a plain
// BigInt copy of its definition, and its promise: damage within one 8-byte word always shows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { OFFSET_LEB128, PRIME_LEB128, checksum64, checksumAvailable, checksumBuffer, releaseChecksumBuffers } from '../../../src/cli/checksum';

/** The definition: FNV-1a's basis and prime over 8-byte little-endian words, zero-padded, then ^ length. */
function reference(data: Buffer): bigint {
  const padded = Buffer.concat([data, Buffer.alloc((8 - (data.length % 8)) % 8)]);
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < padded.length; i += 8) h = BigInt.asUintN(64, (h ^ padded.readBigUInt64LE(i)) * 0x100000001b3n);
  return h ^ BigInt(data.length);
}

/** Signed LEB128 of a 64-bit constant, as i64.const takes it. */
function sleb128(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const last = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(last ? byte : byte | 0x80);
    if (last) return out;
  }
}

describe('code cache checksum', () => {
  it("writes FNV-1a's basis and prime into its module as i64.const takes them", () => {
    assert.deepEqual(OFFSET_LEB128, sleb128(0xcbf29ce484222325n));
    assert.deepEqual(PRIME_LEB128, sleb128(0x100000001b3n));
  });

  it('runs here (Node without --jitless has WebAssembly)', () => {
    assert.equal(checksumAvailable, true);
  });

  it('equals its definition, for lengths around words and memory pages, larger ones after smaller and back', () => {
    for (const length of [0, 1, 7, 8, 9, 63, 64, 65, 65535, 65536, 65537, 300_001, 17, 1_048_583, 5]) {
      const data = randomBytes(length);
      assert.equal(checksum64(data).readBigUInt64LE(0), reference(data), `${length} bytes`);
    }
  });

  it('tells apart data that differs in one byte, or only in its length (trailing zeros)', () => {
    const data = randomBytes(4099);
    const sum = checksum64(data);
    for (let i = 0; i < data.length; i += 13) {
      const changed = Buffer.from(data);
      changed[i] ^= 1 << (i % 8);
      assert.notDeepEqual(checksum64(changed), sum, `byte ${i} changed`);
    }
    assert.notDeepEqual(checksum64(Buffer.concat([data, Buffer.alloc(1)])), sum, 'a zero byte appended');
    assert.notDeepEqual(checksum64(data.subarray(0, data.length - 1)), sum, 'cut short');
    assert.deepEqual(checksum64(Buffer.from(data)), sum, 'the same bytes in another buffer');
  });

  it('checksums bytes where they lie in its memory, whatever bytes follow them', () => {
    const region = checksumBuffer(5000);
    randomBytes(5000).copy(region);
    for (const [start, length] of [[0, 0], [0, 1], [3, 7], [1, 8], [5, 9], [8, 4096], [13, 4987], [4999, 1]]) {
      const view = region.subarray(start, start + length);
      assert.equal(checksum64(view).readBigUInt64LE(0), reference(Buffer.from(view)), `${length} bytes at ${start}`);
    }
    releaseChecksumBuffers();
  });

  it('hands out buffers that stay apart and stay usable after a larger one (its memory is never grown)', () => {
    const first = checksumBuffer(100_000);
    randomBytes(first.length).copy(first);
    const kept = Buffer.from(first);
    const second = checksumBuffer(100_000);
    second.fill(0xff);
    const large = checksumBuffer(40 << 20); // more than a memory holds at first: another memory
    large.fill(0xaa, 0, 1 << 20);
    assert.deepEqual(first, kept, 'the first buffer kept its bytes (not detached, not overwritten)');
    assert.equal(checksum64(first).readBigUInt64LE(0), reference(kept));
    assert.equal(checksum64(large.subarray(0, 1 << 20)).readBigUInt64LE(0), reference(Buffer.alloc(1 << 20, 0xaa)));
    releaseChecksumBuffers();
    assert.equal(checksum64(kept).readBigUInt64LE(0), reference(kept), 'copied in after the release');
  });
});
