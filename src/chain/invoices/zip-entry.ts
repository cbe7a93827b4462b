import { crc32, inflateRawSync } from 'node:zlib';
import { badRequest } from '../../shared/errors.js';

const invalid = (why: string) => badRequest('ecb_rates_invalid', `The ECB rates ZIP is unreadable: ${why}.`);
const MAX_ENTRY_BYTES = 64 * 1024 * 1024; // the full eurofxref-hist.csv is about 2 MB

/**
 * The first entry of a ZIP archive (PKWARE APPNOTE: end of central directory record, central
 * directory, local file header) whose name matches, stored (method 0) or deflated (method 8), its
 * CRC-32 checked. Enough for the ECB's eurofxref-hist.zip, which holds one CSV; no ZIP64, no
 * encryption, no multi-disk archives.
 */
export function firstZipEntry(zip: Buffer, name: RegExp): Buffer {
  // the end record is 22 bytes plus a comment of at most 65,535 bytes, found from the end
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--)
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw invalid('no end of central directory');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) throw invalid('a broken central directory');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const entryName = zip.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    at += 46 + nameLen + extraLen + commentLen;
    if (!name.test(entryName)) continue;
    if (size > MAX_ENTRY_BYTES) throw invalid(`${entryName} is larger than ${MAX_ENTRY_BYTES} bytes`);
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) throw invalid('a broken local header');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (data.length !== compressed) throw invalid('a truncated entry');
    let out: Buffer;
    if (method === 0) out = Buffer.from(data);
    else if (method === 8) out = inflate(data, entryName);
    else throw invalid(`compression method ${method}`);
    if (out.length !== size || crc32(out) >>> 0 !== crc) throw invalid(`${entryName} fails its CRC-32`);
    return out;
  }
  throw invalid('no CSV or XML entry');
}

function inflate(data: Buffer, entryName: string): Buffer {
  try {
    return inflateRawSync(data, { maxOutputLength: MAX_ENTRY_BYTES });
  } catch {
    throw invalid(`${entryName} is not valid deflate data`);
  }
}
