import path from 'node:path';
import { couldNotUnzip } from '../../errors.js';

/** One entry of a zip's central directory, checked: a safe relative path, a known kind, its unix mode if it has one. */
export interface ZipEntry {
  /** Normalised relative path without a trailing slash. */
  path: string;
  kind: 'file' | 'directory' | 'symlink';
  /** Permission bits from the external attributes, or null when the zip carries no unix mode (e.g. made on Windows). */
  mode: number | null;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where the entry's compressed bytes start in the archive. */
  dataOffset: number;
}

const END = 0x06054b50;
const END64 = 0x06064b50;
const END64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
/** "Version made by" hosts whose high 16 attribute bits are a unix mode: Unix and OS X. */
const UNIX_HOSTS = new Set([3, 19]);

function findEnd(zip: Buffer): number {
  // The end record is 22 bytes plus a comment of up to 65,535.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === END) return at;
  }
  throw couldNotUnzip('no end of central directory record: not a zip file');
}

function directoryBounds(zip: Buffer): { count: number; offset: number } {
  const end = findEnd(zip);
  let count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const locator = end - 20;
  if ((count === 0xffff || offset === 0xffffffff) && locator >= 0 && zip.readUInt32LE(locator) === END64_LOCATOR) {
    const end64 = Number(zip.readBigUInt64LE(locator + 8));
    if (end64 + 56 > zip.length || zip.readUInt32LE(end64) !== END64) throw couldNotUnzip('bad zip64 end record');
    count = Number(zip.readBigUInt64LE(end64 + 32));
    offset = Number(zip.readBigUInt64LE(end64 + 48));
  }
  return { count, offset };
}

/** Zip64 extra field (0x0001): the 64-bit values of whichever 32-bit fields were saturated, in this order. */
function applyZip64(extra: Buffer, sizes: { size: number; compressedSize: number; localOffset: number }): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      for (const key of ['size', 'compressedSize', 'localOffset'] as const) {
        if (sizes[key] !== 0xffffffff) continue;
        if (field + 8 > at + 4 + length) throw couldNotUnzip('bad zip64 extra field');
        sizes[key] = Number(extra.readBigUInt64LE(field));
        field += 8;
      }
      return;
    }
    at += 4 + length;
  }
}

/** A name as a safe path below the code folder: no NUL, not absolute, no `..`, not empty. */
function safePath(raw: Buffer): string {
  const name = raw.toString('utf8');
  if (name.includes('\0')) throw couldNotUnzip('an entry name contains a NUL byte');
  const shown = JSON.stringify(name.slice(0, 200));
  if (name.startsWith('/')) throw couldNotUnzip(`entry ${shown} is an absolute path`);
  if (name.split('/').includes('..')) throw couldNotUnzip(`entry ${shown} leaves the code folder ("..")`);
  const normal = path.posix.normalize(name).replace(/\/+$/, '');
  if (normal === '' || normal === '.') throw couldNotUnzip(`entry ${shown} has no name`);
  return normal;
}

function unixMode(versionMadeBy: number, attributes: number): number | null {
  const high = attributes >>> 16;
  if (UNIX_HOSTS.has(versionMadeBy >>> 8)) return high === 0 ? null : high;
  // Info-ZIP's rule: other hosts (MS-DOS from fflate, PKZip for Unix) count when the high bits carry a file type.
  const type = high & S_IFMT;
  return type === S_IFREG || type === S_IFDIR || type === S_IFLNK ? high : null;
}

/** Reads and checks the central directory; the archive itself stays a Buffer, entries are inflated one by one later. */
export function readDirectory(zip: Buffer): ZipEntry[] {
  if (zip.length < 22) throw couldNotUnzip('too short to be a zip file');
  const { count, offset } = directoryBounds(zip);
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw couldNotUnzip('truncated central directory');
    const versionMadeBy = zip.readUInt16LE(at + 4);
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const attributes = zip.readUInt32LE(at + 38);
    const crc = zip.readUInt32LE(at + 16);
    const sizes = {
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
    };
    const nameStart = at + 46;
    if (nameStart + nameLength + extraLength > zip.length) throw couldNotUnzip('truncated central directory');
    const rawName = zip.subarray(nameStart, nameStart + nameLength);
    applyZip64(zip.subarray(nameStart + nameLength, nameStart + nameLength + extraLength), sizes);
    at = nameStart + nameLength + extraLength + commentLength;
    const entryPath = safePath(rawName);
    if (flags & 0x1) throw couldNotUnzip(`entry ${JSON.stringify(entryPath)} is encrypted`);
    if (method !== 0 && method !== 8) {
      throw couldNotUnzip(
        `entry ${JSON.stringify(entryPath)} uses compression method ${method} (only stored and deflate)`,
      );
    }
    if (seen.has(entryPath)) throw couldNotUnzip(`entry ${JSON.stringify(entryPath)} appears twice`);
    seen.add(entryPath);
    const mode = unixMode(versionMadeBy, attributes);
    const type = (mode ?? 0) & S_IFMT;
    const isDirectory = type === S_IFDIR || rawName.at(-1) === 0x2f || (mode === null && (attributes & 0x10) !== 0);
    const kind = type === S_IFLNK ? 'symlink' : isDirectory ? 'directory' : 'file';
    entries.push({
      path: entryPath,
      kind,
      mode: mode === null ? null : mode & 0o7777,
      method,
      crc,
      compressedSize: sizes.compressedSize,
      size: sizes.size,
      dataOffset: localDataOffset(zip, sizes.localOffset, sizes.compressedSize, entryPath),
    });
  }
  return entries;
}

function localDataOffset(zip: Buffer, localOffset: number, compressedSize: number, entryPath: string): number {
  if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL) {
    throw couldNotUnzip(`entry ${JSON.stringify(entryPath)} has no local header`);
  }
  const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
  if (start + compressedSize > zip.length) throw couldNotUnzip(`entry ${JSON.stringify(entryPath)} is truncated`);
  return start;
}
