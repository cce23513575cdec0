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
 * The module: imports memory e.m; exports h(start: i32, length: i32), which leaves the checksum of
 * memory[start, start + length) in memory[0, 8) (little-endian). The last word is read whole and
 * masked to the bytes it holds, so the data can lie anywhere (a file read into the memory,
 * checksummed where it lies) with whatever follows it. Written out byte by byte: building it at run
 * time took BigInt arithmetic for the constants and a BigInt for the result, ~0.5 ms of each start
 * with the functions Node compiles for them. The constants are signed LEB128, as i64.const takes
 * them (test/unit/cli/checksum.test.ts encodes them again and compares).
 */
export const OFFSET_LEB128 = [0xa5, 0xc6, 0x88, 0xa1, 0xc8, 0x9c, 0xa7, 0xf9, 0x4b]; // 0xcbf29ce484222325
export const PRIME_LEB128 = [0xb3, 0x83, 0x80, 0x80, 0x80, 0x20]; // 0x100000001b3

function moduleBytes(): Uint8Array {
  const body = [
    0x02, 0x01, 0x7f, 0x01, 0x7e, // locals: 1 i32 (local 2: end of the whole words), 1 i64 (local 3: h)
    0x42, ...OFFSET_LEB128, 0x21, 0x03, // h = OFFSET
    0x20, 0x00, 0x20, 0x01, 0x41, 0x78, 0x71, 0x6a, 0x21, 0x02, // end = start + (length & -8)
    0x02, 0x40, 0x03, 0x40, // block, loop
    0x20, 0x00, 0x20, 0x02, 0x4f, 0x0d, 0x01, // if start >= end (unsigned): leave the block
    0x20, 0x03, 0x20, 0x00, 0x29, 0x03, 0x00, 0x85, // h ^ i64.load(start)
    0x42, ...PRIME_LEB128, 0x7e, 0x21, 0x03, // * PRIME → h
    0x20, 0x00, 0x41, 0x08, 0x6a, 0x21, 0x00, // start += 8
    0x0c, 0x00, 0x0b, 0x0b, // again; end loop, end block
    0x20, 0x01, 0x41, 0x07, 0x71, 0x04, 0x40, // if length & 7: the last, partial word
    0x20, 0x03, 0x20, 0x00, 0x29, 0x03, 0x00, // h, i64.load(start)
    0x42, 0x01, 0x20, 0x01, 0x41, 0x07, 0x71, 0x41, 0x03, 0x74, 0xad, 0x86, 0x42, 0x01, 0x7d, // (1 << ((length & 7) * 8)) - 1
    0x83, 0x85, // the word & that mask, ^ h
    0x42, ...PRIME_LEB128, 0x7e, 0x21, 0x03, // * PRIME → h
    0x0b, // end if
    0x41, 0x00, // address 0, for the store below
    0x20, 0x03, 0x20, 0x01, 0xad, 0x85, // h ^ i64(length, unsigned)
    0x37, 0x03, 0x00, // i64.store at 0
    0x0b, // end
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
    0x01, 0x06, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00, // types: (i32, i32) → ()
    0x02, 0x08, 0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01, // import "e" "m": memory, at least 1 page
    0x03, 0x02, 0x01, 0x00, // one function, of type 0
    0x07, 0x05, 0x01, 0x01, 0x68, 0x00, 0x00, // export "h": function 0
    0x0a, body.length + 2, 0x01, body.length, ...body, // code (both lengths fit in one LEB128 byte)
  ]);
}

/** The little of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface WasmMemory { readonly buffer: ArrayBuffer }
interface Wasm {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;

const PAGE = 65536;
/**
 * A memory's size when the sizes asked for are smaller: 16 MB, reserved and not touched (the pages
 * a process writes are the ones it pays for), room for the CLI's largest bundle and its cache.
 */
const DEFAULT_PAGES = 256;
/** The checksum's result is written at [0, 8); regions start after it. */
const FIRST_REGION = 8;

/**
 * One memory and the function over it. A memory is never grown (growing detaches the ArrayBuffer,
 * and with it every Buffer handed out over it): when one is full, the next is another memory with
 * its own instance of the compiled module.
 */
interface Engine { memory: WasmMemory; hash: (start: number, length: number) => void; used: number }
let compiled: object | undefined;
const engines: Engine[] = [];

function engineWithRoom(bytes: number): Engine {
  // 8 bytes of room after a region: the last word's load reads up to 7 bytes past its end.
  const found = engines.find((e) => e.memory.buffer.byteLength - e.used >= bytes + 8);
  if (found) return found;
  const memory = new wasm!.Memory({ initial: Math.max(DEFAULT_PAGES, Math.ceil((FIRST_REGION + bytes + 8) / PAGE)) });
  compiled ??= new wasm!.Module(moduleBytes());
  const engine = { memory, hash: new wasm!.Instance(compiled, { e: { m: memory } }).exports.h as Engine['hash'], used: FIRST_REGION };
  engines.push(engine);
  return engine;
}

/** Whether this Node can run it (WebAssembly is missing under --jitless). */
export const checksumAvailable = wasm !== undefined;

/**
 * A buffer of this size (its bytes left as they are: the caller writes them) that checksum64 reads
 * where it lies: a file read into it is checksummed without being copied (each copy of a 0.4 MB
 * bundle is ~100 fresh pages, ~0.4 ms of page faults). It lives until releaseChecksumBuffers;
 * without WebAssembly it is a plain buffer.
 */
export function checksumBuffer(bytes: number): Buffer {
  if (!checksumAvailable) return Buffer.alloc(bytes);
  const engine = engineWithRoom(bytes);
  const start = engine.used;
  engine.used = (start + bytes + 8 + 7) & ~7; // the next region 8-byte aligned (V8 copies cache data that is not)
  return Buffer.from(engine.memory.buffer, start, bytes);
}

/** Frees every checksumBuffer at once (their bytes may then be overwritten); the memory is kept for the next. */
export function releaseChecksumBuffers(): void {
  engines.splice(1);
  if (engines.length) engines[0].used = FIRST_REGION;
}

/** The checksum of these bytes, as 8 bytes (little-endian); bytes from checksumBuffer are not copied. */
export function checksum64(data: Uint8Array): Buffer {
  let engine = engines.find((e) => e.memory.buffer === data.buffer);
  let start = data.byteOffset;
  if (!engine) {
    // Copied into free room, which stays free.
    engine = engineWithRoom(data.length);
    start = engine.used;
    new Uint8Array(engine.memory.buffer).set(data, start);
  }
  engine.hash(start, data.length);
  return Buffer.from(new Uint8Array(engine.memory.buffer, 0, 8));
}
