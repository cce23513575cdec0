// Reading a ZIP archive (a VSIX) in tests: its entries from the central directory, and the bytes of
// one entry (stored or deflated), with nothing but node:zlib.
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** Uncompressed size in bytes. */
  size: number;
  compressedSize: number;
}

export interface ZipArchive {
  entries: ZipEntry[];
  /** The bytes of an entry; throws when there is none of that name. */
  read(name: string): Buffer;
  has(name: string): boolean;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

interface Located extends ZipEntry {
  method: number;
  localOffset: number;
}

export function readZip(file: string): ZipArchive {
  const buf = readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file} is not a ZIP archive: it has no end of central directory record`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const located = new Map<string, Located>();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== CENTRAL_FILE_HEADER) throw new Error(`${file}: central directory entry ${n} is damaged`);
    const nameLength = buf.readUInt16LE(p + 28);
    const entry: Located = {
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLength),
    };
    located.set(entry.name, entry);
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return {
    entries: [...located.values()].map(({ name, size, compressedSize }) => ({ name, size, compressedSize })),
    has: (name) => located.has(name),
    read(name) {
      const e = located.get(name);
      if (!e) throw new Error(`${file} has no entry ${name}`);
      const h = e.localOffset;
      if (buf.readUInt32LE(h) !== LOCAL_FILE_HEADER) throw new Error(`${file}: the local header of ${name} is damaged`);
      const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
      const data = buf.subarray(start, start + e.compressedSize);
      if (e.method === 0) return Buffer.from(data);
      if (e.method === 8) return inflateRawSync(data);
      throw new Error(`${file}: ${name} uses compression method ${e.method}`);
    },
  };
}
