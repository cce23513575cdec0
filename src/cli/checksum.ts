// A 64-bit checksum of bytes for the code cache's key and damage check (code-cache.ts), computed
// by a tiny WebAssembly function. Loading node:zlib for its crc32 cost each dicomnet start ~2 ms of
// CPU (the module and the stream classes it builds); this costs a few tenths of one.
//
// The function: h = 0xcbf29ce484222325; for each 8-byte little-endian word w: h = (h ^ w) * P,
// with P = 0x100000001b3 (FNV's 64-bit prime), the last word zero-padded; then h ^ length, as 8
// bytes little-endian. Each step is a bijection of h (an xor, then a product by an odd number mod 2^64), so bytes that differ
// within one word always give another result; other damage goes unseen with odds of about 2^-64.
// It is not a defence against someone who can write the cache folder (code-cache.ts checks whose
// the files are for that). test/unit/cli/checksum.test.ts holds a BigInt copy that it must match.

/**
 * The module: imports memory e.m; exports h(length: i32), which leaves the checksum of memory[0,
 * length) in memory[0, 8) (little-endian). Written out byte by byte: building it at run time took
 * BigInt arithmetic for the constants and a BigInt for the result, ~0.5 ms of each start with the
 * functions Node compiles for them. The constants are signed LEB128, as i64.const takes them
 * (test/unit/cli/checksum.test.ts encodes them again and compares).
 */
export const OFFSET_LEB128 = [0xa5, 0xc6, 0x88, 0xa1, 0xc8, 0x9c, 0xa7, 0xf9, 0x4b]; // 0xcbf29ce484222325
export const PRIME_LEB128 = [0xb3, 0x83, 0x80, 0x80, 0x80, 0x20]; // 0x100000001b3

function moduleBytes(): Uint8Array {
  const body = [
    0x02, 0x01, 0x7f, 0x01, 0x7e, // locals: 1 i32 (local 1: offset), 1 i64 (local 2: h)
    0x42, ...OFFSET_LEB128, 0x21, 0x02, // h = OFFSET
    0x02, 0x40, 0x03, 0x40, // block, loop
    0x20, 0x01, 0x20, 0x00, 0x4f, 0x0d, 0x01, // if offset >= length (unsigned): leave the block
    0x20, 0x02, 0x20, 0x01, 0x29, 0x03, 0x00, 0x85, // h ^ i64.load(offset)
    0x42, ...PRIME_LEB128, 0x7e, 0x21, 0x02, // * PRIME → h
    0x20, 0x01, 0x41, 0x08, 0x6a, 0x21, 0x01, // offset += 8
    0x0c, 0x00, 0x0b, 0x0b, // again; end loop, end block
    0x41, 0x00, // address 0, for the store below
    0x20, 0x02, 0x20, 0x00, 0xad, 0x85, // h ^ i64(length, unsigned)
    0x37, 0x03, 0x00, // i64.store at 0
    0x0b, // end
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
    0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, // types: (i32) → ()
    0x02, 0x08, 0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01, // import "e" "m": memory, at least 1 page
    0x03, 0x02, 0x01, 0x00, // one function, of type 0
    0x07, 0x05, 0x01, 0x01, 0x68, 0x00, 0x00, // export "h": function 0
    0x0a, body.length + 2, 0x01, body.length, ...body, // code (both lengths fit in one LEB128 byte)
  ]);
}

/** The little of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface Wasm {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;

const PAGE = 65536;
let engine: { memory: WasmMemory; hash: (length: number) => void } | undefined;

function instance(bytes: number) {
  if (!engine) {
    const memory = new wasm!.Memory({ initial: Math.ceil((bytes + 8) / PAGE) });
    const exports = new wasm!.Instance(new wasm!.Module(moduleBytes()), { e: { m: memory } }).exports;
    engine = { memory, hash: exports.h as (length: number) => void };
  }
  const missing = Math.ceil((bytes + 8) / PAGE) - engine.memory.buffer.byteLength / PAGE;
  if (missing > 0) engine.memory.grow(missing);
  return engine;
}

/** Whether this Node can run it (WebAssembly is missing under --jitless). */
export const checksumAvailable = wasm !== undefined;

/** The checksum of these bytes, as 8 bytes (little-endian). */
export function checksum64(data: Uint8Array): Buffer {
  const { memory, hash } = instance(data.length);
  const view = new Uint8Array(memory.buffer);
  view.set(data);
  view.fill(0, data.length, data.length + 8);
  hash(data.length);
  return Buffer.from(view.subarray(0, 8));
}
